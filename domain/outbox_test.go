package domain_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
)

// orgHistory returns the org's events, oldest first.
func orgHistory(t *testing.T, st domain.Store, orgID string) []domain.OrgEvent {
	t.Helper()
	c, err := st.ListOrgEvents(context.Background(), orgID, domain.Page{First: domain.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]domain.OrgEvent, 0, len(c.Edges))
	for _, e := range c.Edges {
		out = append(out, e.Node)
	}
	slices.Reverse(out)
	return out
}

// ev is an expected org event: its kind, the detail keys it must carry,
// and detail values it must have.
type ev struct {
	kind domain.OrgEventKind
	keys string // space separated
	is   map[string]string
}

// Detail keys every event of a kind carries (the webhook payload's data,
// as domain/outbox.go and the README document them).
const (
	orderKeys   = "orderId orderNumber status amount currency credits"
	paidKeys    = orderKeys + " invoiceId invoiceNumber paidAt"
	refundKeys  = orderKeys + " refundedTotal orderTotal creditsRemoved creditsNotRecovered creditNoteId creditNoteNumber"
	noteKeys    = "creditNoteId creditNoteNumber invoiceId invoiceNumber orderId orderNumber amount tax currency reason"
	subKeys     = "subscriptionId status planId seats periodStart periodEnd cancelAtPeriodEnd autoRenew"
	createdKeys = subKeys + " planCode interval orderId orderNumber effectiveAt paymentMethodId userId"
	changedKeys = subKeys + " change"
	rechargeKey = "orderId orderNumber amount currency credits mode packId"
)

// idKeys are the detail keys whose raw domain IDs outbound webhooks turn
// into the API's global IDs: the only keys an ID may travel under.
var idKeys = map[string]bool{"orderId": true, "invoiceId": true, "creditNoteId": true, "subscriptionId": true,
	"planId": true, "packId": true, "userId": true, "paymentMethodId": true}

// expectHistory asserts the org's events are exactly want, in order, with
// their detail keys and values.
func expectHistory(t *testing.T, st domain.Store, orgID string, want []ev) []domain.OrgEvent {
	t.Helper()
	got := orgHistory(t, st, orgID)
	kinds := func() []domain.OrgEventKind {
		var k []domain.OrgEventKind
		for _, e := range got {
			k = append(k, e.Kind)
		}
		return k
	}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %d: %v", kinds(), len(want), want)
	}
	for i, w := range want {
		e := got[i]
		if e.Kind != w.kind {
			t.Fatalf("event %d is %s, want %s (events %v)", i, e.Kind, w.kind, kinds())
		}
		for _, k := range strings.Fields(w.keys) {
			if e.Detail[k] == "" {
				t.Errorf("%s (event %d) has no %q: %v", e.Kind, i, k, e.Detail)
			}
		}
		for k, v := range w.is {
			if e.Detail[k] != v {
				t.Errorf("%s (event %d): %s = %q, want %q (%v)", e.Kind, i, k, e.Detail[k], v, e.Detail)
			}
		}
		for k := range e.Detail {
			if strings.HasSuffix(k, "Id") && !idKeys[k] {
				t.Errorf("%s (event %d) has a raw ID under %q, which webhooks would not turn into a global ID", e.Kind, i, k)
			}
		}
		if e.Kind.WebhookType() == "" {
			t.Errorf("%s is not sent as a webhook", e.Kind)
		}
	}
	return got
}

// deliverTwice delivers each webhook twice at once, and reconciles the
// org's unpaid orders at the same time (the races of webhook_test.go and
// reconcile_test.go), then each once more in turn.
func deliverTwice(t *testing.T, s *shop, reqs ...domain.WebhookRequest) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(reqs)+1)
	for _, r := range reqs {
		for range 2 {
			wg.Go(func() { errs <- s.svc.HandleWebhook(context.Background(), "fake", r) })
		}
	}
	wg.Go(func() {
		_, err := s.svc.Reconcile(context.Background(), 0, 10)
		errs <- err
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("delivery: %v", err)
		}
	}
	for _, r := range reqs {
		if err := s.svc.HandleWebhook(context.Background(), "fake", r); err != nil {
			t.Fatal(err)
		}
	}
}

func webhook(id string, kind domain.WebhookEventKind, o domain.Order, refunded int64) domain.WebhookRequest {
	return scripted.Webhook(id, kind, o.PaymentID, refunded)
}

// TestOutboxEvents runs each money operation on both stores and checks it
// recorded exactly its events, with their detail, once: the gateway's
// webhooks are delivered twice at once while reconciliation runs, then
// once more, and keyed mutations are repeated.
func TestOutboxEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// recharge builds the shop with a saved card and auto-recharge
		// packs (rechargeShop).
		recharge bool
		// run does the operation; plans are loaded (all but recharge
		// tests), r is set for recharge tests.
		run func(t *testing.T, s *shop, p plans, r *rechargeShop) []ev
	}{
		{name: "pack bought and paid", run: func(t *testing.T, s *shop, _ plans, _ *rechargeShop) []ev {
			o := pendingOrder(t, s)
			s.clock.Set(t0.Add(time.Hour))
			s.gw.Settle(o.PaymentID, domain.PaymentSucceeded)
			deliverTwice(t, s, webhook("evt_1", domain.EventPaymentSucceeded, o, 0), webhook("evt_2", domain.EventPaymentSucceeded, o, 0))
			inv, err := s.svc.InvoiceOfOrder(s.owner, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			return []ev{{domain.OrgEventOrderPaid, paidKeys + " packId userId", map[string]string{
				"orderId": o.ID, "orderNumber": o.Number, "status": "PAID", "amount": "29.75 EUR", "currency": "EUR",
				"credits": "7000000", "packId": s.pack.ID, "invoiceId": inv.ID, "invoiceNumber": inv.Number,
			}}}
		}},
		{name: "payment declined at checkout", run: func(t *testing.T, s *shop, _ plans, _ *rechargeShop) []ev {
			s.gw.Next(scripted.Decline)
			if _, err := s.buy(s.owner, "k"); codeOf(err) != domain.CodePaymentFailed {
				t.Fatalf("declined purchase = %v", err)
			}
			o := s.latest(t)
			deliverTwice(t, s, webhook("evt_f", domain.EventPaymentFailed, o, 0))
			return []ev{{domain.OrgEventOrderFailed, orderKeys + " reason packId", map[string]string{
				"orderId": o.ID, "status": "FAILED", "reason": "insufficient_funds"}}}
		}},
		{name: "payment failing later, reported twice", run: func(t *testing.T, s *shop, _ plans, _ *rechargeShop) []ev {
			o := pendingOrder(t, s)
			s.gw.Settle(o.PaymentID, domain.PaymentFailed)
			deliverTwice(t, s, webhook("evt_f", domain.EventPaymentFailed, o, 0))
			return []ev{{domain.OrgEventOrderFailed, orderKeys + " reason", map[string]string{"orderId": o.ID, "status": "FAILED"}}}
		}},
		{name: "order canceled, then paid late", run: func(t *testing.T, s *shop, _ plans, _ *rechargeShop) []ev {
			o := pendingOrder(t, s)
			for range 2 {
				if _, err := s.svc.CancelOrder(s.owner, o.ID); err != nil {
					t.Fatal(err)
				}
			}
			deliverTwice(t, s, webhook("evt_c", domain.EventPaymentCanceled, o, 0))
			// The provider collected after all: the money is real.
			s.gw.Settle(o.PaymentID, domain.PaymentSucceeded)
			deliverTwice(t, s, webhook("evt_s", domain.EventPaymentSucceeded, o, 0))
			return []ev{
				{domain.OrgEventOrderFailed, orderKeys + " reason", map[string]string{"orderId": o.ID, "status": "CANCELED", "reason": "canceled"}},
				{domain.OrgEventOrderPaid, paidKeys, map[string]string{"orderId": o.ID, "status": "PAID"}},
			}
		}},
		{name: "refunded in part then in full, with credit notes", run: func(t *testing.T, s *shop, _ plans, _ *rechargeShop) []ev {
			co, err := s.buy(s.owner, "k")
			if err != nil {
				t.Fatal(err)
			}
			half := int64(1000)
			for range 2 { // the same key twice
				if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, Amount: &half, Reason: "goodwill", IdempotencyKey: "r1"}); err != nil {
					t.Fatal(err)
				}
			}
			deliverTwice(t, s, webhook("evt_r1", domain.EventPaymentRefunded, co.Order, half))
			if _, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: co.Order.ID, IdempotencyKey: "r2"}); err != nil {
				t.Fatal(err)
			}
			deliverTwice(t, s, webhook("evt_r2", domain.EventPaymentRefunded, co.Order, 2975))
			notes, err := s.svc.CreditNotes(s.owner, s.org.ID, domain.Page{})
			if err != nil || len(notes.Edges) != 2 {
				t.Fatalf("credit notes %+v, %v", notes.Edges, err)
			}
			first, second := notes.Edges[1].Node, notes.Edges[0].Node
			return []ev{
				{domain.OrgEventOrderPaid, paidKeys, nil},
				{domain.OrgEventOrderRefunded, refundKeys, map[string]string{"status": "PARTIALLY_REFUNDED", "amount": "10.00 EUR",
					"refundedTotal": "10.00 EUR", "orderTotal": "29.75 EUR", "creditNoteId": first.ID}},
				{domain.OrgEventCreditNoteIssued, noteKeys, map[string]string{"creditNoteId": first.ID, "creditNoteNumber": first.Number,
					"amount": "10.00 EUR", "reason": "goodwill", "orderId": co.Order.ID}},
				{domain.OrgEventOrderRefunded, refundKeys, map[string]string{"status": "REFUNDED", "amount": "19.75 EUR",
					"refundedTotal": "29.75 EUR", "creditNoteId": second.ID}},
				{domain.OrgEventCreditNoteIssued, noteKeys, map[string]string{"creditNoteId": second.ID, "amount": "19.75 EUR"}},
			}
		}},
		{name: "refund reported by the gateway only", run: func(t *testing.T, s *shop, _ plans, _ *rechargeShop) []ev {
			co, err := s.buy(s.owner, "k")
			if err != nil {
				t.Fatal(err)
			}
			deliverTwice(t, s, webhook("evt_r", domain.EventPaymentRefunded, co.Order, 2975))
			return []ev{
				{domain.OrgEventOrderPaid, paidKeys, nil},
				{domain.OrgEventOrderRefunded, refundKeys, map[string]string{"status": "REFUNDED", "amount": "29.75 EUR"}},
				{domain.OrgEventCreditNoteIssued, noteKeys, map[string]string{"amount": "29.75 EUR", "reason": "Refund reported by the payment gateway"}},
			}
		}},
		{name: "subscribed and paid", run: func(t *testing.T, s *shop, p plans, _ *rechargeShop) []ev {
			card := s.saveCard(t, "4242", true)
			sub := s.subscribeTeam(t, p, 2, card)
			o := s.latest(t)
			deliverTwice(t, s, webhook("evt_s", domain.EventPaymentSucceeded, o, 0))
			return []ev{
				{domain.OrgEventOrderPaid, paidKeys + " subscriptionId planId seats action userId", map[string]string{
					"subscriptionId": sub.ID, "planId": p.team.ID, "seats": "2", "action": "SUBSCRIBE"}},
				{domain.OrgEventSubscriptionCreated, createdKeys, map[string]string{"subscriptionId": sub.ID, "status": "ACTIVE",
					"planId": p.team.ID, "planCode": "team-monthly", "seats": "2", "interval": string(domain.Monthly), "paymentMethodId": card,
					"orderId": o.ID, "periodEnd": t0.AddDate(0, 1, 0).Format(time.RFC3339)}},
			}
		}},
		{name: "plan changed now", run: func(t *testing.T, s *shop, p plans, _ *rechargeShop) []ev {
			sub := s.subscribeTeam(t, p, 2, s.saveCard(t, "4242", true))
			s.clock.Set(t0.Add(10 * day))
			for range 2 {
				if _, err := s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, PlanID: p.business.ID, IdempotencyKey: "up"}); err != nil {
					t.Fatal(err)
				}
			}
			o := s.latest(t)
			deliverTwice(t, s, webhook("evt_up", domain.EventPaymentSucceeded, o, 0))
			return []ev{
				{domain.OrgEventOrderPaid, paidKeys, nil},
				{domain.OrgEventSubscriptionCreated, createdKeys, nil},
				{domain.OrgEventOrderPaid, paidKeys, map[string]string{"orderId": o.ID, "action": "CHANGE_PLAN"}},
				{domain.OrgEventSubscriptionChanged, changedKeys + " previousPlanCode previousSeats effectiveAt orderId planCode", map[string]string{
					"subscriptionId": sub.ID, "change": "IMMEDIATE", "planId": p.business.ID, "planCode": "business-monthly", "previousPlanCode": "team-monthly",
					"effectiveAt": t0.Add(10 * day).Format(time.RFC3339)}},
			}
		}},
		{name: "change scheduled, withdrawn, scheduled and applied at renewal", run: func(t *testing.T, s *shop, p plans, _ *rechargeShop) []ev {
			s.subscribeTeam(t, p, 2, s.saveCard(t, "4242", true))
			change := func(planID, key string) {
				t.Helper()
				for range 2 {
					if _, err := s.svc.ChangeSubscription(s.owner, domain.SubscriptionChange{OrgID: s.org.ID, PlanID: planID, IdempotencyKey: key}); err != nil {
						t.Fatal(err)
					}
				}
			}
			change(p.personal.ID, "down")
			change(p.team.ID, "keep")
			change(p.personal.ID, "down-again")
			change(p.personal.ID, "down-same") // nothing new
			end := t0.AddDate(0, 1, 0).Format(time.RFC3339)
			s.advance(t, t0.AddDate(0, 1, 0))
			s.advance(t, t0.AddDate(0, 1, 0))
			renewal := s.latest(t)
			deliverTwice(t, s, webhook("evt_renew", domain.EventPaymentSucceeded, renewal, 0))
			return []ev{
				{domain.OrgEventOrderPaid, paidKeys, nil},
				{domain.OrgEventSubscriptionCreated, createdKeys, nil},
				{domain.OrgEventSubscriptionChanged, changedKeys + " effectiveAt planCode previousPlanCode previousSeats userId", map[string]string{
					"change": "SCHEDULED", "planId": p.personal.ID, "planCode": "personal-monthly", "previousPlanCode": "team-monthly",
					"seats": "2", "previousSeats": "2", "effectiveAt": end}},
				{domain.OrgEventSubscriptionChanged, changedKeys + " planCode withdrawnPlanCode withdrawnSeats", map[string]string{
					"change": "WITHDRAWN", "planId": p.team.ID, "planCode": "team-monthly", "withdrawnPlanCode": "personal-monthly"}},
				{domain.OrgEventSubscriptionChanged, changedKeys, map[string]string{"change": "SCHEDULED", "planId": p.personal.ID, "planCode": "personal-monthly"}},
				{domain.OrgEventOrderPaid, paidKeys, map[string]string{"orderId": renewal.ID, "action": "RENEW"}},
				{domain.OrgEventRenewalPaid, "orderId orderNumber invoiceId invoiceNumber amount currency subscriptionId periodStart periodEnd", nil},
				{domain.OrgEventSubscriptionChanged, changedKeys + " orderId previousPlanCode", map[string]string{
					"change": "RENEWAL", "planId": p.personal.ID, "planCode": "personal-monthly", "previousPlanCode": "team-monthly",
					"effectiveAt": end, "orderId": renewal.ID}},
			}
		}},
		{name: "canceled, resumed, canceled and ended", run: func(t *testing.T, s *shop, p plans, _ *rechargeShop) []ev {
			sub := s.subscribeTeam(t, p, 2, s.saveCard(t, "4242", true))
			set := func(f func(context.Context, domain.SubscriptionSetting) (domain.Subscription, error), key string) {
				t.Helper()
				for range 2 {
					if _, err := f(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: key}); err != nil {
						t.Fatal(err)
					}
				}
			}
			set(s.svc.CancelSubscription, "c1")
			set(s.svc.CancelSubscription, "c1-again") // already canceling: nothing new
			set(s.svc.ResumeSubscription, "r1")
			set(s.svc.CancelSubscription, "c2")
			s.advance(t, t0.AddDate(0, 1, 0))
			s.advance(t, t0.AddDate(0, 1, 1))
			end := t0.AddDate(0, 1, 0).Format(time.RFC3339)
			return []ev{
				{domain.OrgEventOrderPaid, paidKeys, nil},
				{domain.OrgEventSubscriptionCreated, createdKeys, nil},
				{domain.OrgEventSubscriptionCanceled, subKeys + " reason effectiveAt userId", map[string]string{
					"subscriptionId": sub.ID, "status": "ACTIVE", "reason": "REQUESTED", "effectiveAt": end, "cancelAtPeriodEnd": "true"}},
				{domain.OrgEventSubscriptionChanged, changedKeys, map[string]string{"change": "CANCELLATION_WITHDRAWN", "cancelAtPeriodEnd": "false"}},
				{domain.OrgEventSubscriptionCanceled, subKeys + " reason effectiveAt", map[string]string{"status": "ACTIVE", "reason": "REQUESTED"}},
				{domain.OrgEventSubscriptionCanceled, subKeys + " reason endedAt", map[string]string{"status": "ENDED", "reason": "REQUESTED", "endedAt": end}},
			}
		}},
		{name: "renewal paid", run: func(t *testing.T, s *shop, p plans, _ *rechargeShop) []ev {
			s.subscribeTeam(t, p, 2, s.saveCard(t, "4242", true))
			s.gw.Next(scripted.Pending)
			s.advance(t, t0.AddDate(0, 1, 0))
			renewal := s.latest(t)
			s.gw.Settle(renewal.PaymentID, domain.PaymentSucceeded)
			deliverTwice(t, s, webhook("evt_renew", domain.EventPaymentSucceeded, renewal, 0), webhook("evt_renew2", domain.EventPaymentSucceeded, renewal, 0))
			return []ev{
				{domain.OrgEventOrderPaid, paidKeys, nil},
				{domain.OrgEventSubscriptionCreated, createdKeys, nil},
				{domain.OrgEventOrderPaid, paidKeys + " subscriptionId", map[string]string{"orderId": renewal.ID, "action": "RENEW"}},
				{domain.OrgEventRenewalPaid, "orderId invoiceId subscriptionId", map[string]string{"orderId": renewal.ID}},
			}
		}},
		{name: "renewal declined", run: func(t *testing.T, s *shop, p plans, _ *rechargeShop) []ev {
			s.subscribeTeam(t, p, 2, s.saveCard(t, "4242", true))
			s.gw.Next(scripted.Decline)
			s.advance(t, t0.AddDate(0, 1, 0))
			renewal := s.latest(t)
			deliverTwice(t, s, webhook("evt_fail", domain.EventPaymentFailed, renewal, 0))
			return []ev{
				{domain.OrgEventOrderPaid, paidKeys, nil},
				{domain.OrgEventSubscriptionCreated, createdKeys, nil},
				{domain.OrgEventOrderFailed, orderKeys + " reason subscriptionId", map[string]string{"orderId": renewal.ID, "reason": "insufficient_funds"}},
				{domain.OrgEventPaymentFailed, "orderId subscriptionId reason amount currency", map[string]string{"orderId": renewal.ID}},
			}
		}},
		{name: "auto-recharge paid", recharge: true, run: func(t *testing.T, s *shop, _ plans, r *rechargeShop) []ev {
			o := rechargeOnce(t, r, scripted.Succeed)
			deliverTwice(t, s, webhook("evt_ar", domain.EventPaymentSucceeded, o, 0))
			return []ev{
				{domain.OrgEventAutoRechargeStarted, rechargeKey + " paymentMethodId", map[string]string{"orderId": o.ID, "mode": "PACK"}},
				{domain.OrgEventOrderPaid, paidKeys + " autoRecharge", map[string]string{"orderId": o.ID, "autoRecharge": "PACK", "amount": "1.19 EUR"}},
				{domain.OrgEventAutoRechargePaid, rechargeKey, map[string]string{"orderId": o.ID, "credits": "10000"}},
			}
		}},
		{name: "auto-recharge declined", recharge: true, run: func(t *testing.T, s *shop, _ plans, r *rechargeShop) []ev {
			o := rechargeOnce(t, r, scripted.Decline)
			deliverTwice(t, s, webhook("evt_ar", domain.EventPaymentFailed, o, 0))
			return []ev{
				{domain.OrgEventAutoRechargeStarted, rechargeKey, nil},
				{domain.OrgEventOrderFailed, orderKeys + " reason autoRecharge", map[string]string{"orderId": o.ID, "status": "FAILED"}},
				{domain.OrgEventAutoRechargeFailed, rechargeKey + " reason status", map[string]string{"orderId": o.ID, "reason": "insufficient_funds"}},
				{domain.OrgEventAutoRechargePaused, "orderId orderNumber amount currency reason", map[string]string{"orderId": o.ID}},
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				var (
					s *shop
					r *rechargeShop
					p plans
				)
				if tc.recharge {
					r = newRechargeShop(t, d)
					s = r.shop
				} else {
					s = newShop(t, d)
					p = s.loadPlans(t)
				}
				want := tc.run(t, s, p, r)
				expectHistory(t, d, s.org.ID, want)
			})
		})
	}
}

// rechargeOnce enables auto-recharge of the small pack with the saved
// card, spends below its threshold with the charge scripted to outcome,
// and returns the top-up order once settled.
func rechargeOnce(t *testing.T, r *rechargeShop, outcome scripted.Outcome) domain.Order {
	t.Helper()
	r.grant(t, domain.GrantPromo, 5000, 0, "start")
	r.enable(t, 1000, 5000, "on")
	r.gw.Next(outcome)
	if _, err := consume(r.owner, r.fixture, 4500, "spend"); err != nil {
		t.Fatal(err)
	}
	r.settled(t)
	ups := r.topUps(t)
	if len(ups) != 1 {
		t.Fatalf("top-ups %+v, want one", ups)
	}
	return ups[0]
}

// errInjected is the failure failingStore injects.
var errInjected = errors.New("injected failure after the event was recorded")

// failingStore is a real store whose next transaction that records an org
// event fails once armed: at its end (after everything it wrote, the event
// included, so the database rolls back all of it), or at the first
// UpdateOrder after the event (a later statement failing).
type failingStore struct {
	domain.Store
	armed    atomic.Bool
	atUpdate bool
	failures atomic.Int32
}

func (f *failingStore) InTx(ctx context.Context, fn func(domain.Store) error) error {
	return f.Store.InTx(ctx, func(tx domain.Store) error {
		ft := &failingTx{Store: tx, f: f}
		if err := fn(ft); err != nil {
			return err
		}
		if ft.recorded && !f.atUpdate && f.armed.CompareAndSwap(true, false) {
			f.failures.Add(1)
			return errInjected
		}
		return nil
	})
}

// failingTx is one transaction of a failingStore.
type failingTx struct {
	domain.Store
	f        *failingStore
	recorded bool
}

func (t *failingTx) InTx(ctx context.Context, fn func(domain.Store) error) error {
	return t.Store.InTx(ctx, func(tx domain.Store) error {
		inner := &failingTx{Store: tx, f: t.f}
		err := fn(inner)
		t.recorded = t.recorded || inner.recorded
		return err
	})
}

func (t *failingTx) AddOrgEvent(ctx context.Context, e domain.OrgEvent) (bool, error) {
	ok, err := t.Store.AddOrgEvent(ctx, e)
	t.recorded = t.recorded || (err == nil && ok)
	return ok, err
}

func (t *failingTx) UpdateOrder(ctx context.Context, o domain.Order) error {
	if t.recorded && t.f.atUpdate && t.f.armed.CompareAndSwap(true, false) {
		t.f.failures.Add(1)
		return errInjected
	}
	return t.Store.UpdateOrder(ctx, o)
}

// TestOutboxRollsBackWithTheChange: a transaction that fails after its
// event was recorded leaves no event and no change, on both stores; the
// retry (the gateway redelivering, the caller repeating its key) records
// the event once.
func TestOutboxRollsBackWithTheChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		atUpdate bool
		// setup runs before the failure is armed; act is the change that
		// fails once, then is retried; check asserts nothing changed
		// after the failure.
		setup func(t *testing.T, s *shop) domain.Order
		act   func(s *shop, o domain.Order) error
		check func(t *testing.T, s *shop, o domain.Order)
		want  []domain.OrgEventKind // after the retry
	}{
		{name: "payment webhook, failing at commit",
			setup: func(t *testing.T, s *shop) domain.Order { return pendingOrder(t, s) },
			act: func(s *shop, o domain.Order) error {
				return s.svc.HandleWebhook(context.Background(), "fake", webhook("evt_1", domain.EventPaymentSucceeded, o, 0))
			},
			check: func(t *testing.T, s *shop, o domain.Order) {
				if got := s.order(t, o.ID); got.Status != domain.OrderPending || got.GrantID != "" {
					t.Fatalf("order %s (grant %q) after the failure", got.Status, got.GrantID)
				}
				if b := s.checkInvariants(t); b.Total != 0 {
					t.Fatalf("balance %d after the failure", b.Total)
				}
				if _, err := s.svc.InvoiceOfOrder(s.owner, o.ID); codeOf(err) != domain.CodeNotFound {
					t.Fatalf("invoice after the failure: %v", err)
				}
			},
			want: []domain.OrgEventKind{domain.OrgEventOrderPaid}},
		{name: "decline webhook, failing at the order's update", atUpdate: true,
			setup: func(t *testing.T, s *shop) domain.Order { return pendingOrder(t, s) },
			act: func(s *shop, o domain.Order) error {
				return s.svc.HandleWebhook(context.Background(), "fake", webhook("evt_1", domain.EventPaymentFailed, o, 0))
			},
			check: func(t *testing.T, s *shop, o domain.Order) {
				if got := s.order(t, o.ID); got.Status != domain.OrderPending {
					t.Fatalf("order %s after the failure", got.Status)
				}
			},
			want: []domain.OrgEventKind{domain.OrgEventOrderFailed}},
		{name: "refund, failing at the order's update", atUpdate: true,
			setup: func(t *testing.T, s *shop) domain.Order {
				co, err := s.buy(s.owner, "k")
				if err != nil {
					t.Fatal(err)
				}
				return co.Order
			},
			act: func(s *shop, o domain.Order) error {
				_, err := s.svc.RefundOrder(s.admin, domain.RefundInput{OrderID: o.ID, IdempotencyKey: "r"})
				return err
			},
			check: func(t *testing.T, s *shop, o domain.Order) {
				if got := s.order(t, o.ID); got.Status != domain.OrderPaid || got.Refunded != 0 {
					t.Fatalf("order %s refunded %d after the failure", got.Status, got.Refunded)
				}
				if b := s.checkInvariants(t); b.Total != 7_000_000 {
					t.Fatalf("balance %d after the failure", b.Total)
				}
				if notes, err := s.svc.CreditNotes(s.owner, s.org.ID, domain.Page{}); err != nil || len(notes.Edges) != 0 {
					t.Fatalf("credit notes after the failure: %+v, %v", notes.Edges, err)
				}
			},
			want: []domain.OrgEventKind{domain.OrgEventOrderPaid, domain.OrgEventOrderRefunded, domain.OrgEventCreditNoteIssued}},
		{name: "subscription canceled, failing at commit",
			setup: func(t *testing.T, s *shop) domain.Order {
				s.subscribeTeam(t, s.loadPlans(t), 2, s.saveCard(t, "4242", true))
				return domain.Order{}
			},
			act: func(s *shop, _ domain.Order) error {
				_, err := s.svc.CancelSubscription(s.owner, domain.SubscriptionSetting{OrgID: s.org.ID, IdempotencyKey: "c"})
				return err
			},
			check: func(t *testing.T, s *shop, _ domain.Order) {
				if sub := s.subscription(t); sub.CancelAtPeriodEnd {
					t.Fatal("the subscription is canceled after the failure")
				}
			},
			want: []domain.OrgEventKind{domain.OrgEventOrderPaid, domain.OrgEventSubscriptionCreated, domain.OrgEventSubscriptionCanceled}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
				fs := &failingStore{Store: d, atUpdate: tc.atUpdate}
				s := newShop(t, fs)
				o := tc.setup(t, s)
				before := orgHistory(t, d, s.org.ID)
				fs.armed.Store(true)
				if err := tc.act(s, o); err == nil {
					t.Fatal("the change succeeded despite the injected failure")
				}
				if fs.failures.Load() != 1 {
					t.Fatalf("%d failures injected, want 1", fs.failures.Load())
				}
				if after := orgHistory(t, d, s.org.ID); len(after) != len(before) {
					t.Fatalf("%d events after the rolled back change, want the %d before it: %v", len(after), len(before), after)
				}
				tc.check(t, s, o)
				for i := range 2 { // the retry, then a repeat of it
					if err := tc.act(s, o); err != nil {
						t.Fatalf("retry %d: %v", i, err)
					}
				}
				got := orgHistory(t, d, s.org.ID)
				kinds := make([]domain.OrgEventKind, len(got))
				for i, e := range got {
					kinds[i] = e.Kind
				}
				if !slices.Equal(kinds, tc.want) {
					t.Fatalf("events after the retry %v, want %v", kinds, tc.want)
				}
			})
		})
	}
}
