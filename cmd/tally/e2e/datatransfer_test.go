package e2e

import (
	"testing"
	"time"
)

// transferQuery reads the usage of a period (at: nil for now) with the
// extra credits that raised it.
const transferQuery = `query($org: ID!, $at: Time) { org(id: $org) { usage(at: $at) { periodStart extraCredits
	metrics { metric quantity limit limitFromExtraCredits level overLimit } } } }`

type transferMetric struct {
	Metric                string
	Quantity              int64
	Limit                 *int64
	LimitFromExtraCredits int64
	Level                 string
	OverLimit             bool
}

type transferView struct {
	Usage struct {
		PeriodStart  time.Time
		ExtraCredits int64
		Metrics      []transferMetric
	}
}

// metric returns the named metric of v.
func (v transferView) metric(t testing.TB, name string) transferMetric {
	t.Helper()
	for _, m := range v.Usage.Metrics {
		if m.Metric == name {
			return m
		}
	}
	t.Fatalf("no %s in %+v", name, v.Usage.Metrics)
	return transferMetric{}
}

// limits maps every metric to its limit (-1 for unlimited).
func (v transferView) limits() map[string]int64 {
	out := map[string]int64{}
	for _, m := range v.Usage.Metrics {
		out[m.Metric] = -1
		if m.Limit != nil {
			out[m.Metric] = *m.Limit
		}
	}
	return out
}

// TestDataTransferAllowanceWithSandbox: with the default catalog, an org on
// Personal (50 GiB of data transfer a period; every 1,000,000 extra credits
// add 10 GiB) records data transfer up to its limit over GraphQL, buys
// 1,500,000 extra credits with a sandbox test card, and the limit rises by
// one whole block, 10 GiB, the other limits unchanged; the extra 10 GiB can
// be used. At the monthly reset (the test clock) the allowance is the
// plan's again, and the old period keeps its figures.
func TestDataTransferAllowanceWithSandbox(t *testing.T) {
	const gib = int64(1) << 30
	forEachBackend(t, func(t *testing.T, b backend) {
		dbURL := b.newDB(t)
		seedCatalog(t, dbURL)
		s := startServer(t, dbURL, "TALLY_SANDBOX=on", "TALLY_SANDBOX_WEBHOOK_SECRET="+sandboxSecret,
			"TALLY_TEST_CLOCK=1", "TALLY_SIGNUP_CREDITS=0")
		admin := s.as("Bearer " + token(t, "root@platform.example", true))
		owner := s.user(t, "owner@transfer.example")
		org := owner.createOrg(t, "Transfer", "DE", "EUR")
		_, key := owner.createKey(t, org, "backend")
		backend := s.as("Bearer " + key)
		card := owner.mustAddMethod(t, org, "4242424242424242", "card-1").PaymentMethod.ID

		var co struct{ Subscription e2eSub }
		owner.must(t, `mutation($in: SubscribeInput!) { subscribe(input: $in) { subscription { `+e2eSubFields+` } } }`,
			map[string]any{"in": map[string]any{"orgId": org, "planId": owner.planID(t, "EUR", "personal-monthly"), "seats": 1,
				"paymentMethodId": card, "idempotencyKey": "sub-1"}}, "subscribe", &co)
		if co.Subscription.Status != "ACTIVE" {
			t.Fatalf("subscribe: %+v", co.Subscription)
		}
		periodEnd := co.Subscription.CurrentPeriodEnd

		read := func(at *time.Time) transferView {
			t.Helper()
			vars := map[string]any{"org": org, "at": nil}
			if at != nil {
				vars["at"] = at.Format(time.RFC3339Nano)
			}
			var v transferView
			owner.must(t, transferQuery, vars, "org", &v)
			return v
		}
		record := func(id string, bytes int64) (outcome string, over bool) {
			t.Helper()
			var p struct {
				Outcome   string
				OverLimit bool
			}
			backend.must(t, `mutation($org: ID!, $id: String!, $q: Int64!) {
				recordUsage(input: {orgId: $org, eventId: $id, metric: DATA_TRANSFER_BYTES, quantity: $q}) { outcome overLimit } }`,
				map[string]any{"org": org, "id": id, "q": bytes}, "recordUsage", &p)
			return p.Outcome, p.OverLimit
		}

		// Up to the plan's limit, and the quantity bounds of a counter.
		if o, over := record("dt-1", 50*gib); o != "ACCEPTED" || over {
			t.Fatalf("50 GiB: %s, over limit %v", o, over)
		}
		for _, q := range []int64{0, 1<<40 + 1} {
			r := backend.do(t, `mutation($org: ID!, $q: Int64!) {
				recordUsage(input: {orgId: $org, eventId: "bad", metric: DATA_TRANSFER_BYTES, quantity: $q}) { outcome } }`,
				map[string]any{"org": org, "q": q})
			if r.code() != "INVALID_INPUT" {
				t.Fatalf("quantity %d: %+v, want INVALID_INPUT", q, r.Errors)
			}
		}
		before := read(nil)
		dt := before.metric(t, "DATA_TRANSFER_BYTES")
		if before.Usage.ExtraCredits != 0 || dt.Quantity != 50*gib || dt.Limit == nil || *dt.Limit != 50*gib ||
			dt.LimitFromExtraCredits != 0 || dt.Level != "EXCEEDED" || dt.OverLimit {
			t.Fatalf("at the plan's limit: %+v (%d extra credits)", dt, before.Usage.ExtraCredits)
		}

		// 1,500,000 extra credits: one whole block of 1,000,000, +10 GiB.
		var bought struct {
			Order struct {
				Status  string
				Credits int64
			}
		}
		owner.must(t, `mutation($in: BuyExtraCreditsInput!) { buyExtraCredits(input: $in) { order { status credits } } }`,
			map[string]any{"in": map[string]any{"orgId": org, "credits": 1_500_000, "paymentMethodId": "4242424242424242", "idempotencyKey": "extra-1"}},
			"buyExtraCredits", &bought)
		if bought.Order.Status != "PAID" || bought.Order.Credits != 1_500_000 {
			t.Fatalf("buyExtraCredits: %+v", bought)
		}
		after := read(nil)
		dt = after.metric(t, "DATA_TRANSFER_BYTES")
		if after.Usage.ExtraCredits != 1_500_000 || dt.Limit == nil || *dt.Limit != 60*gib || dt.LimitFromExtraCredits != 10*gib ||
			dt.Level != "WARNING" {
			t.Fatalf("after extra credits: %+v (%d extra credits)", dt, after.Usage.ExtraCredits)
		}
		wantLimits := before.limits()
		wantLimits["DATA_TRANSFER_BYTES"] = 60 * gib
		for m, l := range after.limits() {
			if l != wantLimits[m] {
				t.Errorf("%s limit %d, want %d", m, l, wantLimits[m])
			}
		}
		for _, m := range after.Usage.Metrics {
			if m.Metric != "DATA_TRANSFER_BYTES" && m.LimitFromExtraCredits != 0 {
				t.Errorf("%s got %d from extra credits", m.Metric, m.LimitFromExtraCredits)
			}
		}
		if o, over := record("dt-2", 10*gib); o != "ACCEPTED" || over {
			t.Fatalf("the extra 10 GiB: %s, over limit %v", o, over)
		}
		if o, over := record("dt-3", 1); o != "ACCEPTED" || !over {
			t.Fatalf("a byte past the raised limit: %s, over limit %v", o, over)
		}

		// The monthly reset: the plan's allowance again; the old period
		// keeps its extra credits, limit and total.
		admin.must(t, advanceClock, map[string]any{"to": periodEnd.Add(time.Minute).Format(time.RFC3339Nano)}, "advanceTestClock", nil)
		next := read(nil)
		dt = next.metric(t, "DATA_TRANSFER_BYTES")
		if !next.Usage.PeriodStart.Equal(periodEnd) || next.Usage.ExtraCredits != 0 || dt.Quantity != 0 || dt.Limit == nil ||
			*dt.Limit != 50*gib || dt.LimitFromExtraCredits != 0 || dt.Level != "OK" {
			t.Fatalf("the next period from %v: %+v (%d extra credits)", next.Usage.PeriodStart, dt, next.Usage.ExtraCredits)
		}
		old := periodEnd.Add(-time.Hour)
		past := read(&old)
		dt = past.metric(t, "DATA_TRANSFER_BYTES")
		if past.Usage.ExtraCredits != 1_500_000 || dt.Quantity != 60*gib+1 || dt.Limit == nil || *dt.Limit != 60*gib ||
			dt.LimitFromExtraCredits != 10*gib || !dt.OverLimit {
			t.Fatalf("the old period: %+v (%d extra credits)", dt, past.Usage.ExtraCredits)
		}
	})
}
