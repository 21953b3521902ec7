package graph_test

import "testing"

const (
	extraQuoteQuery = `query($o: ID!, $c: Credits!) { extraCreditsQuote(orgId: $o, credits: $c) { total { amount } } }`
	buyExtraQuery   = `mutation($in: BuyExtraCreditsInput!) { buyExtraCredits(input: $in) { order { id } } }`
)

// TestAddonsAndExtraCreditsGraph: the add-on term on purchasePack's and
// quote's inputs, extraCreditsQuote and buyExtraCredits refused on the Free
// plan with the field, and only to who may buy; the org's add-ons list.
func TestAddonsAndExtraCreditsGraph(t *testing.T) {
	s := newShopServer(t, true)
	quoteIn := map[string]any{"in": map[string]any{"orgId": s.orgID, "packId": s.packID, "termMonths": 3}}
	if code, field := s.errCode(quoteQuery, quoteIn); code != "INVALID_INPUT" || field != "termMonths" {
		t.Errorf("a term on a pack that is not an add-on: %s on %q", code, field)
	}
	buy := s.buyInput("term", "")
	buy["in"].(map[string]any)["termMonths"] = 3
	if code, field := s.errCode(purchase, buy); code != "INVALID_INPUT" || field != "termMonths" {
		t.Errorf("purchasePack with a term on a pack that is not an add-on: %s on %q", code, field)
	}

	extraIn := map[string]any{"o": s.orgID, "c": 1000}
	buyIn := map[string]any{"in": map[string]any{"orgId": s.orgID, "credits": 1000, "idempotencyKey": "extra"}}
	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		as          *shopServer
		code, field string
	}{
		{"quote on the Free plan", extraQuoteQuery, extraIn, s, "INVALID_INPUT", "orgId"},
		{"buy on the Free plan", buyExtraQuery, buyIn, s, "INVALID_INPUT", "orgId"},
		{"MEMBER quotes", extraQuoteQuery, extraIn, s.member("extra-member@example.com", "MEMBER"), "FORBIDDEN", ""},
		{"ADMIN buys", buyExtraQuery, buyIn, s.member("extra-admin@example.com", "ADMIN"), "FORBIDDEN", ""},
		{"outsider buys", buyExtraQuery, buyIn, s.as(mint(t, "extra-outsider@example.com", false)), "NOT_FOUND", ""},
		{"anonymous quotes", extraQuoteQuery, extraIn, s.as(""), "UNAUTHENTICATED", ""},
	} {
		if code, field := tc.as.errCode(tc.query, tc.vars); code != tc.code || (tc.field != "" && field != tc.field) {
			t.Errorf("%s: %s on %q, want %s on %q", tc.name, code, field, tc.code, tc.field)
		}
	}

	var org struct {
		Org struct{ SubscriptionAddons []struct{ Status string } }
	}
	s.must(`query($o: ID!) { org(id: $o) { subscriptionAddons { status creditsPerMonth termEnd pack { id } } } }`, map[string]any{"o": s.orgID}, &org)
	if len(org.Org.SubscriptionAddons) != 0 {
		t.Fatalf("add-ons of an org on the Free plan: %+v", org.Org.SubscriptionAddons)
	}
}
