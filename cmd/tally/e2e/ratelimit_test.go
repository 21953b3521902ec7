package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// generousLimits keep every limit on but out of the way of the other tests.
var generousLimits = []string{
	"TALLY_RATE_LIMIT_ANONYMOUS=100000", "TALLY_RATE_LIMIT_ANONYMOUS_BURST=100000",
	"TALLY_RATE_LIMIT_USER=100000", "TALLY_RATE_LIMIT_USER_BURST=100000",
	"TALLY_RATE_LIMIT_AUTH_FAILURES=100000",
	"TALLY_RATE_LIMIT_PURCHASES_ORG=100000", "TALLY_RATE_LIMIT_PURCHASES_USER=100000",
	"TALLY_RATE_LIMIT_DECLINES_ORG=100000",
}

// answer is one raw HTTP answer of /graphql.
type answer struct {
	status      int
	retryAfter  string // the header
	contentType string // the header
	result
}

// send posts a GraphQL query to s with headers and returns the answer with
// its Retry-After header.
func send(t testing.TB, s *server, headers map[string]string, query string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(gqlBody(query, nil)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	a := answer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), contentType: resp.Header.Get("Content-Type")}
	if err := json.Unmarshal(raw, &a.result); err != nil {
		t.Fatalf("status %d, undecodable body %q", resp.StatusCode, raw)
	}
	return a
}

// checkLimited fails unless a is a well-formed refusal: 429, Retry-After in
// whole seconds equal to extensions.retryAfter, code RATE_LIMITED.
func checkLimited(t testing.TB, a answer) {
	t.Helper()
	secs, err := strconv.Atoi(a.retryAfter)
	if a.status != http.StatusTooManyRequests || err != nil || secs < 1 || len(a.Errors) != 1 ||
		a.Errors[0].Extensions.Code != "RATE_LIMITED" || a.Errors[0].Extensions.RetryAfter != secs {
		t.Fatalf("refusal: status %d, Retry-After %q, errors %+v", a.status, a.retryAfter, a.Errors)
	}
}

// TestBadAPIKeysAcrossInstances: 400 bad API keys sent to two instances on
// one PostgreSQL database spend one budget of failed authentications: the
// first 20 are 401, every later one 429 with Retry-After, and once over
// budget even a good key from that address is refused on both instances.
func TestBadAPIKeysAcrossInstances(t *testing.T) {
	dbURL := backends[0].newDB(t) // PostgreSQL
	env := []string{"TALLY_RATE_LIMIT_AUTH_FAILURES=20", "TALLY_RATE_LIMIT_AUTH_WINDOW=1h"}
	a, b := startServer(t, dbURL, env...), startServer(t, dbURL, env...)
	owner := a.user(t, "owner@keys.example")
	org := owner.createOrg(t, "Keys", "DE", "EUR")
	_, goodKey := owner.createKey(t, org, "backend")
	if r := send(t, b, map[string]string{"X-Api-Key": goodKey}, `{ viewer { __typename } }`); r.status != http.StatusOK {
		t.Fatalf("the good key before the flood: %d %+v", r.status, r.Errors)
	}

	const n = 400
	statuses := make([]answer, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			s := a
			if i%2 == 1 {
				s = b
			}
			statuses[i] = send(t, s, map[string]string{"Authorization": fmt.Sprintf("Bearer tly_bad%04d", i)}, `{ viewer { __typename } }`)
		})
	}
	wg.Wait()
	count := map[int]int{}
	for _, r := range statuses {
		count[r.status]++
		if r.status == http.StatusTooManyRequests {
			checkLimited(t, r)
		}
	}
	if count[http.StatusUnauthorized] != 20 || count[http.StatusTooManyRequests] != n-20 {
		t.Fatalf("answers by status %v, want 20 × 401 and %d × 429 (one budget for both instances)", count, n-20)
	}
	for _, s := range []*server{a, b} {
		checkLimited(t, send(t, s, map[string]string{"X-Api-Key": goodKey}, `{ viewer { __typename } }`))
	}
	// A client that asks for application/graphql-response+json gets the
	// same 429, in that media type.
	r := send(t, a, map[string]string{"X-Api-Key": goodKey, "Accept": "application/graphql-response+json"}, `{ viewer { __typename } }`)
	checkLimited(t, r)
	if !strings.HasPrefix(r.contentType, "application/graphql-response+json") {
		t.Fatalf("429 asked for application/graphql-response+json: Content-Type %q", r.contentType)
	}
}

// TestAnonymousFlood: anonymous requests beyond the per-IP burst are 429,
// and a made-up X-Forwarded-For (no trusted proxy is configured) does not
// make a new client.
func TestAnonymousFlood(t *testing.T) {
	s := startServer(t, backends[1].newDB(t), "TALLY_RATE_LIMIT_ANONYMOUS=0.2", "TALLY_RATE_LIMIT_ANONYMOUS_BURST=5")
	var ok, limited int
	for i := range 30 {
		r := send(t, s, map[string]string{"X-Forwarded-For": fmt.Sprintf("198.51.100.%d", i)}, `{ __typename }`)
		switch r.status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			checkLimited(t, r)
			limited++
		default:
			t.Fatalf("status %d: %+v", r.status, r.Errors)
		}
	}
	if ok > 6 || limited < 24 {
		t.Fatalf("%d allowed, %d refused; want the burst of 5 (plus at most one refill) allowed", ok, limited)
	}
	// A signed-in user has its own budget.
	if r := send(t, s, map[string]string{"Authorization": "Bearer " + token(t, "u@flood.example", false)}, `{ viewer { __typename } }`); r.status != http.StatusOK {
		t.Fatalf("a user after the anonymous flood: %d", r.status)
	}
}

// TestPurchaseLimits: purchases over an org's budget, counted across two
// instances, are RATE_LIMITED before any order is written (so before any
// gateway call); declines answer a generic message and, past their own
// budget, stop the org's purchases too.
func TestPurchaseLimits(t *testing.T) {
	dbURL := backends[0].newDB(t)
	seedCatalog(t, dbURL)
	env := []string{"TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET=" + sandboxSecret,
		"TALLY_RATE_LIMIT_PURCHASES_ORG=3", "TALLY_RATE_LIMIT_DECLINES_ORG=2"}
	a, b := startServer(t, dbURL, env...), startServer(t, dbURL, env...)
	owners := []*client{a.user(t, "owner@shop.example"), b.user(t, "owner@shop.example")}
	org := owners[0].createOrg(t, "Shop", "DE", "EUR")
	pack := owners[0].packID(t, "EUR", "pro-eur")
	buy := func(on int, key, card string) result {
		return owners[on].purchase(t, map[string]any{"orgId": org, "packId": pack, "paymentMethodId": card, "idempotencyKey": key})
	}
	for i := range 3 {
		if r := buy(i%2, fmt.Sprint("ok-", i), "4242424242424242"); len(r.Errors) > 0 {
			t.Fatalf("purchase %d: %+v", i, r.Errors)
		}
	}
	for i := range 2 {
		r := buy(i, fmt.Sprint("over-", i), "4242424242424242")
		if r.code() != "RATE_LIMITED" || r.Errors[0].Extensions.RetryAfter < 1 {
			t.Fatalf("purchase over the org's budget on instance %d: %+v", i, r.Errors)
		}
	}
	// A top-up by amount spends the same budget.
	if r := owners[1].topUp(t, map[string]any{"orgId": org, "amount": "50.00", "paymentMethodId": "4242424242424242", "idempotencyKey": "over-topup"}); r.code() != "RATE_LIMITED" {
		t.Fatalf("top-up over the org's budget: %+v", r.Errors)
	}
	if n := countAllOrders(t, owners[0], org); n != 3 {
		t.Fatalf("%d orders after the refused purchases, want 3", n)
	}
	// A replay of an earlier purchase is not a new attempt.
	if r := buy(1, "ok-0", "4242424242424242"); len(r.Errors) > 0 {
		t.Fatalf("replay: %+v", r.Errors)
	}

	// Declines, in a second org of the same owner.
	org2 := owners[0].createOrg(t, "Shop 2", "DE", "EUR")
	for i, card := range []string{"4000000000000002", "4000000000009995"} {
		r := owners[i].purchase(t, map[string]any{"orgId": org2, "packId": pack, "paymentMethodId": card, "idempotencyKey": fmt.Sprint("d-", i)})
		if r.code() != "PAYMENT_FAILED" || strings.Contains(r.Errors[0].Message, "insufficient") || strings.Contains(r.Errors[0].Message, "generic_decline") {
			t.Fatalf("decline %d: %+v, want PAYMENT_FAILED without the reason", i, r.Errors)
		}
	}
	r := owners[1].purchase(t, map[string]any{"orgId": org2, "packId": pack, "paymentMethodId": "4242424242424242", "idempotencyKey": "d-ok"})
	if r.code() != "RATE_LIMITED" {
		t.Fatalf("purchase after 2 declines: %+v, want RATE_LIMITED", r.Errors)
	}
	if n := countAllOrders(t, owners[0], org2); n != 2 {
		t.Fatalf("%d orders in the declining org, want 2", n)
	}
}

// countAllOrders counts an org's orders of every status.
func countAllOrders(t *testing.T, c *client, orgID string) int {
	t.Helper()
	var out struct {
		Orders struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	c.must(t, `query($id: ID!) { org(id: $id) { orders(first: 100) { edges { node { id } } } } }`, map[string]any{"id": orgID}, "org", &out)
	return len(out.Orders.Edges)
}
