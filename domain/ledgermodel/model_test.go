package ledgermodel_test

import (
	"fmt"
	"sort"
	"time"
)

// This file is the model: the billing rules README gives in its sections
// "Credits and errors" and "Buying credits", written as plainly as
// possible and without any code of package domain. The checks compare
// what Tally does with what the model says it must do.

// Error codes as the API spells them ("" is success).
const (
	ok           = ""
	conflict     = "CONFLICT"
	insufficient = "INSUFFICIENT_CREDITS"
	invalidInput = "INVALID_INPUT"
	paymentFail  = "PAYMENT_FAILED"
)

// Order states as the API spells them.
const (
	stPending         = "PENDING"
	stRequiresAction  = "REQUIRES_ACTION"
	stPaid            = "PAID"
	stFailed          = "FAILED"
	stCanceled        = "CANCELED"
	stPartialRefunded = "PARTIALLY_REFUNDED"
	stRefunded        = "REFUNDED"
)

// Payment states at the gateway.
const (
	payPending        = "PENDING"
	payRequiresAction = "REQUIRES_ACTION"
	paySucceeded      = "SUCCEEDED"
	payFailed         = "FAILED"
	payCanceled       = "CANCELED"
)

// Webhook event types the sandbox sends.
const (
	evSucceeded = "payment.succeeded"
	evFailed    = "payment.failed"
	evCanceled  = "payment.canceled"
	evRefunded  = "payment.refunded"
)

// mGrant is a lot of credits.
type mGrant struct {
	label     string
	kind      string
	amount    int64
	remaining int64
	expires   *time.Time
	seq       int    // creation order: ties in the spending order go to the oldest
	id        string // the real grant, bound when it was made
}

func (g *mGrant) expiredAt(now time.Time) bool { return g.expires != nil && !now.Before(*g.expires) }

// free reports whether the grant counts in the Free chip.
func (g *mGrant) free() bool { return g.kind == "FREE" || g.kind == "PROMO" }

// rank is the grant's place in the spending order: free credit, then the
// subscription's, then everything else.
func (g *mGrant) rank() int {
	switch g.kind {
	case "FREE", "PROMO":
		return 0
	case "SUBSCRIPTION":
		return 1
	}
	return 2
}

// mPack is a catalog pack: credits, validity, price before VAT.
type mPack struct {
	credits  int64
	cycle    bool // expires a month after payment (the org has no subscription)
	netMinor int64
}

// germanVATBP is the tax of the checks' org (country DE), basis points.
const germanVATBP = 1900

// total is what the buyer pays, VAT included (exact for the catalog's prices).
func (p mPack) total() int64 { return p.netMinor + p.netMinor*germanVATBP/10000 }

// mOrder is a purchase, as Tally should see it and as the gateway has it.
type mOrder struct {
	label      string
	pack       mPack
	status     string
	payment    string // at the gateway
	gwRefunded int64  // at the gateway
	refunded   int64  // as Tally recorded it
	grant      *mGrant
	updated    time.Time
	seq        int
	id         string // the real order, bound when it was made
	paymentID  string // the real payment, as Tally recorded it
}

func (o *mOrder) unpaid() bool {
	return o.status == stPending || o.status == stRequiresAction
}

// mHook is a webhook the gateway sent and the test has not delivered yet
// (or delivered and keeps for a second delivery).
type mHook struct {
	order     *mOrder
	typ       string
	refunded  int64
	delivered bool
}

// keyRec is what an idempotency key recorded: the operation, its input,
// and its first result.
type keyRec struct {
	op     string
	input  string
	result any
}

// spendResult is a spend's first result, replayed for a repeated key.
type spendResult struct {
	entryID      string
	balanceAfter int64
}

// refundResult is a refund's first result.
type refundResult struct{ removed, notRecovered int64 }

// mSub is the org's plan subscription, monthly, paid with its saved card.
type mSub struct {
	anchor      time.Time
	period      int // 0 first
	seats       int
	cancelAtEnd bool
	ended       bool
}

// periodEnd is the end of the current period, which is also the next
// reset of its included credits: whole months from the anchor, the day
// clamped to the month's end.
func (s *mSub) periodEnd() time.Time { return addMonths(s.anchor, s.period+1) }

// addMonths is t plus n months, on t's day or the month's last day when it
// has fewer.
func addMonths(t time.Time, n int) time.Time {
	y, mo, d := t.Date()
	last := time.Date(y, mo+time.Month(n)+1, 0, 0, 0, 0, 0, t.Location()).Day()
	return time.Date(y, mo+time.Month(n), min(d, last), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// model is one org's credits, orders, subscription and keys.
type model struct {
	now    time.Time
	grants []*mGrant
	orders []*mOrder
	hooks  []*mHook
	keys   map[string]*keyRec
	sub    *mSub // nil before the first subscribe
}

// live reports whether the org has a subscription that has not ended.
func (m *model) live() bool { return m.sub != nil && !m.sub.ended }

func newModel(now time.Time) *model { return &model{now: now, keys: map[string]*keyRec{}} }

// stored is the balance as the ledger has it: expired credit counts until
// it is written off.
func (m *model) stored() int64 {
	var n int64
	for _, g := range m.grants {
		n += g.remaining
	}
	return n
}

// open lists the grants that may be spent now, in the spending order:
// free credit first (soonest expiry first), then subscription credit, then
// the rest (soonest expiry first, never-expiring last); ties go to the
// oldest grant.
func (m *model) open() []*mGrant {
	var out []*mGrant
	for _, g := range m.grants {
		if g.remaining > 0 && !g.expiredAt(m.now) {
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.rank() != b.rank() {
			return a.rank() < b.rank()
		}
		if (a.expires == nil) != (b.expires == nil) {
			return a.expires != nil
		}
		if a.expires != nil && !a.expires.Equal(*b.expires) {
			return a.expires.Before(*b.expires)
		}
		return a.seq < b.seq
	})
	return out
}

// balance is what a reader sees now: total, Free chip, Paid chip.
func (m *model) balance() (total, free, paid int64) {
	for _, g := range m.open() {
		total += g.remaining
		if g.free() {
			free += g.remaining
		} else {
			paid += g.remaining
		}
	}
	return total, free, total - free
}

// writeOff writes off what is left of expired grants; every balance
// change does it first, and so does the expiry job. It returns how many.
func (m *model) writeOff() int {
	n := 0
	for _, g := range m.grants {
		if g.remaining > 0 && g.expiredAt(m.now) {
			g.remaining = 0
			n++
		}
	}
	return n
}

func (m *model) addGrant(label, kind string, amount int64, expires *time.Time) *mGrant {
	g := &mGrant{label: label, kind: kind, amount: amount, remaining: amount, expires: expires, seq: len(m.grants)}
	m.grants = append(m.grants, g)
	return g
}

// key looks up an idempotency key for op with input: the record when it
// repeats the first request, CONFLICT when the key was used otherwise,
// nil and ok when it is new.
func (m *model) key(k, op, input string) (*keyRec, string) {
	rec, found := m.keys[k]
	switch {
	case !found:
		return nil, ok
	case rec.op != op || rec.input != input:
		return nil, conflict
	}
	return rec, ok
}

// spend draws amount in the spending order; the key is recorded with the
// result only when the spend succeeds. A spend larger than the balance
// changes nothing (beyond writing off expired credit).
func (m *model) spend(k string, amount int64) (rec *keyRec, replay bool, code string) {
	m.writeOff()
	input := fmt.Sprint(amount)
	if rec, code := m.key(k, "spend", input); rec != nil || code != ok {
		return rec, rec != nil, code
	}
	if total, _, _ := m.balance(); amount > total {
		return nil, false, insufficient
	}
	left := amount
	for _, g := range m.open() {
		take := min(g.remaining, left)
		g.remaining -= take
		left -= take
		if left == 0 {
			break
		}
	}
	rec = &keyRec{op: "spend", input: input, result: &spendResult{balanceAfter: m.stored()}}
	m.keys[k] = rec
	return rec, false, ok
}

// grantInput is the fingerprint of a grant request.
func grantInput(kind string, amount int64, expires *time.Time) string {
	e := "never"
	if expires != nil {
		e = expires.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(kind, "/", amount, "/", e)
}

// grant adds credits (a platform admin's grantCredits). An expiry that is
// not in the future is refused before anything else.
func (m *model) grant(k, label, kind string, amount int64, expires *time.Time) (g *mGrant, rec *keyRec, replay bool, code string) {
	if expires != nil && !expires.After(m.now) {
		return nil, nil, false, invalidInput
	}
	m.writeOff()
	input := grantInput(kind, amount, expires)
	if rec, code := m.key(k, "grant", input); rec != nil || code != ok {
		return nil, rec, rec != nil, code
	}
	g = m.addGrant(label, kind, amount, expires)
	rec = &keyRec{op: "grant", input: input, result: g}
	m.keys[k] = rec
	return g, rec, false, ok
}

// emit queues a webhook about o as the gateway has it now.
func (m *model) emit(o *mOrder, typ string) {
	m.hooks = append(m.hooks, &mHook{order: o, typ: typ, refunded: o.gwRefunded})
}

// Cards the buyer pays with.
const (
	cardPays     = "4242424242424242" // collected at once
	cardDeclined = "4000000000000002" // declined at once
	card3DS      = "4000002500003155" // waits for 3-D Secure
	cardHosted   = ""                 // waits for the buyer on the hosted page
)

// purchase buys a pack. The key is recorded with the order whatever the
// payment did; a repeated key answers with the order as it is now (a
// FAILED order: its decline again) and starts nothing.
func (m *model) purchase(k, label, packCode string, pack mPack, card string) (o *mOrder, replay bool, code string) {
	input := packCode + "/" + card
	if rec, code := m.key(k, "purchase", input); rec != nil || code != ok {
		if rec == nil {
			return nil, false, code
		}
		o := rec.result.(*mOrder)
		if o.status == stFailed {
			return o, true, paymentFail
		}
		return o, true, ok
	}
	o = &mOrder{label: label, pack: pack, updated: m.now, seq: len(m.orders)}
	m.orders = append(m.orders, o)
	m.keys[k] = &keyRec{op: "purchase", input: input, result: o}
	switch card {
	case cardPays:
		o.status, o.payment = stPending, paySucceeded
		m.paid(o)
		m.emit(o, evSucceeded)
	case cardDeclined:
		o.status, o.payment = stFailed, payFailed
		m.emit(o, evFailed)
		return o, false, paymentFail
	case card3DS:
		o.status, o.payment = stRequiresAction, payRequiresAction
	default:
		o.status, o.payment = stPending, payPending
	}
	return o, false, ok
}

// paid applies a payment the gateway collected: an unpaid order, and one
// that failed or was canceled in Tally meanwhile (money is never dropped),
// becomes PAID and grants its credits, exactly once.
func (m *model) paid(o *mOrder) {
	if !o.unpaid() && o.status != stFailed && o.status != stCanceled {
		return
	}
	m.writeOff()
	var exp *time.Time
	if o.pack.cycle {
		// The end of the billing cycle: the subscription's next reset, or
		// a month after payment without one.
		e := m.now.AddDate(0, 1, 0)
		if m.live() && m.sub.periodEnd().After(m.now) {
			e = m.sub.periodEnd()
		}
		exp = &e
	}
	o.grant = m.addGrant(o.label, "PURCHASED", o.pack.credits, exp)
	o.status, o.updated = stPaid, m.now
}

// fail and cancel apply a failure or cancellation to an unpaid order.
func (m *model) fail(o *mOrder) {
	if o.unpaid() {
		o.status, o.updated = stFailed, m.now
	}
}

func (m *model) cancel(o *mOrder) {
	if o.unpaid() {
		o.status, o.updated = stCanceled, m.now
	}
}

// refundCredits records that refunded (cumulative) of the order's total
// went back: the refunded share of its credits (all that is left on a
// full refund) is taken back from its grant when still unspent; the rest
// of the share could not be recovered.
func (m *model) refundCredits(o *mOrder, refunded int64) refundResult {
	total, credits := o.pack.total(), o.pack.credits
	full := refunded >= total
	share := credits*min(refunded, total)/total - credits*min(o.refunded, total)/total
	take := share
	if full {
		take = credits
	}
	m.writeOff()
	var removed int64
	if g := o.grant; g.remaining > 0 && !g.expiredAt(m.now) {
		removed = min(g.remaining, take)
		g.remaining -= removed
	}
	o.refunded = refunded
	o.status, o.updated = stPartialRefunded, m.now
	if full {
		o.status = stRefunded
	}
	return refundResult{removed: removed, notRecovered: max(share-removed, 0)}
}

// deliver applies a webhook; a second delivery of the same event does
// nothing.
func (m *model) deliver(h *mHook) {
	if h.delivered {
		return
	}
	h.delivered = true
	o := h.order
	switch h.typ {
	case evSucceeded:
		m.paid(o)
	case evFailed:
		m.fail(o)
	case evCanceled:
		m.cancel(o)
	case evRefunded: // a refund implies the payment succeeded
		m.paid(o)
		if h.refunded > o.refunded && (o.status == stPaid || o.status == stPartialRefunded) {
			m.refundCredits(o, min(h.refunded, o.pack.total()))
		}
	}
}

// buyer acts on the gateway's page for an open payment: pays, declines or
// cancels it; Tally learns of it by webhook or reconciliation.
func (m *model) buyer(o *mOrder, action string) {
	switch action {
	case "pay":
		o.payment = paySucceeded
		m.emit(o, evSucceeded)
	case "decline":
		o.payment = payFailed
		m.emit(o, evFailed)
	case "cancel":
		o.payment = payCanceled
		m.emit(o, evCanceled)
	}
}

// cancelOrder is the buyer canceling in Tally: unpaid orders only; the
// gateway's payment stays as it is.
func (m *model) cancelOrder(o *mOrder) string {
	switch {
	case o.unpaid():
		m.cancel(o)
	case o.status == stCanceled:
	default:
		return conflict
	}
	return ok
}

// reconcile re-checks every unpaid order last changed before now, the
// oldest first, and settles it as the gateway has it; it returns how many
// it checked and how many changed status.
func (m *model) reconcile() (checked, changed int) {
	var due []*mOrder
	for _, o := range m.orders {
		if o.unpaid() && o.updated.Before(m.now) {
			due = append(due, o)
		}
	}
	sort.SliceStable(due, func(i, j int) bool {
		if !due[i].updated.Equal(due[j].updated) {
			return due[i].updated.Before(due[j].updated)
		}
		return due[i].seq < due[j].seq
	})
	for _, o := range due {
		before := o.status
		switch o.payment {
		case paySucceeded:
			m.paid(o)
			if o.gwRefunded > o.refunded {
				m.refundCredits(o, min(o.gwRefunded, o.pack.total()))
			}
		case payFailed:
			m.fail(o)
		case payCanceled:
			m.cancel(o)
		}
		o.updated = m.now
		checked++
		if o.status != before {
			changed++
		}
	}
	return checked, changed
}

// refund gives money back on a paid order (platform admins): amount nil
// is all that is left. The gateway refunds first, then Tally takes back
// the credits; the key is recorded only for a refund made.
func (m *model) refund(k string, o *mOrder, amount *int64) (res refundResult, replay bool, code string) {
	a := "all"
	if amount != nil {
		a = fmt.Sprint(*amount)
	}
	input := o.label + "/" + a
	if rec, code := m.key(k, "refund", input); rec != nil || code != ok {
		if rec == nil {
			return res, false, code
		}
		return rec.result.(refundResult), true, ok
	}
	if o.status != stPaid && o.status != stPartialRefunded {
		return res, false, conflict
	}
	left := o.pack.total() - o.refunded
	n := left
	if amount != nil {
		n = *amount
	}
	if n < 1 || n > left {
		return res, false, invalidInput
	}
	if n > o.pack.total()-o.gwRefunded { // refunded at the provider meanwhile
		return res, false, invalidInput
	}
	o.gwRefunded += n
	m.emit(o, evRefunded)
	res = m.refundCredits(o, o.refunded+n)
	m.keys[k] = &keyRec{op: "refund", input: input, result: res}
	return res, false, ok
}

// planPack is what a subscription order for seats sells: the included
// credits of a month and the seats' price.
func planPack(seats int, seatNet, seatCredits int64) mPack {
	return mPack{credits: seatCredits * int64(seats), netMinor: seatNet * int64(seats)}
}

// subscribe puts the org on the plan, paid at once with the saved card:
// the month's included credits are granted as SUBSCRIPTION credit that
// expires at the next monthly reset. An org whose subscription has not
// ended is CONFLICT.
func (m *model) subscribe(k, label string, seats int, pack mPack) (o *mOrder, replay bool, code string) {
	input := fmt.Sprint(seats)
	if rec, code := m.key(k, "subscribe", input); rec != nil || code != ok {
		if rec == nil {
			return nil, false, code
		}
		return rec.result.(*mOrder), true, ok
	}
	if m.live() {
		return nil, false, conflict
	}
	m.sub = &mSub{anchor: m.now, seats: seats}
	o = m.subscriptionOrder(label, pack)
	m.keys[k] = &keyRec{op: "subscribe", input: input, result: o}
	return o, false, ok
}

// subscriptionOrder is a subscription order paid at once with the saved
// card, its credits granted until the period's end.
func (m *model) subscriptionOrder(label string, pack mPack) *mOrder {
	o := &mOrder{label: label, pack: pack, updated: m.now, seq: len(m.orders), payment: paySucceeded, status: stPaid}
	m.orders = append(m.orders, o)
	m.writeOff()
	end := m.sub.periodEnd()
	o.grant = m.addGrant(label, "SUBSCRIPTION", pack.credits, &end)
	m.emit(o, evSucceeded)
	return o
}

// renew is the renewal job: a subscription whose period ended ends when it
// was canceled, else the next period is charged to the saved card, with
// its included credits; one period per run. It returns how many
// subscriptions changed and the renewal order.
func (m *model) renew(label string, pack mPack) (int, *mOrder) {
	if !m.live() || m.now.Before(m.sub.periodEnd()) {
		return 0, nil
	}
	if m.sub.cancelAtEnd {
		m.sub.ended = true
		return 1, nil
	}
	m.sub.period++
	return 1, m.subscriptionOrder(label, pack)
}

// cancelSubscription cancels at the period's end; without a subscription
// it is INVALID_INPUT.
func (m *model) cancelSubscription(k string) (replay bool, code string) {
	if rec, code := m.key(k, "cancelSubscription", ""); rec != nil || code != ok {
		return rec != nil, code
	}
	if !m.live() {
		return false, invalidInput
	}
	m.sub.cancelAtEnd = true
	m.keys[k] = &keyRec{op: "cancelSubscription"}
	return false, ok
}

// providerRefund is money given back at the provider (an operator in its
// dashboard), not through Tally: Tally learns of it from the webhook or,
// for an order it still has unpaid, from reconciliation.
func (m *model) providerRefund(o *mOrder, n int64) {
	o.gwRefunded += n
	m.emit(o, evRefunded)
}
