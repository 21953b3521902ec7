package graph_test

import (
	"context"
	"encoding/json"
	"io"
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

// TestGraphQLOverHTTP: every status code path of POST /graphql in each
// response media type of the GraphQL over HTTP specification, behind the
// same order of middleware as `tally serve` (the handler's prechecks,
// then authentication). "data" is whether the answer has a data entry:
// only an operation that ran has one.
func TestGraphQLOverHTTP(t *testing.T) {
	ctx := context.Background()
	b := bus.NewLocal()
	t.Cleanup(func() { _ = b.Close() })
	svc := domain.NewService(dbtest.SQLite(t), domain.Config{}, domain.WithBus(b))
	a, err := auth.New(ctx, auth.Config{HS256Secret: testSecret}, svc)
	if err != nil {
		t.Fatal(err)
	}
	newHandler := func(production bool) http.Handler {
		gql := graph.NewHandler(svc, graph.Options{
			Production: production, Auth: a, MaxBodyBytes: 64 << 10, Limits: graph.Limits{Depth: 10}, ComplexityLimit: 500,
		})
		return gql.Precheck(a.Middleware(gql))
	}
	dev, prod := httptest.NewServer(newHandler(false)), httptest.NewServer(newHandler(true))
	t.Cleanup(dev.Close)
	t.Cleanup(prod.Close)
	token, err := auth.Mint(testSecret, auth.Claims{Email: "owner@example.com", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	unknownOrg := graph.EncodeID("Org", "0190b3a0-0000-7000-8000-000000000000")
	deep := "query { viewer { memberships { org { ledger { edges { node { grant { order { invoice { lines { unitPrice { amount } } } } } } } } } } } }"
	complex := `{ viewer { memberships { org { ledger(first: 100) { edges { node { id kind amount reason } } } } } } }`

	const (
		jsonType = "application/json"
		gqlType  = "application/graphql-response+json"
		both     = "application/graphql-response+json, application/json;q=0.9"
	)
	tests := []struct {
		name        string
		prod        bool   // on the production handler
		method      string // POST when empty
		contentType string // application/json when empty
		accept      string
		auth        string // Bearer token when empty; "-" for none
		body        string
		status      int
		media       string // the answer's media type
		data        bool   // the answer has a data entry
		code        string // the first error's code; "" for no error
	}{
		// An operation that ran: 200 with data, errors or not.
		{name: "query, no Accept", body: `{"query":"{ viewer { user { email } } }"}`, status: 200, media: jsonType, data: true},
		{name: "query, */*", accept: "*/*", body: `{"query":"{ viewer { user { email } } }"}`, status: 200, media: jsonType, data: true},
		{name: "query, application/json", accept: jsonType, body: `{"query":"{ viewer { user { email } } }"}`, status: 200, media: jsonType, data: true},
		{name: "query, graphql-response+json", accept: gqlType, body: `{"query":"{ viewer { user { email } } }"}`, status: 200, media: gqlType, data: true},
		{name: "query, both (Apollo Client)", accept: both, body: `{"query":"{ viewer { user { email } } }"}`, status: 200, media: gqlType, data: true},
		{name: "query, json preferred by q", accept: "application/graphql-response+json;q=0.5, application/json", body: `{"query":"{ __typename }"}`, status: 200, media: jsonType, data: true},
		{name: "field error, application/json", accept: jsonType, body: `{"query":"{ org(id: \"` + unknownOrg + `\") { id } }"}`, status: 200, media: jsonType, data: true, code: "NOT_FOUND"},
		{name: "field error, graphql-response+json", accept: gqlType, body: `{"query":"{ org(id: \"` + unknownOrg + `\") { id } }"}`, status: 200, media: gqlType, data: true, code: "NOT_FOUND"},
		{name: "signed out, graphql-response+json", accept: gqlType, auth: "-", body: `{"query":"{ viewer { user { email } } }"}`, status: 200, media: gqlType, data: true, code: "UNAUTHENTICATED"},

		// Not acceptable: 406 before anything else.
		{name: "Accept text/html", accept: "text/html", body: `{"query":"{ __typename }"}`, status: 406, media: jsonType, code: "INVALID_INPUT"},
		{name: "Accept with both types at q=0", accept: "application/json;q=0, application/graphql-response+json;q=0, */*", body: `{"query":"{ __typename }"}`, status: 406, media: jsonType, code: "INVALID_INPUT"},

		// Not a well-formed GraphQL-over-HTTP request: 400 in both types.
		{name: "body not JSON, application/json", accept: jsonType, body: `{"query":`, status: 400, media: jsonType, code: "INVALID_INPUT"},
		{name: "body not JSON, graphql-response+json", accept: gqlType, body: `NONSENSE`, status: 400, media: gqlType, code: "INVALID_INPUT"},
		{name: "no query, application/json", accept: jsonType, body: `{"qeury":"{ __typename }"}`, status: 400, media: jsonType, code: "INVALID_INPUT"},
		{name: "no query, graphql-response+json", accept: gqlType, body: `{}`, status: 400, media: gqlType, code: "INVALID_INPUT"},
		{name: "variables an array", accept: gqlType, body: `{"query":"{ __typename }","variables":[7]}`, status: 400, media: gqlType, code: "INVALID_INPUT"},
		{name: "query a number", accept: jsonType, body: `{"query":7}`, status: 400, media: jsonType, code: "INVALID_INPUT"},
		{name: "body not UTF-8", accept: gqlType, body: "{\"query\":\"{ \xff }\"}", status: 400, media: gqlType, code: "INVALID_INPUT"},
		{name: "body too large", accept: gqlType, body: `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 70<<10) + `"}}`, status: 413, media: gqlType, code: "INVALID_INPUT"},

		// A document refused before it runs: 200 in application/json, 400
		// in application/graphql-response+json, never a data entry.
		{name: "parse failure, application/json", accept: jsonType, body: `{"query":"{"}`, status: 200, media: jsonType, code: "INVALID_INPUT"},
		{name: "parse failure, no Accept", body: `{"query":"{"}`, status: 200, media: jsonType, code: "INVALID_INPUT"},
		{name: "parse failure, graphql-response+json", accept: gqlType, body: `{"query":"{"}`, status: 400, media: gqlType, code: "INVALID_INPUT"},
		{name: "validation failure, application/json", accept: jsonType, body: `{"query":"{ viewer { nope } }"}`, status: 200, media: jsonType, code: "INVALID_INPUT"},
		{name: "validation failure, graphql-response+json", accept: gqlType, body: `{"query":"{ viewer { nope } }"}`, status: 400, media: gqlType, code: "INVALID_INPUT"},
		{name: "variable coercion, application/json", accept: jsonType, body: `{"query":"query($id: ID!) { org(id: $id) { id } }","variables":{"id":{"a":1}}}`, status: 200, media: jsonType, code: "INVALID_INPUT"},
		{name: "variable coercion, graphql-response+json", accept: gqlType, body: `{"query":"query($id: ID!) { org(id: $id) { id } }","variables":{}}`, status: 400, media: gqlType, code: "INVALID_INPUT"},
		{name: "no such operation, application/json", accept: jsonType, body: `{"query":"query A { __typename }","operationName":"B"}`, status: 200, media: jsonType, code: "INVALID_INPUT"},
		{name: "no such operation, graphql-response+json", accept: gqlType, body: `{"query":"query A { __typename }","operationName":"B"}`, status: 400, media: gqlType, code: "INVALID_INPUT"},
		{name: "over a document limit, application/json", accept: jsonType, body: `{"query":"` + deep + `"}`, status: 200, media: jsonType, code: "INVALID_INPUT"},
		{name: "over a document limit, graphql-response+json", accept: gqlType, body: `{"query":"` + deep + `"}`, status: 400, media: gqlType, code: "INVALID_INPUT"},
		{name: "too complex, application/json", accept: jsonType, body: `{"query":"` + complex + `"}`, status: 200, media: jsonType, code: "INVALID_INPUT"},
		{name: "too complex, graphql-response+json", accept: gqlType, body: `{"query":"` + complex + `"}`, status: 400, media: gqlType, code: "INVALID_INPUT"},

		// Tally's own errors keep the status of their code.
		{name: "bad token, application/json", accept: jsonType, auth: "Bearer not-a-jwt", body: `{"query":"{ __typename }"}`, status: 401, media: jsonType, code: "UNAUTHENTICATED"},
		{name: "bad token, graphql-response+json", accept: gqlType, auth: "Bearer not-a-jwt", body: `{"query":"{ __typename }"}`, status: 401, media: gqlType, code: "UNAUTHENTICATED"},
		{name: "introspection in production, application/json", prod: true, accept: jsonType, body: `{"query":"{ __schema { queryType { name } } }"}`, status: 403, media: jsonType, code: "FORBIDDEN"},
		{name: "introspection in production, graphql-response+json", prod: true, accept: gqlType, body: `{"query":"{ __schema { queryType { name } } }"}`, status: 403, media: gqlType, code: "FORBIDDEN"},

		// No operations over GET (CSRF), and no form posts.
		{name: "GET", method: http.MethodGet, accept: gqlType, status: 405, media: jsonType, code: "INVALID_INPUT"},
		{name: "form post", contentType: "application/x-www-form-urlencoded", accept: gqlType, body: "query=%7B__typename%7D", status: 415, media: gqlType, code: "INVALID_INPUT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			url := dev.URL
			if tc.prod {
				url = prod.URL
			}
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			req, err := http.NewRequest(method, url, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			switch tc.auth {
			case "":
				req.Header.Set("Authorization", "Bearer "+token)
			case "-":
			default:
				req.Header.Set("Authorization", tc.auth)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			var body struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			var entries map[string]json.RawMessage
			if json.Unmarshal(raw, &entries) != nil || json.Unmarshal(raw, &body) != nil {
				t.Fatalf("%d: answer is no JSON object: %s", res.StatusCode, raw)
			}
			media := strings.TrimSpace(strings.Split(res.Header.Get("Content-Type"), ";")[0])
			_, data := entries["data"]
			code := ""
			if len(body.Errors) > 0 {
				code, _ = body.Errors[0].Extensions["code"].(string)
			}
			if res.StatusCode != tc.status || media != tc.media || data != tc.data || code != tc.code {
				t.Fatalf("got %d %s data=%v code %q, want %d %s data=%v code %q: %s",
					res.StatusCode, media, data, code, tc.status, tc.media, tc.data, tc.code, raw)
			}
		})
	}
}
