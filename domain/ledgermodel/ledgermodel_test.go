package ledgermodel_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/tallyhq/tally/domain"
)

// Environment variables that size the run (README, Testing).
const (
	envChecks = "TALLY_MODEL_CHECKS" // random sequences per store (default defaultChecks)
	envSteps  = "TALLY_MODEL_STEPS"  // average operations per sequence (default defaultSteps)
)

// The CI size: small enough for both stores under -race in about a
// minute, large enough that every operation occurs many times.
const (
	defaultChecks = 12
	defaultSteps  = 50
)

// sizeRapid sets rapid's checks and steps from the environment, and its
// shrinking time, unless the command line or rapid's own variables set
// them.
func sizeRapid(t *testing.T) {
	t.Helper()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range []struct {
		flag, rapidEnv, env string
		def                 int
	}{{"rapid.checks", "RAPID_CHECKS", envChecks, defaultChecks}, {"rapid.steps", "RAPID_STEPS", envSteps, defaultSteps}} {
		if set[s.flag] || os.Getenv(s.rapidEnv) != "" {
			continue
		}
		n := s.def
		if v := os.Getenv(s.env); v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil || n < 1 {
				t.Fatalf("%s=%q: want a positive number", s.env, v)
			}
		}
		if err := flag.Set(s.flag, strconv.Itoa(n)); err != nil {
			t.Fatal(err)
		}
	}
	// A check takes tens of milliseconds: rapid's default 30 s of
	// shrinking often stops before the sequence is minimal.
	if !set["rapid.shrinktime"] && os.Getenv("RAPID_SHRINKTIME") == "" {
		if err := flag.Set("rapid.shrinktime", shrinkTime.String()); err != nil {
			t.Fatal(err)
		}
	}
}

// shrinkTime bounds the shrinking of a failure (only a failing run spends it).
const shrinkTime = 3 * time.Minute

// TestLedgerModel drives random sequences of grants, spends (new,
// repeated and reused keys, too large), purchases with each sandbox test
// card, the buyer acting at the gateway, cancellations, webhooks delivered
// late, twice and out of order, reconciliation, refunds (partial and
// full, through Tally and at the provider), subscribing, renewals,
// cancelSubscription, clock moves and the expiry job through the real
// service on PostgreSQL and on SQLite, and
// after every step compares each answer, the balance, every grant and
// every order with the model (model_test.go). A difference fails the
// check; rapid then shrinks the sequence to a minimal one and prints it
// step by step.
func TestLedgerModel(t *testing.T) {
	sizeRapid(t)
	sqlite, err := newSQLiteBackend(t)
	if err != nil {
		t.Fatalf("SQLite template: %v", err)
	}
	for _, b := range []struct {
		name    string
		backend func(t *testing.T) backend
	}{
		{"postgres", func(t *testing.T) backend { return pgBackend{t} }},
		{"sqlite", func(*testing.T) backend { return sqlite }},
	} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			var stats runStats
			start := time.Now()
			be := b.backend(t)
			rapid.Check(t, func(rt *rapid.T) { runCheck(rt, be, &stats) })
			t.Logf("%s: %d sequences, %d operations (%v), %v in all; fresh stores took %v",
				b.name, stats.checks.Load(), stats.ops.Load(), stats.byAction(), time.Since(start).Round(time.Millisecond),
				time.Duration(stats.freshNanos.Load()).Round(time.Millisecond))
		})
	}
}

// runStats counts what a run did, for its log line.
type runStats struct {
	checks, ops, freshNanos atomic.Int64
	actions                 [16]atomic.Int64 // by actionIndex
}

func (s *runStats) byAction() string {
	var parts []string
	for i, name := range actionNames {
		if n := s.actions[i].Load(); n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", name, n))
		}
	}
	return strings.Join(parts, ", ")
}

// actionNames are the operations, as runCheck's Repeat names them.
var actionNames = []string{"grant", "spend", "purchase", "buyer", "cancelOrder", "deliver", "reconcile", "refund", "advance", "expire",
	"subscribe", "renew", "cancelSub", "refundAtProvider"}

func actionIndex(name string) int {
	for i, n := range actionNames {
		if n == name {
			return i
		}
	}
	return len(actionNames)
}

// runCheck is one rapid check: a fresh store, a service, a model, then a
// random sequence of operations.
func runCheck(rt *rapid.T, b backend, stats *runStats) {
	began := time.Now()
	st, release, err := b.fresh()
	if err != nil {
		rt.Fatalf("fresh store: %v", err)
	}
	stats.freshNanos.Add(int64(time.Since(began)))
	defer release()
	sys, err := newSystem(st)
	if err != nil {
		rt.Fatalf("system: %v", err)
	}
	defer sys.close()
	stats.checks.Add(1)
	mc := &machine{sys: sys, m: newModel(t0), stats: stats}
	// The org's sign-up gift is the first grant.
	exp := t0.Add(signupTTL)
	g := mc.m.addGrant("signup", "FREE", signupCredits, &exp)
	bal, err := sys.svc.Balance(sys.owner, sys.orgID)
	if err != nil || len(bal.Grants) != 1 {
		rt.Fatalf("sign-up balance: %+v, %v", bal, err)
	}
	g.id = bal.Grants[0].ID
	mc.compare(rt)
	rt.Repeat(map[string]func(*rapid.T){
		"grant":            mc.grant,
		"spend":            mc.spend,
		"purchase":         mc.purchase,
		"buyer":            mc.buyer,
		"cancelOrder":      mc.cancelOrder,
		"deliver":          mc.deliver,
		"reconcile":        mc.reconcile,
		"refund":           mc.refund,
		"advance":          mc.advance,
		"expire":           mc.expire,
		"subscribe":        mc.subscribe,
		"renew":            mc.renew,
		"cancelSub":        mc.cancelSubscription,
		"refundAtProvider": mc.providerRefund,
		"":                 mc.compare,
	})
	mc.checkLedger(rt)
}

// machine is one check's state: the system, the model and the readable
// history of the steps so far.
type machine struct {
	sys   *system
	m     *model
	stats *runStats
	steps []string
	n     struct{ grants, spends, orders, refunds, subs, renewals, cancels int }
}

// step starts an operation: time passes a second (as between requests),
// and the step is logged for the failure report.
func (mc *machine) step(rt *rapid.T, action, format string, args ...any) {
	mc.sys.clock.add(time.Second)
	mc.m.now = mc.m.now.Add(time.Second)
	mc.stats.ops.Add(1)
	mc.stats.actions[actionIndex(action)].Add(1)
	s := fmt.Sprintf("%3d  %s  %s", len(mc.steps)+1, mc.m.now.Sub(t0), fmt.Sprintf(format, args...))
	mc.steps = append(mc.steps, s)
	rt.Log(s)
}

// fail reports a difference with the whole sequence that led to it.
func (mc *machine) fail(rt *rapid.T, format string, args ...any) {
	rt.Helper()
	rt.Fatalf("Tally and the model disagree after step %d: %s\nthe sequence:\n%s",
		len(mc.steps), fmt.Sprintf(format, args...), strings.Join(mc.steps, "\n"))
}

func code(err error) string {
	if err == nil {
		return ok
	}
	return string(domain.ErrorCode(err))
}

// wantCode compares an operation's outcome with the model's.
func (mc *machine) wantCode(rt *rapid.T, what string, err error, want string) {
	rt.Helper()
	if got := code(err); got != want {
		mc.fail(rt, "%s answered %q (%v), the model says %q", what, got, err, orNone(want))
	}
}

func orNone(c string) string {
	if c == ok {
		return "success"
	}
	return c
}

// pickKey chooses a request's idempotency key: a fresh one (most often),
// one used before by the same operation (to repeat it with the same input,
// or with other input), or one another operation used.
func (mc *machine) pickKey(rt *rapid.T, op, prefix string, n int) (key string, reuse *keyRec) {
	var same, other []string
	for k, rec := range mc.m.keys {
		if rec.op == op {
			same = append(same, k)
		} else {
			other = append(other, k)
		}
	}
	slices.Sort(same)
	slices.Sort(other)
	switch choice := rapid.IntRange(0, 9).Draw(rt, "keyChoice"); {
	case choice < 6 || len(same)+len(other) == 0:
		return fmt.Sprintf("%s%d", prefix, n), nil
	case choice < 9 && len(same) > 0:
		k := rapid.SampledFrom(same).Draw(rt, "repeatKey")
		return k, mc.m.keys[k]
	case len(other) > 0:
		return rapid.SampledFrom(other).Draw(rt, "otherOpKey"), nil
	default:
		k := rapid.SampledFrom(same).Draw(rt, "repeatKey")
		return k, mc.m.keys[k]
	}
}

var grantKinds = []string{"PROMO", "FREE", "PURCHASED", "ADJUSTMENT", "SUBSCRIPTION"}

func (mc *machine) grant(rt *rapid.T) {
	mc.n.grants++
	label := fmt.Sprintf("g%d", mc.n.grants)
	key, prev := mc.pickKey(rt, "grant", "grant-", mc.n.grants)
	kind := rapid.SampledFrom(grantKinds).Draw(rt, "kind")
	amount := int64(rapid.IntRange(1, 3000).Draw(rt, "amount"))
	var exp *time.Time
	if rapid.Bool().Draw(rt, "expires") {
		e := mc.m.now.Add(time.Duration(rapid.IntRange(1, 40*24).Draw(rt, "expiresInHours")) * time.Hour)
		exp = &e
	}
	if prev != nil && rapid.Bool().Draw(rt, "sameInput") {
		g := prev.result.(*mGrant)
		label, kind, amount, exp = g.label, g.kind, g.amount, g.expires
	}
	mc.step(rt, "grant", "grant %s %s %d expiring %s key %s", label, kind, amount, when(exp), key)
	g, rec, replay, want := mc.m.grant(key, label, kind, amount, exp)
	res, err := mc.sys.svc.GrantCredits(mc.sys.admin, domain.GrantInput{
		OrgID: mc.sys.orgID, Amount: amount, Kind: domain.GrantKind(kind), ExpiresAt: exp, Reason: "model", IdempotencyKey: key,
	})
	mc.wantCode(rt, "grantCredits", err, want)
	if err != nil {
		return
	}
	if replay {
		if got := res.Entry.GrantID(); got != rec.result.(*mGrant).id {
			mc.fail(rt, "repeated grant key %s answered grant %s, first answer was %s", key, got, rec.result.(*mGrant).id)
		}
		return
	}
	g.id = res.Entry.GrantID()
	if res.Entry.Amount != amount || res.Entry.BalanceAfter != mc.m.stored() {
		mc.fail(rt, "grant entry %+d, balance after %d; the model says %+d, %d", res.Entry.Amount, res.Entry.BalanceAfter, amount, mc.m.stored())
	}
}

func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return "at " + t.Sub(t0).String()
}

func (mc *machine) spend(rt *rapid.T) {
	mc.n.spends++
	key, prev := mc.pickKey(rt, "spend", "spend-", mc.n.spends)
	total, _, _ := mc.m.balance()
	var amount int64
	switch {
	case prev != nil && rapid.Bool().Draw(rt, "sameInput"):
		amount, _ = strconv.ParseInt(prev.input, 10, 64)
	case rapid.IntRange(0, 4).Draw(rt, "overdraw") == 0:
		amount = total + int64(rapid.IntRange(1, 500).Draw(rt, "over"))
	default:
		amount = int64(rapid.IntRange(1, 1500).Draw(rt, "amount"))
	}
	mc.step(rt, "spend", "spend %d key %s (balance %d)", amount, key, total)
	rec, replay, want := mc.m.spend(key, amount)
	res, err := mc.sys.svc.Consume(mc.sys.owner, domain.ConsumeInput{OrgID: mc.sys.orgID, Amount: amount, IdempotencyKey: key, Reason: "model"})
	mc.wantCode(rt, "consumeCredits", err, want)
	if err != nil {
		return
	}
	r := rec.result.(*spendResult)
	if replay {
		if res.Entry.ID != r.entryID || res.Entry.BalanceAfter != r.balanceAfter {
			mc.fail(rt, "repeated spend key %s answered entry %s balance after %d, first answer was %s, %d",
				key, res.Entry.ID, res.Entry.BalanceAfter, r.entryID, r.balanceAfter)
		}
		return
	}
	r.entryID = res.Entry.ID
	if res.Entry.Amount != -amount || res.Entry.BalanceAfter != r.balanceAfter {
		mc.fail(rt, "spend entry %+d, balance after %d; the model says %+d, %d", res.Entry.Amount, res.Entry.BalanceAfter, -amount, r.balanceAfter)
	}
}

var (
	packs = map[string]mPack{
		packNever: {credits: 3000, netMinor: 500},
		packCycle: {credits: 2000, cycle: true, netMinor: 300},
	}
	cards = []string{cardPays, cardDeclined, card3DS, cardHosted}
)

func (mc *machine) purchase(rt *rapid.T) {
	mc.n.orders++
	label := fmt.Sprintf("o%d", mc.n.orders)
	key, prev := mc.pickKey(rt, "purchase", "buy-", mc.n.orders)
	pack := rapid.SampledFrom([]string{packNever, packCycle}).Draw(rt, "pack")
	card := rapid.SampledFrom(cards).Draw(rt, "card")
	if prev != nil && rapid.Bool().Draw(rt, "sameInput") {
		pack, card, _ = strings.Cut(prev.input, "/")
	}
	mc.step(rt, "purchase", "purchase %s pack %s with card %q key %s", label, pack, card, key)
	o, replay, want := mc.m.purchase(key, label, pack, packs[pack], card)
	co, err := mc.sys.svc.PurchasePack(mc.sys.owner, domain.PurchaseInput{
		OrgID: mc.sys.orgID, PackID: mc.sys.packs[pack].ID, Quantity: 1, Installments: 1, PaymentMethodID: card, IdempotencyKey: key,
	})
	mc.wantCode(rt, "purchasePack", err, want)
	if o == nil {
		return
	}
	if !replay {
		mc.bindOrder(rt, o)
	}
	if err == nil && (co.Order.ID != o.id || string(co.Order.Status) != o.status) {
		mc.fail(rt, "purchasePack answered order %s %s, the model says %s (%s) %s", co.Order.ID, co.Order.Status, o.label, o.id, o.status)
	}
}

// bindOrder finds the order the purchase just made.
func (mc *machine) bindOrder(rt *rapid.T, o *mOrder) {
	known := map[string]bool{}
	for _, x := range mc.m.orders {
		known[x.id] = true
	}
	c, err := mc.sys.svc.Orders(mc.sys.owner, mc.sys.orgID, domain.OrderFilter{}, domain.Page{First: domain.MaxPageSize})
	if err != nil {
		rt.Fatalf("orders: %v", err)
	}
	for _, e := range c.Edges {
		if !known[e.Node.ID] {
			if o.id != "" {
				mc.fail(rt, "a purchase made two orders (%s and %s)", o.id, e.Node.ID)
			}
			o.id = e.Node.ID
		}
	}
	if o.id == "" {
		mc.fail(rt, "purchase %s made no order", o.label)
	}
}

// pickOrder chooses an order the filter allows, or skips the step.
func (mc *machine) pickOrder(rt *rapid.T, filter func(*mOrder) bool) *mOrder {
	var cands []*mOrder
	for _, o := range mc.m.orders {
		if filter(o) {
			cands = append(cands, o)
		}
	}
	if len(cands) == 0 {
		rt.Skip("no order to act on")
	}
	return rapid.SampledFrom(cands).Draw(rt, "order")
}

func (mc *machine) buyer(rt *rapid.T) {
	o := mc.pickOrder(rt, func(o *mOrder) bool { return o.payment == payPending || o.payment == payRequiresAction })
	action := rapid.SampledFrom([]string{"pay", "decline", "cancel"}).Draw(rt, "action")
	mc.step(rt, "buyer", "the buyer of %s presses %q on the gateway's page", o.label, action)
	cur, err := mc.sys.svc.Order(mc.sys.owner, o.id)
	if err != nil {
		rt.Fatalf("order: %v", err)
	}
	mc.m.buyer(o, action)
	switch action {
	case "pay":
		err = mc.sys.sb.Approve(cur.PaymentID)
	case "decline":
		err = mc.sys.sb.Decline(cur.PaymentID)
	default:
		err = mc.sys.sb.Cancel(cur.PaymentID)
	}
	mc.wantCode(rt, "the sandbox's "+action, err, ok)
}

func (mc *machine) cancelOrder(rt *rapid.T) {
	o := mc.pickOrder(rt, func(*mOrder) bool { return true })
	mc.step(rt, "cancelOrder", "cancelOrder %s (%s)", o.label, o.status)
	want := mc.m.cancelOrder(o)
	_, err := mc.sys.svc.CancelOrder(mc.sys.owner, o.id)
	mc.wantCode(rt, "cancelOrder", err, want)
}

func (mc *machine) deliver(rt *rapid.T) {
	if len(mc.m.hooks) == 0 {
		rt.Skip("no webhook waiting")
	}
	i := rapid.IntRange(0, len(mc.m.hooks)-1).Draw(rt, "webhook")
	again := rapid.IntRange(0, 3).Draw(rt, "keepForRedelivery") == 0
	h := mc.m.hooks[i]
	note := ""
	if h.delivered {
		note = " again"
	}
	mc.step(rt, "deliver", "deliver%s webhook %s of %s (refunded %d), %d of %d waiting", note, h.typ, h.order.label, h.refunded, i+1, len(mc.m.hooks))
	mc.m.deliver(h)
	var real hook
	if again {
		real = mc.sys.out.peek(i)
	} else {
		mc.m.hooks = append(mc.m.hooks[:i:i], mc.m.hooks[i+1:]...)
		real = mc.sys.out.take(i)
	}
	err := mc.sys.svc.HandleWebhook(context.Background(), "sandbox", real.signedNow())
	mc.wantCode(rt, "the webhook", err, ok)
}

func (mc *machine) reconcile(rt *rapid.T) {
	mc.step(rt, "reconcile", "reconcile")
	checked, changed := mc.m.reconcile()
	rep, err := mc.sys.svc.Reconcile(context.Background(), 0, 100)
	mc.wantCode(rt, "reconcile", err, ok)
	if rep.Checked != checked || len(rep.Changed) != changed || len(rep.Errors) != 0 {
		mc.fail(rt, "reconcile checked %d, changed %d, errors %v; the model says %d and %d", rep.Checked, len(rep.Changed), rep.Errors, checked, changed)
	}
}

func (mc *machine) refund(rt *rapid.T) {
	mc.n.refunds++
	key, prev := mc.pickKey(rt, "refund", "refund-", mc.n.refunds)
	var (
		o      *mOrder
		amount *int64
	)
	if prev != nil && rapid.Bool().Draw(rt, "sameInput") {
		label, a, _ := strings.Cut(prev.input, "/")
		for _, x := range mc.m.orders {
			if x.label == label {
				o = x
			}
		}
		if a != "all" {
			n, _ := strconv.ParseInt(a, 10, 64)
			amount = &n
		}
	} else {
		// Mostly paid orders; any order now and then (CONFLICT).
		paid := func(o *mOrder) bool { return o.status == stPaid || o.status == stPartialRefunded }
		if rapid.IntRange(0, 4).Draw(rt, "anyOrder") == 0 {
			paid = func(*mOrder) bool { return true }
		}
		o = mc.pickOrder(rt, paid)
		left := o.pack.total() - o.refunded
		switch rapid.IntRange(0, 5).Draw(rt, "refundSize") {
		case 0, 1:
		case 5:
			n := left + int64(rapid.IntRange(1, 100).Draw(rt, "over"))
			amount = &n
		default:
			n := int64(rapid.IntRange(1, int(max(left, 1))).Draw(rt, "partial"))
			amount = &n
		}
	}
	a := "all"
	if amount != nil {
		a = fmt.Sprint(*amount)
	}
	mc.step(rt, "refund", "refund %s of %s (%s, refunded %d of %d) key %s", a, o.label, o.status, o.refunded, o.pack.total(), key)
	want, replay, wantCode := mc.m.refund(key, o, amount)
	res, err := mc.sys.svc.RefundOrder(mc.sys.admin, domain.RefundInput{OrderID: o.id, Amount: amount, Reason: "model", IdempotencyKey: key})
	mc.wantCode(rt, "refundOrder", err, wantCode)
	if err != nil {
		return
	}
	if res.CreditsRemoved != want.removed || res.CreditsNotRecovered != want.notRecovered {
		mc.fail(rt, "refund took back %d, not recovered %d (replay %v); the model says %d, %d",
			res.CreditsRemoved, res.CreditsNotRecovered, replay, want.removed, want.notRecovered)
	}
}

var advances = []time.Duration{time.Hour, 24 * time.Hour, 3 * 24 * time.Hour, 9 * 24 * time.Hour, 16 * 24 * time.Hour, 32 * 24 * time.Hour}

func (mc *machine) advance(rt *rapid.T) {
	d := rapid.SampledFrom(advances).Draw(rt, "by")
	mc.step(rt, "advance", "the clock moves %v", d)
	mc.sys.clock.add(d)
	mc.m.now = mc.m.now.Add(d)
}

func (mc *machine) expire(rt *rapid.T) {
	mc.step(rt, "expire", "the expiry job runs")
	want := mc.m.writeOff()
	n, err := mc.sys.svc.ExpireDue(context.Background(), 100)
	mc.wantCode(rt, "expireDue", err, ok)
	if n != want {
		mc.fail(rt, "the expiry job wrote off %d grants, the model says %d", n, want)
	}
}

func (mc *machine) subscribe(rt *rapid.T) {
	mc.n.subs++
	label := fmt.Sprintf("s%d", mc.n.subs)
	key, prev := mc.pickKey(rt, "subscribe", "subscribe-", mc.n.subs)
	seats := rapid.IntRange(1, 3).Draw(rt, "seats")
	if prev != nil && rapid.Bool().Draw(rt, "sameInput") {
		seats, _ = strconv.Atoi(prev.input)
	}
	mc.step(rt, "subscribe", "subscribe %s to the plan for %d seats with the saved card key %s", label, seats, key)
	o, replay, want := mc.m.subscribe(key, label, seats, planPack(seats, planSeatNet, planSeatCredits))
	co, err := mc.sys.svc.Subscribe(mc.sys.owner, domain.SubscribeInput{
		OrgID: mc.sys.orgID, PlanID: mc.sys.plan.ID, Seats: seats, Installments: 1, PaymentMethodID: mc.sys.card, IdempotencyKey: key,
	})
	mc.wantCode(rt, "subscribe", err, want)
	if o == nil {
		return
	}
	if !replay {
		mc.bindOrder(rt, o)
	}
	if co.Order == nil || co.Order.ID != o.id || string(co.Order.Status) != o.status {
		mc.fail(rt, "subscribe answered order %+v, the model says %s (%s) %s", co.Order, o.label, o.id, o.status)
	}
}

func (mc *machine) renew(rt *rapid.T) {
	label := fmt.Sprintf("r%d", mc.n.renewals+1)
	mc.step(rt, "renew", "the renewal job runs")
	seats := 0
	if mc.m.sub != nil {
		seats = mc.m.sub.seats
	}
	want, o := mc.m.renew(label, planPack(seats, planSeatNet, planSeatCredits))
	n, err := mc.sys.svc.RenewDue(context.Background(), 10)
	mc.wantCode(rt, "renewDue", err, ok)
	if n != want {
		mc.fail(rt, "the renewal job changed %d subscriptions, the model says %d", n, want)
	}
	if o != nil {
		mc.n.renewals++
		mc.bindOrder(rt, o)
	}
}

func (mc *machine) cancelSubscription(rt *rapid.T) {
	mc.n.cancels++
	key, _ := mc.pickKey(rt, "cancelSubscription", "cancel-sub-", mc.n.cancels)
	mc.step(rt, "cancelSub", "cancelSubscription key %s", key)
	_, want := mc.m.cancelSubscription(key)
	_, err := mc.sys.svc.CancelSubscription(mc.sys.owner, domain.SubscriptionSetting{OrgID: mc.sys.orgID, IdempotencyKey: key})
	mc.wantCode(rt, "cancelSubscription", err, want)
}

func (mc *machine) providerRefund(rt *rapid.T) {
	o := mc.pickOrder(rt, func(o *mOrder) bool { return o.payment == paySucceeded && o.gwRefunded < o.pack.total() })
	left := o.pack.total() - o.gwRefunded
	n := left
	if rapid.Bool().Draw(rt, "partial") {
		n = int64(rapid.IntRange(1, int(left)).Draw(rt, "amount"))
	}
	mc.step(rt, "refundAtProvider", "an operator refunds %d of %s at the provider (Tally has it %s, refunded %d)", n, o.label, o.status, o.refunded)
	cur, err := mc.sys.svc.Order(mc.sys.owner, o.id)
	if err != nil {
		rt.Fatalf("order: %v", err)
	}
	mc.m.providerRefund(o, n)
	_, err = mc.sys.sb.RefundPayment(context.Background(), domain.RefundRequest{
		PaymentID: cur.PaymentID, Amount: domain.Money{AmountMinor: n, Currency: domain.EUR}, IdempotencyKey: fmt.Sprintf("dashboard-%d", len(mc.steps)),
	})
	mc.wantCode(rt, "the provider's refund", err, ok)
}
