package graph_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/auth"
)

// planServer is the GraphQL stack with a plan catalog in EUR and the
// scripted gateway, which also saves cards: payments end as the card's
// token says ("paid" at once, "decline" declined, anything else a
// redirect).
type planServer struct {
	*shopServer
	store *db.DB
	plans map[string]string // global plan IDs by code
}

func newPlanServer(t *testing.T) *planServer {
	t.Helper()
	ctx := context.Background()
	b := bus.NewLocal()
	t.Cleanup(func() { _ = b.Close() })
	gw := scripted.NewVault("scripted", domain.EUR)
	gw.Decide(scripted.ByPaymentMethod(map[string]scripted.Outcome{"paid": scripted.Succeed, "decline": scripted.Decline}, scripted.Redirect))
	gw.CaptureOnConfirm()
	reg, err := gateways.New(nil, gw)
	if err != nil {
		t.Fatal(err)
	}
	store := dbtest.SQLite(t)
	svc := domain.NewService(store, domain.Config{}, domain.WithGateways(reg), domain.WithBus(b))
	eur := func(m int64) []domain.Price { return []domain.Price{{Currency: domain.EUR, AmountMinor: m}} }
	cat, err := svc.LoadCatalog(ctx, domain.Catalog{
		Plans: []domain.Plan{
			{Code: "personal-monthly", Name: "Personal", Interval: domain.Monthly, Prices: eur(900), IncludedCreditsPerSeat: 2_000_000, Seats: 1, Active: true},
			{Code: "team-monthly", Name: "Team", Interval: domain.Monthly, Prices: eur(1900), IncludedCreditsPerSeat: 5_000_000, Seats: 3, Active: true},
			{Code: "business-monthly", Name: "Business", Interval: domain.Monthly, Prices: eur(3900), IncludedCreditsPerSeat: 12_000_000, Seats: 5, Active: true},
		},
		Packs: []domain.Pack{{
			Code: "starter-eur", Name: "Starter", Credits: 1_000_000, Validity: domain.ValidityNever, Active: true, Prices: eur(500),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(ctx, auth.Config{HS256Secret: testSecret}, svc)
	if err != nil {
		t.Fatal(err)
	}
	promReg := prometheus.NewRegistry()
	gopts := graph.Options{Auth: a, Metrics: graph.NewMetrics(promReg), InitTimeout: 2 * time.Second}
	ts := httptest.NewServer(a.Middleware(graph.NewHandler(svc, gopts)))
	t.Cleanup(ts.Close)
	s := &planServer{
		shopServer: &shopServer{
			server: &server{t: t, url: ts.URL, token: mint(t, "owner@example.com", false), metrics: gopts.Metrics, reg: promReg},
			base:   ts.URL, packID: graph.EncodeID("Pack", cat.Packs[0].ID),
		},
		store: store, plans: map[string]string{},
	}
	for _, p := range cat.Plans {
		s.plans[p.Code] = graph.EncodeID("Plan", p.ID)
	}
	s.orgID = s.createOrg()
	return s
}

// saveCard stores a card saved with the scripted gateway for the org (as
// addPaymentMethod would) and returns its global ID; token names how its
// charges end.
func (s *planServer) saveCard(token string) string {
	s.t.Helper()
	_, orgID, err := graph.DecodeID("orgId", s.orgID)
	if err != nil {
		s.t.Fatal(err)
	}
	now := time.Now()
	m := domain.PaymentMethod{
		ID: uuid.NewString(), OrgID: orgID, Gateway: "scripted", Kind: domain.MethodCard, Ref: token,
		CustomerRef: "cus_" + orgID, Status: domain.MethodActive, Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2034,
		IsDefault: true, CreatedBy: "test", CreatedAt: now, UpdatedAt: now,
	}
	if err := s.store.CreatePaymentMethod(context.Background(), m); err != nil {
		s.t.Fatal(err)
	}
	return graph.EncodeID("PaymentMethod", m.ID)
}

// subFields is what the tests read of a Subscription.
const subFields = `id status seats currentPeriodStart currentPeriodEnd renewsAt nextCreditResetAt
	includedCreditsPerMonth includedCreditsLeft autoRenew cancelAtPeriodEnd installments renewalFailure createdAt endedAt
	plan { code } scheduledChange { plan { code } seats effectiveAt } latestOrder { id status total { amount } }`

// gqlSub is a Subscription as subFields reads it.
type gqlSub struct {
	ID, Status                           string
	Seats, Installments                  int
	CurrentPeriodStart, CurrentPeriodEnd time.Time
	NextCreditResetAt, CreatedAt         time.Time
	RenewsAt, EndedAt                    *time.Time
	IncludedCreditsPerMonth              int64
	IncludedCreditsLeft                  int64
	AutoRenew, CancelAtPeriodEnd         bool
	RenewalFailure                       *string
	Plan                                 struct{ Code string }
	ScheduledChange                      *struct {
		Plan        struct{ Code string }
		Seats       int
		EffectiveAt time.Time
	}
	LatestOrder *struct {
		ID, Status string
		Total      struct{ Amount string }
	}
}

// quoteFields is what the tests read of a SubscriptionQuote.
const quoteFields = `kind immediate effectiveAt plan { code } seats lines { kind quantity amount { amount } }
	subtotal { amount } taxRateBasisPoints tax { amount } total { amount } credits installments { count }
	periodStart periodEnd renewal { amount }`

type gqlQuote struct {
	Kind        string
	Immediate   bool
	EffectiveAt time.Time
	Plan        struct{ Code string }
	Seats       int
	Lines       []struct {
		Kind     string
		Quantity int
		Amount   struct{ Amount string }
	}
	Subtotal, Tax, Total, Renewal struct{ Amount string }
	TaxRateBasisPoints            int
	Credits                       int64
	Installments                  *struct{ Count int }
	PeriodStart, PeriodEnd        time.Time
}

type gqlSubCheckout struct {
	Subscription gqlSub
	Order        *struct{ ID, Status string }
	NextAction   nextAction
	Quote        *gqlQuote
}

const checkoutFields = `subscription { ` + subFields + ` } order { id status } nextAction { kind redirectUrl clientSecret } quote { ` + quoteFields + ` }`

const (
	subscribeMutation   = `mutation($in: SubscribeInput!) { subscribe(input: $in) { ` + checkoutFields + ` } }`
	changePlanMutation  = `mutation($in: ChangePlanInput!) { changePlan(input: $in) { ` + checkoutFields + ` } }`
	changeSeatsMutation = `mutation($in: ChangeSeatsInput!) { changeSeats(input: $in) { ` + checkoutFields + ` } }`
	previewQuery        = `query($in: PreviewChangeInput!) { previewChange(input: $in) { ` + quoteFields + ` } }`
	cancelMutation      = `mutation($o: ID!, $k: String!) { cancelSubscription(orgId: $o, idempotencyKey: $k) { ` + subFields + ` } }`
	resumeMutation      = `mutation($o: ID!, $k: String!) { resumeSubscription(orgId: $o, idempotencyKey: $k) { ` + subFields + ` } }`
	autoRenewMutation   = `mutation($o: ID!, $on: Boolean!, $k: String!) { setAutoRenew(orgId: $o, on: $on, idempotencyKey: $k) { ` + subFields + ` } }`
	retryMutation       = `mutation($in: RetrySubscriptionPaymentInput!) { retrySubscriptionPayment(input: $in) { ` + checkoutFields + ` } }`
	orgSubQuery         = `query($o: ID!) { org(id: $o) { seats { total used } subscription { ` + subFields + ` } } }`
)

// in wraps an input object as the $in variable.
func in(fields map[string]any) map[string]any { return map[string]any{"in": fields} }

// checkoutOf runs a subscription mutation named field and decodes its
// checkout.
func (s *planServer) checkoutOf(field, mutation string, vars map[string]any) gqlSubCheckout {
	s.t.Helper()
	var out map[string]json.RawMessage
	s.must(mutation, vars, &out)
	var c gqlSubCheckout
	if err := json.Unmarshal(out[field], &c); err != nil {
		s.t.Fatal(err)
	}
	return c
}

func (s *planServer) preview(plan string, seats int) gqlQuote {
	s.t.Helper()
	var out struct{ PreviewChange gqlQuote }
	s.must(previewQuery, in(map[string]any{"orgId": s.orgID, "planId": s.plans[plan], "seats": seats}), &out)
	return out.PreviewChange
}

func (s *planServer) orgSub() (gqlSub, int) {
	s.t.Helper()
	var out struct {
		Org struct {
			Seats        struct{ Total, Used int }
			Subscription *gqlSub
		}
	}
	s.must(orgSubQuery, map[string]any{"o": s.orgID}, &out)
	if out.Org.Subscription == nil {
		s.t.Fatal("the org has no subscription")
	}
	return *out.Org.Subscription, out.Org.Seats.Total
}

// waitSubEvent reads subscriptionUpdated events until one matches ok.
func waitSubEvent(t *testing.T, ws *wsConn, ok func(sub *gqlSub) bool) {
	t.Helper()
	for {
		m, err := ws.next(5 * time.Second)
		if err != nil {
			t.Fatalf("waiting for a subscription event: %v", err)
		}
		raw, _ := json.Marshal(m["payload"])
		var p struct {
			Data struct{ SubscriptionUpdated *gqlSub }
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("event %s: %v", raw, err)
		}
		if ok(p.Data.SubscriptionUpdated) {
			return
		}
	}
}

// TestSubscriptionFlow subscribes an org over GraphQL with a saved card and
// manages its subscription: preview, subscribe (and its replay), added
// seats, a seat removal and a downgrade scheduled, an upgrade, cancel and
// resume, auto-renewal, watched on subscriptionUpdated.
func TestSubscriptionFlow(t *testing.T) {
	s := newPlanServer(t)
	var none struct {
		Org struct{ Subscription *gqlSub }
	}
	s.must(`query($o: ID!) { org(id: $o) { subscription { id } } }`, map[string]any{"o": s.orgID}, &none)
	if none.Org.Subscription != nil {
		t.Fatalf("a new org's subscription: %+v", none.Org.Subscription)
	}

	// No subscription: previewChange prices a subscribe. 2 × 19.00 + 19% VAT.
	q := s.preview("team-monthly", 2)
	if q.Kind != "SUBSCRIBE" || !q.Immediate || q.Total.Amount != "45.22" || q.Tax.Amount != "7.22" || q.TaxRateBasisPoints != 1900 ||
		q.Credits != 10_000_000 || q.Renewal.Amount != "45.22" || q.Seats != 2 || q.Plan.Code != "team-monthly" ||
		len(q.Lines) != 1 || q.Lines[0].Kind != "PLAN" || q.Lines[0].Quantity != 2 || !q.PeriodEnd.After(q.PeriodStart) {
		t.Fatalf("subscribe preview %+v", q)
	}

	ws := s.signedInSocket(t, "graphql-transport-ws", nil)
	ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($o: ID!) { subscriptionUpdated(orgId: $o) { id status seats cancelAtPeriodEnd } }`,
		"variables": map[string]any{"o": s.orgID},
	}})
	// The stream starts asynchronously; the changes below come later, and
	// the cancellation's event is waited for.

	card := s.saveCard("paid")
	sub := map[string]any{"orgId": s.orgID, "planId": s.plans["team-monthly"], "seats": 2, "paymentMethodId": card,
		"idempotencyKey": "sub-1", "invoiceDetails": map[string]any{"companyName": "Acme GmbH"}}
	co := s.checkoutOf("subscribe", subscribeMutation, in(sub))
	got := co.Subscription
	if co.Order == nil || co.Order.Status != "PAID" || co.NextAction.Kind != "NONE" || co.Quote == nil || co.Quote.Kind != "SUBSCRIBE" {
		t.Fatalf("subscribe checkout %+v", co)
	}
	if got.Status != "ACTIVE" || got.Seats != 2 || !got.AutoRenew || got.CancelAtPeriodEnd || got.Plan.Code != "team-monthly" ||
		got.RenewsAt == nil || !got.RenewsAt.Equal(got.CurrentPeriodEnd) || !got.NextCreditResetAt.Equal(got.CurrentPeriodEnd) ||
		got.IncludedCreditsPerMonth != 10_000_000 || got.IncludedCreditsLeft != 10_000_000 || got.Installments != 1 ||
		got.ScheduledChange != nil || got.RenewalFailure != nil || got.EndedAt != nil ||
		got.LatestOrder == nil || got.LatestOrder.ID != co.Order.ID || got.LatestOrder.Total.Amount != "45.22" {
		t.Fatalf("subscription after subscribe %+v", got)
	}
	read, seats := s.orgSub()
	if read.ID != got.ID || seats != 2 || read.IncludedCreditsLeft != 10_000_000 {
		t.Fatalf("Org.subscription %+v, seats.total %d", read, seats)
	}
	var node struct {
		Node struct {
			ID, Status string
			Seats      int
		}
	}
	s.must(`query($id: ID!) { node(id: $id) { id ... on Subscription { status seats } } }`, map[string]any{"id": got.ID}, &node)
	if node.Node.ID != got.ID || node.Node.Status != "ACTIVE" || node.Node.Seats != 2 {
		t.Fatalf("node(Subscription) %+v", node.Node)
	}

	// The same key answers the first result, without its quote; a second
	// subscribe is a CONFLICT.
	again := s.checkoutOf("subscribe", subscribeMutation, in(sub))
	if again.Subscription.ID != got.ID || again.Order == nil || again.Order.ID != co.Order.ID || again.Quote != nil {
		t.Fatalf("replayed subscribe %+v", again)
	}
	sub["idempotencyKey"] = "sub-2"
	if code, _ := s.errCode(subscribeMutation, in(sub)); code != "CONFLICT" {
		t.Fatalf("a second subscribe: %s", code)
	}

	// A seat more: charged now pro rata with the subscription's card.
	q = s.preview("team-monthly", 3)
	if q.Kind != "ADD_SEATS" || !q.Immediate || q.Total.Amount == "0.00" || len(q.Lines) != 1 || q.Lines[0].Kind != "SEATS" || q.Renewal.Amount != "67.83" {
		t.Fatalf("add-seat preview %+v", q)
	}
	co = s.checkoutOf("changeSeats", changeSeatsMutation, in(map[string]any{"orgId": s.orgID, "seats": 3, "idempotencyKey": "seats-3"}))
	if co.Order == nil || co.Order.Status != "PAID" || co.Quote == nil || co.Quote.Kind != "ADD_SEATS" || co.Quote.Total != q.Total {
		t.Fatalf("changeSeats checkout %+v, previewed %+v", co, q)
	}
	read, seats = s.orgSub()
	if read.Seats != 3 || seats != 3 || read.IncludedCreditsPerMonth != 15_000_000 || read.IncludedCreditsLeft <= 10_000_000 ||
		read.LatestOrder == nil || read.LatestOrder.ID != co.Order.ID {
		t.Fatalf("after adding a seat: %+v, seats.total %d", read, seats)
	}

	// A seat less and a cheaper plan: scheduled for the period's end,
	// nothing charged; the later change replaces the earlier one.
	co = s.checkoutOf("changeSeats", changeSeatsMutation, in(map[string]any{"orgId": s.orgID, "seats": 1, "idempotencyKey": "seats-1"}))
	sc := co.Subscription.ScheduledChange
	if co.Order != nil || co.NextAction.Kind != "NONE" || co.Quote == nil || co.Quote.Kind != "REMOVE_SEATS" || co.Quote.Immediate ||
		co.Quote.Total.Amount != "0.00" || sc == nil || sc.Seats != 1 || sc.Plan.Code != "team-monthly" ||
		!sc.EffectiveAt.Equal(co.Subscription.CurrentPeriodEnd) || co.Subscription.Seats != 3 {
		t.Fatalf("seat removal %+v", co)
	}
	co = s.checkoutOf("changePlan", changePlanMutation, in(map[string]any{"orgId": s.orgID, "planId": s.plans["personal-monthly"], "idempotencyKey": "down"}))
	if sc := co.Subscription.ScheduledChange; co.Order != nil || co.Quote.Kind != "DOWNGRADE" || sc == nil || sc.Plan.Code != "personal-monthly" || sc.Seats != 3 {
		t.Fatalf("downgrade %+v", co)
	}
	// A dearer plan: charged now, applied once paid, the downgrade dropped.
	q = s.preview("business-monthly", 3)
	co = s.checkoutOf("changePlan", changePlanMutation, in(map[string]any{"orgId": s.orgID, "planId": s.plans["business-monthly"], "paymentMethodId": card, "idempotencyKey": "up"}))
	if co.Order == nil || co.Order.Status != "PAID" || co.Quote.Kind != "UPGRADE" || co.Quote.Total != q.Total || len(co.Quote.Lines) != 2 ||
		co.Quote.Lines[1].Kind != "PRORATION" {
		t.Fatalf("upgrade %+v, previewed %+v", co, q)
	}
	read, _ = s.orgSub()
	if read.Plan.Code != "business-monthly" || read.Seats != 3 || read.ScheduledChange != nil || read.IncludedCreditsPerMonth != 36_000_000 {
		t.Fatalf("after the upgrade: %+v", read)
	}

	// Cancel, resume, auto-renewal.
	var c struct{ CancelSubscription gqlSub }
	s.must(cancelMutation, map[string]any{"o": s.orgID, "k": "cancel"}, &c)
	if got := c.CancelSubscription; got.Status != "CANCELED" || !got.CancelAtPeriodEnd || got.RenewsAt != nil {
		t.Fatalf("canceled %+v", got)
	}
	waitSubEvent(t, ws, func(e *gqlSub) bool { return e != nil && e.Status == "CANCELED" && e.CancelAtPeriodEnd })
	var r struct{ ResumeSubscription gqlSub }
	s.must(resumeMutation, map[string]any{"o": s.orgID, "k": "resume"}, &r)
	if got := r.ResumeSubscription; got.Status != "ACTIVE" || got.CancelAtPeriodEnd || got.RenewsAt == nil {
		t.Fatalf("resumed %+v", got)
	}
	var a struct{ SetAutoRenew gqlSub }
	s.must(autoRenewMutation, map[string]any{"o": s.orgID, "on": false, "k": "renew-off"}, &a)
	if got := a.SetAutoRenew; got.AutoRenew || got.RenewsAt != nil || got.Status != "ACTIVE" {
		t.Fatalf("auto-renewal off %+v", got)
	}
	s.must(autoRenewMutation, map[string]any{"o": s.orgID, "on": true, "k": "renew-on"}, &a)
	if got := a.SetAutoRenew; !got.AutoRenew || got.RenewsAt == nil {
		t.Fatalf("auto-renewal on %+v", got)
	}
}

// TestSubscriptionErrors: bad input and refused requests carry their code
// and field, and a token-paid subscription cannot renew by itself.
func TestSubscriptionErrors(t *testing.T) {
	s := newPlanServer(t)
	team := s.plans["team-monthly"]
	subscribe := func(extra map[string]any) map[string]any {
		f := map[string]any{"orgId": s.orgID, "planId": team, "seats": 1, "paymentMethodId": "paid", "idempotencyKey": uuid.NewString()}
		for k, v := range extra {
			f[k] = v
		}
		return in(f)
	}
	tests := []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"preview a pack", previewQuery, in(map[string]any{"orgId": s.orgID, "planId": s.packID, "seats": 1}), "INVALID_INPUT", "planId"},
		{"preview without seats", previewQuery, in(map[string]any{"orgId": s.orgID, "planId": team, "seats": 0}), "INVALID_INPUT", "seats"},
		{"preview with too many installments", previewQuery, in(map[string]any{"orgId": s.orgID, "planId": team, "seats": 1, "installments": 99}), "INVALID_INPUT", "installments"},
		{"subscribe with no seats", subscribeMutation, subscribe(map[string]any{"seats": 0}), "INVALID_INPUT", "seats"},
		{"subscribe to a pack", subscribeMutation, subscribe(map[string]any{"planId": s.packID}), "INVALID_INPUT", "planId"},
		{"subscribe with an org's ID as the payment method", subscribeMutation, subscribe(map[string]any{"paymentMethodId": s.orgID}), "INVALID_INPUT", "paymentMethodId"},
		{"subscribe with a bad return URL", subscribeMutation, subscribe(map[string]any{"returnUrl": "https://evil.example/"}), "INVALID_INPUT", "returnUrl"},
		{"subscribe without a key", subscribeMutation, subscribe(map[string]any{"idempotencyKey": ""}), "INVALID_INPUT", "idempotencyKey"},
		{"change seats without a subscription", changeSeatsMutation, in(map[string]any{"orgId": s.orgID, "seats": 2, "idempotencyKey": "cs"}), "INVALID_INPUT", "orgId"},
		{"change seats to none", changeSeatsMutation, in(map[string]any{"orgId": s.orgID, "seats": 0, "idempotencyKey": "cs0"}), "INVALID_INPUT", "seats"},
		{"change plan to no seats", changePlanMutation, in(map[string]any{"orgId": s.orgID, "planId": team, "seats": 0, "idempotencyKey": "cp0"}), "INVALID_INPUT", "seats"},
		{"cancel without a subscription", cancelMutation, map[string]any{"o": s.orgID, "k": "c"}, "INVALID_INPUT", "orgId"},
		{"an unknown org", cancelMutation, map[string]any{"o": graph.EncodeID("Org", uuid.NewString()), "k": "c"}, "NOT_FOUND", ""},
		{"retry without a subscription", retryMutation, in(map[string]any{"orgId": s.orgID, "idempotencyKey": "r"}), "CONFLICT", ""},
		{"subscribe with a declined card", subscribeMutation, subscribe(map[string]any{"paymentMethodId": "decline"}), "PAYMENT_FAILED", ""},
	}
	for _, tt := range tests { // in order: the declined card comes last
		code, field := s.errCode(tt.query, tt.vars)
		if code != tt.code || (tt.field != "" && field != tt.field) {
			t.Errorf("%s: %s on %q, want %s on %q", tt.name, code, field, tt.code, tt.field)
		}
	}

	// The declined subscribe left an INCOMPLETE subscription that a new
	// one replaces; paid with a one-time token it renews only once a saved
	// method is there.
	co := s.checkoutOf("subscribe", subscribeMutation, subscribe(nil))
	if co.Order == nil || co.Order.Status != "PAID" || co.Subscription.Status != "ACTIVE" || co.Subscription.Seats != 1 {
		t.Fatalf("subscribe with a token %+v", co)
	}
	var a struct{ SetAutoRenew gqlSub }
	s.must(autoRenewMutation, map[string]any{"o": s.orgID, "on": false, "k": "off"}, &a)
	if code, field := s.errCode(autoRenewMutation, map[string]any{"o": s.orgID, "on": true, "k": "on"}); code != "INVALID_INPUT" || field != "on" {
		t.Fatalf("auto-renewal on without a saved method: %s on %q", code, field)
	}
	if code, _ := s.errCode(retryMutation, in(map[string]any{"orgId": s.orgID, "idempotencyKey": "retry"})); code != "CONFLICT" {
		t.Fatalf("retry of an ACTIVE subscription: %s", code)
	}
	if code, _ := s.errCode(cancelMutation, map[string]any{"o": s.orgID, "k": "off"}); code != "CONFLICT" {
		t.Fatalf("a key reused by another operation: %s", code)
	}
}

// TestSubscriptionAccess: every subscription operation is refused to
// whoever may not buy for the org, and the subscription is read by every
// member (its latest order only by those who read orders).
func TestSubscriptionAccess(t *testing.T) {
	s := newPlanServer(t)
	card := s.saveCard("paid")
	co := s.checkoutOf("subscribe", subscribeMutation, in(map[string]any{"orgId": s.orgID, "planId": s.plans["team-monthly"], "seats": 5,
		"paymentMethodId": card, "idempotencyKey": "sub"}))
	subID := co.Subscription.ID
	var key struct {
		CreateApiKey struct{ Secret string }
	}
	s.must(`mutation($o: ID!) { createApiKey(orgId: $o, name: "backend") { secret } }`, map[string]any{"o": s.orgID}, &key)

	billing := s.member("billing@example.com", "BILLING")
	admin := s.member("admin@example.com", "ADMIN")
	member := s.member("member@example.com", "MEMBER")
	apiKey := s.as(key.CreateApiKey.Secret)
	outsider := s.as(mint(t, "outsider@example.com", false))
	outsider.createOrg()
	anonymous := s.as("")

	k := uuid.NewString
	writes := []struct {
		name  string
		query string
		vars  func() map[string]any
	}{
		{"previewChange", previewQuery, func() map[string]any {
			return in(map[string]any{"orgId": s.orgID, "planId": s.plans["team-monthly"], "seats": 5})
		}},
		{"subscribe", subscribeMutation, func() map[string]any {
			return in(map[string]any{"orgId": s.orgID, "planId": s.plans["team-monthly"], "seats": 5, "paymentMethodId": card, "idempotencyKey": k()})
		}},
		{"changePlan", changePlanMutation, func() map[string]any {
			return in(map[string]any{"orgId": s.orgID, "planId": s.plans["team-monthly"], "idempotencyKey": k()})
		}},
		{"changeSeats", changeSeatsMutation, func() map[string]any {
			return in(map[string]any{"orgId": s.orgID, "seats": 5, "idempotencyKey": k()})
		}},
		{"cancelSubscription", cancelMutation, func() map[string]any { return map[string]any{"o": s.orgID, "k": k()} }},
		{"resumeSubscription", resumeMutation, func() map[string]any { return map[string]any{"o": s.orgID, "k": k()} }},
		{"setAutoRenew", autoRenewMutation, func() map[string]any { return map[string]any{"o": s.orgID, "on": true, "k": k()} }},
		{"retrySubscriptionPayment", retryMutation, func() map[string]any {
			return in(map[string]any{"orgId": s.orgID, "idempotencyKey": k()})
		}},
	}
	// BILLING passes every check of who may: what is left is the
	// subscription's own business (already subscribed, nothing to retry).
	billingCode := map[string]string{"subscribe": "CONFLICT", "retrySubscriptionPayment": "CONFLICT"}
	callers := []struct {
		name string
		s    *shopServer
		code string
	}{
		{"BILLING", billing, ""},
		{"ADMIN", admin, "FORBIDDEN"},
		{"MEMBER", member, "FORBIDDEN"},
		{"API key", apiKey, "FORBIDDEN"},
		{"outsider", outsider, "NOT_FOUND"},
		{"anonymous", anonymous, "UNAUTHENTICATED"},
	}
	for _, cl := range callers {
		for _, op := range writes {
			t.Run(cl.name+"/"+op.name, func(t *testing.T) {
				_, res := cl.s.post(op.query, op.vars())
				code := ""
				if len(res.Errors) > 0 {
					code, _ = res.Errors[0].Extensions["code"].(string)
				}
				want := cl.code
				if want == "" {
					want = billingCode[op.name]
				}
				if code != want {
					t.Fatalf("code %q, want %q (%+v)", code, want, res.Errors)
				}
			})
		}
	}

	// Reads: every member and the org's key read the subscription; only
	// OWNER and BILLING see its latest order.
	reads := []struct {
		name     string
		s        *shopServer
		code     string
		seeOrder bool
	}{
		{"BILLING", billing, "", true},
		{"ADMIN", admin, "", false},
		{"MEMBER", member, "", false},
		{"API key", apiKey, "", false},
		{"outsider", outsider, "NOT_FOUND", false},
	}
	for _, cl := range reads {
		t.Run(cl.name+"/read", func(t *testing.T) {
			for _, q := range []string{
				`query($o: ID!, $id: ID!) { org(id: $o) { subscription { id includedCreditsLeft latestOrder { id } } } node(id: $id) { id } }`,
			} {
				_, res := cl.s.post(q, map[string]any{"o": s.orgID, "id": subID})
				code := ""
				if len(res.Errors) > 0 {
					code, _ = res.Errors[0].Extensions["code"].(string)
				}
				if code != cl.code {
					t.Fatalf("code %q, want %q (%+v)", code, cl.code, res.Errors)
				}
				if cl.code != "" {
					return
				}
				var out struct {
					Org struct {
						Subscription *struct {
							ID                  string
							IncludedCreditsLeft int64
							LatestOrder         *struct{ ID string }
						}
					}
					Node struct{ ID string }
				}
				if err := json.Unmarshal(res.Data, &out); err != nil {
					t.Fatal(err)
				}
				got := out.Org.Subscription
				if got == nil || got.ID != subID || out.Node.ID != subID || got.IncludedCreditsLeft != 25_000_000 || (got.LatestOrder != nil) != cl.seeOrder {
					t.Fatalf("read %+v, node %+v", got, out.Node)
				}
			}
		})
	}
	t.Run("outsider/subscriptionUpdated", func(t *testing.T) {
		ws := outsider.signedInSocket(t, "graphql-transport-ws", nil)
		ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
			"query": `subscription($o: ID!) { subscriptionUpdated(orgId: $o) { id } }`, "variables": map[string]any{"o": s.orgID},
		}})
		m, err := ws.next(5 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(m)
		if !strings.Contains(string(raw), `"NOT_FOUND"`) {
			t.Fatalf("an outsider subscribes: %s", raw)
		}
	})
}
