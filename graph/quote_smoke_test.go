package graph_test

import (
	"testing"
)

const quoteQuery = `query($in: QuoteInput!) { quote(input: $in) {
	lines { kind quantity amount { amount } } subtotal { amount } taxRateBasisPoints tax { amount }
	total { amount currency } credits validity installments { count } } }`

// TestQuoteQuery: quote prices a purchase as purchasePack then charges it,
// refuses bad input with a field, and answers only who may buy; a pack
// tells its price in one currency and per 1,000 credits.
func TestQuoteQuery(t *testing.T) {
	s := newShopServer(t, true)

	var q struct {
		Quote struct {
			Lines []struct {
				Kind     string
				Quantity int
				Amount   struct{ Amount string }
			}
			Subtotal, Tax      struct{ Amount string }
			TaxRateBasisPoints int
			Total              struct{ Amount, Currency string }
			Credits            int64
			Validity           string
			Installments       *struct{ Count int }
		}
	}
	in := map[string]any{"in": map[string]any{"orgId": s.orgID, "packId": s.packID, "quantity": 2}}
	s.must(quoteQuery, in, &q)
	got := q.Quote
	if got.Total.Amount != "11.90" || got.Total.Currency != "EUR" || got.Subtotal.Amount != "10.00" || got.Tax.Amount != "1.90" ||
		got.TaxRateBasisPoints != 1900 || got.Credits != 2_000_000 || got.Validity != "NEVER" || got.Installments != nil ||
		len(got.Lines) != 1 || got.Lines[0].Kind != "PACK" || got.Lines[0].Quantity != 2 || got.Lines[0].Amount.Amount != "10.00" {
		t.Fatalf("quote = %+v, want 2 × 5.00 + 19%% DE tax = 11.90 EUR", got)
	}
	// The order of the same purchase costs what the quote said.
	buy := s.buyInput("quoted", "")
	buy["in"].(map[string]any)["quantity"] = 2
	var c checkout
	s.must(purchase, buy, &c)
	if o := c.PurchasePack.Order; o.Total.Amount != got.Total.Amount || o.Total.Currency != got.Total.Currency || o.Credits != got.Credits {
		t.Fatalf("order %+v, quote %+v", o, got)
	}

	for _, tc := range []struct {
		name  string
		edit  func(map[string]any)
		field string
	}{
		{"no packs", func(m map[string]any) { m["quantity"] = 0 }, "quantity"},
		{"a malformed pack ID", func(m map[string]any) { m["packId"] = "Zm9v" }, "packId"},
		{"credits on a fixed pack", func(m map[string]any) { m["credits"] = 5 }, "credits"},
		{"13 installments", func(m map[string]any) { m["installments"] = 13 }, "installments"},
		{"installments outside Brazil", func(m map[string]any) { m["installments"] = 3 }, "installments"},
	} {
		m := map[string]any{"orgId": s.orgID, "packId": s.packID}
		tc.edit(m)
		if code, field := s.errCode(quoteQuery, map[string]any{"in": m}); code != "INVALID_INPUT" || field != tc.field {
			t.Errorf("%s: %s on %q, want INVALID_INPUT on %s", tc.name, code, field, tc.field)
		}
	}

	var packs struct {
		Packs []struct {
			EUR, Per1000 *struct{ Amount, Currency string }
			BRL          *struct{ Amount string }
		}
	}
	s.must(`{ packs { eur: price(currency: EUR) { amount currency } per1000: pricePer1000(currency: EUR) { amount currency }
		brl: price(currency: BRL) { amount } } }`, nil, &packs)
	if p := packs.Packs; len(p) != 1 || p[0].EUR == nil || p[0].EUR.Amount != "5.00" || p[0].Per1000 == nil ||
		p[0].Per1000.Amount != "0.01" || p[0].BRL != nil {
		t.Fatalf("packs = %+v, want 5.00 EUR, 0.01 EUR per 1,000 (0.005 rounded up) and no BRL price", p)
	}

	// The org's own view of the catalog: priced in its currency (EUR).
	var offers struct {
		Org struct {
			PackOffers []struct {
				Pack                struct{ ID string }
				Price, PricePer1000 struct{ Amount, Currency string }
			}
		}
	}
	s.must(`query($o: ID!) { org(id: $o) { packOffers { pack { id } price { amount currency } pricePer1000 { amount currency } } } }`,
		map[string]any{"o": s.orgID}, &offers)
	if o := offers.Org.PackOffers; len(o) != 1 || o[0].Pack.ID != s.packID || o[0].Price.Amount != "5.00" || o[0].Price.Currency != "EUR" ||
		o[0].PricePer1000.Amount != "0.01" {
		t.Fatalf("packOffers = %+v, want the starter pack at 5.00 EUR, 0.01 per 1,000", o)
	}

	// Who may not buy may not quote.
	for _, tc := range []struct {
		name string
		as   *shopServer
		code string
	}{
		{"MEMBER", s.member("quote-member@example.com", "MEMBER"), "FORBIDDEN"},
		{"ADMIN", s.member("quote-admin@example.com", "ADMIN"), "FORBIDDEN"},
		{"outsider", s.as(mint(t, "quote-outsider@example.com", false)), "NOT_FOUND"},
		{"anonymous", s.as(""), "UNAUTHENTICATED"},
	} {
		if code, _ := tc.as.errCode(quoteQuery, in); code != tc.code {
			t.Errorf("%s: %s, want %s", tc.name, code, tc.code)
		}
	}
	var ok struct {
		Quote struct{ Total struct{ Amount string } }
	}
	s.member("quote-billing@example.com", "BILLING").must(quoteQuery, in, &ok)
	if ok.Quote.Total.Amount != "11.90" {
		t.Errorf("BILLING's quote = %+v", ok)
	}
}
