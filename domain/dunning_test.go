package domain_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// advanceDunning moves the clock to at and runs the due work as the jobs
// do (advance), then the dunning sweep until it finds nothing to do; twice,
// as a second instance (or a repeated job) would.
func (s *shop) advanceDunning(t *testing.T, at time.Time) {
	t.Helper()
	for range 2 {
		s.advance(t, at)
		for range 100 {
			n, err := s.svc.RunDunning(context.Background(), 100)
			if err != nil {
				t.Fatalf("RunDunning at %s: %v", at, err)
			}
			if n == 0 {
				break
			}
			s.advance(t, at)
		}
	}
}

// events returns the kinds of the org's events that are mailed (dunning's
// and the receipts), oldest first. The order and subscription events
// recorded beside them (ORDER_PAID, ORDER_FAILED, SUBSCRIPTION_*) are
// left out here: outbox_test.go checks them, a renewal failing into
// dunning included.
func (s *shop) events(t *testing.T) []domain.OrgEventKind {
	t.Helper()
	c, err := s.store.ListOrgEvents(context.Background(), s.org.ID, domain.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.OrgEventKind
	for _, e := range c.Edges {
		if e.Node.Kind.Notifies() {
			out = append(out, e.Node.Kind)
		}
	}
	slices.Reverse(out)
	return out
}

// expectDetails checks that each event of the given kinds carries the
// details its history entry and email show.
func (s *shop) expectDetails(t *testing.T, want map[domain.OrgEventKind][]string) {
	t.Helper()
	c, err := s.store.ListOrgEvents(context.Background(), s.org.ID, domain.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range c.Edges {
		if !e.Node.Kind.Notifies() {
			continue // not dunning's: outbox_test.go checks them
		}
		for _, k := range want[e.Node.Kind] {
			if _, ok := e.Node.Detail[k]; !ok {
				t.Errorf("%s event has no %q: %v", e.Node.Kind, k, e.Node.Detail)
			}
		}
		if !e.Node.Notify {
			t.Errorf("%s event does not notify", e.Node.Kind)
		}
	}
}

// state is what a step of a dunning scenario expects.
type state struct {
	org      domain.OrgStatus
	sub      domain.SubscriptionStatus
	attempts int
	// nextRetry is the offset of NextRetryAt from the first failure; 0:
	// nil.
	nextRetry time.Duration
	spend     domain.Code // what spending answers ("" when it works)
	events    []domain.OrgEventKind
}

func (s *shop) expectState(t *testing.T, what string, failedAt time.Time, want state) {
	t.Helper()
	org, err := s.svc.Org(s.owner, s.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.store.SubscriptionByID(context.Background(), s.subID)
	if err != nil {
		t.Fatal(err)
	}
	if org.Status != want.org || sub.Status != want.sub || sub.DunningAttempts != want.attempts {
		t.Fatalf("%s: org %s, subscription %s with %d attempts; want %s, %s, %d", what, org.Status, sub.Status, sub.DunningAttempts, want.org, want.sub, want.attempts)
	}
	switch {
	case want.nextRetry == 0 && sub.NextRetryAt != nil:
		t.Fatalf("%s: next retry at %s, want none", what, sub.NextRetryAt)
	case want.nextRetry != 0 && (sub.NextRetryAt == nil || !sub.NextRetryAt.Equal(failedAt.Add(want.nextRetry))):
		t.Fatalf("%s: next retry at %v, want %s", what, sub.NextRetryAt, failedAt.Add(want.nextRetry))
	}
	if want.sub == domain.SubPastDue && (sub.PastDueAt == nil || !sub.PastDueAt.Equal(failedAt)) {
		t.Fatalf("%s: past due at %v, want %s", what, sub.PastDueAt, failedAt)
	}
	if want.org == domain.OrgSuspended && (org.SuspendedAt == nil || !org.SuspendedAt.Equal(failedAt.Add(3*day))) {
		t.Fatalf("%s: suspended at %v, want the grace's end %s", what, org.SuspendedAt, failedAt.Add(3*day))
	}
	if want.org == domain.OrgActive && (org.SuspendedAt != nil || sub.PastDueAt != nil || sub.NextRetryAt != nil) {
		t.Fatalf("%s: restored org still has dunning state: %v %v %v", what, org.SuspendedAt, sub.PastDueAt, sub.NextRetryAt)
	}
	s.spends++
	_, err = consume(s.owner, s.fixture, 1, "spend-"+strconv.Itoa(s.spends))
	if codeOf(err) != want.spend {
		t.Fatalf("%s: spending answers %v, want %q", what, err, want.spend)
	}
	if _, err := s.svc.Balance(s.owner, s.org.ID); err != nil {
		t.Fatalf("%s: reading the balance: %v", what, err)
	}
	if got := s.events(t); !slices.Equal(got, want.events) {
		t.Fatalf("%s: events %v, want %v", what, got, want.events)
	}
	s.checkInvariants(t)
}

// TestDunning drives failed renewals through the schedule on a clock: the
// renewal fails, the retries on days 1 and 2 fail, the org is suspended on
// day 3 and then either restored by a payment on day 10 or closed on day
// 33; or a new card pays while PAST_DUE. Every step is checked with the
// org's events, each recorded once although the sweep runs twice.
func TestDunning(t *testing.T) {
	t.Parallel()
	end := t0.AddDate(0, 1, 0) // the renewal fails at the period's end
	var (
		failed  = domain.OrgEventPaymentFailed
		retry   = domain.OrgEventPaymentRetryFailed
		susp    = domain.OrgEventSuspended
		restore = domain.OrgEventRestored
		paid    = domain.OrgEventRenewalPaid
		closed  = domain.OrgEventClosed
	)
	pastDue := func(attempts int, next time.Duration, events ...domain.OrgEventKind) state {
		return state{org: domain.OrgPastDue, sub: domain.SubPastDue, attempts: attempts, nextRetry: next, events: events}
	}
	suspended := state{org: domain.OrgSuspended, sub: domain.SubPastDue, attempts: 2, spend: domain.CodeOrgSuspended,
		events: []domain.OrgEventKind{failed, retry, retry, susp}}
	// throughDay3 is the common start: failed, two failed retries, suspended.
	throughDay3 := func(t *testing.T, s *shop) {
		s.gw.Next(scripted.Decline)
		s.advanceDunning(t, end)
		s.expectState(t, "renewal failed", end, pastDue(0, day, failed))
		s.advanceDunning(t, end.Add(day))
		s.expectState(t, "day 1", end, pastDue(1, 2*day, failed, retry))
		s.advanceDunning(t, end.Add(2*day))
		s.expectState(t, "day 2", end, pastDue(2, 0, failed, retry, retry))
		s.advanceDunning(t, end.Add(3*day-time.Minute))
		s.expectState(t, "just before the grace ends", end, pastDue(2, 0, failed, retry, retry))
		s.advanceDunning(t, end.Add(3*day))
		s.expectState(t, "day 3", end, suspended)
	}
	tests := []struct {
		name string
		run  func(t *testing.T, s *shop)
	}{
		{"suspended on day 3, restored by a payment on day 10", func(t *testing.T, s *shop) {
			throughDay3(t, s)
			// A key authenticated before the suspension is refused too.
			_, secret, err := s.svc.CreateAPIKey(s.owner, s.org.ID, "backend")
			if err != nil {
				t.Fatal(err)
			}
			actor, err := s.svc.AuthenticateAPIKey(context.Background(), secret)
			if err != nil {
				t.Fatal(err)
			}
			key := domain.WithActor(context.Background(), actor)
			if _, err := consume(key, s.fixture, 1, "key-suspended"); codeOf(err) != domain.CodeOrgSuspended {
				t.Fatalf("API key spend while suspended: %v, want ORG_SUSPENDED", err)
			}
			if _, err := s.buy(s.owner, "pack-suspended"); codeOf(err) != domain.CodeOrgSuspended {
				t.Fatalf("buying a pack while suspended: %v, want ORG_SUSPENDED", err)
			}
			s.advanceDunning(t, end.Add(10*day))
			s.expectState(t, "day 10, unpaid", end, suspended)
			s.gw.Next(scripted.Succeed)
			co, err := s.svc.RetrySubscriptionPayment(s.owner, domain.RetryPaymentInput{OrgID: s.org.ID,
				PaymentMethodID: s.saveCard(t, "5555", false), IdempotencyKey: "pay-day-10"})
			if err != nil || co.Order.Status != domain.OrderPaid {
				t.Fatalf("pay on day 10: %+v, %v", co.Order, err)
			}
			s.expectState(t, "restored on day 10", end, state{org: domain.OrgActive, sub: domain.SubActive,
				events: []domain.OrgEventKind{failed, retry, retry, susp, restore, paid}})
			s.expectDetails(t, map[domain.OrgEventKind][]string{
				failed:  {"orderId", "orderNumber", "amount", "reason", "nextRetryAt", "graceEndsAt", "link"},
				retry:   {"orderNumber", "amount", "reason", "graceEndsAt", "attempt"},
				susp:    {"suspendedAt", "closesAt", "link"},
				restore: {"orderId", "orderNumber", "amount", "from"},
				paid:    {"orderId", "orderNumber", "invoiceId", "invoiceNumber", "amount"},
			})
			if _, err := consume(key, s.fixture, 1, "key-restored"); err != nil {
				t.Fatalf("API key spend once restored: %v", err)
			}
			s.advanceDunning(t, end.Add(40*day))
			if org, _ := s.svc.Org(s.owner, s.org.ID); org.Status != domain.OrgActive {
				t.Fatalf("restored org is %s on day 40", org.Status)
			}
		}},
		{"closed on day 33, its data kept", func(t *testing.T, s *shop) {
			throughDay3(t, s)
			s.advanceDunning(t, end.Add(33*day-time.Minute))
			s.expectState(t, "just before day 33", end, suspended)
			s.advanceDunning(t, end.Add(33*day))
			org, err := s.svc.Org(s.owner, s.org.ID)
			if err != nil || org.Status != domain.OrgClosed {
				t.Fatalf("org on day 33: %s, %v; want CLOSED", org.Status, err)
			}
			sub, err := s.store.SubscriptionByID(context.Background(), s.subID)
			if err != nil || sub.Status != domain.SubEnded || sub.NextRetryAt != nil {
				t.Fatalf("subscription on day 33: %+v, %v; want ENDED", sub, err)
			}
			if got, want := s.events(t), []domain.OrgEventKind{failed, retry, retry, susp, closed}; !slices.Equal(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
			if _, err := consume(s.owner, s.fixture, 1, "closed"); codeOf(err) != domain.CodeOrgSuspended {
				t.Fatalf("spend on a closed org: %v, want ORG_SUSPENDED", err)
			}
			if _, err := s.buy(s.owner, "pack-closed"); codeOf(err) != domain.CodeConflict {
				t.Fatalf("buying on a closed org: %v, want CONFLICT", err)
			}
			if _, err := s.svc.RetrySubscriptionPayment(s.owner, domain.RetryPaymentInput{OrgID: s.org.ID, IdempotencyKey: "late"}); codeOf(err) != domain.CodeConflict {
				t.Fatalf("paying a closed org's renewal: %v, want CONFLICT", err)
			}
			// Retained: orders, invoices, ledger and members stay readable.
			if invs, err := s.svc.Invoices(s.owner, s.org.ID, domain.Page{}); err != nil || len(invs.Edges) != 1 {
				t.Fatalf("invoices of the closed org: %d, %v", len(invs.Edges), err)
			}
			if os, err := s.svc.Orders(s.owner, s.org.ID, domain.OrderFilter{}, domain.Page{}); err != nil || len(os.Edges) < 4 {
				t.Fatalf("orders of the closed org: %v", err)
			}
			if ms, err := s.svc.Members(s.owner, s.org.ID, domain.Page{}); err != nil || len(ms.Edges) != 1 {
				t.Fatalf("members of the closed org: %v", err)
			}
			s.checkInvariants(t)
			s.advanceDunning(t, end.Add(60*day))
			if got := s.events(t); len(got) != 5 {
				t.Fatalf("events after day 60: %v", got)
			}
		}},
		{"a new card while PAST_DUE pays at once", func(t *testing.T, s *shop) {
			s.gw.Next(scripted.Decline)
			s.advanceDunning(t, end)
			s.expectState(t, "renewal failed", end, pastDue(0, day, failed))
			s.gw.Next(scripted.Succeed)
			m, err := s.svc.AddPaymentMethod(s.owner, domain.AddPaymentMethodInput{OrgID: s.org.ID, Gateway: "fake", Token: "5555", IdempotencyKey: "new-card"})
			if err != nil {
				t.Fatal(err)
			}
			s.expectState(t, "new card", end, state{org: domain.OrgActive, sub: domain.SubActive,
				events: []domain.OrgEventKind{failed, restore, paid}})
			if sub, _ := s.store.SubscriptionByID(context.Background(), s.subID); sub.PaymentMethodID != m.ID {
				t.Fatalf("the subscription's method is %s, want the new card %s", sub.PaymentMethodID, m.ID)
			}
			s.advanceDunning(t, end.Add(5*day))
			if got := s.events(t); len(got) != 3 {
				t.Fatalf("events after day 5: %v", got)
			}
		}},
		{"a new card while SUSPENDED pays at once", func(t *testing.T, s *shop) {
			throughDay3(t, s)
			s.gw.Next(scripted.Succeed)
			m := s.saveCard(t, "5555", false)
			if _, err := s.svc.SetDefaultPaymentMethod(s.owner, m); err != nil {
				t.Fatal(err)
			}
			s.expectState(t, "new default card", end, state{org: domain.OrgActive, sub: domain.SubActive,
				events: []domain.OrgEventKind{failed, retry, retry, susp, restore, paid}})
		}},
		{"the scheduled retry pays", func(t *testing.T, s *shop) {
			s.gw.Next(scripted.AuthRequired)
			s.advanceDunning(t, end)
			s.expectState(t, "renewal needs the buyer", end, pastDue(0, day, failed))
			s.gw.Next(scripted.Succeed)
			s.advanceDunning(t, end.Add(day))
			s.expectState(t, "retry paid", end, state{org: domain.OrgActive, sub: domain.SubActive,
				events: []domain.OrgEventKind{failed, restore, paid}})
		}},
		{"a canceled subscription is not charged again", func(t *testing.T, s *shop) {
			s.gw.Next(scripted.Decline)
			s.advanceDunning(t, end)
			if _, err := s.svc.CancelSubscription(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "cancel"}); err != nil {
				t.Fatal(err)
			}
			creates := s.gw.Creates()
			s.advanceDunning(t, end.Add(2*day))
			if s.gw.Creates() != creates {
				t.Fatalf("a canceled subscription was charged %d more times", s.gw.Creates()-creates)
			}
			s.expectState(t, "canceled while PAST_DUE", end, pastDue(0, 0, failed))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				s := newShop(t, d)
				p := s.loadPlans(t)
				s.subID = s.subscribeTeam(t, p, 1, s.saveCard(t, "4242", true)).ID
				// Credits that outlive the period: spending is refused for
				// the org's status, never for want of credits.
				s.grant(t, domain.GrantPromo, 1_000, 0, "promo")
				tc.run(t, s)
			})
		})
	}
}
