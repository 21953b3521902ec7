package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/mailtest"
)

// dunningFields are what a dunning test reads of an org.
const dunningFields = `status suspendedAt closesAt subscription { status pastDueAt nextRetryAt graceEndsAt dunningAttempts renewalFailure }`

type dunningOrg struct {
	Status                string
	SuspendedAt, ClosesAt *time.Time
	Subscription          *struct {
		Status                              string
		PastDueAt, NextRetryAt, GraceEndsAt *time.Time
		DunningAttempts                     int
		RenewalFailure                      *string
	}
}

// subscriptionStatusEvent waits for the next subscriptionUpdated event and
// returns the subscription's status in it.
func (c *wsClient) subscriptionStatusEvent(timeout time.Duration) string {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	msg := c.next(ctx, "next")
	raw, _ := json.Marshal(msg["payload"])
	var p struct {
		Data struct {
			SubscriptionUpdated *struct{ Status string }
		}
		Errors []gqlError
	}
	if err := json.Unmarshal(raw, &p); err != nil || len(p.Errors) > 0 || p.Data.SubscriptionUpdated == nil {
		c.t.Fatalf("event %s: %v %+v", raw, err, p.Errors)
	}
	return p.Data.SubscriptionUpdated.Status
}

// TestDunningWithTestClock runs a failed renewal through dunning in the
// real binary on the test clock: the org's saved sandbox card declines off
// session, so the renewal fails (PAST_DUE, retries scheduled, spending goes
// on), the retries on days 1 and 2 fail, the grace ends on day 3 (the org
// SUSPENDED: spending refused with ORG_SUSPENDED for the owner and an API
// key, the balance still read), and a payment on day 10 restores the org
// at once, which a live subscriptionUpdated subscriber sees. A second org
// left unpaid is CLOSED on day 33. Every step mails its owner through a
// real SMTP server: payment failed, two failed retries, suspended, then
// restored with the renewal's receipt (the invoice PDF attached) for the
// first org, closed for the second.
func TestDunningWithTestClock(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		dbURL := b.newDB(t)
		seedCatalog(t, dbURL)
		mail := mailtest.Start(t)
		s := startServer(t, dbURL, "TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET="+sandboxSecret,
			"TALLY_TEST_CLOCK=1", "TALLY_SIGNUP_CREDITS=0",
			"TALLY_SMTP_URL="+mail.URL, "TALLY_SMTP_TLS=none", "TALLY_PRODUCT_NAME=Metered", "TALLY_NOTIFY_INTERVAL=1h")
		admin := s.as("Bearer " + token(t, "root@platform.example", true))
		// subscribeDeclining subscribes a new org with a good card, then
		// leaves it one that declines every off-session charge.
		subscribeDeclining := func(email, name string) (*client, string, e2eSub) {
			t.Helper()
			owner := s.user(t, email)
			org := owner.createOrg(t, name, "DE", "EUR")
			team := owner.planID(t, "EUR", "team-monthly")
			card := owner.mustAddMethod(t, org, "4242424242424242", "card-1").PaymentMethod.ID
			var co struct{ Subscription e2eSub }
			owner.must(t, `mutation($in: SubscribeInput!) { subscribe(input: $in) { subscription { `+e2eSubFields+` } } }`,
				map[string]any{"in": map[string]any{"orgId": org, "planId": team, "seats": 1, "paymentMethodId": card, "idempotencyKey": "sub-1"}},
				"subscribe", &co)
			if co.Subscription.Status != "ACTIVE" {
				t.Fatalf("subscribe: %+v", co.Subscription)
			}
			owner.must(t, `mutation($id: ID!) { removePaymentMethod(id: $id) { paymentMethod { id } } }`, map[string]any{"id": card}, "removePaymentMethod", nil)
			owner.mustAddMethod(t, org, "4000000000009995", "card-2")
			return owner, org, co.Subscription
		}
		owner, org, first := subscribeDeclining("owner@dunning.example", "Dunning")
		closer, closing, _ := subscribeDeclining("owner@closing.example", "Closing")
		co := struct{ Subscription e2eSub }{first}
		// mails checks that each owner still followed has been mailed
		// exactly the subjects given so far, in order, the receipts with
		// the invoice PDF.
		mailed := map[string][]string{}
		mails := func(step string, want map[string][]string) {
			t.Helper()
			for who, subjects := range want {
				mailed[who] = append(mailed[who], subjects...)
			}
			got := map[string][]string{}
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
				clear(got)
				for _, m := range mail.Messages() {
					p, err := m.Parse()
					if err != nil {
						t.Fatal(err)
					}
					if len(m.To) != 1 {
						t.Fatalf("%s: recipients %v, want the owner alone", step, m.To)
					}
					got[m.To[0]] = append(got[m.To[0]], p.Subject)
					if strings.Contains(p.Subject, "receipt") && (len(p.Attachments) != 1 || !bytes.HasPrefix(p.Attachments[0].Data, []byte("%PDF"))) {
						t.Errorf("%s: the receipt carries %d attachments, want the invoice PDF", step, len(p.Attachments))
					}
				}
				arrived := true
				for who, subjects := range mailed {
					arrived = arrived && len(got[who]) >= len(subjects)
				}
				if arrived || time.Now().After(deadline) {
					break
				}
			}
			for who, subjects := range mailed {
				if !slices.Equal(got[who], subjects) {
					t.Fatalf("%s: %s was mailed %q, want %q", step, who, got[who], subjects)
				}
			}
		}
		admin.must(t, `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { balance { total } } }`,
			map[string]any{"in": map[string]any{"orgId": org, "amount": 1000, "kind": "PROMO", "idempotencyKey": "promo"}}, "grantCredits", nil)
		_, secret := owner.createKey(t, org, "backend")
		key := s.as("Bearer " + secret)

		end := co.Subscription.CurrentPeriodEnd
		day := 24 * time.Hour
		move := func(to time.Time) {
			t.Helper()
			admin.must(t, advanceClock, map[string]any{"to": to.Format(time.RFC3339Nano)}, "advanceTestClock", nil)
		}
		read := func() dunningOrg {
			t.Helper()
			var out dunningOrg
			owner.must(t, `query($o: ID!) { org(id: $o) { `+dunningFields+` } }`, map[string]any{"o": org}, "org", &out)
			return out
		}
		spends := 0
		spend := func(c *client) string {
			t.Helper()
			spends++
			r, err := c.consume(context.Background(), org, 1, "spend-"+time.Duration(spends).String())
			if err != nil {
				t.Fatal(err)
			}
			return r.code()
		}

		// The renewal fails: PAST_DUE, the first retry a day later, the
		// grace ending on day 3; spending goes on.
		move(end.Add(time.Minute))
		got := read()
		sub := got.Subscription
		if got.Status != "PAST_DUE" || sub == nil || sub.Status != "PAST_DUE" || sub.PastDueAt == nil || sub.NextRetryAt == nil ||
			sub.GraceEndsAt == nil || sub.DunningAttempts != 0 || !sub.NextRetryAt.Equal(sub.PastDueAt.Add(day)) ||
			!sub.GraceEndsAt.Equal(sub.PastDueAt.Add(3*day)) || got.SuspendedAt != nil || got.ClosesAt != nil {
			t.Fatalf("after the failed renewal: %+v %+v", got, sub)
		}
		failedAt := *sub.PastDueAt
		if code := spend(owner); code != "" {
			t.Fatalf("spending while PAST_DUE: %s", code)
		}
		mails("renewal failed", map[string][]string{
			"owner@dunning.example": {"Metered: payment failed for Dunning"},
			"owner@closing.example": {"Metered: payment failed for Closing"},
		})

		// Days 1 and 2: the retries fail; no retry is left after the second.
		move(failedAt.Add(day))
		if sub = read().Subscription; sub.DunningAttempts != 1 || sub.NextRetryAt == nil || !sub.NextRetryAt.Equal(failedAt.Add(2*day)) {
			t.Fatalf("after day 1: %+v", sub)
		}
		move(failedAt.Add(2 * day))
		if sub = read().Subscription; sub.DunningAttempts != 2 || sub.NextRetryAt != nil || sub.Status != "PAST_DUE" {
			t.Fatalf("after day 2: %+v", sub)
		}
		retried := []string{"Metered: payment retry failed for Dunning", "Metered: payment retry failed for Dunning"}
		mails("days 1 and 2", map[string][]string{
			"owner@dunning.example": retried,
			"owner@closing.example": {"Metered: payment retry failed for Closing", "Metered: payment retry failed for Closing"},
		})

		// Day 3: suspended. Spending is refused, for the API key too;
		// reading works.
		move(failedAt.Add(3 * day))
		got = read()
		if got.Status != "SUSPENDED" || got.SuspendedAt == nil || !got.SuspendedAt.Equal(failedAt.Add(3*day)) ||
			got.ClosesAt == nil || !got.ClosesAt.Equal(failedAt.Add(33*day)) {
			t.Fatalf("after day 3: %+v", got)
		}
		for name, c := range map[string]*client{"owner": owner, "API key": key} {
			if code := spend(c); code != "ORG_SUSPENDED" {
				t.Fatalf("%s spending while SUSPENDED: %q, want ORG_SUSPENDED", name, code)
			}
		}
		if b := key.balance(t, org); b != 999 {
			t.Fatalf("balance read while SUSPENDED: %d, want 999", b)
		}
		mails("day 3", map[string][]string{
			"owner@dunning.example": {"Metered: Dunning is suspended"},
			"owner@closing.example": {"Metered: Closing is suspended"},
		})

		// Day 10: the owner pays with a good card; the org is ACTIVE at
		// once, and a live subscriber sees the subscription ACTIVE.
		move(failedAt.Add(10 * day))
		ws := dialWS(t, s, "graphql-transport-ws", "Bearer "+token(t, "owner@dunning.example", false))
		ws.subscribe(`subscription($org: ID!) { subscriptionUpdated(orgId: $org) { status } }`, map[string]any{"org": org})
		s.waitSubscriptions(t, 1)
		var paid struct {
			Order struct{ Status string }
		}
		owner.must(t, `mutation($in: RetrySubscriptionPaymentInput!) { retrySubscriptionPayment(input: $in) { order { status } } }`,
			map[string]any{"in": map[string]any{"orgId": org, "paymentMethodId": "4242424242424242", "idempotencyKey": "pay-day-10"}},
			"retrySubscriptionPayment", &paid)
		if paid.Order.Status != "PAID" {
			t.Fatalf("paying on day 10: %+v", paid)
		}
		for status := ""; status != "ACTIVE"; {
			status = ws.subscriptionStatusEvent(20 * time.Second)
		}
		got = read()
		if got.Status != "ACTIVE" || got.SuspendedAt != nil || got.ClosesAt != nil || got.Subscription.Status != "ACTIVE" ||
			got.Subscription.PastDueAt != nil || got.Subscription.NextRetryAt != nil || got.Subscription.GraceEndsAt != nil ||
			got.Subscription.DunningAttempts != 0 {
			t.Fatalf("after paying on day 10: %+v %+v", got, got.Subscription)
		}
		for name, c := range map[string]*client{"owner": owner, "API key": key} {
			if code := spend(c); code != "" {
				t.Fatalf("%s spending once restored: %s", name, code)
			}
		}
		// The restore and the receipt are mailed by the next sweep.
		admin.must(t, advanceClock, map[string]any{"by": "1m"}, "advanceTestClock", nil)
		mails("day 10", map[string][]string{"owner@dunning.example": {
			"Metered: Dunning is active again", "Metered: receipt for Dunning's renewal",
		}})

		// Day 33: the org left unpaid is CLOSED, its owner told. The
		// restored one paid day 10 with a one-time card, so its next
		// renewal (about day 31) charged the declining card again: PAST_DUE
		// anew, not closed; its mail is no longer followed.
		delete(mailed, "owner@dunning.example")
		move(failedAt.Add(33 * day))
		var closed dunningOrg
		closer.must(t, `query($o: ID!) { org(id: $o) { `+dunningFields+` } }`, map[string]any{"o": closing}, "org", &closed)
		if closed.Status != "CLOSED" || closed.Subscription != nil {
			t.Fatalf("the unpaid org on day 33: %+v", closed)
		}
		if got := read(); got.Status != "PAST_DUE" || got.Subscription == nil || got.Subscription.Status != "PAST_DUE" {
			t.Fatalf("the restored org on day 33: %+v", got)
		}
		mails("day 33", map[string][]string{"owner@closing.example": {"Metered: Closing is closed"}})
	})
}
