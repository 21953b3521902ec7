package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/auth"
)

// apiCodes are the codes an answer may carry: the API's, and the standard
// one an automatic-persisted-query client retries on.
var apiCodes = map[string]bool{
	"UNAUTHENTICATED": true, "FORBIDDEN": true, "NOT_FOUND": true, "INVALID_INPUT": true,
	"INSUFFICIENT_CREDITS": true, "ORG_SUSPENDED": true, "CONFLICT": true, "PAYMENT_FAILED": true,
	"GATEWAY_UNAVAILABLE": true, "RATE_LIMITED": true, "PERSISTED_QUERY_NOT_FOUND": true,
}

// FuzzRequest sends arbitrary bodies to POST /graphql, anonymously and
// signed in, on a real service over SQLite. Whatever arrives, the answer is
// one JSON document with a known status, at most 100 errors each carrying
// an API code (never INTERNAL: bad input is the client's, not a fault), and
// it stays small.
func FuzzRequest(f *testing.F) {
	for _, q := range []string{
		`{ packs { code credits price { amount currency } } }`,
		`{ viewer { user { email } memberships { role org { id name } } } }`,
		`mutation { createOrg(input: {name: "Acme", country: "DE", currency: EUR}) { org { id balance { total } } } }`,
		`query($id: ID!) { org(id: $id) { ledger(first: 5) { edges { node { id amount } } } } }`,
		`query { ...F3 } fragment F0 on Query { __typename } fragment F1 on Query { ...F0 ...F0 } fragment F2 on Query { ...F1 ...F1 } fragment F3 on Query { ...F2 ...F2 }`,
		`{ a: packs(currency: EUR) { code } a: packs(currency: USD) { code } }`,
		`{ __typename @a @b @skip(if: true) }`,
		`subscription { balanceUpdated(orgId: "x") { balance { total } } }`,
		`{ node(id: "T3JnOjA=") { id ... on Org { name } } }`,
	} {
		body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"id": "T3JnOjA=", "s": "a\x00b"}})
		f.Add(body, false)
		f.Add(body, true)
	}
	f.Add([]byte(`{"query": "{ packs { code } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "00"}}}`), false)
	f.Add([]byte(`{"query": `), false)
	f.Add([]byte("{\"query\":\"{ packs(currency: \\\"\xff\\\") { code } }\"}"), true)
	f.Add([]byte(`[1, 2, 3]`), true)

	b := bus.NewLocal()
	f.Cleanup(func() { _ = b.Close() })
	svc := domain.NewService(dbtest.SQLite(f), domain.Config{}, domain.WithBus(b))
	secret := []byte("fuzz-secret-0123456789abcdefghijklmnopqrstuv")
	a, err := auth.New(context.Background(), auth.Config{HS256Secret: secret}, svc)
	if err != nil {
		f.Fatal(err)
	}
	tok, err := auth.Mint(secret, auth.Claims{Email: "fuzz@example.com"})
	if err != nil {
		f.Fatal(err)
	}
	h := a.Middleware(graph.NewHandler(svc, graph.Options{Production: true, Auth: a, MaxBodyBytes: 64 << 10}))

	f.Fuzz(func(t *testing.T, body []byte, signedIn bool) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if signedIn {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusForbidden, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body.Bytes())
		}
		if rec.Body.Len() > 256<<10 {
			t.Fatalf("a %d-byte answer to %d bytes", rec.Body.Len(), len(body))
		}
		var resp struct {
			Data   json.RawMessage `json:"data"`
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
			t.Fatalf("undecodable answer to %q: %v: %s", body, err, rec.Body.Bytes())
		}
		if len(resp.Errors) > 100 {
			t.Fatalf("%d errors", len(resp.Errors))
		}
		for _, e := range resp.Errors {
			code, _ := e.Extensions["code"].(string)
			if !apiCodes[code] {
				t.Fatalf("error %q with code %q for %q", e.Message, code, body)
			}
			if strings.Contains(e.Message, "Did you mean") {
				t.Fatalf("a production error suggests: %q", e.Message)
			}
		}
	})
}
