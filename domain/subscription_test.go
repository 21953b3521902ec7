package domain_test

import (
	"context"
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

// plans is a subscription catalog in EUR (the shop's org is in Germany:
// 19% VAT).
type plans struct {
	personal, team, teamAnnual, business domain.Plan
}

func (s *shop) loadPlans(t *testing.T) plans {
	t.Helper()
	eur := func(m int64) []domain.Price { return []domain.Price{{Currency: domain.EUR, AmountMinor: m}} }
	cat, err := s.svc.LoadCatalog(context.Background(), domain.Catalog{Plans: []domain.Plan{
		{Code: "personal-monthly", Name: "Personal", Interval: domain.Monthly, Prices: eur(900), IncludedCreditsPerSeat: 2_000_000, Seats: 1, Active: true},
		{Code: "team-monthly", Name: "Team", Interval: domain.Monthly, Prices: eur(1900), IncludedCreditsPerSeat: 5_000_000, Seats: 3, Active: true},
		{Code: "team-annual", Name: "Team", Interval: domain.Annually, Prices: eur(19000), IncludedCreditsPerSeat: 5_000_000, Seats: 3, Active: true},
		{Code: "business-monthly", Name: "Business", Interval: domain.Monthly, Prices: eur(3900), IncludedCreditsPerSeat: 12_000_000, Seats: 5, Active: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return plans{cat.Plans[0], cat.Plans[1], cat.Plans[2], cat.Plans[3]}
}

// saveCard stores a card saved with the shop's "fake" gateway for the org
// and returns its ID.
func (s *shop) saveCard(t *testing.T, token string, isDefault bool) string {
	t.Helper()
	saved, err := s.gw.SaveMethod(context.Background(), domain.SaveMethodRequest{Token: token, Customer: domain.Customer{OrgID: s.org.ID}})
	if err != nil {
		t.Fatal(err)
	}
	now := s.clock.Now()
	m := domain.PaymentMethod{
		ID: uuid.NewString(), OrgID: s.org.ID, Gateway: "fake", Kind: saved.Kind, Ref: saved.Ref, CustomerRef: saved.CustomerRef,
		Status: domain.MethodActive, Brand: saved.Brand, Last4: saved.Last4, ExpMonth: saved.ExpMonth, ExpYear: saved.ExpYear,
		IsDefault: isDefault, CreatedBy: "test", CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.CreatePaymentMethod(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// advance moves the clock to at and runs the background work that is due
// (renewals, resets, expiry, Free plan credits) until none is left, as the
// jobs do.
func (s *shop) advance(t *testing.T, at time.Time) {
	t.Helper()
	s.clock.Set(at)
	for range 100 {
		r, err := s.svc.RenewDue(context.Background(), 100)
		if err != nil {
			t.Fatalf("RenewDue at %s: %v", at, err)
		}
		e, err := s.svc.ExpireDue(context.Background(), 100)
		if err != nil {
			t.Fatalf("ExpireDue at %s: %v", at, err)
		}
		f, err := s.svc.ResetFreeCredits(context.Background(), 100)
		if err != nil {
			t.Fatalf("ResetFreeCredits at %s: %v", at, err)
		}
		if r+e+f == 0 {
			return
		}
	}
	t.Fatalf("background work at %s never ran out", at)
}

func (s *shop) subscription(t *testing.T) domain.Subscription {
	t.Helper()
	sub, err := s.svc.Subscription(s.owner, s.org.ID)
	if err != nil || sub == nil {
		t.Fatalf("Subscription = %v, %v", sub, err)
	}
	return *sub
}

// expectOrder checks an order's action, status and total (VAT included).
func expectOrder(t *testing.T, o *domain.Order, action domain.SubscriptionAction, status domain.OrderStatus, total int64) {
	t.Helper()
	if o == nil {
		t.Fatalf("no order, want %s %s %d", action, status, total)
	}
	if o.Subscription == nil || o.Subscription.Action != action || o.Status != status || o.Total.AmountMinor != total {
		t.Fatalf("order %s: %+v %s total %d, want %s %s %d", o.Number, o.Subscription, o.Status, o.Total.AmountMinor, action, status, total)
	}
}

// latest returns the org's newest order.
func (s *shop) latest(t *testing.T) domain.Order {
	t.Helper()
	c, err := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{First: 1})
	if err != nil || len(c.Edges) == 0 {
		t.Fatalf("orders: %v", err)
	}
	return c.Edges[0].Node
}

func at(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// TestSubscriptionThirteenMonths drives one org through thirteen months of
// a subscription with a clock: a subscribe, a seat added mid-month, an
// upgrade, a downgrade and a seat removal at renewals, a cancel and a
// resume, a renewal the bank wants authenticated paid again by the buyer,
// a move to the annual plan and its monthly resets. Every order's total,
// the invoices, the included credits and the ledger are checked.
func TestSubscriptionThirteenMonths(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		card := s.saveCard(t, "4242", true)
		balance := func(want int64) {
			t.Helper()
			if b := s.checkInvariants(t); b.Total != want {
				t.Fatalf("%s: balance %d, want %d", s.clock.Now().Format(time.DateOnly), b.Total, want)
			}
		}

		// 1 March: Team monthly, 2 seats: 2 × 19.00 + 19% = 45.22.
		in := domain.SubscribeInput{OrgID: s.org.ID, PlanID: p.team.ID, Seats: 2, Installments: 1, PaymentMethodID: card, IdempotencyKey: "sub-1"}
		pre, err := s.svc.PreviewSubscribe(s.owner, in)
		if err != nil || pre.Total.AmountMinor != 4522 {
			t.Fatalf("preview %+v, %v", pre.Total, err)
		}
		co, err := s.svc.Subscribe(s.owner, in)
		if err != nil {
			t.Fatal(err)
		}
		expectOrder(t, co.Order, domain.ActionSubscribe, domain.OrderPaid, 4522)
		sub := s.subscription(t)
		if sub.Status != domain.SubActive || !sub.AutoRenew || sub.Seats != 2 || !sub.CurrentPeriodEnd.Equal(at(2026, 4, 1)) || sub.PaymentMethodID != card {
			t.Fatalf("after subscribe: %+v", sub)
		}
		if seats, _ := s.svc.Seats(s.owner, s.org.ID); seats.Total != 2 {
			t.Fatalf("paid seats %d, want 2", seats.Total)
		}
		balance(10_000_000)
		// The same key replays; other input with it is a CONFLICT; a
		// second subscription is refused.
		again, err := s.svc.Subscribe(s.owner, in)
		if err != nil || again.Order.ID != co.Order.ID || s.gw.Creates() != 1 {
			t.Fatalf("replay: %v, %v, %d payments", again.Order, err, s.gw.Creates())
		}
		in2 := in
		in2.Seats = 3
		if _, err := s.svc.Subscribe(s.owner, in2); codeOf(err) != domain.CodeConflict {
			t.Fatalf("same key, other seats: %v", err)
		}
		in2.IdempotencyKey = "sub-2"
		if _, err := s.svc.Subscribe(s.owner, in2); codeOf(err) != domain.CodeConflict {
			t.Fatalf("second subscription: %v", err)
		}

		// 11 March: a third seat for 21 of 31 days: 19.00 × 21/31 = 12.87
		// + 19% = 15.32, with 5,000,000 × 21/31 included credits.
		s.clock.Set(at(2026, 3, 11))
		ch := domain.SubscriptionChange{OrgID: s.org.ID, Seats: 3, IdempotencyKey: "seat-1"}
		q, err := s.svc.PreviewChange(s.owner, ch)
		if err != nil || q.Kind != domain.ChangeAddSeats || q.Total.AmountMinor != 1532 {
			t.Fatalf("preview seat: %+v, %v", q, err)
		}
		co, err = s.svc.ChangeSubscription(s.owner, ch)
		if err != nil {
			t.Fatal(err)
		}
		expectOrder(t, co.Order, domain.ActionAddSeats, domain.OrderPaid, 1532)
		if co.Subscription.Seats != 3 || !co.Subscription.CurrentPeriodEnd.Equal(at(2026, 4, 1)) {
			t.Fatalf("after the seat: %+v", co.Subscription)
		}
		balance(13_387_096)

		// 1 April: renewal of 3 seats, 57.00 + 19% = 67.83; March's
		// included credits expire, April's are granted.
		s.advance(t, at(2026, 4, 1))
		o := s.latest(t)
		expectOrder(t, &o, domain.ActionRenew, domain.OrderPaid, 6783)
		balance(15_000_000)

		// 15 April: upgrade to Business for 16 of 30 days:
		// 3 × 20.80 - 3 × 10.13 = 32.01 + 19% = 38.09; 21,000,000 × 16/30 more credits.
		s.clock.Set(at(2026, 4, 15))
		co, err = s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, PlanID: p.business.ID, IdempotencyKey: "up-1"})
		if err != nil {
			t.Fatal(err)
		}
		expectOrder(t, co.Order, domain.ActionChangePlan, domain.OrderPaid, 3809)
		if co.Subscription.PlanID != p.business.ID {
			t.Fatalf("after the upgrade: %+v", co.Subscription)
		}
		balance(26_200_000)

		// 1 May: Business renews: 117.00 + 19% = 139.23.
		s.advance(t, at(2026, 5, 1))
		o = s.latest(t)
		expectOrder(t, &o, domain.ActionRenew, domain.OrderPaid, 13923)
		balance(36_000_000)

		// 10 May: back to Team, at the renewal; nothing charged now.
		s.clock.Set(at(2026, 5, 10))
		co, err = s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, PlanID: p.team.ID, IdempotencyKey: "down-1"})
		if err != nil || co.Order != nil || co.Subscription.Pending == nil || co.Subscription.Pending.PlanID != p.team.ID || co.Quote.Kind != domain.ChangeDowngrade {
			t.Fatalf("downgrade: %+v, %v", co, err)
		}
		if s.subscription(t).PlanID != p.business.ID {
			t.Fatal("a downgrade took effect before the renewal")
		}
		s.advance(t, at(2026, 6, 1))
		o = s.latest(t)
		expectOrder(t, &o, domain.ActionRenew, domain.OrderPaid, 6783)
		if sub := s.subscription(t); sub.PlanID != p.team.ID || sub.Pending != nil {
			t.Fatalf("after the downgrade's renewal: %+v", sub)
		}
		balance(15_000_000)

		// 5 June: one seat fewer from the renewal; more than the members
		// (one) is fine, and the seat count stays until then.
		s.clock.Set(at(2026, 6, 5))
		if _, err := s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, Seats: 2, IdempotencyKey: "rm-1"}); err != nil {
			t.Fatal(err)
		}
		if seats, _ := s.svc.Seats(s.owner, s.org.ID); seats.Total != 3 || seats.Available != 1 {
			t.Fatalf("seats during a scheduled removal: %+v", seats)
		}
		s.advance(t, at(2026, 7, 1))
		o = s.latest(t)
		expectOrder(t, &o, domain.ActionRenew, domain.OrderPaid, 4522)
		balance(10_000_000)

		// 3 July cancel, 20 July resume: it renews on 1 August.
		s.clock.Set(at(2026, 7, 3))
		sub, err = s.svc.CancelSubscription(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "cancel-1"})
		if err != nil || !sub.CancelAtPeriodEnd {
			t.Fatalf("cancel: %+v, %v", sub, err)
		}
		s.clock.Set(at(2026, 7, 20))
		if sub, err = s.svc.ResumeSubscription(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "resume-1"}); err != nil || sub.CancelAtPeriodEnd {
			t.Fatalf("resume: %+v, %v", sub, err)
		}

		// 1 August: the bank wants the renewal authenticated. The order
		// fails, the subscription and the org are PAST_DUE, July's credits
		// expire and no new ones come.
		s.gw.Next(scripted.AuthRequired)
		s.advance(t, at(2026, 8, 1))
		failed := s.latest(t)
		expectOrder(t, &failed, domain.ActionRenew, domain.OrderFailed, 4522)
		if sub := s.subscription(t); sub.Status != domain.SubPastDue || sub.RenewalFailure != domain.FailureAuthRequired {
			t.Fatalf("after the failed renewal: %+v", sub)
		}
		if org, _ := s.svc.Org(s.owner, s.org.ID); org.Status != domain.OrgPastDue {
			t.Fatalf("org %s, want PAST_DUE", org.Status)
		}
		balance(0)
		// 2 August: the buyer pays, authenticating on the bank's page.
		s.clock.Set(at(2026, 8, 2))
		co, err = s.svc.RetrySubscriptionPayment(s.owner, domain.RetryPaymentInput{OrgID: s.org.ID, IdempotencyKey: "retry-1"})
		if err != nil || co.NextAction == nil || co.Order.Status != domain.OrderRequiresAction {
			t.Fatalf("retry: %+v, %v", co, err)
		}
		s.gw.Next(scripted.Succeed)
		s.gw.Settle(co.Order.PaymentID, domain.PaymentSucceeded)
		paid, err := s.svc.ConfirmOrder(s.owner, co.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		expectOrder(t, &paid, domain.ActionRenew, domain.OrderPaid, 4522)
		sub = s.subscription(t)
		if sub.Status != domain.SubActive || !sub.CurrentPeriodStart.Equal(at(2026, 8, 1)) || !sub.CurrentPeriodEnd.Equal(at(2026, 9, 1)) {
			t.Fatalf("after paying: %+v", sub)
		}
		if org, _ := s.svc.Org(s.owner, s.org.ID); org.Status != domain.OrgActive {
			t.Fatalf("org %s, want ACTIVE", org.Status)
		}
		balance(10_000_000)

		// 5 August: annual billing from the renewal: 2 × 190.00 + 19% = 452.20.
		s.clock.Set(at(2026, 8, 5))
		co, err = s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, PlanID: p.teamAnnual.ID, IdempotencyKey: "annual-1"})
		if err != nil || co.Order != nil || co.Quote.Renewal.AmountMinor != 45220 {
			t.Fatalf("to annual: %+v, %v", co, err)
		}
		s.advance(t, at(2026, 9, 1))
		o = s.latest(t)
		expectOrder(t, &o, domain.ActionRenew, domain.OrderPaid, 45220)
		sub = s.subscription(t)
		if sub.PlanID != p.teamAnnual.ID || !sub.CurrentPeriodEnd.Equal(at(2027, 9, 1)) || !sub.NextResetAt.Equal(at(2026, 10, 1)) {
			t.Fatalf("annual: %+v", sub)
		}
		balance(10_000_000)

		// Every month of the annual plan, included credits reset: the
		// month's unused credit expires, the next month's is granted, and
		// nothing is charged.
		before := s.gw.Creates()
		for m := time.October; m <= time.December+4; m++ {
			when := at(2026, m, 1)
			s.advance(t, when)
			balance(10_000_000)
			if sub := s.subscription(t); !sub.NextResetAt.Equal(domain.AddMonths(when, 1)) {
				t.Fatalf("%s: next reset %s", when.Format(time.DateOnly), sub.NextResetAt)
			}
		}
		if s.gw.Creates() != before {
			t.Fatalf("monthly resets charged %d times", s.gw.Creates()-before)
		}

		// Thirteen months on: 10 orders (9 paid, 1 failed), 9 invoices
		// numbered without gaps.
		all, err := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{First: 50})
		if err != nil || len(all.Edges) != 10 {
			t.Fatalf("%d orders, %v", len(all.Edges), err)
		}
		invs, err := s.svc.Invoices(s.owner, s.org.ID, domain.Page{First: 50})
		if err != nil || len(invs.Edges) != 9 || invs.Edges[0].Node.Number != "INV-2026-000009" || invs.Edges[8].Node.Number != "INV-2026-000001" {
			t.Fatalf("invoices: %d, %v", len(invs.Edges), err)
		}
	})
}

// TestSubscribeFailures: what goes wrong on the way to a paid subscription
// leaves no second charge, no credits before payment and nothing behind
// for refused input.
func TestSubscribeFailures(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		card := s.saveCard(t, "4242", true)
		in := func(key string) domain.SubscribeInput {
			return domain.SubscribeInput{OrgID: s.org.ID, PlanID: p.team.ID, Seats: 1, Installments: 1, PaymentMethodID: card, IdempotencyKey: key}
		}

		// Refused input writes nothing: no order, no subscription, the key free.
		bad := in("bad")
		bad.Seats = 0
		if _, err := s.svc.Subscribe(s.owner, bad); codeOf(err) != domain.CodeInvalidInput {
			t.Fatalf("0 seats: %v", err)
		}
		bad = in("bad")
		bad.PlanID = p.team.ID[:35] + "x"
		if _, err := s.svc.Subscribe(s.owner, bad); codeOf(err) != domain.CodeInvalidInput {
			t.Fatalf("unknown plan: %v", err)
		}
		if sub, _ := s.svc.Subscription(s.owner, s.org.ID); sub != nil || s.gw.Creates() != 0 {
			t.Fatalf("refused input left %+v, %d charges", sub, s.gw.Creates())
		}

		// The provider times out: the order waits unpaid, no credits; the
		// same key starts the same payment again, once.
		s.gw.Next(scripted.Unavailable)
		if _, err := s.svc.Subscribe(s.owner, in("k1")); codeOf(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("timeout: %v", err)
		}
		if sub := s.subscription(t); sub.Status != domain.SubIncomplete || s.checkInvariants(t).Total != 0 {
			t.Fatalf("after a timeout: %+v", sub)
		}
		s.gw.Next(scripted.Succeed)
		co, err := s.svc.Subscribe(s.owner, in("k1"))
		if err != nil || co.Order.Status != domain.OrderPaid || co.Subscription.Status != domain.SubActive {
			t.Fatalf("retry with the key: %+v, %v", co, err)
		}
		if s.gw.Creates() != 2 { // the refused attempt and the one that paid
			t.Fatalf("%d payments asked for, want 2", s.gw.Creates())
		}
		// Many concurrent repeats of the key: the first result, no new charge.
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				again, err := s.svc.Subscribe(s.owner, in("k1"))
				if err != nil || again.Order.ID != co.Order.ID {
					t.Errorf("concurrent replay: %v, %v", again.Order, err)
				}
			}()
		}
		wg.Wait()
		if s.gw.Creates() != 2 || s.checkInvariants(t).Total != 5_000_000 {
			t.Fatalf("after replays: %d payments, balance %d", s.gw.Creates(), s.checkInvariants(t).Total)
		}
	})
}

// TestConcurrentSubscribes: several subscribes with different keys at once
// make one subscription and one charge; the others are CONFLICT.
func TestConcurrentSubscribes(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		card := s.saveCard(t, "4242", true)
		var (
			wg              sync.WaitGroup
			mu              sync.Mutex
			paid, conflicts int
		)
		for i := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				co, err := s.svc.Subscribe(s.owner, domain.SubscribeInput{OrgID: s.org.ID, PlanID: p.team.ID, Seats: 1,
					Installments: 1, PaymentMethodID: card, IdempotencyKey: fmt.Sprintf("race-%d", i)})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && co.Order.Status == domain.OrderPaid:
					paid++
				case codeOf(err) == domain.CodeConflict:
					conflicts++
				default:
					t.Errorf("subscribe: %+v, %v", co.Order, err)
				}
			}()
		}
		wg.Wait()
		if paid != 1 || conflicts != 5 || s.gw.Creates() != 1 {
			t.Fatalf("%d paid, %d conflicts, %d charges; want 1, 5, 1", paid, conflicts, s.gw.Creates())
		}
		if b := s.checkInvariants(t); b.Total != 5_000_000 {
			t.Fatalf("balance %d", b.Total)
		}
	})
}
