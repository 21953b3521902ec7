package graphiql

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

// serve routes a request the way cmd/tally mounts the package.
func serve(t *testing.T, path string) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", Page("/graphql"))
	mux.Handle("GET "+AssetPath, Assets())
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// TestPageIsSelfContained: the page names no other origin, and every
// script and stylesheet it references is served from AssetPath with its
// content type.
func TestPageIsSelfContained(t *testing.T) {
	rec := serve(t, "/")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	page := rec.Body.String()
	if strings.Contains(page, "//") {
		t.Errorf("the page references another origin (or a protocol-relative URL):\n%s", page)
	}
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self';", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "http") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("Content-Security-Policy %q allows more than this server's scripts", csp)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 6 {
		t.Errorf("page references %d files, want 6 (3 vendored scripts, GraphiQL's CSS, Tally's script and CSS)", len(refs))
	}
	for _, ref := range refs {
		url := ref[1]
		t.Run(url, func(t *testing.T) {
			if !strings.HasPrefix(url, AssetPath) {
				t.Fatalf("%s is not under %s", url, AssetPath)
			}
			want := "text/javascript; charset=utf-8"
			if strings.HasSuffix(url, ".css") {
				want = "text/css; charset=utf-8"
			}
			rec := serve(t, url)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != want || rec.Body.Len() == 0 {
				t.Errorf("GET %s = %d %q (%d bytes), want 200 %q", url, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len(), want)
			}
		})
	}
}

// TestAssetsServeOnlyScriptsAndStyles: licenses, the checksum list, the
// page template and paths outside the directory are not served as assets.
func TestAssetsServeOnlyScriptsAndStyles(t *testing.T) {
	tests := []struct {
		path string
		want int
	}{
		{AssetPath + "graphiql.min.js", http.StatusOK},
		{AssetPath + "tally.css", http.StatusOK},
		{AssetPath, http.StatusNotFound},
		{AssetPath + "VERSIONS", http.StatusNotFound},
		{AssetPath + "graphiql.LICENSE", http.StatusNotFound},
		{AssetPath + "page.html", http.StatusNotFound},
		{AssetPath + "vendor/graphiql.min.js", http.StatusNotFound},
		{AssetPath + "..%2fpage.html", http.StatusNotFound},
		{AssetPath + "missing.js", http.StatusNotFound},
	}
	for _, tc := range tests {
		if got := serve(t, tc.path).Code; got != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, got, tc.want)
		}
	}
}

// TestVendoredFilesMatchVERSIONS: vendor/ holds what
// scripts/graphiql-assets.sh fetched, byte for byte, and nothing else.
func TestVendoredFilesMatchVERSIONS(t *testing.T) {
	f, err := os.Open("vendor/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{"VERSIONS": true}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 4 {
			t.Fatalf("VERSIONS line %q: want package version file sha256", line)
		}
		name, sum := fields[2], fields[3]
		listed[name] = true
		body, err := os.ReadFile("vendor/" + name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		got := sha256.Sum256(body)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("vendor/%s changed since scripts/graphiql-assets.sh wrote it", name)
		}
	}
	entries, err := os.ReadDir("vendor")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !listed[e.Name()] {
			t.Errorf("vendor/%s is not in VERSIONS", e.Name())
		}
	}
	for _, license := range []string{"graphiql.LICENSE", "react.LICENSE", "react-dom.LICENSE"} {
		if !listed[license] {
			t.Errorf("vendor/ lacks %s", license)
		}
	}
}
