package e2e

import (
	"testing"
	"time"
)

// A plan subscription against the real binary with the sandbox gateway:
// previewChange, subscribe with a sandbox test card (paid at once), the
// org's subscription, seats and SUBSCRIPTION grant, a scheduled seat
// removal, cancel and resume. The rules themselves are tested in domain
// (TestSubscriptionThirteenMonths) and graph (TestSubscriptionFlow).

// planID returns the global ID of the catalog plan with code.
func (c *client) planID(t testing.TB, currency, code string) string {
	t.Helper()
	var plans []struct{ ID, Code string }
	c.must(t, `query($c: Currency) { plans(currency: $c) { id code } }`, map[string]any{"c": currency}, "plans", &plans)
	for _, p := range plans {
		if p.Code == code {
			return p.ID
		}
	}
	t.Fatalf("no plan %s in %s", code, currency)
	return ""
}

const e2eSubFields = `id status seats renewsAt currentPeriodEnd autoRenew cancelAtPeriodEnd includedCreditsPerMonth includedCreditsLeft
  plan { code } scheduledChange { seats effectiveAt } latestOrder { number status total { amountMinor } invoice { number } }`

type e2eSub struct {
	ID, Status                   string
	Seats                        int
	RenewsAt                     *time.Time
	CurrentPeriodEnd             time.Time
	AutoRenew, CancelAtPeriodEnd bool
	IncludedCreditsPerMonth      int64
	IncludedCreditsLeft          int64
	Plan                         struct{ Code string }
	ScheduledChange              *struct {
		Seats       int
		EffectiveAt time.Time
	}
	LatestOrder *struct {
		Number, Status string
		Total          struct{ AmountMinor int64 }
		Invoice        *struct{ Number string }
	}
}

func TestSubscribeWithSandbox(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		dbURL := b.newDB(t)
		seedCatalog(t, dbURL)
		s := startServer(t, dbURL, "TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET="+sandboxSecret)
		owner := s.user(t, "owner@acme.example")
		org := owner.createOrg(t, "Acme", "DE", "EUR")
		team := owner.planID(t, "EUR", "team-monthly")

		// Team, 2 seats: 2 × 19.00 + 19% VAT = 45.22.
		var q struct {
			Kind    string
			Total   struct{ AmountMinor int64 }
			Credits int64
		}
		owner.must(t, `query($in: PreviewChangeInput!) { previewChange(input: $in) { kind total { amountMinor } credits } }`,
			map[string]any{"in": map[string]any{"orgId": org, "planId": team, "seats": 2}}, "previewChange", &q)
		if q.Kind != "SUBSCRIBE" || q.Total.AmountMinor != 4522 || q.Credits != 10_000_000 {
			t.Fatalf("preview %+v, want SUBSCRIBE 45.22 with 10,000,000 credits", q)
		}

		var co struct {
			Subscription e2eSub
			Order        *struct{ Status string }
			NextAction   struct{ Kind string }
		}
		owner.must(t, `mutation($in: SubscribeInput!) { subscribe(input: $in) { subscription { `+e2eSubFields+` } order { status } nextAction { kind } } }`,
			map[string]any{"in": map[string]any{"orgId": org, "planId": team, "seats": 2, "paymentMethodId": "4242424242424242", "idempotencyKey": "sub-1"}},
			"subscribe", &co)
		sub := co.Subscription
		if co.Order == nil || co.Order.Status != "PAID" || co.NextAction.Kind != "NONE" || sub.Status != "ACTIVE" || sub.Seats != 2 ||
			sub.Plan.Code != "team-monthly" || !sub.AutoRenew || sub.RenewsAt == nil || sub.IncludedCreditsPerMonth != 10_000_000 ||
			sub.IncludedCreditsLeft != 10_000_000 || sub.LatestOrder == nil || sub.LatestOrder.Total.AmountMinor != 4522 || sub.LatestOrder.Invoice == nil {
			t.Fatalf("subscribe: %+v", co)
		}

		var read struct {
			Seats        struct{ Total, Used int }
			Subscription *e2eSub
			Balance      struct {
				Grants []struct {
					Kind              string
					Amount, Remaining int64
					ExpiresAt         *time.Time
				}
			}
		}
		readOrg := func() {
			t.Helper()
			owner.must(t, `query($id: ID!) { org(id: $id) { seats { total used } subscription { `+e2eSubFields+` }
  balance { grants { kind amount remaining expiresAt } } } }`, map[string]any{"id": org}, "org", &read)
		}
		readOrg()
		if read.Subscription == nil || read.Subscription.ID != sub.ID || read.Seats.Total != 2 || read.Seats.Used != 1 {
			t.Fatalf("org after subscribing: seats %+v, subscription %+v", read.Seats, read.Subscription)
		}
		granted := 0
		for _, g := range read.Balance.Grants {
			if g.Kind == "SUBSCRIPTION" {
				granted++
				if g.Amount != 10_000_000 || g.Remaining != 10_000_000 || g.ExpiresAt == nil || !g.ExpiresAt.Equal(sub.CurrentPeriodEnd) {
					t.Fatalf("subscription grant %+v, want 10,000,000 credits expiring at %s", g, sub.CurrentPeriodEnd)
				}
			}
		}
		if granted != 1 {
			t.Fatalf("%d SUBSCRIPTION grants in %+v, want 1", granted, read.Balance.Grants)
		}

		// A seat less: scheduled for the period's end, nothing charged.
		var seats struct {
			Subscription e2eSub
			Order        *struct{ Status string }
		}
		owner.must(t, `mutation($in: ChangeSeatsInput!) { changeSeats(input: $in) { subscription { `+e2eSubFields+` } order { status } } }`,
			map[string]any{"in": map[string]any{"orgId": org, "seats": 1, "idempotencyKey": "seats-1"}}, "changeSeats", &seats)
		if sc := seats.Subscription.ScheduledChange; seats.Order != nil || sc == nil || sc.Seats != 1 || !sc.EffectiveAt.Equal(sub.CurrentPeriodEnd) ||
			seats.Subscription.Seats != 2 {
			t.Fatalf("seat removal: %+v", seats)
		}

		// Cancel and resume.
		var canceled e2eSub
		owner.must(t, `mutation($o: ID!) { cancelSubscription(orgId: $o, idempotencyKey: "cancel") { `+e2eSubFields+` } }`,
			map[string]any{"o": org}, "cancelSubscription", &canceled)
		if canceled.Status != "CANCELED" || !canceled.CancelAtPeriodEnd || canceled.RenewsAt != nil {
			t.Fatalf("canceled: %+v", canceled)
		}
		var resumed e2eSub
		owner.must(t, `mutation($o: ID!) { resumeSubscription(orgId: $o, idempotencyKey: "resume") { `+e2eSubFields+` } }`,
			map[string]any{"o": org}, "resumeSubscription", &resumed)
		if resumed.Status != "ACTIVE" || resumed.CancelAtPeriodEnd || resumed.RenewsAt == nil {
			t.Fatalf("resumed: %+v", resumed)
		}
		readOrg()
		if read.Subscription == nil || read.Subscription.Status != "ACTIVE" || read.Seats.Total != 2 {
			t.Fatalf("org at the end: seats %+v, subscription %+v", read.Seats, read.Subscription)
		}
	})
}
