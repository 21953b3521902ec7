package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/tallyhq/tally/domain"
	"golang.org/x/sync/errgroup"
)

// The subscriber scenario: N websocket subscribers (graphql-transport-ws,
// `balanceUpdated`, each with its org's API key) spread round-robin over M
// orgs while clients spend from the same orgs. It reports the push latency
// (a debit's answer to the push carrying the balance it left), the server's
// RSS growth per subscriber, and the debit rate with the subscribers next
// to the rate of the same load just before they connected. Every
// subscriber must end up seeing its org's final balance. With several
// servers, subscribers and clients alternate between them, so that most
// pushes cross instances.

// balanceSubscription is what every subscriber runs.
const balanceSubscription = `subscription Balance($orgId: ID!) { balanceUpdated(orgId: $orgId) { balance { total } } }`

const (
	// dialParallelism bounds the websockets opened at once.
	dialParallelism = 32
)

// SubscriberResult is what the subscriber scenario measured.
type SubscriberResult struct {
	Subscribers, Orgs, Clients int
	Connect                    time.Duration // opening and subscribing them all
	RSSBeforeKiB, RSSAfterKiB  int64         // server RSS before and after subscribing
	Without, With              LoadResult    // the spend load without and with them
	Pushes                     int           // pushes received during the load with them
	Latencies                  Latencies     // answer → push, over matched pushes
	Complete                   int           // subscribers that saw their org's final balance
	ProbeDebits                int           // debits spent to see the subscriptions live (none: each subscription's first message shows it)
	Errors                     int
	ErrorSamples               []string
	// Sent and Rendered are the servers' subscription events sent and
	// rendered (executed and marshalled) during the load with them, from
	// their /metrics; 0 when a server has no such counter.
	Sent, Rendered int
}

// RSSPerSubscriberKiB returns the server's RSS growth per subscriber.
func (r SubscriberResult) RSSPerSubscriberKiB() float64 {
	if r.Subscribers == 0 || r.RSSAfterKiB == 0 || r.RSSBeforeKiB == 0 {
		return 0
	}
	return float64(r.RSSAfterKiB-r.RSSBeforeKiB) / float64(r.Subscribers)
}

// push is one balanceUpdated event as a subscriber received it.
type push struct {
	total int64
	at    time.Time
}

// balanceKey names the balance after one debit: an org's total only
// falls, one credit at a time, so each debit leaves a distinct one. A push
// is matched to the debit whose answer carried its balance (an API key
// may not read ledger entries, so the push's entry is null for it).
type balanceKey struct {
	orgID string
	total int64
}

// subscriber is one websocket with one running subscription.
type subscriber struct {
	target int // index into the scenario's targets
	conn   *websocket.Conn
	mu     sync.Mutex
	pushes []push
	seen   atomic.Int64 // pushes received
	last   atomic.Int64 // the last push's balance total
	err    atomic.Pointer[string]
}

// websocketURL turns an http:// base URL into its ws:// GraphQL endpoint.
func websocketURL(base string) string {
	return "ws" + strings.TrimPrefix(base, "http") + "/graphql"
}

// wsMessage is one graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsSend writes one graphql-transport-ws message.
func wsSend(ctx context.Context, c *websocket.Conn, m wsMessage) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return c.Write(ctx, websocket.MessageText, b)
}

// subscribe opens a websocket to endpoint with key, waits for the
// connection_ack and starts the balance subscription of orgID.
func subscribe(ctx context.Context, endpoint, key, orgID string) (*websocket.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, endpoint, &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
		HTTPHeader:   map[string][]string{"Authorization": {"Bearer " + key}},
	})
	if err != nil {
		return nil, err
	}
	init, _ := json.Marshal(map[string]string{"authorization": "Bearer " + key})
	if err := wsSend(ctx, c, wsMessage{Type: "connection_init", Payload: init}); err != nil {
		_ = c.CloseNow()
		return nil, err
	}
	for {
		_, b, err := c.Read(ctx)
		if err != nil {
			_ = c.CloseNow()
			return nil, err
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			_ = c.CloseNow()
			return nil, err
		}
		if m.Type == "connection_ack" {
			break
		}
		if m.Type != "ping" && m.Type != "pong" {
			_ = c.CloseNow()
			return nil, fmt.Errorf("%s instead of connection_ack: %s", m.Type, m.Payload)
		}
	}
	payload, _ := json.Marshal(map[string]any{"query": balanceSubscription, "variables": map[string]string{"orgId": orgID}})
	if err := wsSend(ctx, c, wsMessage{ID: "1", Type: "subscribe", Payload: payload}); err != nil {
		_ = c.CloseNow()
		return nil, err
	}
	return c, nil
}

// pushPayload is the part of a balanceUpdated event the scenario reads.
type pushPayload struct {
	Data *struct {
		BalanceUpdated struct {
			Balance struct {
				Total int64 `json:"total"`
			} `json:"balance"`
		} `json:"balanceUpdated"`
	} `json:"data"`
	Errors graphQLErrors `json:"errors"`
}

// read receives pushes until the socket ends, answering pings.
func (s *subscriber) read(ctx context.Context) {
	fail := func(msg string) { s.err.CompareAndSwap(nil, &msg) }
	for {
		_, b, err := s.conn.Read(ctx)
		if err != nil {
			if ctx.Err() == nil {
				fail(err.Error())
			}
			return
		}
		at := time.Now()
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			fail("bad message: " + clip(b))
			return
		}
		switch m.Type {
		case "next":
			var p pushPayload
			if err := json.Unmarshal(m.Payload, &p); err != nil || p.Data == nil || len(p.Errors) > 0 {
				fail("bad push: " + clip(m.Payload))
				continue
			}
			e := push{total: p.Data.BalanceUpdated.Balance.Total, at: at}
			s.mu.Lock()
			s.pushes = append(s.pushes, e)
			s.mu.Unlock()
			s.last.Store(e.total)
			s.seen.Add(1)
		case "ping":
			_ = wsSend(ctx, s.conn, wsMessage{Type: "pong"})
		case "pong":
		default:
			fail(fmt.Sprintf("%s: %s", m.Type, clip(m.Payload)))
			return
		}
	}
}

// subscriberRun is one subscriber scenario on one server or several.
type subscriberRun struct {
	servers     []*server // subscriber i and client c use servers[i%len]
	databaseURL string    // for the orgs' final balances
	targets     []Target
	subscribers int
	clients     int
	warmup      time.Duration
	duration    time.Duration
	settle      time.Duration // longest wait for pushes to arrive
	runID       string
	meter       *meter // measures the CPU of both loads' windows (nil: not)
}

// endpoints returns the servers' GraphQL endpoints.
func (r *subscriberRun) endpoints() []string {
	out := make([]string, len(r.servers))
	for i, s := range r.servers {
		out[i] = s.URL + "/graphql"
	}
	return out
}

// rss returns the servers' RSS summed, in KiB; 0 when one is unknown.
func (r *subscriberRun) rss() int64 {
	var sum int64
	for _, s := range r.servers {
		kib, err := ReadRSS(s.PID)
		if err != nil {
			return 0
		}
		sum += kib
	}
	return sum
}

// counter returns the servers' unlabelled counter name summed, from
// their /metrics; 0 when one cannot be read (or has no such counter).
func (r *subscriberRun) counter(ctx context.Context, name string) int {
	var sum float64
	for _, s := range r.servers {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/metrics", nil)
		if err != nil {
			return 0
		}
		req.Header.Set("Authorization", "Bearer "+metricsToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return 0
		}
		found := false
		for line := range strings.Lines(string(body)) {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					return 0
				}
				sum += f
				found = true
			}
		}
		if !found {
			return 0
		}
	}
	return int(sum)
}

// run measures the load without subscribers, connects them, proves them
// live, measures the load with them, and waits for the final balances.
func (r *subscriberRun) run(ctx context.Context) (SubscriberResult, error) {
	res := SubscriberResult{Subscribers: r.subscribers, Orgs: len(r.targets), Clients: r.clients}
	newLoad := func(tag string) *load {
		return &load{endpoints: r.endpoints(), targets: r.targets, clients: r.clients,
			warmup: r.warmup, duration: r.duration, runID: r.runID + "-" + tag, meter: r.meter}
	}
	res.Without = newLoad("subs-without").run(ctx)
	res.RSSBeforeKiB = r.rss()

	readCtx, stopReading := context.WithCancel(context.WithoutCancel(ctx))
	subs := make([]*subscriber, r.subscribers)
	var readers sync.WaitGroup
	defer func() {
		stopReading()
		for _, s := range subs {
			if s != nil {
				_ = s.conn.CloseNow()
			}
		}
		readers.Wait()
	}()
	began := time.Now()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(dialParallelism)
	for i := range subs {
		g.Go(func() error {
			ti := i % len(r.targets)
			t := r.targets[ti]
			c, err := subscribe(gctx, websocketURL(r.servers[i%len(r.servers)].URL), t.APIKey, t.OrgID)
			if err != nil {
				return domain.Internal(fmt.Errorf("subscriber %d of %d: %w", i+1, len(subs), err))
			}
			c.SetReadLimit(1 << 20)
			s := &subscriber{target: ti, conn: c}
			subs[i] = s
			readers.Add(1)
			go func() { defer readers.Done(); s.read(readCtx) }()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	if err := r.awaitLive(ctx, subs); err != nil {
		return res, err
	}
	res.Connect = time.Since(began)
	res.RSSAfterKiB = r.rss()

	// The measured load: every acknowledged debit's answer time, by the
	// balance it left.
	var (
		amu      sync.Mutex
		answered = make(map[balanceKey]time.Time, 1<<16)
	)
	l := newLoad("subs-with")
	l.onDebit = func(orgID string, total int64, at time.Time) {
		amu.Lock()
		answered[balanceKey{orgID, total}] = at
		amu.Unlock()
	}
	seenBefore := make([]int64, len(subs))
	for i, s := range subs {
		seenBefore[i] = s.seen.Load()
	}
	sent0, rendered0 := r.counter(ctx, "tally_graphql_subscription_pushes_total"), r.counter(ctx, "tally_graphql_subscription_renders_total")
	res.With = l.run(ctx)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := r.awaitFinal(ctx, subs, &res); err != nil {
		return res, err
	}
	res.Sent = r.counter(ctx, "tally_graphql_subscription_pushes_total") - sent0
	res.Rendered = r.counter(ctx, "tally_graphql_subscription_renders_total") - rendered0

	var lat []time.Duration
	for i, s := range subs {
		res.Pushes += int(s.seen.Load() - seenBefore[i])
		s.mu.Lock()
		org := r.targets[s.target].OrgID
		for _, p := range s.pushes {
			if t, ok := answered[balanceKey{org, p.total}]; ok {
				lat = append(lat, max(0, p.at.Sub(t)))
			}
		}
		s.mu.Unlock()
		if e := s.err.Load(); e != nil {
			res.Errors++
			if len(res.ErrorSamples) < maxErrorSamples {
				res.ErrorSamples = append(res.ErrorSamples, fmt.Sprintf("subscriber %d: %s", i+1, *e))
			}
		}
	}
	res.Latencies = Summarize(lat)
	return res, nil
}

// awaitLive waits until every subscriber has received its first message,
// the balance its subscription starts from: from then on the server
// pushes it every change. The snapshots carry balances from before the
// measured load, which only lowers them, so none is matched to a debit of
// it. The scenario spends nothing to prove the subscriptions live
// (ProbeDebits stays 0).
func (r *subscriberRun) awaitLive(ctx context.Context, subs []*subscriber) error {
	limit := r.settle + time.Minute
	deadline := time.Now().Add(limit)
	for {
		waiting := 0
		for _, s := range subs {
			if s.seen.Load() == 0 {
				waiting++
			}
		}
		if waiting == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return domain.Internal(fmt.Errorf("%d subscribers got no first message within %s", waiting, limit))
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// awaitFinal waits until every subscriber's last push shows its org's
// balance as the store has it now, or the settle time passed, and counts
// those that do.
func (r *subscriberRun) awaitFinal(ctx context.Context, subs []*subscriber, res *SubscriberResult) error {
	final, err := balances(ctx, r.databaseURL, r.targets)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(r.settle)
	for {
		res.Complete = 0
		for _, s := range subs {
			if s.last.Load() == final[s.target] {
				res.Complete++
			}
		}
		if res.Complete == len(subs) || time.Now().After(deadline) {
			return nil
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// balances reads the targets' balance totals from PostgreSQL, in target
// order.
func balances(ctx context.Context, databaseURL string, targets []Target) ([]int64, error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return nil, domain.Internal(fmt.Errorf("connect for balances: %w", err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	ids := make([]string, len(targets))
	for i, t := range targets {
		ids[i] = t.ID
	}
	rows, err := conn.Query(ctx, `SELECT org_id, total FROM org_balances WHERE org_id = ANY($1)`, ids)
	if err != nil {
		return nil, domain.Internal(err)
	}
	byID := map[string]int64{}
	for rows.Next() {
		var id string
		var total int64
		if err := rows.Scan(&id, &total); err != nil {
			return nil, domain.Internal(err)
		}
		byID[id] = total
	}
	if err := rows.Err(); err != nil {
		return nil, domain.Internal(err)
	}
	out := make([]int64, len(targets))
	for i, t := range targets {
		out[i] = byID[t.ID]
	}
	return out, nil
}
