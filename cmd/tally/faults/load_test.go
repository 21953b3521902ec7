package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/gateways/sandbox"
)

// startCredits is each org's balance before the load: enough for most
// spends, not for all of them, so some are refused for want of credits
// until a purchase tops the org up.
const startCredits = 20_000

// org is one org of the load: its global ID and API key.
type org struct {
	id, key string
}

// world is what the load runs against: orgs with API keys, their owner
// and the pack they buy.
type world struct {
	orgs  []org
	owner string // Authorization of the orgs' OWNER
	pack  string // global ID of the pack bought
}

// setup creates n orgs on base, each with startCredits (an admin grant)
// and an API key.
func setup(t *testing.T, base string, n int) world {
	t.Helper()
	w := world{owner: "Bearer " + token(t, "owner@faults.example", false)}
	admin := "Bearer " + token(t, "root@faults.example", true)
	for i := range n {
		var created struct{ Org struct{ ID string } }
		must(t, base, w.owner, `mutation($in: CreateOrgInput!) { createOrg(input: $in) { org { id } } }`,
			map[string]any{"in": map[string]any{"name": fmt.Sprintf("Org %d", i), "country": "DE", "currency": "EUR"}}, "createOrg", &created)
		must(t, base, admin, `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { balance { total } } }`,
			map[string]any{"in": map[string]any{"orgId": created.Org.ID, "amount": startCredits, "kind": "PURCHASED", "idempotencyKey": "seed"}}, "grantCredits", nil)
		var key struct{ Secret string }
		must(t, base, w.owner, `mutation($org: ID!) { createApiKey(orgId: $org, name: "load") { secret } }`,
			map[string]any{"org": created.Org.ID}, "createApiKey", &key)
		w.orgs = append(w.orgs, org{id: created.Org.ID, key: key.Secret})
	}
	var packs []struct{ ID, Code string }
	must(t, base, w.owner, `{ packs(currency: EUR) { id code } }`, nil, "packs", &packs)
	for _, p := range packs {
		if p.Code == "starter-eur" {
			w.pack = p.ID
		}
	}
	if w.pack == "" {
		t.Fatal("no starter-eur pack in the catalog")
	}
	return w
}

// spendAck is a spend a client was told succeeded.
type spendAck struct {
	org, key string
	entry    string // global ID of its ledger entry
	amount   int64
	at       time.Time // the entry's createdAt
	lastFail time.Time // when its last failed attempt failed; zero if none did
	attempts int
}

// orderAck is a purchase a client was told about, and what the provider
// then reported.
type orderAck struct {
	org, key, id string // id: the order's global ID
	status       string // in the answer
	total        int64  // minor units
	credits      int64
	want         string // the status it must end in
}

// acks are the definite answers of a load.
type acks struct {
	mu     sync.Mutex
	spends []spendAck
	orders []orderAck
}

// load is 64 clients (scale.clients) spending and buying on w until
// stopped, and a payment provider sending the webhooks of the purchases
// that wait for one.
type load struct {
	w      world
	to     *targets
	seed   uint64
	count  tally
	acks   acks
	stop   chan struct{} // closed: clients start no new operation
	wg     sync.WaitGroup
	hooks  chan orderAck // purchases waiting for the provider's webhook
	hookWG sync.WaitGroup
	sent   tally // the provider's webhook deliveries
}

// startLoad starts the clients and the provider; stopLoad ends them.
func startLoad(w world, to *targets, clients int, seed uint64) *load {
	l := &load{w: w, to: to, seed: seed, stop: make(chan struct{}), hooks: make(chan orderAck, 100_000)}
	for i := range clients {
		l.wg.Go(func() { l.client(i) })
	}
	for i := range 4 {
		l.hookWG.Go(func() { l.provider(i) })
	}
	return l
}

// stopLoad stops starting operations, waits until every started one has
// its definite answer (each is bounded by opDeadline), then until the
// provider has delivered every webhook.
func (l *load) stopLoad() {
	close(l.stop)
	l.wg.Wait()
	close(l.hooks)
	l.hookWG.Wait()
}

// stopped reports whether stopLoad was called.
func (l *load) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

// client runs operations until stopped: mostly spends with the org's API
// key, some purchases as the OWNER, half paid at once by card and half
// left for the provider's webhook.
func (l *load) client(i int) {
	rng := rand.New(rand.NewPCG(l.seed, uint64(i)))
	for n := 0; !l.stopped(); n++ {
		o := l.w.orgs[rng.IntN(len(l.w.orgs))]
		key := fmt.Sprintf("c%d-%d", i, n)
		if rng.IntN(20) == 0 {
			l.purchase(rng, o, key, rng.IntN(2) == 0)
			continue
		}
		l.spend(rng, o, key, 1+rng.Int64N(500))
	}
}

const consumeMutation = `mutation($in: ConsumeCreditsInput!) {
  consumeCredits(input: $in) { entry { id amount createdAt } balance { total } } }`

// spend spends amount with key until it gets a definite answer.
func (l *load) spend(rng *rand.Rand, o org, key string, amount int64) {
	body := gqlBody(consumeMutation, map[string]any{"in": map[string]any{
		"orgId": o.id, "amount": amount, "idempotencyKey": key, "reason": "faults"}})
	before := l.count.attempts.Load()
	r, ok, lastFail := l.count.call(context.Background(), rng, l.to, "/graphql", fixed(map[string]string{"X-Api-Key": o.key}), body, gqlDecided)
	if !ok {
		l.count.oddity("spend %s: no definite answer within %s", key, opDeadline)
		return
	}
	switch r.code() {
	case "":
		var out struct {
			Entry struct {
				ID        string
				Amount    int64
				CreatedAt time.Time
			}
		}
		if err := json.Unmarshal(r.data["consumeCredits"], &out); err != nil || out.Entry.ID == "" {
			l.count.oddity("spend %s: undecodable answer %s", key, r.raw)
			return
		}
		l.count.acked.Add(1)
		l.acks.mu.Lock()
		l.acks.spends = append(l.acks.spends, spendAck{org: o.id, key: key, entry: out.Entry.ID, amount: amount,
			at: out.Entry.CreatedAt, lastFail: lastFail, attempts: int(l.count.attempts.Load() - before)})
		l.acks.mu.Unlock()
	case "INSUFFICIENT_CREDITS":
		l.count.refused.Add(1)
	default:
		l.count.oddity("spend %s: %d %s", key, r.status, r.raw)
	}
}

const purchaseMutation = `mutation($in: PurchasePackInput!) {
  purchasePack(input: $in) { order { id status credits total { amountMinor } } } }`

// purchase buys the pack for o with key: by the card that pays at once,
// or without a card, leaving the order PENDING until the provider's
// webhook says how the buyer paid.
func (l *load) purchase(rng *rand.Rand, o org, key string, card bool) {
	in := map[string]any{"orgId": o.id, "packId": l.w.pack, "idempotencyKey": key}
	if card {
		in["paymentMethodId"] = "4242424242424242"
	}
	r, ok, _ := l.count.call(context.Background(), rng, l.to, "/graphql", fixed(map[string]string{"Authorization": l.w.owner}),
		gqlBody(purchaseMutation, map[string]any{"in": in}), gqlDecided)
	if !ok {
		l.count.oddity("purchase %s: no definite answer within %s", key, opDeadline)
		return
	}
	if r.code() != "" {
		l.count.oddity("purchase %s: %d %s", key, r.status, r.raw)
		return
	}
	var out struct {
		Order struct {
			ID, Status string
			Credits    int64
			Total      struct{ AmountMinor int64 }
		}
	}
	if err := json.Unmarshal(r.data["purchasePack"], &out); err != nil || out.Order.ID == "" {
		l.count.oddity("purchase %s: undecodable answer %s", key, r.raw)
		return
	}
	l.count.acked.Add(1)
	a := orderAck{org: o.id, key: key, id: out.Order.ID, status: out.Order.Status, total: out.Order.Total.AmountMinor, credits: out.Order.Credits}
	switch {
	case card && a.status == "PAID":
		a.want = "PAID"
	case !card && a.status == "PENDING":
		// The buyer pays on the provider's page, or is declined there
		// (one in four): the provider reports it by webhook.
		a.want = "PAID"
		if rng.IntN(4) == 0 {
			a.want = "FAILED"
		}
		l.hooks <- a
	default:
		l.count.oddity("purchase %s (card %v) answered %s", key, card, a.status)
	}
	l.acks.mu.Lock()
	l.acks.orders = append(l.acks.orders, a)
	l.acks.mu.Unlock()
}

// provider plays the payment provider: for each purchase waiting, it
// sends the signed webhook of its outcome, as a provider does, until it is
// acknowledged with 200, and for every other order a second time (at
// once, concurrently with the first), as providers do.
func (l *load) provider(i int) {
	rng := rand.New(rand.NewPCG(l.seed, 1_000_000+uint64(i)))
	for a := range l.hooks {
		body := webhookBody(a)
		if hash(a.key)%2 == 0 {
			var twice sync.WaitGroup
			twice.Go(func() { l.deliver(rand.New(rand.NewPCG(l.seed, hash(a.key))), a, body) })
			l.deliver(rng, a, body)
			twice.Wait()
			continue
		}
		l.deliver(rng, a, body)
	}
}

// deliver sends one webhook, signed anew at each attempt, until the
// server answers 200.
func (l *load) deliver(rng *rand.Rand, a orderAck, body []byte) {
	sign := func() map[string]string {
		return map[string]string{"Tally-Sandbox-Signature": sandbox.Sign([]byte(sandboxSecret), time.Now(), body)}
	}
	r, ok, _ := l.sent.call(context.Background(), rng, l.to, "/webhooks/sandbox", sign, body, hookDecided)
	switch {
	case !ok:
		l.sent.oddity("webhook for %s: no definite answer within %s", a.key, opDeadline)
	case r.status != http.StatusOK:
		l.sent.oddity("webhook for %s answered %d %s", a.key, r.status, r.raw)
	default:
		l.sent.acked.Add(1)
	}
}

// fixed returns headers that are the same at every attempt.
func fixed(h map[string]string) func() map[string]string {
	return func() map[string]string { return h }
}

// webhookBody is the provider's event for a's outcome; its id is the same
// on every delivery.
func webhookBody(a orderAck) []byte {
	id, err := localID(a.id)
	if err != nil {
		panic(err)
	}
	ev := sandbox.Event{ID: "evt_" + id, Type: "payment.succeeded", Created: time.Now().Unix(),
		Data: sandbox.EventData{OrderID: id, PaymentID: "pay_provider_" + id, AmountMinor: a.total, Currency: "EUR"}}
	if a.want == "FAILED" {
		ev.Type, ev.Data.FailureReason = "payment.failed", "generic_decline"
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return b
}

// hash spreads a key over uint64.
func hash(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

// replayed returns the acknowledged spends whose answer was lost: an
// attempt committed the spend (its entry is older than the last failed
// attempt) but failed on the client's side (the server died, or cut the
// connection), and the client's retry was answered from the idempotency
// record instead of spending again.
func (l *load) replayed() []spendAck {
	var out []spendAck
	for _, a := range l.acks.spends {
		if !a.lastFail.IsZero() && a.at.Before(a.lastFail) {
			out = append(out, a)
		}
	}
	return out
}

// report logs what the clients and the provider saw.
func (l *load) report(t *testing.T, faults, lost, duplicates int) {
	t.Helper()
	c := &l.count
	t.Logf("operations %d (spends and purchases), acknowledged %d, refused for want of credits %d, retried %d (%d attempts), "+
		"transport errors %d, UNAVAILABLE %d, INTERNAL %d, undecided %d; webhooks delivered %d (%d retried); "+
		"faults injected %d; spends whose answer was lost after they committed (retried, answered from the idempotency record) %d; lost %d; duplicates %d",
		c.ops.Load(), c.acked.Load(), c.refused.Load(), c.retried.Load(), c.attempts.Load(),
		c.transport.Load(), c.unavailable.Load(), c.internal.Load(), c.undecided.Load(),
		l.sent.acked.Load(), l.sent.retried.Load(), faults, len(l.replayed()), lost, duplicates)
	for _, o := range append(append([]string{}, c.odd...), l.sent.odd...) {
		t.Errorf("unexpected answer: %s", o)
	}
}
