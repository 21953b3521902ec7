package catalog

import (
	"errors"
	"slices"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestDefaultCatalog(t *testing.T) {
	c, err := Parse(Default())
	if err != nil {
		t.Fatalf("default catalog does not parse: %v", err)
	}
	if err := domain.ValidateCatalog(c); err != nil {
		t.Fatalf("default catalog is invalid: %v", err)
	}
	codes := map[string]bool{}
	for _, p := range c.Plans {
		if codes[p.Code] {
			t.Errorf("duplicate code %q", p.Code)
		}
		codes[p.Code] = true
		for _, cur := range domain.Currencies() {
			if _, ok := p.PriceIn(cur); !ok {
				t.Errorf("plan %s has no %s price", p.Code, cur)
			}
		}
		if p.IncludedCreditsPerSeat <= 0 {
			t.Errorf("plan %s includes no credits", p.Code)
		}
	}
	for _, p := range c.Packs {
		if codes[p.Code] {
			t.Errorf("duplicate code %q", p.Code)
		}
		codes[p.Code] = true
		if p.Credits <= 0 || len(p.Prices) == 0 {
			t.Errorf("pack %s: credits %d, %d prices", p.Code, p.Credits, len(p.Prices))
		}
		for _, pr := range p.Prices {
			if pr.AmountMinor <= 0 {
				t.Errorf("pack %s: price %v", p.Code, pr)
			}
		}
	}

	// The numbers README's catalog section states.
	plans := map[string]domain.Plan{}
	for _, p := range c.Plans {
		plans[p.Code] = p
	}
	for _, name := range []string{"free-monthly", "personal-monthly", "personal-annual", "team-monthly",
		"team-annual", "business-monthly", "business-annual", "enterprise-monthly", "enterprise-annual"} {
		if _, ok := plans[name]; !ok {
			t.Errorf("plan %s missing", name)
		}
	}
	packs := map[string]domain.Pack{}
	for _, p := range c.Packs {
		packs[p.Code] = p
	}
	want := []struct {
		code     string
		credits  int64
		price    domain.Price
		validity domain.ValidityPolicy
	}{
		{"starter-eur", 1_000_000, domain.Price{Currency: domain.EUR, AmountMinor: 500}, domain.ValidityNever},
		{"standard-eur", 2_500_000, domain.Price{Currency: domain.EUR, AmountMinor: 1000}, domain.ValidityNever},
		{"pro-eur", 7_000_000, domain.Price{Currency: domain.EUR, AmountMinor: 2500}, domain.ValidityNever},
		{"enterprise-eur", 15_000_000, domain.Price{Currency: domain.EUR, AmountMinor: 5000}, domain.ValidityNever},
		{"starter-addon-usd", 5_000, domain.Price{Currency: domain.USD, AmountMinor: 1200}, domain.ValidityRecurring},
		{"growth-addon-usd", 50_000, domain.Price{Currency: domain.USD, AmountMinor: 9900}, domain.ValidityRecurring},
		{"scale-addon-usd", 100_000, domain.Price{Currency: domain.USD, AmountMinor: 18900}, domain.ValidityRecurring},
		{"scale-custom-usd", 100_000, domain.Price{Currency: domain.USD, AmountMinor: 20000}, domain.ValidityRecurring},
		{"starter-brl", 1_000_000, domain.Price{Currency: domain.BRL, AmountMinor: 2900}, domain.ValidityNever},
	}
	for _, w := range want {
		p, ok := packs[w.code]
		if !ok {
			t.Errorf("pack %s missing", w.code)
			continue
		}
		got, _ := p.PriceIn(w.price.Currency)
		if p.Credits != w.credits || got != w.price || p.Validity != w.validity {
			t.Errorf("pack %s = %d credits, %v, %s; want %d, %v, %s", w.code, p.Credits, got, p.Validity, w.credits, w.price, w.validity)
		}
		if w.validity == domain.ValidityRecurring && p.RecurringMonths != 3 {
			t.Errorf("pack %s minimum term %d months, want 3", w.code, p.RecurringMonths)
		}
	}
	custom := packs["scale-custom-usd"]
	step, _ := priceOf(custom.StepPrices, domain.USD)
	if !custom.Custom || custom.StepCredits != 5_000 || step != 1000 {
		t.Errorf("scale custom = %+v", custom)
	}
}

// TestDefaultTopUps: the default catalog sells top-ups in every currency,
// EUR and BRL at their Starter pack's price per credit (no markup), with
// the presets, minimum and maximum the rule book states.
func TestDefaultTopUps(t *testing.T) {
	c, err := Parse(Default())
	if err != nil {
		t.Fatal(err)
	}
	rules := map[domain.Currency]domain.TopUpRule{}
	for _, r := range c.TopUps {
		rules[r.Currency] = r
	}
	packs := map[string]domain.Pack{}
	for _, p := range c.Packs {
		packs[p.Code] = p
	}
	for _, cur := range domain.Currencies() {
		if _, ok := rules[cur]; !ok {
			t.Errorf("no top-up rule in %s", cur)
		}
	}
	for code, cur := range map[string]domain.Currency{"starter-eur": domain.EUR, "starter-brl": domain.BRL} {
		p := packs[code]
		price, _ := p.PriceIn(cur)
		r := rules[cur]
		// Same price per credit: credits/unit == pack credits/pack price.
		if r.Credits*price.AmountMinor != p.Credits*r.UnitMinor {
			t.Errorf("%s top-up: %d credits per %d, but %s sells %d per %d", cur, r.Credits, r.UnitMinor, code, p.Credits, price.AmountMinor)
		}
		if got := r.CreditsFor(price.AmountMinor); got != p.Credits {
			t.Errorf("%s top-up of the %s price buys %d credits, the pack %d", cur, code, got, p.Credits)
		}
	}
	want := map[domain.Currency]struct {
		presets  []int64
		min, max int64
	}{
		domain.EUR: {[]int64{5000, 10000, 25000, 50000, 100000}, 1000, 1000000},
		domain.USD: {[]int64{5000, 10000, 25000, 50000, 100000}, 1000, 1000000},
		domain.BRL: {[]int64{25000, 50000, 100000, 250000, 500000}, 5000, 5000000},
	}
	for cur, w := range want {
		r := rules[cur]
		if !slices.Equal(r.PresetsMinor, w.presets) || r.MinMinor != w.min || r.MaxMinor != w.max || r.Validity != domain.ValidityNever || !r.Active {
			t.Errorf("%s top-up = %+v, want presets %v, %d to %d, NEVER", cur, r, w.presets, w.min, w.max)
		}
	}
	// The rule book's example: 100.00 EUR buys 20,000,000 credits.
	if got := rules[domain.EUR].CreditsFor(10000); got != 20_000_000 {
		t.Errorf("100.00 EUR buys %d credits", got)
	}
}

func priceOf(ps []domain.Price, c domain.Currency) (int64, bool) {
	for _, p := range ps {
		if p.Currency == c {
			return p.AmountMinor, true
		}
	}
	return 0, false
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, file, field string
	}{
		{"not yaml", "plans: [", "file"},
		{"unknown field", "currencies: [EUR]\nplanz: []", "file"},
		{"no currencies", "plans: []", "currencies"},
		{"bad currency", "currencies: [XYZ]", "currencies"},
		{"plan missing a currency", `currencies: [EUR, USD]
plans: [{code: a, name: A, prices: {monthly: {EUR: "1.00"}}}]`, "plans[0].prices.monthly"},
		{"plan without prices", `currencies: [EUR]
plans: [{code: a, name: A}]`, "plans[0].prices"},
		{"price in unlisted currency", `currencies: [EUR]
packs: [{code: p, name: P, credits: 1, validity: NEVER, prices: {USD: "1.00"}}]`, "packs[0].prices"},
		{"too many decimals", `currencies: [EUR]
packs: [{code: p, name: P, credits: 1, validity: NEVER, prices: {EUR: "1.001"}}]`, "packs[0].prices"},
		{"zero pack price", `currencies: [EUR]
packs: [{code: p, name: P, credits: 1, validity: NEVER, prices: {EUR: "0"}}]`, "packs[0].prices"},
		{"duplicate code", `currencies: [EUR]
packs:
  - {code: p, name: P, credits: 1, validity: NEVER, prices: {EUR: "1"}}
  - {code: p, name: Q, credits: 2, validity: NEVER, prices: {EUR: "2"}}`, "packs[1].code"},
		{"non-positive credits", `currencies: [EUR]
packs: [{code: p, name: P, credits: 0, validity: NEVER, prices: {EUR: "1"}}]`, "packs[0].credits"},
		{"unknown validity", `currencies: [EUR]
packs: [{code: p, name: P, credits: 1, validity: SOMETIMES, prices: {EUR: "1"}}]`, "packs[0].validity"},
		{"recurring without term", `currencies: [EUR]
packs: [{code: p, name: P, credits: 1, validity: RECURRING, prices: {EUR: "1"}}]`, "packs[0].recurringMonths"},
		{"custom without step", `currencies: [EUR]
packs: [{code: p, name: P, credits: 1, validity: NEVER, prices: {EUR: "1"}, stepPrices: {EUR: "1"}}]`, "packs[0].stepCredits"},
		{"top-up in an unlisted currency", `currencies: [EUR]
topUps: [{currency: USD, credits: 1, per: "1", min: "1", max: "2"}]`, "topUps[0].currency"},
		{"top-up in an unknown currency", `currencies: [EUR]
topUps: [{currency: XYZ, credits: 1, per: "1", min: "1", max: "2"}]`, "topUps[0].currency"},
		{"two top-ups in one currency", `currencies: [EUR]
topUps:
  - {currency: EUR, credits: 1, per: "1", min: "1", max: "2"}
  - {currency: EUR, credits: 2, per: "1", min: "1", max: "2"}`, "topUps[1].currency"},
		{"top-up without credits", `currencies: [EUR]
topUps: [{currency: EUR, credits: 0, per: "1", min: "1", max: "2"}]`, "topUps[0].credits"},
		{"top-up price with too many decimals", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "0.001", min: "1", max: "2"}]`, "topUps[0].per"},
		{"top-up price zero", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "0", min: "1", max: "2"}]`, "topUps[0].per"},
		{"top-up min missing", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "1", max: "2"}]`, "topUps[0].min"},
		{"top-up max below min", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "1", min: "5", max: "2"}]`, "topUps[0].max"},
		{"top-up min buys no credit", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "10", min: "5", max: "20"}]`, "topUps[0].min"},
		{"top-up max over the ledger's limit", `currencies: [EUR]
topUps: [{currency: EUR, credits: 9007199254740991, per: "0.01", min: "0.01", max: "0.02"}]`, "topUps[0].max"},
		{"top-up preset outside the range", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "1", min: "1", max: "2", presets: ["3"]}]`, "topUps[0].presets"},
		{"top-up presets not ascending", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "1", min: "1", max: "9", presets: ["3", "2"]}]`, "topUps[0].presets"},
		{"top-up preset with too many decimals", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "1", min: "1", max: "9", presets: ["2.005"]}]`, "topUps[0].presets"},
		{"too many top-up presets", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "1", min: "1", max: "99", presets: ["1", "2", "3", "4", "5", "6", "7", "8", "9"]}]`, "topUps[0].presets"},
		{"recurring top-up", `currencies: [EUR]
topUps: [{currency: EUR, credits: 1, per: "1", min: "1", max: "2", validity: RECURRING}]`, "topUps[0].validity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.file))
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != tt.field {
				t.Fatalf("Parse error = %v, want INVALID_INPUT on %s", err, tt.field)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	c, err := Parse([]byte(`{"currencies":["USD"],"plans":[{"code":"solo","name":"Solo","includedCreditsPerSeat":10,
	"prices":{"monthly":{"USD":"9.5"},"annual":{"USD":"95"}}}],
	"packs":[{"code":"x","name":"X","credits":1000,"validity":"never","prices":{"USD":"1.25"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Plans) != 2 || c.Plans[0].Code != "solo-monthly" || c.Plans[1].Code != "solo-annual" ||
		c.Plans[0].Prices[0].AmountMinor != 950 || c.Plans[1].Prices[0].AmountMinor != 9500 {
		t.Errorf("plans = %+v", c.Plans)
	}
	if len(c.Packs) != 1 || c.Packs[0].Prices[0].AmountMinor != 125 || c.Packs[0].Validity != domain.ValidityNever {
		t.Errorf("packs = %+v", c.Packs)
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"5", 500, true}, {"5.0", 500, true}, {"5.00", 500, true}, {"0.01", 1, true}, {" 12.34 ", 1234, true},
		{"1.001", 0, false}, {"-1", 0, false}, {"+1", 0, false}, {"", 0, false}, {".5", 0, false},
		{"5.", 0, false}, {"1e3", 0, false}, {"1.2.3", 0, false}, {"abc", 0, false},
		{"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseAmount(domain.EUR, tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestOverLimit: a plan's overLimit is flag (the default) or refuse, any
// case; anything else is refused naming the field. The default catalog's
// Free plan refuses, the paid plans flag.
func TestOverLimit(t *testing.T) {
	c, err := Parse(Default())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Plans {
		want := domain.OverLimitFlag
		if p.Code == "free-monthly" {
			want = domain.OverLimitRefuse
		}
		if p.OverLimit != want {
			t.Errorf("plan %s: overLimit %q, want %q", p.Code, p.OverLimit, want)
		}
	}
	plan := func(overLimit string) []byte {
		return []byte(`{"currencies": ["EUR"], "plans": [{"code": "p", "name": "P", "seats": 1, "includedCreditsPerSeat": 1,
			"overLimit": "` + overLimit + `", "prices": {"monthly": {"EUR": "1.00"}}}]}`)
	}
	for in, want := range map[string]domain.OverLimitAction{"": domain.OverLimitFlag, "flag": domain.OverLimitFlag, "REFUSE": domain.OverLimitRefuse} {
		c, err := Parse(plan(in))
		if err != nil || c.Plans[0].OverLimit != want {
			t.Errorf("overLimit %q: %v %+v", in, err, c.Plans)
		}
	}
	_, err = Parse(plan("block"))
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "plans[0].overLimit" {
		t.Errorf("overLimit block: %v, want INVALID_INPUT on plans[0].overLimit", err)
	}
}
