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

// TestRenewalWithTestClock runs renewals in the real binary: a Team
// subscription paid with a saved sandbox card, the test clock moved to the
// end of the period (the renewal job charges the saved card off session
// and invoices the renewal, the month's credits are reset), a seat added
// mid-period, and the next renewal charging three seats; then a card the
// bank wants authenticated leaves the subscription PAST_DUE at the next
// renewal.
func TestRenewalWithTestClock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		dbURL := b.newDB(t)
		seedCatalog(t, dbURL)
		s := startServer(t, dbURL, "TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET="+sandboxSecret,
			"TALLY_TEST_CLOCK=1", "TALLY_SIGNUP_CREDITS=0")
		admin := s.as("Bearer " + token(t, "root@platform.example", true))
		owner := s.user(t, "owner@renew.example")
		org := owner.createOrg(t, "Renewals", "DE", "EUR")
		team := owner.planID(t, "EUR", "team-monthly")
		card := owner.mustAddMethod(t, org, "4242424242424242", "card-1").PaymentMethod.ID

		var co struct{ Subscription e2eSub }
		owner.must(t, `mutation($in: SubscribeInput!) { subscribe(input: $in) { subscription { `+e2eSubFields+` } } }`,
			map[string]any{"in": map[string]any{"orgId": org, "planId": team, "seats": 2, "paymentMethodId": card, "idempotencyKey": "sub-1"}},
			"subscribe", &co)
		if co.Subscription.Status != "ACTIVE" {
			t.Fatalf("subscribe: %+v", co.Subscription)
		}
		first := co.Subscription.CurrentPeriodEnd
		read := func() e2eSub {
			var out struct{ Subscription e2eSub }
			owner.must(t, `query($o: ID!) { org(id: $o) { subscription { `+e2eSubFields+` } } }`, map[string]any{"o": org}, "org", &out)
			return out.Subscription
		}
		move := func(to time.Time) {
			admin.must(t, advanceClock, map[string]any{"to": to.Format(time.RFC3339Nano)}, "advanceTestClock", nil)
		}

		// The period ends: renewed with the saved card, 45.22, invoiced.
		move(first.Add(time.Minute))
		sub := read()
		if sub.LatestOrder == nil || sub.LatestOrder.Status != "PAID" || sub.LatestOrder.Total.AmountMinor != 4522 ||
			sub.LatestOrder.Invoice == nil || !sub.CurrentPeriodEnd.After(first) {
			t.Fatalf("after the first renewal: %+v (%+v)", sub, sub.LatestOrder)
		}
		if got := owner.balance(t, org); got != 10_000_000 {
			t.Fatalf("balance %d after the renewal, want this month's 10,000,000 included credits only", got)
		}

		// Half way: a third seat, charged now pro rata.
		second := sub.CurrentPeriodEnd
		move(first.Add(15 * 24 * time.Hour))
		var changed struct {
			Order *struct {
				Status string
				Total  struct{ AmountMinor int64 }
			}
		}
		owner.must(t, `mutation($in: ChangeSeatsInput!) { changeSeats(input: $in) { order { status total { amountMinor } } } }`,
			map[string]any{"in": map[string]any{"orgId": org, "seats": 3, "idempotencyKey": "seat-1"}}, "changeSeats", &changed)
		if changed.Order == nil || changed.Order.Status != "PAID" || changed.Order.Total.AmountMinor <= 0 || changed.Order.Total.AmountMinor >= 2261 {
			t.Fatalf("seat: %+v", changed.Order)
		}

		// The next renewal charges three seats: 57.00 + 19% = 67.83.
		move(second.Add(time.Minute))
		sub = read()
		if sub.Seats != 3 || sub.LatestOrder == nil || sub.LatestOrder.Total.AmountMinor != 6783 || sub.LatestOrder.Status != "PAID" {
			t.Fatalf("after the second renewal: %+v (%+v)", sub, sub.LatestOrder)
		}

		// A default card the bank wants authenticated off session: the
		// next renewal fails, the subscription is PAST_DUE and says why.
		owner.must(t, `mutation($id: ID!) { removePaymentMethod(id: $id) { paymentMethod { id } } }`, map[string]any{"id": card}, "removePaymentMethod", nil)
		owner.mustAddMethod(t, org, "4000002760003184", "card-2")
		move(sub.CurrentPeriodEnd.Add(time.Minute))
		var past struct {
			Subscription struct{ Status, RenewalFailure string }
			Status       string
		}
		owner.must(t, `query($o: ID!) { org(id: $o) { status subscription { status renewalFailure } } }`, map[string]any{"o": org}, "org", &past)
		if past.Status != "PAST_DUE" || past.Subscription.Status != "PAST_DUE" || past.Subscription.RenewalFailure != "AUTHENTICATION_REQUIRED" {
			t.Fatalf("after an off-session charge that needs the buyer: %+v", past)
		}
	})
}
