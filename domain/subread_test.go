package domain_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestIncludedCreditsLeft: the month's included credits left are what
// remains of the SUBSCRIPTION grants, spent before purchased credit, and
// start over at the monthly reset; purchased credit never counts.
func TestIncludedCreditsLeft(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		left := func(want int64) {
			t.Helper()
			got, err := s.svc.IncludedCreditsLeft(s.owner, s.org.ID)
			if err != nil || got != want {
				t.Fatalf("%s: included credits left %d, %v; want %d", s.clock.Now().Format(time.DateOnly), got, err, want)
			}
		}
		left(0) // on the Free plan
		card := s.saveCard(t, "4242", true)
		start := s.clock.Now()
		if _, err := s.svc.Subscribe(s.owner, domain.SubscribeInput{OrgID: s.org.ID, PlanID: p.team.ID, Seats: 2,
			Installments: 1, PaymentMethodID: card, IdempotencyKey: "sub"}); err != nil {
			t.Fatal(err)
		}
		left(10_000_000)
		if _, err := s.buy(s.owner, "pack"); err != nil {
			t.Fatal(err)
		}
		left(10_000_000)
		if _, err := consume(s.owner, s.fixture, 3_000_000, "spend"); err != nil {
			t.Fatal(err)
		}
		left(7_000_000)
		s.advance(t, domain.AddMonths(start, 1).Add(time.Hour)) // renewed: a new month of credits
		left(10_000_000)

		member, _ := s.join(t, "mia", domain.RoleMember)
		if got, err := s.svc.IncludedCreditsLeft(member, s.org.ID); err != nil || got != 10_000_000 {
			t.Fatalf("a MEMBER reads %d, %v", got, err)
		}
		other := signIn(t, s.svc, "outsider")
		if _, err := s.svc.IncludedCreditsLeft(other, s.org.ID); !domain.IsCode(err, domain.CodeNotFound) {
			t.Fatalf("an outsider reads: %v", err)
		}
	})
}

// TestPreviewPlan: previewChange prices a subscribe when the org has no
// live subscription and a change of it otherwise, by the code the
// mutations charge with.
func TestPreviewPlan(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		p := s.loadPlans(t)
		card := s.saveCard(t, "4242", true)
		in := domain.SubscribeInput{OrgID: s.org.ID, PlanID: p.team.ID, Seats: 2, Installments: 1}
		q, err := s.svc.PreviewPlan(s.owner, in)
		if err != nil || q.Kind != domain.ChangeSubscribe || q.Total.AmountMinor != 4522 || q.Credits != 10_000_000 {
			t.Fatalf("before subscribing: %s %d %d, %v; want SUBSCRIBE 45.22 with 10,000,000 credits", q.Kind, q.Total.AmountMinor, q.Credits, err)
		}
		sub := in
		sub.PaymentMethodID, sub.IdempotencyKey = card, "sub"
		if _, err := s.svc.Subscribe(s.owner, sub); err != nil {
			t.Fatal(err)
		}
		member, _ := s.join(t, "mia", domain.RoleMember)
		tests := []struct {
			name string
			in   domain.SubscribeInput
			kind domain.ChangeKind
			code domain.Code
		}{
			{"same plan and seats", in, domain.ChangeNone, ""},
			{"a seat more", withSeats(in, 3), domain.ChangeAddSeats, ""},
			{"a cheaper plan", withPlan(in, p.personal.ID), domain.ChangeDowngrade, ""},
			{"a dearer plan", withPlan(in, p.business.ID), domain.ChangeUpgrade, ""},
			{"the annual plan", withPlan(in, p.teamAnnual.ID), domain.ChangeDowngrade, ""},
			{"no seats", withSeats(in, 0), "", domain.CodeInvalidInput},
			{"fewer seats than members", withSeats(in, 1), "", domain.CodeInvalidInput},
		}
		for _, tt := range tests {
			q, err := s.svc.PreviewPlan(s.owner, tt.in)
			if domain.ErrorCode(err) != tt.code || q.Kind != tt.kind {
				t.Errorf("%s: %s, %v; want %s %s", tt.name, q.Kind, err, tt.kind, tt.code)
			}
		}
		if _, err := s.svc.PreviewPlan(member, in); !domain.IsCode(err, domain.CodeForbidden) {
			t.Fatalf("a MEMBER previews: %v", err)
		}
	})
}

func withSeats(in domain.SubscribeInput, n int) domain.SubscribeInput {
	in.Seats = n
	return in
}

func withPlan(in domain.SubscribeInput, id string) domain.SubscribeInput {
	in.PlanID = id
	return in
}

// TestWatchSubscription: the stream sends the subscription after each
// change, once per state, and nil once it has ended.
func TestWatchSubscription(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		b := bus.NewLocal()
		t.Cleanup(func() { _ = b.Close() })
		s := newShop(t, d, domain.WithBus(b))
		p := s.loadPlans(t)
		card := s.saveCard(t, "4242", true)
		member, _ := s.join(t, "mia", domain.RoleMember)
		events, err := s.svc.WatchSubscription(member, s.org.ID) // every member may watch
		if err != nil {
			t.Fatal(err)
		}
		next := func() *domain.Subscription {
			t.Helper()
			select {
			case sub, ok := <-events:
				if !ok {
					t.Fatal("the stream ended")
				}
				return sub
			case <-time.After(5 * time.Second):
				t.Fatal("no event")
			}
			return nil
		}
		start := s.clock.Now()
		if _, err := s.svc.Subscribe(s.owner, domain.SubscribeInput{OrgID: s.org.ID, PlanID: p.team.ID, Seats: 2,
			Installments: 1, PaymentMethodID: card, IdempotencyKey: "sub"}); err != nil {
			t.Fatal(err)
		}
		var sub *domain.Subscription
		for sub = next(); sub == nil || sub.Status != domain.SubActive; sub = next() {
			if sub != nil && sub.Status != domain.SubIncomplete {
				t.Fatalf("pushed %s before ACTIVE", sub.Status)
			}
		}
		if _, err := s.svc.CancelSubscription(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "cancel"}); err != nil {
			t.Fatal(err)
		}
		if sub = next(); sub == nil || !sub.CancelAtPeriodEnd {
			t.Fatalf("after cancel: %+v", sub)
		}
		s.advance(t, domain.AddMonths(start, 1).Add(time.Hour))
		if sub = next(); sub != nil {
			t.Fatalf("after the period: %+v, want nil (ended)", sub)
		}
		select {
		case extra, ok := <-events:
			if ok {
				t.Fatalf("a second event for the same state: %+v", extra)
			}
		case <-time.After(200 * time.Millisecond):
		}

		outsider := signIn(t, s.svc, "outsider")
		if _, err := s.svc.WatchSubscription(outsider, s.org.ID); !domain.IsCode(err, domain.CodeNotFound) {
			t.Fatalf("an outsider watches: %v", err)
		}
	})
}
