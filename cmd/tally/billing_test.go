package main

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
)

// TestServeBillingPage runs the binary as README's run command does (SQLite,
// no TALLY_JWT_SECRET): /billing answers the embedded page and its assets,
// and the page's development sign-in mints a token the GraphQL API accepts.
// With a secret of its own the server mints nothing.
func TestServeBillingPage(t *testing.T) {
	s := tallytest.StartReady(t, []string{"DATABASE_URL=sqlite://" + filepath.Join(t.TempDir(), "tally.db")})
	get := func(path string) (*http.Response, string) {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	resp, page := get("/billing")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `<div id="app">`) || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("GET /billing: %d, CSP %q:\n%s", resp.StatusCode, resp.Header.Get("Content-Security-Policy"), page)
	}
	assets := regexp.MustCompile(`(?:src|href)="(/billing/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(assets) == 0 {
		t.Fatal("the page names no asset")
	}
	for _, a := range assets {
		if resp, body := get(a[1]); resp.StatusCode != http.StatusOK || len(body) == 0 {
			t.Errorf("GET %s: %d, %d bytes", a[1], resp.StatusCode, len(body))
		}
	}

	mint, err := http.Post(s.URL+devTokenPath, "application/json", strings.NewReader(`{"email":"page@example.com","name":"Page"}`))
	if err != nil {
		t.Fatal(err)
	}
	var minted struct{ Token string }
	err = json.NewDecoder(mint.Body).Decode(&minted)
	_ = mint.Body.Close()
	if mint.StatusCode != http.StatusOK || err != nil || minted.Token == "" {
		t.Fatalf("POST %s: %d %+v (%v)", devTokenPath, mint.StatusCode, minted, err)
	}
	var viewer struct {
		Viewer struct{ User struct{ Email string } }
	}
	graphql(t, s.URL, minted.Token, `{ viewer { user { email } } }`, nil, &viewer)
	if viewer.Viewer.User.Email != "page@example.com" {
		t.Errorf("viewer with the minted token = %+v", viewer)
	}
	s.Stop(t)

	own := tallytest.StartReady(t, []string{
		"DATABASE_URL=sqlite://" + filepath.Join(t.TempDir(), "tally.db"),
		"TALLY_JWT_SECRET=e2e-secret-e2e-secret-e2e-secret",
	})
	refused, err := http.Post(own.URL+devTokenPath, "application/json", strings.NewReader(`{"email":"page@example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	_ = refused.Body.Close()
	if refused.StatusCode == http.StatusOK {
		t.Errorf("a server with its own TALLY_JWT_SECRET minted a development token")
	}
}
