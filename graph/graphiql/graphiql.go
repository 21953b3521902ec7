// Package graphiql serves the GraphiQL page (an in-browser GraphQL IDE)
// entirely from the binary: the page, its start-up script and the vendored
// React and GraphiQL builds are embedded, so the page works offline and
// behind a firewall and loads nothing from another origin.
//
// vendor/ holds the minified builds and their licenses exactly as npm ships
// them; scripts/graphiql-assets.sh (make graphiql-assets) refreshes them at
// the versions it pins and records their checksums in vendor/VERSIONS.
package graphiql

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"path"
	"strings"
	"time"
)

// AssetPath is the URL prefix of the page's scripts and styles.
const AssetPath = "/graphiql/"

// ContentSecurityPolicy is the page's policy: scripts, styles, fonts and
// images from this server only (the GraphiQL stylesheet inlines its fonts
// and icons as data: URLs), requests and websockets to this server only,
// no framing, no plugins, no forms. Inline styles are allowed because
// GraphiQL's components set some at run time; inline scripts are not.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed page.html tally.js tally.css vendor/*.js vendor/*.css
var files embed.FS

// contentTypes are the types of the files served under AssetPath.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

// assets maps a file name under AssetPath to its embedded path.
var assets = func() map[string]string {
	m := map[string]string{"tally.js": "tally.js", "tally.css": "tally.css"}
	entries, err := files.ReadDir("vendor")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		m[e.Name()] = "vendor/" + e.Name()
	}
	return m
}()

// Page returns the GraphiQL page for the GraphQL endpoint path (e.g.
// "/graphql"); subscriptions use a websocket on the same path.
func Page(endpoint string) http.Handler {
	tmpl := template.Must(template.ParseFS(files, "page.html"))
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, struct{ Endpoint, Assets string }{endpoint, AssetPath}); err != nil {
		panic(err)
	}
	page := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(page))
	})
}

// Assets serves the page's scripts and styles under AssetPath; any other
// path is 404.
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, AssetPath)
		file, known := assets[name]
		if !ok || !known {
			http.NotFound(w, r)
			return
		}
		body, err := files.ReadFile(file)
		if err != nil {
			http.Error(w, "asset unreadable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentTypes[path.Ext(name)])
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}
