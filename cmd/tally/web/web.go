// Package web serves the billing page: a single-page app (Preact, built by
// Vite from this directory's src/ into dist/) embedded in the binary, so
// `tally serve` shows it at /billing with no Node.js on the machine.
//
// The Node project beside this file (package.json, src/client the typed
// GraphQL client, src/app the page) is built with `make web`; dist/ and the
// generated src/gql/ are committed, and CI rebuilds them and fails on a
// difference (scripts/web.sh check).
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// Prefix is the path the page is served under.
const Prefix = "/billing"

// ContentSecurityPolicy is the page's policy: its scripts and styles from
// this server only (the build has no inline script or style), requests and
// websockets to this server only (the GraphQL endpoint, invoice PDFs), no
// framing, no plugins, forms only to this server.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

//go:embed all:dist
var dist embed.FS

// contentTypes are the types of what Vite writes; anything else is
// application/octet-stream (and nosniff keeps browsers to it).
var contentTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".json":  "application/json",
}

type file struct {
	body        []byte
	contentType string
	etag        string
}

// Handler serves the page under Prefix: /billing/assets/… are the built
// files (named by content hash, so cached for a year as immutable; an
// unknown one is 404), and every other path under /billing answers
// index.html (never cached, so a new build shows at once), which routes on
// the client. Only GET and HEAD.
func Handler() http.Handler {
	files := map[string]file{}
	err := fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := dist.ReadFile(p)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			ct = "application/octet-stream"
		}
		sum := sha256.Sum256(b)
		files[strings.TrimPrefix(p, "dist/")] = file{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:16]) + `"`}
		return nil
	})
	if err != nil {
		panic("web: reading the embedded build: " + err.Error())
	}
	index, ok := files["index.html"]
	if !ok {
		panic("web: the embedded build has no index.html; run make web")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
		if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		if name, isAsset := strings.CutPrefix(rest, "/assets/"); isAsset {
			f, found := files["assets/"+name]
			if !found || strings.Contains(name, "/") {
				http.NotFound(w, r)
				return
			}
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
			serve(w, r, f)
			return
		}
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		serve(w, r, index)
	})
}

func serve(w http.ResponseWriter, r *http.Request, f file) {
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
