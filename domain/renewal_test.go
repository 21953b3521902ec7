package domain_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// subscribeTeam subscribes the shop's org to Team monthly with seats,
// paying with paymentMethodID, at the clock's now.
func (s *shop) subscribeTeam(t *testing.T, p plans, seats int, paymentMethodID string) domain.Subscription {
	t.Helper()
	co, err := s.svc.Subscribe(s.owner, domain.SubscribeInput{OrgID: s.org.ID, PlanID: p.team.ID, Seats: seats,
		Installments: 1, PaymentMethodID: paymentMethodID, IdempotencyKey: "subscribe"})
	if err != nil {
		t.Fatal(err)
	}
	if co.Order.Status != domain.OrderPaid || co.Subscription.Status != domain.SubActive {
		t.Fatalf("subscribe: order %s, subscription %s", co.Order.Status, co.Subscription.Status)
	}
	return co.Subscription
}

// TestRenewalOutcomes renews a Team subscription at the end of its first
// period for each way the off-session charge can go.
func TestRenewalOutcomes(t *testing.T) {
	t.Parallel()
	end := t0.AddDate(0, 1, 0)
	tests := []struct {
		name string
		// setup runs before the period ends; it returns the payment
		// method to subscribe with.
		setup   func(t *testing.T, s *shop, p plans) string
		outcome scripted.Outcome
		// orders is how many renewal orders exist after the renewal run,
		// status the newest one's ("" when none), failure the
		// subscription's RenewalFailure.
		orders  int
		status  domain.OrderStatus
		sub     domain.SubscriptionStatus
		org     domain.OrgStatus
		failure string
		seats   int
		balance int64
	}{
		{name: "paid", outcome: scripted.Succeed, orders: 1, status: domain.OrderPaid,
			sub: domain.SubActive, org: domain.OrgActive, seats: 2, balance: 10_000_000},
		{name: "declined off session", outcome: scripted.Decline, orders: 1, status: domain.OrderFailed,
			sub: domain.SubPastDue, org: domain.OrgPastDue, failure: "insufficient_funds", seats: 2},
		{name: "bank wants the buyer to authenticate", outcome: scripted.AuthRequired, orders: 1, status: domain.OrderFailed,
			sub: domain.SubPastDue, org: domain.OrgPastDue, failure: domain.FailureAuthRequired, seats: 2},
		{name: "provider settles later", outcome: scripted.Processing, orders: 1, status: domain.OrderProcessing,
			sub: domain.SubActive, org: domain.OrgActive, seats: 2},
		{name: "no saved method", outcome: scripted.Succeed, orders: 0,
			setup: func(*testing.T, *shop, plans) string { return "tok_visa" },
			sub:   domain.SubPastDue, org: domain.OrgPastDue, failure: domain.FailureNoMethod, seats: 2},
		{name: "canceled: ends, back to the free seats", outcome: scripted.Succeed, orders: 0,
			setup: func(t *testing.T, s *shop, _ plans) string {
				card := s.saveCard(t, "4242", true)
				s.afterSubscribe = func() {
					if _, err := s.svc.CancelSubscription(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "c"}); err != nil {
						t.Fatal(err)
					}
				}
				return card
			},
			sub: domain.SubEnded, org: domain.OrgActive, seats: 5},
		{name: "auto-renewal off: ends", outcome: scripted.Succeed, orders: 0,
			setup: func(t *testing.T, s *shop, _ plans) string {
				card := s.saveCard(t, "4242", true)
				s.afterSubscribe = func() {
					if _, err := s.svc.SetAutoRenew(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "a"}); err != nil {
						t.Fatal(err)
					}
				}
				return card
			},
			sub: domain.SubEnded, org: domain.OrgActive, seats: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				p := s.loadPlans(t)
				var pm string
				if tc.setup != nil {
					pm = tc.setup(t, s, p)
				} else {
					pm = s.saveCard(t, "4242", true)
				}
				sub := s.subscribeTeam(t, p, 2, pm)
				if s.afterSubscribe != nil {
					s.afterSubscribe()
				}
				s.gw.Next(tc.outcome)
				s.advance(t, end)
				orders, err := s.store.OrdersOfSubscription(context.Background(), sub.ID, 10)
				if err != nil {
					t.Fatal(err)
				}
				var renewals []domain.Order
				for _, o := range orders {
					if o.Subscription.Action == domain.ActionRenew {
						renewals = append(renewals, o)
					}
				}
				if len(renewals) != tc.orders || (tc.orders > 0 && renewals[0].Status != tc.status) {
					t.Fatalf("renewal orders %+v, want %d, newest %s", renewals, tc.orders, tc.status)
				}
				got, err := s.store.SubscriptionByID(context.Background(), sub.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != tc.sub || got.RenewalFailure != tc.failure {
					t.Fatalf("subscription %s (%q), want %s (%q)", got.Status, got.RenewalFailure, tc.sub, tc.failure)
				}
				org, err := s.svc.Org(s.owner, s.org.ID)
				if err != nil || org.Status != tc.org || org.Seats != tc.seats {
					t.Fatalf("org %s with %d seats (%v), want %s with %d", org.Status, org.Seats, err, tc.org, tc.seats)
				}
				if tc.sub == domain.SubEnded {
					if live, err := s.svc.Subscription(s.owner, s.org.ID); err != nil || live != nil {
						t.Fatalf("ended subscription still live: %+v, %v", live, err)
					}
				}
				if b := s.checkInvariants(t); b.Total != tc.balance {
					t.Fatalf("balance %d, want %d", b.Total, tc.balance)
				}
				// Running again charges nothing more.
				creates := s.gw.Creates()
				s.advance(t, end.Add(time.Hour))
				if s.gw.Creates() != creates {
					t.Fatalf("a second run charged %d more times", s.gw.Creates()-creates)
				}
			})
		})
	}
}

// TestRenewalInterruptedChargesOnce stops a renewal where a crash could:
// after its order was written but before the charge (the provider
// unreachable), and after the provider charged but before the answer was
// recorded (the answer lost). The next run charges that same order with the
// same provider idempotency key: one payment collected, one paid order.
func TestRenewalInterruptedChargesOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		outcome scripted.Outcome
		creates int // payments the provider was asked to start over both runs (a replayed key is not one)
	}{
		{"before the charge", scripted.Unavailable, 2},
		{"after the charge, answer lost", scripted.Lost, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				p := s.loadPlans(t)
				sub := s.subscribeTeam(t, p, 1, s.saveCard(t, "4242", true))
				creates := s.gw.Creates()
				s.gw.Next(tc.outcome)
				// One run of the renewal job, stopped where the outcome
				// stops it (as a crash would leave it).
				s.clock.Set(t0.AddDate(0, 1, 0))
				if _, err := s.svc.AdvanceSubscription(context.Background(), sub.ID); err != nil {
					t.Fatal(err)
				}
				orders, _ := s.store.OrdersOfSubscription(context.Background(), sub.ID, 10)
				if len(orders) != 2 || orders[0].Status != domain.OrderPending || orders[0].PaymentID != "" {
					t.Fatalf("after an interrupted renewal: %+v", orders)
				}
				s.gw.Next(scripted.Succeed)
				s.advance(t, t0.AddDate(0, 1, 0).Add(time.Minute))
				orders, _ = s.store.OrdersOfSubscription(context.Background(), sub.ID, 10)
				if len(orders) != 2 || orders[0].Status != domain.OrderPaid || s.gw.Creates()-creates != tc.creates {
					t.Fatalf("after the next run: %d orders, newest %s, %d payments made", len(orders), orders[0].Status, s.gw.Creates()-creates)
				}
				if got := s.subscription(t); !got.CurrentPeriodStart.Equal(t0.AddDate(0, 1, 0)) {
					t.Fatalf("period %s", got.CurrentPeriodStart)
				}
				if b := s.checkInvariants(t); b.Total != 5_000_000 { // one month of one seat, granted once
					t.Fatalf("balance %d, want 5,000,000", b.Total)
				}
			})
		})
	}
}

// TestRenewalOnceAcrossInstances runs the renewal job on several service
// instances over one database at the same moment: one order, one charge.
func TestRenewalOnceAcrossInstances(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		sub := s.subscribeTeam(t, p, 2, s.saveCard(t, "4242", true))
		reg, err := gateways.New(nil, s.inst, s.gw)
		if err != nil {
			t.Fatal(err)
		}
		s.clock.Set(t0.AddDate(0, 1, 0))
		creates := s.gw.Creates()
		var wg sync.WaitGroup
		for range 6 {
			other := domain.NewService(d, domain.Config{SignupGrantDisabled: true}, domain.WithClock(s.clock), domain.WithGateways(reg))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					if _, err := other.RenewDue(context.Background(), 10); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		orders, _ := s.store.OrdersOfSubscription(context.Background(), sub.ID, 10)
		if len(orders) != 2 || orders[0].Status != domain.OrderPaid || s.gw.Creates() != creates+1 {
			t.Fatalf("%d orders (newest %s), %d charges; want one paid renewal", len(orders), orders[0].Status, s.gw.Creates()-creates)
		}
		s.checkInvariants(t)
	})
}

// TestSubscriptionKeys replays each subscription mutation with its key and
// refuses the key with other input.
func TestSubscriptionKeys(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		s.subscribeTeam(t, p, 1, s.saveCard(t, "4242", true))
		setting := func(key string, on bool) domain.SubscriptionSetting {
			return domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: key, On: on}
		}
		tests := []struct {
			name        string
			first, same func() (domain.Subscription, error)
			other       func() error
			check       func(domain.Subscription) bool
		}{
			{name: "changeSeats",
				first: func() (domain.Subscription, error) {
					co, err := s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, Seats: 2, IdempotencyKey: "seats"})
					return co.Subscription, err
				},
				other: func() error {
					_, err := s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, Seats: 3, IdempotencyKey: "seats"})
					return err
				},
				check: func(sub domain.Subscription) bool { return sub.Seats == 2 }},
			{name: "changePlan (scheduled)",
				first: func() (domain.Subscription, error) {
					co, err := s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, PlanID: p.personal.ID, IdempotencyKey: "plan"})
					return co.Subscription, err
				},
				other: func() error {
					_, err := s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, PlanID: p.teamAnnual.ID, IdempotencyKey: "plan"})
					return err
				},
				check: func(sub domain.Subscription) bool { return sub.Pending != nil && sub.Pending.PlanID == p.personal.ID }},
			{name: "cancelSubscription",
				first: func() (domain.Subscription, error) {
					return s.svc.CancelSubscription(s.owner, setting("cancel", false))
				},
				other: func() error { _, err := s.svc.ResumeSubscription(s.owner, setting("cancel", false)); return err },
				check: func(sub domain.Subscription) bool { return sub.CancelAtPeriodEnd }},
			{name: "resumeSubscription",
				first: func() (domain.Subscription, error) {
					return s.svc.ResumeSubscription(s.owner, setting("resume", false))
				},
				other: func() error { _, err := s.svc.CancelSubscription(s.owner, setting("resume", false)); return err },
				check: func(sub domain.Subscription) bool { return !sub.CancelAtPeriodEnd }},
			{name: "setAutoRenew",
				first: func() (domain.Subscription, error) { return s.svc.SetAutoRenew(s.owner, setting("auto", false)) },
				other: func() error { _, err := s.svc.SetAutoRenew(s.owner, setting("auto", true)); return err },
				check: func(sub domain.Subscription) bool { return !sub.AutoRenew }},
		}
		for _, tc := range tests {
			first, err := tc.first()
			if err != nil || !tc.check(first) {
				t.Fatalf("%s: %+v, %v", tc.name, first, err)
			}
			creates := s.gw.Creates()
			again, err := tc.first()
			if err != nil || again.ID != first.ID || s.gw.Creates() != creates {
				t.Fatalf("%s replay: %v (%d more charges)", tc.name, err, s.gw.Creates()-creates)
			}
			if err := tc.other(); codeOf(err) != domain.CodeConflict {
				t.Fatalf("%s: key reused with other input = %v, want CONFLICT", tc.name, err)
			}
		}
		if !s.subscription(t).AutoRenew {
			// setAutoRenew(true) with the same key as setAutoRenew(false)
			// must not have switched it back on.
			s.checkInvariants(t)
		} else {
			t.Fatal("a refused key changed auto-renewal")
		}
	})
}

// TestSubscriptionRoles lets only OWNER and BILLING change a subscription;
// every member reads it.
func TestSubscriptionRoles(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		card := s.saveCard(t, "4242", true)
		billing, _ := s.join(t, "billing", domain.RoleBilling)
		admin, _ := s.join(t, "admin", domain.RoleAdmin)
		member, _ := s.join(t, "member", domain.RoleMember)
		outsider := signIn(t, s.svc, "outsider")
		sub := func(ctx context.Context) error {
			_, err := s.svc.Subscribe(ctx, domain.SubscribeInput{OrgID: s.org.ID, PlanID: p.team.ID, Seats: 4, Installments: 1, PaymentMethodID: card, IdempotencyKey: "s"})
			return err
		}
		for name, tc := range map[string]struct {
			ctx  context.Context
			want domain.Code
		}{"admin": {admin, domain.CodeForbidden}, "member": {member, domain.CodeForbidden}, "outsider": {outsider, domain.CodeNotFound}} {
			if err := sub(tc.ctx); codeOf(err) != tc.want {
				t.Fatalf("%s subscribes: %v, want %s", name, err, tc.want)
			}
			if _, err := s.svc.CancelSubscription(tc.ctx, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "c"}); codeOf(err) != tc.want {
				t.Fatalf("%s cancels: %v, want %s", name, err, tc.want)
			}
			if _, err := s.svc.PreviewChange(tc.ctx, domain.SubscriptionChange{OrgID: s.org.ID, Seats: 5}); codeOf(err) != tc.want {
				t.Fatalf("%s previews: %v, want %s", name, err, tc.want)
			}
		}
		if err := sub(billing); err != nil {
			t.Fatalf("billing subscribes: %v", err)
		}
		if got, err := s.svc.Subscription(member, s.org.ID); err != nil || got == nil {
			t.Fatalf("member reads: %v, %v", got, err)
		}
		// Fewer seats than members and invitations is refused.
		if _, err := s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, Seats: 3, IdempotencyKey: "few"}); codeOf(err) != domain.CodeInvalidInput {
			t.Fatalf("seats below the members: %v", err)
		}
	})
}

// TestBillingCyclePackExpiresAtReset: a BILLING_CYCLE pack bought by a
// subscribed org expires at the subscription's next monthly reset; without
// a subscription a month after purchase.
func TestBillingCyclePackExpiresAtReset(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		cat, err := s.svc.LoadCatalog(context.Background(), domain.Catalog{Packs: []domain.Pack{{
			Code: "cycle", Name: "Cycle", Credits: 1000, Validity: domain.ValidityBillingCycle, Active: true,
			Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 100}},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		buy := func(key string) domain.Order {
			co, err := s.svc.PurchasePack(s.owner, domain.PurchaseInput{OrgID: s.org.ID, PackID: cat.Packs[0].ID, Quantity: 1, Installments: 1, IdempotencyKey: key})
			if err != nil {
				t.Fatal(err)
			}
			return co.Order
		}
		s.clock.Set(t0.Add(-10 * 24 * time.Hour))
		if o := buy("free-plan"); o.ExpiresAt == nil || !o.ExpiresAt.Equal(t0.Add(-10*24*time.Hour).AddDate(0, 1, 0)) {
			t.Fatalf("on the Free plan: expires %v", o.ExpiresAt)
		}
		s.clock.Set(t0)
		s.subscribeTeam(t, p, 1, s.saveCard(t, "4242", true))
		s.clock.Set(t0.Add(20 * 24 * time.Hour))
		if o := buy("subscribed"); o.ExpiresAt == nil || !o.ExpiresAt.Equal(t0.AddDate(0, 1, 0)) {
			t.Fatalf("subscribed: expires %v, want the next reset %s", o.ExpiresAt, t0.AddDate(0, 1, 0))
		}
	})
}

// TestInstallmentsApplyToRenewals: a subscription paid in installments in
// Brazil renews in the same number of installments, commission included.
func TestInstallmentsApplyToRenewals(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		org, err := s.svc.CreateOrg(s.owner, domain.CreateOrgInput{Name: "Loja", Country: "BR", Currency: domain.BRL})
		if err != nil {
			t.Fatal(err)
		}
		cat, err := s.svc.LoadCatalog(context.Background(), domain.Catalog{Plans: []domain.Plan{{
			Code: "team-brl", Name: "Team", Interval: domain.Monthly, IncludedCreditsPerSeat: 5_000_000, Seats: 3, Active: true,
			Prices: []domain.Price{{Currency: domain.BRL, AmountMinor: 9900}},
		}}})
		if err != nil {
			t.Fatal(err)
		}
		saved, err := s.inst.SaveMethod(context.Background(), domain.SaveMethodRequest{Token: "tok", Customer: domain.Customer{OrgID: org.ID}})
		if err != nil {
			t.Fatal(err)
		}
		pm := domain.PaymentMethod{ID: uuid.NewString(), OrgID: org.ID, Gateway: "inst", Kind: domain.MethodCard, Ref: saved.Ref,
			CustomerRef: saved.CustomerRef, Status: domain.MethodActive, IsDefault: true, CreatedBy: "test", CreatedAt: t0, UpdatedAt: t0}
		if err := s.store.CreatePaymentMethod(context.Background(), pm); err != nil {
			t.Fatal(err)
		}
		co, err := s.svc.Subscribe(s.owner, domain.SubscribeInput{OrgID: org.ID, PlanID: cat.Plans[0].ID, Seats: 1,
			Installments: 8, PaymentMethodID: pm.ID, IdempotencyKey: "br"})
		if err != nil {
			t.Fatal(err)
		}
		// 99.00 plus 5.99% commission for 8 installments = 104.93, no tax in BR.
		if co.Order.Installments == nil || co.Order.Installments.Count != 8 || co.Order.Total.AmountMinor != 10493 || co.Subscription.Installments != 8 {
			t.Fatalf("subscribe: %+v total %d", co.Order.Installments, co.Order.Total.AmountMinor)
		}
		s.advance(t, t0.AddDate(0, 1, 0))
		orders, err := s.store.OrdersOfSubscription(context.Background(), co.Subscription.ID, 5)
		if err != nil || len(orders) != 2 {
			t.Fatalf("orders %d, %v", len(orders), err)
		}
		r := orders[0]
		if r.Subscription.Action != domain.ActionRenew || r.Status != domain.OrderPaid || r.Installments == nil ||
			r.Installments.Count != 8 || r.Total.AmountMinor != 10493 {
			t.Fatalf("renewal %s %s %+v total %d, want PAID in 8 installments, 104.93", r.Subscription.Action, r.Status, r.Installments, r.Total.AmountMinor)
		}
		if reqs := s.inst.Requests(); reqs[len(reqs)-1].Installments != 8 || reqs[len(reqs)-1].Saved == nil {
			t.Fatalf("the renewal's charge: %+v", reqs[len(reqs)-1])
		}
	})
}

// TestRetrySubscriptionPaymentKey: paying a PAST_DUE renewal again replays
// with its key, refuses the key with other input, and is refused while
// nothing is due.
func TestRetrySubscriptionPaymentKey(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		card := s.saveCard(t, "4242", true)
		s.subscribeTeam(t, p, 1, card)
		in := domain.RetryPaymentInput{OrgID: s.org.ID, IdempotencyKey: "retry"}
		if _, err := s.svc.RetrySubscriptionPayment(s.owner, in); codeOf(err) != domain.CodeConflict {
			t.Fatalf("retry while ACTIVE: %v, want CONFLICT", err)
		}
		s.gw.Next(scripted.Decline)
		s.advance(t, t0.AddDate(0, 1, 0))
		s.gw.Next(scripted.Succeed)
		in.IdempotencyKey = "retry-2"
		co, err := s.svc.RetrySubscriptionPayment(s.owner, in)
		if err != nil || co.Order.Status != domain.OrderPaid || co.Subscription.Status != domain.SubActive {
			t.Fatalf("retry: %+v, %v", co, err)
		}
		creates := s.gw.Creates()
		again, err := s.svc.RetrySubscriptionPayment(s.owner, in)
		if err != nil || again.Order.ID != co.Order.ID || s.gw.Creates() != creates {
			t.Fatalf("replay: %+v, %v, %d more payments", again.Order, err, s.gw.Creates()-creates)
		}
		in.PaymentMethodID = s.saveCard(t, "5555", false)
		if _, err := s.svc.RetrySubscriptionPayment(s.owner, in); codeOf(err) != domain.CodeConflict {
			t.Fatalf("same key, other card: %v, want CONFLICT", err)
		}
		if b := s.checkInvariants(t); b.Total != 5_000_000 {
			t.Fatalf("balance %d, want one month's 5,000,000", b.Total)
		}
	})
}
