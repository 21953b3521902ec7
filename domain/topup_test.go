package domain_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// eurTopUp is the default catalog's EUR rule: 1,000,000 credits per 5.00,
// 10.00 to 10,000.00.
var eurTopUp = domain.TopUpRule{
	Currency: domain.EUR, Credits: 1_000_000, UnitMinor: 500,
	PresetsMinor: []int64{5000, 10000, 25000, 50000, 100000}, MinMinor: 1000, MaxMinor: 1_000_000,
	Validity: domain.ValidityNever, Active: true,
}

// brlTopUp is the default catalog's BRL rule: 1,000,000 credits per 29.00,
// where most amounts buy a fraction of a credit.
var brlTopUp = domain.TopUpRule{
	Currency: domain.BRL, Credits: 1_000_000, UnitMinor: 2900,
	PresetsMinor: []int64{25000, 50000}, MinMinor: 5000, MaxMinor: 5_000_000,
	Validity: domain.ValidityNever, Active: true,
}

// TestTopUpCredits: an amount buys floor(amount × credits / unit)
// credits, never one more; amounts outside the rule's range or buying no
// credit are INVALID_INPUT on "amount"; huge values do not overflow.
func TestTopUpCredits(t *testing.T) {
	huge := domain.TopUpRule{Currency: domain.EUR, Credits: 3, UnitMinor: 7, MinMinor: 1, MaxMinor: 1 << 53}
	wide := domain.TopUpRule{Currency: domain.EUR, Credits: 9_000_000_000_000_000, UnitMinor: 1 << 53, MinMinor: 1, MaxMinor: 1 << 53}
	dear := domain.TopUpRule{Currency: domain.EUR, Credits: 1, UnitMinor: 1000, MinMinor: 1, MaxMinor: 100_000}
	tests := []struct {
		name   string
		rule   domain.TopUpRule
		amount int64
		want   int64 // -1: refused
	}{
		{"exact: 100.00 EUR", eurTopUp, 10000, 20_000_000},
		{"exact: the Starter price buys the Starter pack", eurTopUp, 500 * 2, 2_000_000},
		{"minimum", eurTopUp, 1000, 2_000_000},
		{"maximum", eurTopUp, 1_000_000, 2_000_000_000},
		{"a cent below the minimum", eurTopUp, 999, -1},
		{"a cent over the maximum", eurTopUp, 1_000_001, -1},
		{"zero", eurTopUp, 0, -1},
		{"negative", eurTopUp, -1000, -1},
		{"rounded down: 250.00 BRL", brlTopUp, 25000, 8_620_689},          // 8,620,689.65…
		{"rounded down: 50.00 BRL", brlTopUp, 5000, 1_724_137},            // 1,724,137.93…
		{"exact in BRL: 29.00 × 2", brlTopUp, 5800, 2_000_000},            //
		{"off by one: a cent less than exact", brlTopUp, 5799, 1_999_655}, // 1,999,655.17…
		{"off by one: a cent more than exact", brlTopUp, 5801, 2_000_344}, // 2,000,344.82…
		{"buys less than one credit", dear, 999, -1},
		{"buys exactly one credit", dear, 1000, 1},
		{"one cent short of two credits", dear, 1999, 1},
		// 2^53 × 3 overflows no int64 but its product with a larger price
		// would: the product is taken in big integers.
		{"huge: 2^53 × 3 / 7", huge, 1 << 53, 3860228252031853}, // 3,860,228,252,031,853.71…
		{"huge: a product over 2^63", wide, 1 << 53, 9_000_000_000_000_000},
		{"huge: one minor unit short", wide, 1<<53 - 1, 8_999_999_999_999_999},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.TopUpCredits(tt.rule, tt.amount)
			if tt.want < 0 {
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "amount" {
					t.Fatalf("TopUpCredits(%d) = %d, %v; want INVALID_INPUT on amount", tt.amount, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("TopUpCredits(%d) = %d, %v; want %d", tt.amount, got, err, tt.want)
			}
			// Never a credit not paid for: got credits cost at most the amount,
			// one more would cost more than it.
			if got*tt.rule.UnitMinor > tt.amount*tt.rule.Credits && tt.amount < 1<<40 {
				t.Fatalf("%d credits cost more than %d", got, tt.amount)
			}
		})
	}
}

// TestTopUpCreditsOverCeiling: a rule whose maximum would buy more than
// MaxCredits is refused by validation, and an amount that would is refused
// by TopUpCredits.
func TestTopUpCreditsOverCeiling(t *testing.T) {
	r := domain.TopUpRule{Currency: domain.EUR, Credits: domain.MaxCredits, UnitMinor: 1, MinMinor: 1, MaxMinor: 1 << 53}
	if _, err := domain.TopUpCredits(r, 2); !domain.IsCode(err, domain.CodeInvalidInput) {
		t.Fatalf("2 × MaxCredits: %v", err)
	}
	if got, err := domain.TopUpCredits(r, 1); err != nil || got != domain.MaxCredits {
		t.Fatalf("1 minor unit = %d, %v", got, err)
	}
	if err := domain.ValidateTopUpRule("r", r); !domain.IsCode(err, domain.CodeInvalidInput) {
		t.Fatalf("ValidateTopUpRule = %v", err)
	}
}

// TestPriceTopUp: one TOP_UP line of the amount describing the credits,
// tax on top at the country's rate, commission for installments, and the
// rounding sentence.
func TestPriceTopUp(t *testing.T) {
	cfg := domain.DefaultPricing()
	q, err := domain.PriceTopUp(cfg, eurTopUp, 10000, domain.PriceTarget{Currency: domain.EUR, Country: "DE", Installments: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Lines) != 1 || q.Lines[0].Kind != domain.LineTopUp || q.Lines[0].Description != "Top-up 100.00 EUR: 20,000,000 credits" ||
		q.Lines[0].Credits != 20_000_000 || q.Lines[0].Amount.AmountMinor != 10000 || q.Lines[0].PackID != "" {
		t.Fatalf("lines = %+v", q.Lines)
	}
	if q.Subtotal.AmountMinor != 10000 || q.Tax.AmountMinor != 1900 || q.Total.AmountMinor != 11900 ||
		q.Credits != 20_000_000 || q.Validity != domain.ValidityNever {
		t.Fatalf("quote = %+v", q)
	}
	// Installments: BRL in Brazil, 12 at 9.99%.
	q, err = domain.PriceTopUp(cfg, brlTopUp, 25000, domain.PriceTarget{Currency: domain.BRL, Country: "BR", Installments: 12})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Lines) != 2 || q.Lines[1].Kind != domain.LineInstallmentCommission || q.Lines[1].Amount.AmountMinor != 2498 ||
		q.Total.AmountMinor != 27498 || q.Credits != 8_620_689 || q.Installments == nil || q.Installments.Count != 12 {
		t.Fatalf("BRL quote = %+v", q)
	}
	for _, tc := range []struct {
		name  string
		rule  domain.TopUpRule
		t     domain.PriceTarget
		field string
	}{
		{"other currency", eurTopUp, domain.PriceTarget{Currency: domain.BRL, Country: "BR", Installments: 1}, "amount"},
		{"installments outside Brazil", eurTopUp, domain.PriceTarget{Currency: domain.EUR, Country: "DE", Installments: 3}, "installments"},
	} {
		if _, err := domain.PriceTopUp(cfg, tc.rule, 10000, tc.t); !isInvalid(err, tc.field) {
			t.Errorf("%s: %v, want INVALID_INPUT on %s", tc.name, err, tc.field)
		}
	}
	if s := domain.TopUpRounding(eurTopUp, 10000); !strings.Contains(s, "nothing is rounded") {
		t.Errorf("exact rounding sentence: %q", s)
	}
	if s := domain.TopUpRounding(brlTopUp, 25000); !strings.Contains(s, "8,620,689 credits") || !strings.Contains(s, "rounded down") {
		t.Errorf("rounding sentence: %q", s)
	}
}

func isInvalid(err error, field string) bool {
	var de *domain.Error
	return errors.As(err, &de) && de.Code == domain.CodeInvalidInput && de.Field == field
}

// TestParseAmountPrecision: a decimal amount with more decimals than the
// currency has is refused; others convert exactly.
func TestParseAmountPrecision(t *testing.T) {
	for in, want := range map[string]int64{"50": 5000, "50.5": 5050, "50.05": 5005, "0.01": 1, "1000000": 100_000_000} {
		if got, err := domain.ParseAmount(domain.EUR, in); err != nil || got != want {
			t.Errorf("ParseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"50.005", "-5", "5e2", "", "5.", ".5", "1,000", "NaN", "99999999999999999999"} {
		if got, err := domain.ParseAmount(domain.EUR, in); err == nil {
			t.Errorf("ParseAmount(%q) = %d, want an error", in, got)
		}
	}
}

// TestValidateTopUpRule: each broken rule is INVALID_INPUT on its field.
func TestValidateTopUpRule(t *testing.T) {
	ok := eurTopUp
	if err := domain.ValidateTopUpRule("r", ok); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(r *domain.TopUpRule)
		field string
	}{
		{"currency", func(r *domain.TopUpRule) { r.Currency = "XYZ" }, "r.currency"},
		{"credits", func(r *domain.TopUpRule) { r.Credits = 0 }, "r.credits"},
		{"unit", func(r *domain.TopUpRule) { r.UnitMinor = -1 }, "r.per"},
		{"min", func(r *domain.TopUpRule) { r.MinMinor = 0 }, "r.min"},
		{"max below min", func(r *domain.TopUpRule) { r.MaxMinor = r.MinMinor - 1 }, "r.max"},
		{"min buys nothing", func(r *domain.TopUpRule) { r.Credits, r.UnitMinor, r.MinMinor = 1, 5000, 1 }, "r.min"},
		{"preset below min", func(r *domain.TopUpRule) { r.PresetsMinor = []int64{999} }, "r.presets"},
		{"presets repeated", func(r *domain.TopUpRule) { r.PresetsMinor = []int64{5000, 5000} }, "r.presets"},
		{"recurring", func(r *domain.TopUpRule) { r.Validity = domain.ValidityRecurring }, "r.validity"},
	}
	for _, tt := range tests {
		r := ok
		r.PresetsMinor = append([]int64(nil), ok.PresetsMinor...)
		tt.edit(&r)
		if err := domain.ValidateTopUpRule("r", r); !isInvalid(err, tt.field) {
			t.Errorf("%s: %v, want INVALID_INPUT on %s", tt.name, err, tt.field)
		}
	}
}

// loadTopUps adds the EUR and BRL top-up rules to the shop's catalog.
func (s *shop) loadTopUps(t *testing.T) {
	t.Helper()
	if _, err := s.svc.LoadCatalog(context.Background(), domain.Catalog{TopUps: []domain.TopUpRule{eurTopUp, brlTopUp}}); err != nil {
		t.Fatal(err)
	}
}

func (s *shop) topUp(ctx context.Context, amount int64, key string) (domain.Checkout, error) {
	return s.svc.TopUp(ctx, domain.TopUpInput{OrgID: s.org.ID, AmountMinor: amount, Installments: 1, IdempotencyKey: key})
}

// TestTopUp: a top-up's order is the quote's, paid at once it grants
// exactly the quoted credits as PURCHASED credit that never expires, with
// an invoice line describing it; a repeat of the key replays the order, a
// reuse with another amount is CONFLICT; a bad amount leaves nothing.
func TestTopUp(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.loadTopUps(t)
		ctx := s.owner
		opts, err := s.svc.TopUpOptions(context.Background(), domain.EUR)
		if err != nil || opts.Credits != 1_000_000 || len(opts.PresetsMinor) != 5 {
			t.Fatalf("TopUpOptions = %+v, %v", opts, err)
		}
		if _, err := s.svc.TopUpOptions(context.Background(), domain.USD); !domain.IsCode(err, domain.CodeNotFound) {
			t.Fatalf("USD options: %v", err)
		}
		q, rounding, err := s.svc.TopUpQuote(ctx, s.org.ID, domain.TopUpAmount{Minor: 10000}, 1)
		if err != nil || q.Credits != 20_000_000 || q.Total.AmountMinor != 11900 || !strings.Contains(rounding, "nothing is rounded") {
			t.Fatalf("quote = %+v, %q, %v", q, rounding, err)
		}
		if dq, _, err := s.svc.TopUpQuote(ctx, s.org.ID, domain.TopUpAmount{Decimal: "100.00"}, 1); err != nil || dq.Total != q.Total {
			t.Fatalf("decimal quote = %+v, %v", dq, err)
		}
		for _, a := range []domain.TopUpAmount{{Decimal: "100.001"}, {Decimal: "100", Minor: 10000}, {}, {Decimal: "-5"}} {
			if _, _, err := s.svc.TopUpQuote(ctx, s.org.ID, a, 1); !isInvalid(err, "amount") {
				t.Fatalf("quote of %+v: %v", a, err)
			}
		}
		co, err := s.topUp(ctx, 10000, "top-1")
		if err != nil {
			t.Fatal(err)
		}
		o := co.Order
		if o.Status != domain.OrderPaid || o.Credits != q.Credits || o.Total != q.Total || len(o.Lines) != 1 ||
			o.Lines[0].Kind != domain.LineTopUp || o.Validity != domain.ValidityNever || o.ExpiresAt != nil {
			t.Fatalf("order = %+v", o)
		}
		s.paidOnce(t, o, domain.OrderPaid, 20_000_000)
		inv, err := s.svc.Invoices(s.owner, s.org.ID, domain.Page{})
		if err != nil || inv.Edges[0].Node.Lines[0].Description != "Top-up 100.00 EUR: 20,000,000 credits" {
			t.Fatalf("invoice = %+v, %v", inv.Edges, err)
		}
		again, err := s.topUp(ctx, 10000, "top-1")
		if err != nil || again.Order.ID != o.ID {
			t.Fatalf("replay = %+v, %v", again.Order, err)
		}
		// The same amount as a decimal is the same request.
		again, err = s.svc.TopUp(ctx, domain.TopUpInput{OrgID: s.org.ID, Amount: "100", Installments: 1, IdempotencyKey: "top-1"})
		if err != nil || again.Order.ID != o.ID {
			t.Fatalf("replay as a decimal = %+v, %v", again.Order, err)
		}
		if _, err := s.topUp(ctx, 20000, "top-1"); !domain.IsCode(err, domain.CodeConflict) {
			t.Fatalf("reused key with another amount: %v", err)
		}
		n := s.orderCount(t, s.org.ID)
		for _, amount := range []int64{999, 1_000_001, 0, -5} {
			if _, err := s.topUp(ctx, amount, "bad"); !isInvalid(err, "amount") {
				t.Fatalf("amount %d: %v", amount, err)
			}
		}
		if got := s.orderCount(t, s.org.ID); got != n {
			t.Fatalf("bad amounts made %d orders", got-n)
		}
		s.balanceIs(t, 20_000_000)
		// Only OWNER and BILLING top up.
		if _, _, err := s.svc.TopUpQuote(signIn(t, s.svc, "stranger"), s.org.ID, domain.TopUpAmount{Minor: 10000}, 1); !domain.IsCode(err, domain.CodeNotFound) {
			t.Fatalf("stranger's quote: %v", err)
		}
	})
}

// TestTopUpDefaultMethod: with no payment method and no gateway named, the
// org's default saved card pays off session; a decline changes nothing
// but the FAILED order.
func TestTopUpDefaultMethod(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.loadTopUps(t)
		other := s.saveCard(t, "tok_other", false)
		def := s.saveCard(t, "tok_default", true)
		ref := func(id string) string {
			m, err := s.svc.PaymentMethod(s.owner, id)
			if err != nil {
				t.Fatal(err)
			}
			return m.Ref
		}
		charged := func() string {
			reqs := s.gw.Requests()
			last := reqs[len(reqs)-1]
			if last.Saved == nil {
				return "page"
			}
			return last.Saved.Ref
		}
		co, err := s.topUp(s.owner, 5000, "by-default")
		if err != nil || co.Order.Status != domain.OrderPaid || co.Order.Credits != 10_000_000 {
			t.Fatalf("top-up with the default card = %+v, %v", co.Order, err)
		}
		if got := charged(); got != ref(def) {
			t.Fatalf("charged %s, want the default card %s", got, ref(def))
		}
		co, err = s.svc.TopUp(s.owner, domain.TopUpInput{OrgID: s.org.ID, AmountMinor: 5000, PaymentMethodID: other, IdempotencyKey: "by-other"})
		if err != nil || co.Order.Status != domain.OrderPaid {
			t.Fatalf("top-up with the other card = %+v, %v", co.Order, err)
		}
		if got := charged(); got != ref(other) {
			t.Fatalf("charged %s, want the named card %s", got, ref(other))
		}
		s.balanceIs(t, 20_000_000)
		s.gw.Decide(func(domain.PaymentRequest) scripted.Outcome { return scripted.Decline })
		_, err = s.topUp(s.owner, 5000, "declined")
		if !domain.IsCode(err, domain.CodePaymentFailed) {
			t.Fatalf("decline: %v", err)
		}
		s.balanceIs(t, 20_000_000)
		c, err := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, e := range c.Edges {
			if e.Node.Status == domain.OrderFailed && e.Node.Lines[0].Kind == domain.LineTopUp && e.Node.GrantID == "" {
				failed++
			}
		}
		if failed != 1 || len(c.Edges) != 3 {
			t.Fatalf("%d orders, %d FAILED top-ups; want 3 and 1", len(c.Edges), failed)
		}
	})
}
