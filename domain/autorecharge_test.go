package domain_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// rechargeShop is a shop whose org saved a default card, with an extra
// small pack (10,000 credits for 1.00 EUR, 1.19 with German VAT) and a
// USD-only pack.
type rechargeShop struct {
	*shop
	card  string
	small domain.Pack
	usd   domain.Pack
}

func newRechargeShop(t *testing.T, d domain.Store, opts ...domain.Option) *rechargeShop {
	t.Helper()
	cfg := domain.Config{SignupGrantDisabled: true, Notify: domain.NotifyConfig{BillingURL: "https://app.example/billing"}}
	s := newShopConfig(t, d, cfg, opts...)
	t.Cleanup(s.svc.Close)
	cat, err := s.svc.LoadCatalog(context.Background(), domain.Catalog{Packs: []domain.Pack{
		{Code: "small", Name: "Small", Credits: 10_000, Validity: domain.ValidityNever, Active: true,
			Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 100}}},
		{Code: "usd-only", Name: "Dollar", Credits: 10_000, Validity: domain.ValidityNever, Active: true,
			Prices: []domain.Price{{Currency: domain.USD, AmountMinor: 100}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := &rechargeShop{shop: s}
	for _, p := range cat.Packs {
		switch p.Code {
		case "small":
			r.small = p
		case "usd-only":
			r.usd = p
		}
	}
	r.card = s.saveCard(t, "4242", true)
	return r
}

// enable turns auto-recharge on for the small pack.
func (r *rechargeShop) enable(t *testing.T, threshold int64, limitMinor int64, key string) domain.AutoRechargeStatus {
	t.Helper()
	st, err := r.svc.SetAutoRecharge(r.owner, domain.SetAutoRechargeInput{
		OrgID: r.org.ID, Enabled: true, Mode: domain.RechargePack, Threshold: threshold, PackID: r.small.ID,
		SpendingLimit: &domain.Money{AmountMinor: limitMinor, Currency: domain.EUR}, PaymentMethodID: r.card, IdempotencyKey: key,
	})
	if err != nil {
		t.Fatalf("SetAutoRecharge: %v", err)
	}
	return st
}

// settled waits until the background checks are done and no top-up is in
// flight (polling, with a deadline that only bounds a hung test).
func (r *rechargeShop) settled(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if r.svc.ChecksIdle() {
			o, err := r.store.LatestAutoRechargeOrder(context.Background(), r.org.ID)
			if domain.IsCode(err, domain.CodeNotFound) || (err == nil && !o.Status.Unpaid()) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("background checks did not settle")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (r *rechargeShop) topUps(t *testing.T) []domain.Order {
	t.Helper()
	os, err := r.store.AutoRechargeOrders(context.Background(), r.org.ID, t0.AddDate(-1, 0, 0), t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return os
}

// events counts the org's history by kind.
func (r *rechargeShop) events(t *testing.T) (map[domain.OrgEventKind]int, []domain.OrgEvent) {
	t.Helper()
	c, err := r.store.ListOrgEvents(context.Background(), r.org.ID, domain.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := map[domain.OrgEventKind]int{}
	var all []domain.OrgEvent
	for _, e := range c.Edges {
		n[e.Node.Kind]++
		all = append(all, e.Node)
	}
	return n, all
}

func (r *rechargeShop) balance(t *testing.T) domain.Balance {
	t.Helper()
	b, err := r.store.GetBalance(context.Background(), r.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fieldOf is the Field of a domain error ("" for anything else).
func fieldOf(err error) string {
	var de *domain.Error
	if errors.As(err, &de) {
		return de.Field
	}
	return ""
}

func TestSetAutoRechargeValidation(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		r := newRechargeShop(t, d)
		ctx := context.Background()
		now := r.clock.Now()
		paypal := domain.PaymentMethod{ID: uuid.NewString(), OrgID: r.org.ID, Gateway: "fake", Kind: domain.MethodPayPal, Ref: "pp",
			Status: domain.MethodActive, Brand: "paypal", CreatedBy: "test", CreatedAt: now, UpdatedAt: now}
		pending := domain.PaymentMethod{ID: uuid.NewString(), OrgID: r.org.ID, Gateway: "fake", Kind: domain.MethodCard, Ref: "pend",
			Status: domain.MethodPending, Brand: "visa", Last4: "4242", CreatedBy: "test", CreatedAt: now, UpdatedAt: now}
		for _, m := range []domain.PaymentMethod{paypal, pending} {
			if err := r.store.CreatePaymentMethod(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		eur := func(m int64) *domain.Money { return &domain.Money{AmountMinor: m, Currency: domain.EUR} }
		ok := domain.SetAutoRechargeInput{OrgID: r.org.ID, Enabled: true, Mode: domain.RechargePack, Threshold: 1000,
			PackID: r.small.ID, PaymentMethodID: r.card}
		tests := []struct {
			name  string
			edit  func(in *domain.SetAutoRechargeInput)
			code  domain.Code
			field string
		}{
			{"valid", func(*domain.SetAutoRechargeInput) {}, "", ""},
			{"unknown mode", func(in *domain.SetAutoRechargeInput) { in.Mode = "UNITS" }, domain.CodeInvalidInput, "mode"},
			{"threshold zero", func(in *domain.SetAutoRechargeInput) { in.Threshold = 0 }, domain.CodeInvalidInput, "threshold"},
			{"threshold too large", func(in *domain.SetAutoRechargeInput) { in.Threshold = domain.MaxCredits + 1 }, domain.CodeInvalidInput, "threshold"},
			{"no pack", func(in *domain.SetAutoRechargeInput) { in.PackID = "" }, domain.CodeInvalidInput, "packId"},
			{"unknown pack", func(in *domain.SetAutoRechargeInput) { in.PackID = uuid.NewString() }, domain.CodeInvalidInput, "packId"},
			{"pack in another currency", func(in *domain.SetAutoRechargeInput) { in.PackID = r.usd.ID }, domain.CodeInvalidInput, "packId"},
			{"quantity too large", func(in *domain.SetAutoRechargeInput) { in.Quantity = 1000 }, domain.CodeInvalidInput, "quantity"},
			{"limit below one purchase", func(in *domain.SetAutoRechargeInput) { in.SpendingLimit = eur(118) }, domain.CodeInvalidInput, "spendingLimit"},
			{"limit of exactly one purchase", func(in *domain.SetAutoRechargeInput) { in.SpendingLimit = eur(119) }, "", ""},
			{"limit in another currency", func(in *domain.SetAutoRechargeInput) {
				in.SpendingLimit = &domain.Money{AmountMinor: 5000, Currency: domain.USD}
			}, domain.CodeInvalidInput, "spendingLimit"},
			{"PayPal method", func(in *domain.SetAutoRechargeInput) { in.PaymentMethodID = paypal.ID }, domain.CodeInvalidInput, "paymentMethodId"},
			{"method not active", func(in *domain.SetAutoRechargeInput) { in.PaymentMethodID = pending.ID }, domain.CodeInvalidInput, "paymentMethodId"},
			{"unknown method", func(in *domain.SetAutoRechargeInput) { in.PaymentMethodID = uuid.NewString() }, domain.CodeInvalidInput, "paymentMethodId"},
			{"overage without a paid plan", func(in *domain.SetAutoRechargeInput) { in.Mode, in.PackID = domain.RechargeOverage, "" }, domain.CodeInvalidInput, "mode"},
			{"no key", func(in *domain.SetAutoRechargeInput) { in.IdempotencyKey = "" }, domain.CodeInvalidInput, "idempotencyKey"},
		}
		for i, tc := range tests {
			in := ok
			in.IdempotencyKey = fmt.Sprint("v", i)
			tc.edit(&in)
			_, err := r.svc.SetAutoRecharge(r.owner, in)
			if domain.ErrorCode(err) != tc.code || (tc.code != "" && fieldOf(err) != tc.field) {
				t.Errorf("%s: err = %v (field %q), want %q on %q", tc.name, err, fieldOf(err), tc.code, tc.field)
			}
		}
		// Only OWNER and BILLING may set it.
		for _, role := range []domain.Role{domain.RoleAdmin, domain.RoleMember} {
			who, _ := r.join(t, "m-"+string(role), role)
			in := ok
			in.IdempotencyKey = "role-" + string(role)
			if _, err := r.svc.SetAutoRecharge(who, in); domain.ErrorCode(err) != domain.CodeForbidden {
				t.Errorf("%s: err = %v, want FORBIDDEN", role, err)
			}
		}
		billing, _ := r.join(t, "billing", domain.RoleBilling)
		in := ok
		in.IdempotencyKey = "billing"
		st, err := r.svc.SetAutoRecharge(billing, in)
		if err != nil || !st.Enabled || st.SpendingLimit != (domain.Money{AmountMinor: 5000, Currency: domain.EUR}) {
			t.Fatalf("BILLING sets it: %+v, %v (want the default limit 50.00 EUR)", st, err)
		}
		if b := r.balance(t); b.RechargeBelow != 1000 {
			t.Fatalf("recharge_below = %d, want the threshold 1000", b.RechargeBelow)
		}
		// Idempotent: the same key and input again is answered, another
		// input with it is CONFLICT.
		if _, err := r.svc.SetAutoRecharge(billing, in); err != nil {
			t.Fatalf("repeat: %v", err)
		}
		in.Threshold = 2000
		if _, err := r.svc.SetAutoRecharge(billing, in); domain.ErrorCode(err) != domain.CodeConflict {
			t.Fatalf("key reused with other input: %v, want CONFLICT", err)
		}
		// Off keeps the settings and clears recharge_below.
		st, err = r.svc.SetAutoRecharge(r.owner, domain.SetAutoRechargeInput{OrgID: r.org.ID, IdempotencyKey: "off"})
		if err != nil || st.Enabled || st.Threshold != 1000 || st.PackID != r.small.ID {
			t.Fatalf("off: %+v, %v", st, err)
		}
		if b := r.balance(t); b.RechargeBelow != 0 {
			t.Fatalf("recharge_below = %d after off, want 0", b.RechargeBelow)
		}
	})
}

// TestAutoRechargeTopUp: a spend that leaves the balance below the
// threshold makes one top-up, in the background, granted as AUTO_RECHARGE.
func TestAutoRechargeTopUp(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		r := newRechargeShop(t, d)
		r.grant(t, domain.GrantPromo, 5000, 0, "start")
		r.enable(t, 1000, 5000, "on")
		if len(r.topUps(t)) != 0 {
			t.Fatal("a top-up above the threshold")
		}
		if _, err := consume(r.owner, r.fixture, 4500, "spend"); err != nil {
			t.Fatal(err)
		}
		r.settled(t)
		ups := r.topUps(t)
		if len(ups) != 1 || ups[0].Status != domain.OrderPaid || ups[0].Total.AmountMinor != 119 || ups[0].AutoRecharge != domain.RechargePack {
			t.Fatalf("top-ups %+v, want one PAID PACK order of 1.19", ups)
		}
		if b := r.checkInvariants(t); b.Total != 500+10_000 {
			t.Fatalf("balance %d, want %d", b.Total, 500+10_000)
		}
		gs, err := r.svc.GrantsByIDs(r.owner, []string{ups[0].GrantID})
		if err != nil || gs[ups[0].GrantID].Kind != domain.GrantAutoRecharge {
			t.Fatalf("grant %+v, %v; want AUTO_RECHARGE", gs, err)
		}
		if req := r.gw.Requests(); req[len(req)-1].BuyerPresent || req[len(req)-1].Saved == nil {
			t.Fatalf("the top-up was not charged off session with the saved card: %+v", req[len(req)-1])
		}
		n, _ := r.events(t)
		if n[domain.OrgEventAutoRechargeStarted] != 1 || n[domain.OrgEventAutoRechargePaid] != 1 {
			t.Fatalf("events %v", n)
		}
		st, err := r.svc.AutoRechargeOf(r.owner, r.org.ID)
		if err != nil || st.SpentThisPeriod.AmountMinor != 119 || st.LastOrder == nil || st.LastOrder.ID != ups[0].ID ||
			!st.PeriodStart.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("status %+v, %v", st, err)
		}
		// The sweep finds nothing to do.
		if n, err := r.svc.RechargeDue(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("RechargeDue = %d, %v", n, err)
		}
	})
}

// TestAutoRechargeLimit: the limit counts paid and pending top-ups; it is
// reached exactly, then LIMIT_REACHED is recorded once per period.
func TestAutoRechargeLimit(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		r := newRechargeShop(t, d)
		r.grant(t, domain.GrantPromo, 2000, 0, "start")
		r.enable(t, 1000, 3*119, "on") // exactly three top-ups
		// 1: paid at once.
		if _, err := consume(r.owner, r.fixture, 1500, "s1"); err != nil {
			t.Fatal(err)
		}
		r.settled(t)
		// 2: the provider settles later: pending, and counted.
		r.gw.Next(scripted.Processing)
		if _, err := consume(r.owner, r.fixture, 10_000, "s2"); err != nil {
			t.Fatal(err)
		}
		for !r.svc.ChecksIdle() {
			time.Sleep(time.Millisecond)
		}
		st, err := r.svc.AutoRechargeOf(r.owner, r.org.ID)
		if err != nil || st.SpentThisPeriod.AmountMinor != 2*119 || st.LastOrder.Status != domain.OrderProcessing {
			t.Fatalf("with one paid and one pending: %+v, %v", st, err)
		}
		// While it is in flight, no other top-up starts.
		if n, err := r.svc.RechargeDue(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("RechargeDue with a top-up in flight = %d, %v", n, err)
		}
		r.gw.Next(scripted.Succeed)
		r.gw.Settle(st.LastOrder.PaymentID, domain.PaymentSucceeded)
		r.clock.Set(t0.Add(time.Hour))
		if _, err := r.svc.Reconcile(context.Background(), time.Minute, 10); err != nil {
			t.Fatal(err)
		}
		r.settled(t)
		// 3 and then the limit: 3 × 1.19 = the limit exactly.
		for i := range 3 {
			b := r.balance(t)
			if b.Total >= 1000 {
				if _, err := consume(r.owner, r.fixture, b.Total-500, fmt.Sprint("down", i)); err != nil {
					t.Fatal(err)
				}
			}
			r.settled(t)
		}
		ups := r.topUps(t)
		var sum int64
		for _, o := range ups {
			if o.Status != domain.OrderPaid {
				t.Fatalf("top-up %s is %s", o.Number, o.Status)
			}
			sum += o.Total.AmountMinor
		}
		if len(ups) != 3 || sum != 3*119 {
			t.Fatalf("%d top-ups for %d, want 3 for the limit %d", len(ups), sum, 3*119)
		}
		n, evs := r.events(t)
		if n[domain.OrgEventAutoRechargeLimitReached] != 1 {
			t.Fatalf("events %v, want one LIMIT_REACHED", n)
		}
		for _, e := range evs {
			if e.Kind == domain.OrgEventAutoRechargeLimitReached && (!e.Notify || e.Detail["limit"] != "3.57 EUR") {
				t.Fatalf("limit event %+v", e)
			}
		}
		// The next month is a new period.
		r.clock.Set(time.Date(2026, 4, 1, 0, 0, 1, 0, time.UTC))
		if n, err := r.svc.RechargeDue(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("RechargeDue in a new period = %d, %v; want a top-up", n, err)
		}
		r.checkInvariants(t)
	})
}

// TestAutoRechargeOverage: units of 10,000 at the plan's unit price plus
// 30% as a SURCHARGE line, at most the plan's included credits per period
// (80,000: 8 purchases, the 9th refused with LIMIT_REACHED).
func TestAutoRechargeOverage(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		r := newRechargeShop(t, d)
		cat, err := r.svc.LoadCatalog(context.Background(), domain.Catalog{Plans: []domain.Plan{{
			Code: "core-monthly", Name: "Core", Interval: domain.Monthly, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 7200}},
			IncludedCreditsPerSeat: 80_000, Seats: 1, Active: true,
		}}})
		if err != nil {
			t.Fatal(err)
		}
		r.subscribeTo(t, cat.Plans[0])
		if _, err := r.svc.SetAutoRecharge(r.owner, domain.SetAutoRechargeInput{OrgID: r.org.ID, Enabled: true,
			Mode: domain.RechargeOverage, Threshold: 1, SpendingLimit: &domain.Money{AmountMinor: 100_000, Currency: domain.EUR},
			IdempotencyKey: "on"}); err != nil {
			t.Fatal(err)
		}
		// Use up the plan's credits, then each unit of overage.
		for i := range 10 {
			if b := r.balance(t); b.Total > 0 {
				if _, err := consume(r.owner, r.fixture, b.Total, fmt.Sprint("use", i)); err != nil {
					t.Fatal(err)
				}
			}
			r.settled(t)
		}
		ups := r.topUps(t)
		if len(ups) != 8 {
			t.Fatalf("%d overage purchases, want 8", len(ups))
		}
		// 72.00 for 80,000 credits: 10,000 cost 9.00; 30% is 2.70; VAT 19%
		// of 11.70 is 2.223, 2.22; total 13.92.
		o := ups[0]
		if o.Status != domain.OrderPaid || o.Credits != 10_000 || len(o.Lines) != 2 ||
			o.Lines[0].Kind != domain.LinePack || o.Lines[0].Amount.AmountMinor != 900 ||
			o.Lines[1].Kind != domain.LineSurcharge || o.Lines[1].Amount.AmountMinor != 270 ||
			o.Subtotal.AmountMinor != 1170 || o.Tax.AmountMinor != 222 || o.Total.AmountMinor != 1392 {
			t.Fatalf("overage order %+v", o)
		}
		n, _ := r.events(t)
		if n[domain.OrgEventAutoRechargeLimitReached] != 1 || n[domain.OrgEventAutoRechargePaid] != 8 {
			t.Fatalf("events %v, want 8 paid and one LIMIT_REACHED", n)
		}
		if b := r.checkInvariants(t); b.Total != 0 {
			t.Fatalf("balance %d, want 0", b.Total)
		}
	})
}

func TestOverageQuoteRounding(t *testing.T) {
	t.Parallel()
	plan := func(price, credits int64, iv domain.BillingInterval) domain.Plan {
		return domain.Plan{Name: "P", Interval: iv, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: price}}, IncludedCreditsPerSeat: credits}
	}
	tests := []struct {
		name                        string
		plan                        domain.Plan
		country                     string
		unit, surcharge, tax, total int64
		wantErr                     bool
	}{
		{name: "seed 002: 9.00 for 10,000", plan: plan(900, 10_000, domain.Monthly), country: "US", unit: 900, surcharge: 270, tax: 0, total: 1170},
		{name: "rounded half up", plan: plan(1000, 30_000, domain.Monthly), country: "US", unit: 333, surcharge: 100, tax: 0, total: 433},
		{name: "annual: a year's credits", plan: plan(12_000, 10_000, domain.Annually), country: "DE", unit: 1000, surcharge: 300, tax: 247, total: 1547},
		{name: "free plan", plan: plan(0, 10_000, domain.Monthly), country: "US", wantErr: true},
	}
	for _, tc := range tests {
		q, err := domain.OverageQuote(domain.DefaultPricing(), tc.plan, 10_000, 3000,
			domain.PriceTarget{Currency: domain.EUR, Country: tc.country, Installments: 1})
		if tc.wantErr {
			if domain.ErrorCode(err) != domain.CodeInvalidInput {
				t.Errorf("%s: %v, want INVALID_INPUT", tc.name, err)
			}
			continue
		}
		if err != nil || q.Lines[0].Amount.AmountMinor != tc.unit || q.Lines[1].Amount.AmountMinor != tc.surcharge ||
			q.Tax.AmountMinor != tc.tax || q.Total.AmountMinor != tc.total || q.Credits != 10_000 {
			t.Errorf("%s: %+v, %v", tc.name, q, err)
		}
	}
}

// TestAutoRechargeFailurePauses: a declined top-up or one that needs the
// buyer (3-D Secure) pauses auto-recharge with a notifying event and a
// link; spending goes on to zero; resuming is explicit and checks at once.
func TestAutoRechargeFailurePauses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		outcome scripted.Outcome
		reason  string
	}{
		{"declined", scripted.Decline, "insufficient_funds"},
		{"3-D Secure needs the buyer", scripted.AuthRequired, domain.FailureAuthRequired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				r := newRechargeShop(t, d)
				r.grant(t, domain.GrantPromo, 5000, 0, "start")
				r.enable(t, 1000, 5000, "on")
				r.gw.Next(tc.outcome)
				if _, err := consume(r.owner, r.fixture, 4500, "spend"); err != nil {
					t.Fatal(err)
				}
				r.settled(t)
				ups := r.topUps(t)
				if len(ups) != 1 || ups[0].Status != domain.OrderFailed {
					t.Fatalf("top-ups %+v, want one FAILED", ups)
				}
				st, err := r.svc.AutoRechargeOf(r.owner, r.org.ID)
				if err != nil || st.PausedAt == nil || st.PauseReason != tc.reason || r.balance(t).RechargeBelow != 0 {
					t.Fatalf("after the failure: %+v, %v, recharge_below %d", st, err, r.balance(t).RechargeBelow)
				}
				n, evs := r.events(t)
				if n[domain.OrgEventAutoRechargePaused] != 1 {
					t.Fatalf("events %v", n)
				}
				for _, e := range evs {
					if e.Kind == domain.OrgEventAutoRechargePaused && (!e.Notify || e.Detail["orderNumber"] != ups[0].Number ||
						e.Detail["amount"] != "1.19 EUR" || e.Detail["reason"] != tc.reason || e.Detail["link"] != "https://app.example/billing") {
						t.Fatalf("paused event %+v", e)
					}
				}
				// Spending continues until the balance is used up; no
				// further top-up while paused.
				if _, err := consume(r.owner, r.fixture, 500, "rest"); err != nil {
					t.Fatalf("spending while paused: %v", err)
				}
				if _, err := consume(r.owner, r.fixture, 1, "none"); domain.ErrorCode(err) != domain.CodeInsufficientCredits {
					t.Fatalf("spend of an empty balance: %v", err)
				}
				r.settled(t)
				if n, err := r.svc.RechargeDue(context.Background(), 10); err != nil || n != 0 || len(r.topUps(t)) != 1 {
					t.Fatalf("paused, yet RechargeDue = %d, %v", n, err)
				}
				// Resume: explicit, checked at once.
				r.gw.Next(scripted.Succeed)
				resumed, err := r.svc.ResumeAutoRecharge(r.owner, r.org.ID, "resume")
				if err != nil || resumed.PausedAt != nil {
					t.Fatalf("resume: %+v, %v", resumed, err)
				}
				r.settled(t)
				if b := r.checkInvariants(t); b.Total != 10_000 || b.RechargeBelow != 1000 {
					t.Fatalf("after resume: balance %d, recharge_below %d", b.Total, b.RechargeBelow)
				}
				n, _ = r.events(t)
				if n[domain.OrgEventAutoRechargeResumed] != 1 || n[domain.OrgEventAutoRechargePaid] != 1 {
					t.Fatalf("events %v", n)
				}
				if _, err := r.svc.ResumeAutoRecharge(r.owner, r.org.ID, "resume"); err != nil {
					t.Fatalf("repeated resume: %v", err)
				}
			})
		})
	}
}

// TestAutoRechargeProviderFailures: a top-up whose charge the provider did
// not answer (a 503, or a timeout after it collected) is never bought
// again: the next spends' checks and the sweep find the one order in
// flight and charge that one, as does reconciliation (four runs at once),
// always with the first request's idempotency key: one order, one
// payment, one grant, balance = ledger.
func TestAutoRechargeProviderFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		outcome scripted.Outcome
	}{
		{"provider answered 503", scripted.Unavailable},
		{"answer lost after collecting", scripted.Lost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				r := newRechargeShop(t, d)
				r.grant(t, domain.GrantPromo, 5000, 0, "start")
				r.enable(t, 1000, 5000, "on")
				r.gw.Next(tc.outcome)
				for i, amount := range []int64{4500, 100, 100} { // below the threshold each time
					if _, err := consume(r.owner, r.fixture, amount, fmt.Sprint("spend-", i)); err != nil {
						t.Fatal(err)
					}
					waitIdle(t, r.svc)
				}
				if n, err := r.svc.RechargeDue(context.Background(), 10); err != nil || n != 0 {
					t.Fatalf("the sweep with a top-up in flight: %d, %v", n, err)
				}
				if ups := r.topUps(t); len(ups) != 1 {
					t.Fatalf("%d top-up orders after three spends below the threshold, want 1", len(ups))
				}
				r.gw.Next(scripted.Succeed)
				r.clock.Set(t0.Add(time.Hour))
				var wg sync.WaitGroup
				for range 4 {
					wg.Go(func() {
						if _, err := r.svc.Reconcile(context.Background(), time.Minute, 10); err != nil {
							t.Error(err)
						}
					})
				}
				wg.Wait()
				r.settled(t)
				ups := r.topUps(t)
				if len(ups) != 1 || ups[0].Status != domain.OrderPaid {
					t.Fatalf("top-ups %+v, want the one order PAID", ups)
				}
				payments := map[string]bool{}
				for _, req := range r.gw.Requests() {
					if req.IdempotencyKey != r.gw.Requests()[0].IdempotencyKey {
						t.Fatalf("charge retried with key %q, first %q", req.IdempotencyKey, r.gw.Requests()[0].IdempotencyKey)
					}
					payments[req.IdempotencyKey] = true
				}
				if len(payments) != 1 {
					t.Fatalf("%d distinct charges, want 1", len(payments))
				}
				if b := r.checkInvariants(t); b.Total != 300+10_000 {
					t.Fatalf("balance %d, want 10,300: one top-up granted once", b.Total)
				}
			})
		})
	}
}

// waitIdle waits until svc's background checks are done.
func waitIdle(t *testing.T, svc *domain.Service) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !svc.ChecksIdle(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the background checks are still busy after 30 s")
		}
	}
}
