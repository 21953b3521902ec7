// Package wsload measures balanceUpdated pushes under load: it opens many
// graphql-transport-ws subscribers against a running server, spends on
// some of their orgs over HTTP, and reports the push latency (from the
// balance's updatedAt, stamped by the server on the same host, to the
// push's arrival), the pushes' order, the debit rate, and the server's
// resident memory per subscriber.
package wsload

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Org is an org to subscribe to or spend on: its global ID and an API key.
type Org struct {
	ID, APIKey string
}

// Options shape one run.
type Options struct {
	// URL is the server's base URL (http://host:port).
	URL string
	// Subscribers are the orgs subscribed to, one websocket each (an org
	// listed k times has k subscribers).
	Subscribers []Org
	// Spend are the orgs spent on, round robin, by Clients clients for
	// Duration.
	Spend    []Org
	Clients  int
	Duration time.Duration
	// ServerPID, when set, is read for the server's resident memory.
	ServerPID int
	// Hold, when set, keeps the subscribers open after the spends until
	// it is closed (to profile the server meanwhile).
	Hold <-chan struct{}
	// DialParallelism bounds the websockets opened at once (default 32).
	DialParallelism int
}

// Result is what one run measured.
type Result struct {
	Subscribers int
	// RSSBeforeKiB and RSSSubscribedKiB are the server's resident memory
	// before the subscribers connected and once all were subscribed
	// (0: not measured).
	RSSBeforeKiB, RSSSubscribedKiB int64
	Debits                         int
	DebitErrors                    int
	Window                         time.Duration
	Pushes                         int
	// Backwards counts pushes whose balance was older than one the same
	// subscriber had received (never expected).
	Backwards int
	Latency   Latencies
}

// PerSubscriberBytes is the server's resident memory per subscriber.
func (r Result) PerSubscriberBytes() float64 {
	if r.Subscribers == 0 || r.RSSSubscribedKiB == 0 {
		return 0
	}
	return float64(r.RSSSubscribedKiB-r.RSSBeforeKiB) * 1024 / float64(r.Subscribers)
}

// Latencies summarizes push latencies.
type Latencies struct {
	P50, P90, P99, Max time.Duration
}

func (l Latencies) String() string {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }
	return fmt.Sprintf("p50 %s ms, p90 %s ms, p99 %s ms, max %s ms", ms(l.P50), ms(l.P90), ms(l.P99), ms(l.Max))
}

// summarize sorts samples and reads its percentiles.
func summarize(samples []time.Duration) Latencies {
	if len(samples) == 0 {
		return Latencies{}
	}
	slices.Sort(samples)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(samples))+0.5) - 1
		return samples[min(max(i, 0), len(samples)-1)]
	}
	return Latencies{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: samples[len(samples)-1]}
}

// String is the result as one block of lines.
func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "subscribers %d", r.Subscribers)
	if r.RSSSubscribedKiB > 0 {
		fmt.Fprintf(&b, ", server RSS %.1f -> %.1f MB = %.1f KB per subscriber",
			float64(r.RSSBeforeKiB)/1024, float64(r.RSSSubscribedKiB)/1024, r.PerSubscriberBytes()/1000)
	}
	fmt.Fprintf(&b, "\ndebits %d in %s (%.0f/s, %d errors); pushes %d (%.0f/s), %d backwards\npush latency %s",
		r.Debits, r.Window.Round(time.Millisecond), float64(r.Debits)/r.Window.Seconds(), r.DebitErrors,
		r.Pushes, float64(r.Pushes)/r.Window.Seconds(), r.Backwards, r.Latency)
	return b.String()
}

// subscriptionQuery is what every subscriber asks for.
const subscriptionQuery = `subscription($org: ID!) { balanceUpdated(orgId: $org) { balance { total updatedAt } } }`

// consumeMutation is what every spend sends.
const consumeMutation = `mutation($org: ID!, $key: String!) { consumeCredits(input: {orgId: $org, amount: 1, idempotencyKey: $key}) { balance { total } } }`

// Run opens the subscribers, spends, and closes the subscribers.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.DialParallelism <= 0 {
		o.DialParallelism = 32
	}
	res := Result{Subscribers: len(o.Subscribers)}
	if o.ServerPID > 0 {
		res.RSSBeforeKiB, _ = ReadRSS(o.ServerPID)
	}
	rec := &recorder{}
	subs, err := subscribeAll(ctx, o, rec)
	defer func() {
		for _, s := range subs {
			s.close()
		}
	}()
	if err != nil {
		return res, err
	}
	if o.ServerPID > 0 {
		time.Sleep(time.Second) // let the upgrades' garbage go
		res.RSSSubscribedKiB, _ = ReadRSS(o.ServerPID)
	}
	if o.Hold != nil {
		defer func() { <-o.Hold }()
	}
	if len(o.Spend) == 0 || o.Clients <= 0 || o.Duration <= 0 {
		return res, nil
	}
	rec.on.Store(true)
	began := time.Now()
	res.Debits, res.DebitErrors = spend(ctx, o)
	res.Window = time.Since(began)
	time.Sleep(300 * time.Millisecond) // the last pushes
	rec.on.Store(false)
	rec.mu.Lock()
	res.Pushes = len(rec.samples)
	res.Latency = summarize(rec.samples)
	rec.mu.Unlock()
	res.Backwards = int(rec.backwards.Load())
	return res, nil
}

// recorder collects the push latencies while on.
type recorder struct {
	on        atomic.Bool
	backwards atomic.Int64
	mu        sync.Mutex
	samples   []time.Duration
}

func (r *recorder) add(d time.Duration) {
	if !r.on.Load() {
		return
	}
	r.mu.Lock()
	r.samples = append(r.samples, d)
	r.mu.Unlock()
}

// subscriber is one websocket with one balanceUpdated subscription.
type subscriber struct {
	conn *websocket.Conn
	last time.Time
	done chan struct{}
}

func (s *subscriber) close() {
	_ = s.conn.Close(websocket.StatusNormalClosure, "")
	<-s.done
}

// subscribeAll opens every subscriber and waits until each subscription
// is running on the server.
func subscribeAll(ctx context.Context, o Options, rec *recorder) ([]*subscriber, error) {
	var (
		mu   sync.Mutex
		subs []*subscriber
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, o.DialParallelism)
	)
	wsURL := "ws" + strings.TrimPrefix(o.URL, "http") + "/graphql"
	for _, org := range o.Subscribers {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			s, err := subscribe(ctx, wsURL, org, rec)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			subs = append(subs, s)
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return subs, fmt.Errorf("%d of %d subscribers failed; first: %w", len(errs), len(o.Subscribers), errs[0])
	}
	return subs, nil
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// subscribe opens one websocket, subscribes, and waits until the server
// took the subscription (a ping-pong after it: messages are handled in
// order, and gqlgen starts a subscription before it reads the next one).
func subscribe(ctx context.Context, wsURL string, org Org, rec *recorder) (*subscriber, error) {
	dialCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dialCtx, wsURL, &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
		// The key on the upgrade too: it takes the key's rate budget, not
		// the anonymous one of the client's address.
		HTTPHeader: http.Header{"Authorization": {"Bearer " + org.APIKey}},
	})
	if err != nil {
		return nil, err
	}
	send := func(m wsMessage) error {
		b, _ := json.Marshal(m)
		return conn.Write(dialCtx, websocket.MessageText, b)
	}
	init, _ := json.Marshal(map[string]string{"authorization": "Bearer " + org.APIKey})
	if err := send(wsMessage{Type: "connection_init", Payload: init}); err != nil {
		_ = conn.CloseNow()
		return nil, err
	}
	if err := expect(dialCtx, conn, "connection_ack"); err != nil {
		_ = conn.CloseNow()
		return nil, err
	}
	payload, _ := json.Marshal(map[string]any{"query": subscriptionQuery, "variables": map[string]string{"org": org.ID}})
	if err := send(wsMessage{ID: "1", Type: "subscribe", Payload: payload}); err != nil {
		_ = conn.CloseNow()
		return nil, err
	}
	if err := send(wsMessage{Type: "ping"}); err != nil {
		_ = conn.CloseNow()
		return nil, err
	}
	if err := expect(dialCtx, conn, "pong"); err != nil {
		_ = conn.CloseNow()
		return nil, err
	}
	s := &subscriber{conn: conn, done: make(chan struct{})}
	go s.read(rec)
	return s, nil
}

// expect reads messages until one of type typ; an error or complete fails.
func expect(ctx context.Context, conn *websocket.Conn, typ string) error {
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		var m wsMessage
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		switch m.Type {
		case typ:
			return nil
		case "error", "complete", "connection_error":
			return fmt.Errorf("%s: %s", m.Type, m.Payload)
		}
	}
}

var updatedAtKey = []byte(`"updatedAt":"`)

// read records each push's latency until the connection closes.
func (s *subscriber) read(rec *recorder) {
	defer close(s.done)
	for {
		_, data, err := s.conn.Read(context.Background())
		if err != nil {
			return
		}
		at := time.Now()
		i := bytes.Index(data, updatedAtKey)
		if i < 0 {
			continue
		}
		rest := data[i+len(updatedAtKey):]
		j := bytes.IndexByte(rest, '"')
		if j < 0 {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, string(rest[:j]))
		if err != nil {
			continue
		}
		if t.Before(s.last) {
			rec.backwards.Add(1)
		}
		s.last = t
		rec.add(at.Sub(t))
	}
}

// spend runs the clients until the duration ends and counts the debits.
func spend(ctx context.Context, o Options) (debits, failures int) {
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var ok, bad atomic.Int64
	var wg sync.WaitGroup
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: o.Clients}}
	for c := range o.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; ctx.Err() == nil; k++ {
				org := o.Spend[(c+k*o.Clients)%len(o.Spend)]
				if err := debit(ctx, hc, o.URL+"/graphql", org, fmt.Sprintf("wsload-%d-%d-%d", time.Now().UnixNano(), c, k)); err != nil {
					if ctx.Err() == nil {
						bad.Add(1)
					}
					continue
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	hc.CloseIdleConnections()
	return int(ok.Load()), int(bad.Load())
}

func debit(ctx context.Context, hc *http.Client, endpoint string, org Org, key string) error {
	body, _ := json.Marshal(map[string]any{"query": consumeMutation, "variables": map[string]string{"org": org.ID, "key": key}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+org.APIKey)
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK || bytes.Contains(data, []byte(`"errors"`)) {
		return fmt.Errorf("consumeCredits: %d %s", res.StatusCode, data)
	}
	return nil
}

// ReadRSS returns a process's resident set size in KiB (VmRSS of
// /proc/PID/status).
func ReadRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 2 {
				return strconv.ParseInt(fields[0], 10, 64)
			}
		}
	}
	return 0, errors.New("no VmRSS line")
}
