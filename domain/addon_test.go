package domain_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// loadAddon adds a recurring add-on pack in EUR: 5,000 credits a month for
// 12.00 a month, a 3-month minimum term.
func (s *shop) loadAddon(t *testing.T) domain.Pack {
	t.Helper()
	cat, err := s.svc.LoadCatalog(context.Background(), domain.Catalog{Packs: []domain.Pack{{
		Code: "starter-addon", Name: "Starter", Credits: 5000, Validity: domain.ValidityRecurring, RecurringMonths: 3, Active: true,
		Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 1200}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return cat.Packs[0]
}

// subscribeTo subscribes the shop's org to plan for one seat with a saved
// default card at the clock's now.
func (s *shop) subscribeTo(t *testing.T, plan domain.Plan) domain.Subscription {
	t.Helper()
	co, err := s.svc.Subscribe(s.owner, domain.SubscribeInput{OrgID: s.org.ID, PlanID: plan.ID, Seats: 1,
		Installments: 1, PaymentMethodID: s.saveCard(t, "4242", true), IdempotencyKey: "subscribe-" + plan.Code})
	if err != nil || co.Order.Status != domain.OrderPaid {
		t.Fatalf("subscribe: %+v, %v", co.Order, err)
	}
	return co.Subscription
}

func (s *shop) addons(t *testing.T) []domain.SubscriptionAddon {
	t.Helper()
	as, err := s.svc.SubscriptionAddons(s.owner, s.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func (s *shop) balanceIs(t *testing.T, want int64) {
	t.Helper()
	if b := s.checkInvariants(t); b.Total != want {
		t.Fatalf("%s: balance %d, want %d", s.clock.Now().Format(time.DateOnly), b.Total, want)
	}
}

// TestAddonPurchaseRules: who may buy an add-on, for which terms and
// installment counts, and at which price (the quote's, pack price × quantity
// × term months, one PACK line saying the term).
func TestAddonPurchaseRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// sub is the plan subscribed to ("" none, "monthly", "annual").
		sub          string
		autoRenewOff bool
		notRecurring bool
		term, qty    int
		installments int
		// field is the INVALID_INPUT's field; else total and months.
		field  string
		total  int64
		months int
	}{
		{name: "no subscription", term: 3, qty: 1, field: "packId"},
		{name: "monthly, default term", sub: "monthly", qty: 1, total: 4284, months: 3},
		{name: "monthly, 3 months × 2", sub: "monthly", term: 3, qty: 2, total: 8568, months: 3},
		{name: "monthly, below the minimum", sub: "monthly", term: 2, qty: 1, field: "termMonths"},
		{name: "monthly, beyond the minimum and the period", sub: "monthly", term: 4, qty: 1, field: "termMonths"},
		{name: "annual, up to the period's end", sub: "annual", term: 12, qty: 1, total: 17136, months: 12},
		{name: "annual, 7 months", sub: "annual", term: 7, qty: 1, total: 9996, months: 7},
		{name: "annual, beyond the period", sub: "annual", term: 13, qty: 1, field: "termMonths"},
		{name: "another installment count than the subscription's", sub: "monthly", term: 3, qty: 1, installments: 2, field: "installments"},
		{name: "the subscription's installment count", sub: "monthly", term: 3, qty: 1, installments: 1, total: 4284, months: 3},
		{name: "a pack that is not an add-on takes no term", sub: "monthly", notRecurring: true, term: 3, qty: 1, installments: 1, field: "termMonths"},
		{name: "auto-renewal off stays off", sub: "monthly", autoRenewOff: true, qty: 1, total: 4284, months: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				p := s.loadPlans(t)
				pack := s.loadAddon(t)
				if tc.notRecurring {
					pack = s.pack
				}
				var sub domain.Subscription
				switch tc.sub {
				case "monthly":
					sub = s.subscribeTo(t, p.team)
				case "annual":
					sub = s.subscribeTo(t, p.teamAnnual)
				}
				if tc.autoRenewOff {
					if _, err := s.svc.SetAutoRenew(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "off"}); err != nil {
						t.Fatal(err)
					}
				}
				before := s.checkInvariants(t).Total
				s.clock.Set(t0.Add(10 * 24 * time.Hour))
				q, qerr := s.svc.QuotePurchase(s.owner, domain.QuoteRequest{OrgID: s.org.ID, PackID: pack.ID, Quantity: tc.qty,
					Installments: tc.installments, TermMonths: tc.term})
				co, err := s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: pack.ID, Quantity: tc.qty,
					Installments: tc.installments, TermMonths: tc.term, IdempotencyKey: "addon"})
				if tc.field != "" {
					for _, e := range []error{qerr, err} {
						var de *domain.Error
						if codeOf(e) != domain.CodeInvalidInput || !errors.As(e, &de) || de.Field != tc.field {
							t.Fatalf("got %v, want INVALID_INPUT on %s", e, tc.field)
						}
					}
					if as := s.addons(t); len(as) != 0 {
						t.Fatalf("a refused purchase made add-ons %+v", as)
					}
					return
				}
				if qerr != nil || err != nil {
					t.Fatalf("quote %v, purchase %v", qerr, err)
				}
				o := co.Order
				if q.Total != o.Total || o.Total.AmountMinor != tc.total || o.Status != domain.OrderPaid {
					t.Fatalf("quote %d, order %d (%s), want %d", q.Total.AmountMinor, o.Total.AmountMinor, o.Status, tc.total)
				}
				if len(o.Lines) != 1 || o.Lines[0].Months != tc.months || !strings.Contains(o.Lines[0].Description, "months") ||
					o.Lines[0].UnitPrice.AmountMinor != 1200*int64(tc.months) {
					t.Fatalf("lines %+v", o.Lines)
				}
				as := s.addons(t)
				credits := 5000 * int64(tc.qty)
				if len(as) != 1 || as[0].Status != domain.AddonActive || as[0].CreditsPerMonth != credits ||
					!as[0].TermEnd.Equal(domain.AddMonths(sub.Anchor, tc.months)) || as[0].OrderID != o.ID {
					t.Fatalf("add-ons %+v, want one of %d credits to %s", as, credits, domain.AddMonths(sub.Anchor, tc.months))
				}
				if o.ExpiresAt == nil || !o.ExpiresAt.Equal(sub.NextResetAt) {
					t.Fatalf("first month expires %v, want %s", o.ExpiresAt, sub.NextResetAt)
				}
				s.balanceIs(t, before+credits)
				if got := s.subscription(t); got.AutoRenew == tc.autoRenewOff {
					t.Fatalf("auto-renew %v after buying an add-on", got.AutoRenew)
				}
			})
		})
	}
}

// TestAddonRenewsWithMonthlySubscription: a 3-month add-on on a monthly
// plan grants each month with the renewal; at its term's end the renewal
// order carries its PACK line for a month and extends it; switching
// auto-renewal off ends it with the subscription.
func TestAddonRenewsWithMonthlySubscription(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		pack := s.loadAddon(t)
		s.subscribeTo(t, p.team)
		s.clock.Set(t0.Add(10 * 24 * time.Hour))
		if _, err := s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: pack.ID, Quantity: 1, IdempotencyKey: "addon"}); err != nil {
			t.Fatal(err)
		}
		s.balanceIs(t, 5_005_000)
		steps := []struct {
			month int
			// total of the renewal order, and whether it renews the add-on.
			total   int64
			pack    bool
			termEnd int // add-on term end, in months from t0
		}{
			{month: 1, total: 2261, termEnd: 3},
			{month: 2, total: 2261, termEnd: 3},
			{month: 3, total: 3689, pack: true, termEnd: 4},
			{month: 4, total: 3689, pack: true, termEnd: 5},
		}
		for _, st := range steps {
			s.advance(t, t0.AddDate(0, st.month, 0))
			o := s.latest(t)
			expectOrder(t, &o, domain.ActionRenew, domain.OrderPaid, st.total)
			hasPack := len(o.Lines) == 2 && o.Lines[1].Kind == domain.LinePack && o.Lines[1].Months == 1 && o.Lines[1].AddonID != ""
			if hasPack != st.pack {
				t.Fatalf("month %d: lines %+v, PACK line wanted: %v", st.month, o.Lines, st.pack)
			}
			as := s.addons(t)
			if len(as) != 1 || as[0].Status != domain.AddonActive || !as[0].TermEnd.Equal(t0.AddDate(0, st.termEnd, 0)) {
				t.Fatalf("month %d: add-ons %+v", st.month, as)
			}
			// The month's included and add-on credits; last month's expired.
			s.balanceIs(t, 5_005_000)
		}
		// Auto-renewal off: the subscription and its add-on end together at
		// the period's end, nothing is charged, their credits expire.
		s.clock.Set(t0.AddDate(0, 4, 3))
		if _, err := s.svc.SetAutoRenew(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "off"}); err != nil {
			t.Fatal(err)
		}
		creates := s.gw.Creates()
		s.advance(t, t0.AddDate(0, 5, 0))
		if s.gw.Creates() != creates {
			t.Fatal("a renewal was charged with auto-renewal off")
		}
		if live, err := s.svc.Subscription(s.owner, s.org.ID); err != nil || live != nil {
			t.Fatalf("subscription still live: %+v, %v", live, err)
		}
		as, err := s.store.AddonsOfSubscription(context.Background(), s.latest(t).Subscription.SubscriptionID)
		if err != nil || len(as) != 1 || as[0].Status != domain.AddonEnded {
			t.Fatalf("add-ons after the end: %+v, %v", as, err)
		}
		s.balanceIs(t, 0)
		s.advance(t, t0.AddDate(0, 6, 0))
		s.balanceIs(t, 0)
	})
}

// TestAddonTermEndsOnAnnualPlan: a 3-month add-on on an annual plan grants
// at purchase and the next two monthly resets, then ends: its term is
// over before the subscription renews.
func TestAddonTermEndsOnAnnualPlan(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		pack := s.loadAddon(t)
		s.subscribeTo(t, p.teamAnnual)
		s.clock.Set(t0.Add(5 * 24 * time.Hour))
		if _, err := s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: pack.ID, Quantity: 2, TermMonths: 3, IdempotencyKey: "addon"}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			month   int
			balance int64
			status  domain.AddonStatus
		}{
			{month: 0, balance: 5_010_000, status: domain.AddonActive},
			{month: 1, balance: 5_010_000, status: domain.AddonActive},
			{month: 2, balance: 5_010_000, status: domain.AddonActive},
			{month: 3, balance: 5_000_000, status: domain.AddonEnded},
			{month: 4, balance: 5_000_000, status: domain.AddonEnded},
		}
		for _, tc := range tests {
			if tc.month > 0 {
				s.advance(t, t0.AddDate(0, tc.month, 0))
			}
			s.balanceIs(t, tc.balance)
			if as := s.addons(t); len(as) != 1 || as[0].Status != tc.status {
				t.Fatalf("month %d: add-ons %+v, want %s", tc.month, as, tc.status)
			}
		}
		if n := len(s.ledgerOfKind(t, domain.EntryGrant, "add-on credits")); n != 2 {
			t.Fatalf("%d monthly add-on grants after the first, want 2", n)
		}
	})
}

// ledgerOfKind returns the org's entries of kind whose reason starts with
// prefix.
func (s *shop) ledgerOfKind(t *testing.T, kind domain.EntryKind, prefix string) []domain.LedgerEntry {
	t.Helper()
	var out []domain.LedgerEntry
	for _, e := range s.ledger(t) {
		if e.Kind == kind && strings.HasPrefix(e.Reason, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// TestPriceExtraCredits: extra credits at the plan's unit price, per block
// of 1,000 rounded half up (a larger block when 1,000 would cost under 10
// minor units).
func TestPriceExtraCredits(t *testing.T) {
	t.Parallel()
	plan := func(price, credits int64, interval domain.BillingInterval) domain.Plan {
		return domain.Plan{Code: "p", Name: "P", Interval: interval, IncludedCreditsPerSeat: credits,
			Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: price}}}
	}
	tests := []struct {
		name    string
		plan    domain.Plan
		credits int64
		block   int64
		unit    int64
		amount  int64
		field   string
	}{
		{name: "9.00 for 10,000: 1,000 cost 0.90", plan: plan(900, 10_000, domain.Monthly), credits: 1000, block: 1000, unit: 90, amount: 90},
		{name: "9.00 for 10,000: 10,000 cost 9.00", plan: plan(900, 10_000, domain.Monthly), credits: 10_000, block: 1000, unit: 90, amount: 900},
		{name: "10.00 for 3,000: 3.33 per 1,000", plan: plan(1000, 3000, domain.Monthly), credits: 2000, block: 1000, unit: 333, amount: 666},
		{name: "1.00 for 8,000: 0.125 rounds half up", plan: plan(100, 8000, domain.Monthly), credits: 3000, block: 1000, unit: 13, amount: 39},
		{name: "9.00 for 2,000,000: blocks of 100,000", plan: plan(900, 2_000_000, domain.Monthly), credits: 500_000, block: 100_000, unit: 45, amount: 225},
		{name: "annual: a year's credits", plan: plan(19000, 5_000_000, domain.Annually), credits: 100_000, block: 100_000, unit: 32, amount: 32},
		{name: "not a multiple of the block", plan: plan(900, 10_000, domain.Monthly), credits: 1500, field: "credits"},
		{name: "none", plan: plan(900, 10_000, domain.Monthly), credits: 0, field: "credits"},
		{name: "negative", plan: plan(900, 10_000, domain.Monthly), credits: -1000, field: "credits"},
		{name: "free plan", plan: plan(0, 10_000, domain.Monthly), credits: 1000, field: "orgId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := domain.PriceExtraCredits(domain.DefaultPricing(), tc.plan, tc.credits, domain.PriceTarget{Currency: domain.EUR, Country: "US", Installments: 1})
			if tc.field != "" {
				var de *domain.Error
				if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != tc.field {
					t.Fatalf("got %v, want INVALID_INPUT on %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := q.Lines[0]
			if l.Kind != domain.LinePack || l.UnitPrice.AmountMinor != tc.unit || l.Quantity != tc.credits/tc.block ||
				l.Amount.AmountMinor != tc.amount || q.Total.AmountMinor != tc.amount || q.Credits != tc.credits || q.Validity != domain.ValidityBillingCycle {
				t.Fatalf("quote %+v, want %d × %d = %d", q, tc.credits/tc.block, tc.unit, tc.amount)
			}
		})
	}
}

// TestBuyExtraCredits: refused on the Free plan; on a paid plan the quote
// is the order's, the credits come once paid and expire at the next
// monthly reset; the key replays.
func TestBuyExtraCredits(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		in := domain.ExtraCreditsInput{OrgID: s.org.ID, Credits: 1_000_000, Installments: 1, IdempotencyKey: "extra"}
		for name, err := range map[string]error{
			"quote": func() error { _, err := s.svc.ExtraCreditsQuote(s.owner, s.org.ID, in.Credits, 1); return err }(),
			"buy":   func() error { _, err := s.svc.BuyExtraCredits(s.owner, in); return err }(),
		} {
			var de *domain.Error
			if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != "orgId" {
				t.Fatalf("%s on the Free plan: %v", name, err)
			}
		}
		sub := s.subscribeTo(t, p.personal) // 9.00 for 2,000,000: blocks of 100,000 at 0.45
		s.clock.Set(t0.Add(20 * 24 * time.Hour))
		q, err := s.svc.ExtraCreditsQuote(s.owner, s.org.ID, in.Credits, 1)
		if err != nil || q.Total.AmountMinor != 536 { // 10 × 0.45 = 4.50 + 19%
			t.Fatalf("quote %+v, %v", q.Total, err)
		}
		co, err := s.svc.BuyExtraCredits(s.owner, in)
		if err != nil || co.Order.Status != domain.OrderPaid || co.Order.Total != q.Total || co.Order.Credits != in.Credits {
			t.Fatalf("buy: %+v, %v", co.Order, err)
		}
		if co.Order.ExpiresAt == nil || !co.Order.ExpiresAt.Equal(sub.NextResetAt) {
			t.Fatalf("extra credits expire %v, want %s", co.Order.ExpiresAt, sub.NextResetAt)
		}
		s.balanceIs(t, 3_000_000)
		again, err := s.svc.BuyExtraCredits(s.owner, in)
		if err != nil || again.Order.ID != co.Order.ID {
			t.Fatalf("replay: %+v, %v", again.Order, err)
		}
		in.Credits = 2_000_000
		if _, err := s.svc.BuyExtraCredits(s.owner, in); codeOf(err) != domain.CodeConflict {
			t.Fatalf("key reused with other credits: %v", err)
		}
		in.Credits, in.IdempotencyKey = 150_000, "extra-2"
		if _, err := s.svc.BuyExtraCredits(s.owner, in); codeOf(err) != domain.CodeInvalidInput {
			t.Fatalf("not a multiple of the block: %v", err)
		}
		s.advance(t, t0.AddDate(0, 1, 0))
		s.balanceIs(t, 2_000_000) // the extra credits expired with the month
	})
}

// loadFree adds the Free plan in EUR: 200,000 credits per seat a month.
func (s *shop) loadFree(t *testing.T) {
	t.Helper()
	if _, err := s.svc.LoadCatalog(context.Background(), domain.Catalog{Plans: []domain.Plan{{
		Code: "free-monthly", Name: "Free", Interval: domain.Monthly, Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 0}},
		IncludedCreditsPerSeat: 200_000, Seats: 5, Active: true,
	}}}); err != nil {
		t.Fatal(err)
	}
}

// TestFreeMonthlyCredits: an org on the Free plan gets the plan's credits
// per seat each month, expiring at the next reset; none while it is
// subscribed; back on the Free schedule when the subscription ends.
func TestFreeMonthlyCredits(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		s.loadFree(t)
		steps := []struct {
			name    string
			at      time.Time
			do      func()
			balance int64
			free    int64
			grants  int // FREE monthly grants so far
		}{
			// The sign-up grant stands for the first month (disabled here).
			{name: "created", at: t0, balance: 0, free: 0, grants: 0},
			{name: "month 1", at: t0.AddDate(0, 1, 0), balance: 1_000_000, free: 1_000_000, grants: 1},
			{name: "month 2", at: t0.AddDate(0, 2, 0), balance: 1_000_000, free: 1_000_000, grants: 2},
			{name: "subscribed", at: t0.AddDate(0, 2, 5), do: func() { s.subscribeTo(t, p.team) }, balance: 6_000_000, free: 1_000_000, grants: 2},
			{name: "month 3, subscribed", at: t0.AddDate(0, 3, 0), balance: 5_000_000, grants: 2},
			{name: "canceled", at: t0.AddDate(0, 3, 1), do: func() {
				if _, err := s.svc.CancelSubscription(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "c"}); err != nil {
					t.Fatal(err)
				}
			}, balance: 5_000_000, grants: 2},
			// The subscription (anchored on 6 May) ends on 6 June: Free
			// credits at once, until the org's own reset on 1 July.
			{name: "ended", at: t0.AddDate(0, 3, 5), balance: 1_000_000, free: 1_000_000, grants: 3},
			{name: "month 4", at: t0.AddDate(0, 4, 0), balance: 1_000_000, free: 1_000_000, grants: 4},
		}
		for _, st := range steps {
			s.advance(t, st.at)
			if st.do != nil {
				st.do()
			}
			b := s.checkInvariants(t)
			if b.Total != st.balance || b.Free != st.free {
				t.Fatalf("%s: balance %d (free %d), want %d (free %d)", st.name, b.Total, b.Free, st.balance, st.free)
			}
			grants := s.ledgerOfKind(t, domain.EntryGrant, "Free plan credits")
			if len(grants) != st.grants {
				t.Fatalf("%s: %d Free grants, want %d", st.name, len(grants), st.grants)
			}
		}
		// Each grant expires at the org's next monthly reset.
		for _, e := range s.ledgerOfKind(t, domain.EntryGrant, "Free plan credits") {
			g := s.grantOf(t, e)
			if g.Kind != domain.GrantFree || g.ExpiresAt == nil || !g.ExpiresAt.Equal(domain.NextReset(t0, g.CreatedAt)) {
				t.Fatalf("grant %+v, want FREE expiring at %s", g, domain.NextReset(t0, g.CreatedAt))
			}
		}
	})
}

func (s *shop) grantOf(t *testing.T, e domain.LedgerEntry) domain.Grant {
	t.Helper()
	g, err := s.svc.Grant(s.owner, e.Allocations[0].GrantID)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestFreeCreditsOnceAcrossInstances runs the Free credits sweep on several
// service instances at once: the month is granted once.
func TestFreeCreditsOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.loadFree(t)
		s.clock.Set(t0.AddDate(0, 1, 0))
		var wg sync.WaitGroup
		for range 6 {
			other := domain.NewService(d, domain.Config{SignupGrantDisabled: true}, domain.WithClock(s.clock))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					if _, err := other.ResetFreeCredits(context.Background(), 10); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if n := len(s.ledgerOfKind(t, domain.EntryGrant, "Free plan credits")); n != 1 {
			t.Fatalf("%d Free grants, want 1", n)
		}
		s.balanceIs(t, 1_000_000)
	})
}

// TestAddonRenewsWithAnnualSubscription: an add-on bought to the end of an
// annual period grants every month and renews with the subscription for
// twelve months: one PACK line in the renewal order.
func TestAddonRenewsWithAnnualSubscription(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		pack := s.loadAddon(t)
		s.subscribeTo(t, p.teamAnnual)
		s.clock.Set(t0.Add(10 * 24 * time.Hour))
		co, err := s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: pack.ID, Quantity: 1, TermMonths: 12, IdempotencyKey: "addon"})
		if err != nil || co.Order.Total.AmountMinor != 17136 {
			t.Fatalf("12 months of the add-on: %+v, %v", co.Order.Total, err)
		}
		for m := 1; m <= 12; m++ {
			s.advance(t, t0.AddDate(0, m, 0))
			s.balanceIs(t, 5_005_000)
		}
		o := s.latest(t)
		// 190.00 + 12 × 12.00 = 334.00 + 19% = 397.46.
		expectOrder(t, &o, domain.ActionRenew, domain.OrderPaid, 39746)
		if len(o.Lines) != 2 || o.Lines[1].Kind != domain.LinePack || o.Lines[1].Months != 12 || o.Lines[1].Amount.AmountMinor != 14400 {
			t.Fatalf("renewal lines %+v", o.Lines)
		}
		if as := s.addons(t); len(as) != 1 || as[0].Status != domain.AddonActive || !as[0].TermEnd.Equal(t0.AddDate(0, 24, 0)) {
			t.Fatalf("add-ons after the renewal: %+v", as)
		}
		s.advance(t, t0.AddDate(0, 13, 0))
		s.balanceIs(t, 5_005_000)
	})
}

// TestAddonRefunded: a fully refunded add-on takes back its month's credits
// and grants nothing more; the subscription goes on.
func TestAddonRefunded(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		pack := s.loadAddon(t)
		s.subscribeTo(t, p.team)
		co, err := s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: pack.ID, Quantity: 1, IdempotencyKey: "addon"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Reason: "changed mind", IdempotencyKey: "refund"}); err != nil {
			t.Fatal(err)
		}
		if as := s.addons(t); len(as) != 1 || as[0].Status != domain.AddonEnded {
			t.Fatalf("add-ons after the refund: %+v", as)
		}
		s.balanceIs(t, 5_000_000)
		s.advance(t, t0.AddDate(0, 1, 0))
		s.balanceIs(t, 5_000_000)
	})
}
