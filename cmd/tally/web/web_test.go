package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestHandler serves the committed build: index.html for the page and any
// client-side route under it, the hashed assets it names with their types
// and a year's caching, 404 for what is not there.
func TestHandler(t *testing.T) {
	h := Handler()
	get := func(method, path string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	page := get(http.MethodGet, "/billing/")
	if page.Code != http.StatusOK {
		t.Fatalf("/billing/: status %d", page.Code)
	}
	body := page.Body.String()
	if !strings.Contains(body, `<div id="app">`) {
		t.Fatalf("/billing/ is not the page's index.html:\n%s", body)
	}
	for k, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-cache",
		"Content-Security-Policy": ContentSecurityPolicy,
	} {
		if got := page.Header().Get(k); got != want {
			t.Errorf("/billing/ %s = %q, want %q", k, got, want)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
		t.Errorf("index.html has an inline script or style, which the CSP refuses:\n%s", body)
	}

	for _, p := range []string{"/billing", "/billing/orders", "/billing/a/b?x=1"} {
		if rec := get(http.MethodGet, p); rec.Code != http.StatusOK || rec.Body.String() != body {
			t.Errorf("%s: status %d, want index.html (SPA fallback)", p, rec.Code)
		}
	}

	refs := regexp.MustCompile(`(?:src|href)="(/billing/assets/[^"]+\.(js|css))"`).FindAllStringSubmatch(body, -1)
	if len(refs) < 2 {
		t.Fatalf("index.html names %d assets, want a script and a stylesheet:\n%s", len(refs), body)
	}
	for _, m := range refs {
		rec := get(http.MethodGet, m[1])
		if rec.Code != http.StatusOK || rec.Body.Len() == 0 {
			t.Fatalf("%s: status %d, %d bytes", m[1], rec.Code, rec.Body.Len())
		}
		want := map[string]string{"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}[m[2]]
		if got := rec.Header().Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type %q, want %q", m[1], got, want)
		}
		if got := rec.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", m[1], got)
		}
		etag := rec.Header().Get("ETag")
		if again := get(http.MethodGet, m[1], "If-None-Match", etag); etag == "" || again.Code != http.StatusNotModified {
			t.Errorf("%s: ETag %q, revalidation status %d, want 304", m[1], etag, again.Code)
		}
	}

	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/billing/assets/missing.js", http.StatusNotFound},
		{http.MethodGet, "/billing/assets/../index.html", http.StatusNotFound},
		{http.MethodGet, "/billingx", http.StatusNotFound},
		{http.MethodPost, "/billing/", http.StatusMethodNotAllowed},
		{http.MethodHead, "/billing/", http.StatusOK},
	} {
		if rec := get(tc.method, tc.path); rec.Code != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, rec.Code, tc.status)
		}
	}
}
