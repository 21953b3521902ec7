package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tallyhq/tally/domain"
)

// Channel is the PostgreSQL notification channel every instance listens on.
const Channel = "tally_events"

const (
	// flushWindow is how long the flusher waits for more events to coalesce
	// after the first one of a batch arrives. Every push waits it out, so it
	// is short: under load batches fill (batchFull) before it ends anyway.
	flushWindow = 5 * time.Millisecond
	// batchFull flushes at once when this many distinct events are pending
	// (about as many as one notification payload holds).
	batchFull = 64
	// maxPayload keeps each pg_notify payload under PostgreSQL's 8000-byte
	// limit, with a margin.
	maxPayload = 7900
	// maxPending bounds the distinct events queued while the database is
	// unreachable; beyond it new events are dropped (and counted).
	maxPending = 10_000
	// healthEvery is how long the listener waits for a notification before
	// it pings its connection, to notice a silently dead one.
	healthEvery = 30 * time.Second
	// opTimeout bounds one connect, LISTEN, ping or send.
	opTimeout = 10 * time.Second
	// backoffMin and backoffMax bound the reconnect and resend backoff.
	backoffMin = 100 * time.Millisecond
	backoffMax = 10 * time.Second
)

var _ domain.Bus = (*Postgres)(nil)

// Postgres is a domain.Bus shared by every instance on one database through
// LISTEN/NOTIFY. Publish queues events; a flusher coalesces them and sends
// them in as few notifications as possible. One dedicated connection per
// instance listens and fans received events out to local subscribers.
type Postgres struct {
	local  *Local
	logger *slog.Logger
	listen *pgx.ConnConfig // for the dedicated listening connection
	health time.Duration   // idle time before the listener pings
	pool   *pgxpool.Pool   // for sending notifications

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once

	mu      sync.Mutex
	pending []domain.Event   // coalesced, in arrival order of each key's first event
	index   map[eventKey]int // key → position in pending
	wake    chan struct{}    // a batch started
	full    chan struct{}    // a batch is full: flush now
	closed  bool

	listenerPID atomic.Uint32 // backend PID of the listening connection (tests)
	published   atomic.Int64
	notifies    atomic.Int64
	received    atomic.Int64
	dropped     atomic.Int64
	reconnects  atomic.Int64
}

// eventKey is what coalescing merges on: events of one org, kind and object.
type eventKey struct {
	org  string
	kind domain.EventKind
	ref  string
}

// PostgresStats counts a Postgres bus's traffic since it started.
type PostgresStats struct {
	Published  int64 // Publish calls accepted
	Notifies   int64 // pg_notify calls sent
	Received   int64 // events received from notifications
	Dropped    int64 // events dropped: queue full, oversized or bus closed
	Reconnects int64 // times the listening connection was re-established
}

// NewPostgres connects to the PostgreSQL database at url, starts listening
// on Channel and returns the bus. ctx bounds only the initial connection;
// the bus runs until Close. A nil logger means slog.Default().
func NewPostgres(ctx context.Context, url string, logger *slog.Logger) (*Postgres, error) {
	return newPostgresBus(ctx, url, logger, healthEvery)
}

// newPostgresBus is NewPostgres with the listener's health-check interval.
func newPostgresBus(ctx context.Context, url string, logger *slog.Logger, health time.Duration) (*Postgres, error) {
	if logger == nil {
		logger = slog.Default()
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("bus: parse database URL: %w", err)
	}
	poolCfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("bus: parse database URL: %w", err)
	}
	poolCfg.MaxConns = 2
	poolCfg.MinConns = 0

	p := &Postgres{
		local:  NewLocal(),
		logger: logger.With("component", "bus"),
		listen: cfg,
		health: health,
		index:  map[eventKey]int{},
		wake:   make(chan struct{}, 1),
		full:   make(chan struct{}, 1),
	}
	conn, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	p.pool, err = pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("bus: open notify pool: %w", err)
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.wg.Add(2)
	go p.listenLoop(conn)
	go p.flushLoop()
	return p, nil
}

// Publish queues ev for every instance; it never blocks. Events about the
// same org, kind and object that wait for the same flush are merged.
func (p *Postgres) Publish(_ context.Context, ev domain.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.dropped.Add(1)
		return
	}
	p.published.Add(1)
	k := eventKey{ev.OrgID, ev.Kind, ev.RefID}
	if i, ok := p.index[k]; ok {
		ev.Version = max(ev.Version, p.pending[i].Version)
		p.pending[i] = ev
		return
	}
	if len(p.pending) >= maxPending {
		p.dropped.Add(1)
		return
	}
	p.index[k] = len(p.pending)
	p.pending = append(p.pending, ev)
	switch len(p.pending) {
	case 1:
		signal(p.wake)
	case batchFull:
		signal(p.full)
	}
}

// Subscribe delivers the events of one org, published on any instance,
// until ctx ends or the bus is closed; the channel is closed then. After the
// listening connection is re-established, every subscription receives an
// EventResync event.
func (p *Postgres) Subscribe(ctx context.Context, orgID string) <-chan domain.Event {
	return p.local.Subscribe(ctx, orgID)
}

// Stats returns the bus's counters.
func (p *Postgres) Stats() PostgresStats {
	return PostgresStats{
		Published:  p.published.Load(),
		Notifies:   p.notifies.Load(),
		Received:   p.received.Load(),
		Dropped:    p.dropped.Load(),
		Reconnects: p.reconnects.Load(),
	}
}

// Close sends what is still queued, stops listening, closes the
// connections and every subscription. It is safe to call more than once.
func (p *Postgres) Close() error {
	p.once.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.cancel()
		p.wg.Wait()
		p.pool.Close()
		_ = p.local.Close()
	})
	return nil
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// connect opens the listening connection and starts listening.
func (p *Postgres) connect(ctx context.Context) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, p.listen.Copy())
	if err != nil {
		return nil, fmt.Errorf("bus: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("bus: listen: %w", err)
	}
	p.listenerPID.Store(conn.PgConn().PID())
	return conn, nil
}

// listenLoop receives notifications on conn and, whenever the connection
// fails, reconnects with backoff and announces a resync to subscribers.
func (p *Postgres) listenLoop(conn *pgx.Conn) {
	defer p.wg.Done()
	backoff := backoffMin
	for {
		if conn == nil {
			var err error
			if conn, err = p.connect(p.ctx); err != nil {
				if p.ctx.Err() != nil {
					return
				}
				p.logger.Warn("reconnecting the event listener failed", "err", err, "retry_in", backoff)
				if !sleep(p.ctx, backoff) {
					return
				}
				backoff = nextBackoff(backoff)
				continue
			}
			backoff = backoffMin
			p.reconnects.Add(1)
			p.logger.Info("event listener reconnected")
			p.resync()
		}
		err := p.receive(conn)
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = conn.Close(closeCtx)
		cancel()
		conn = nil
		if p.ctx.Err() != nil {
			return
		}
		p.logger.Warn("event listener connection lost", "err", err)
	}
}

// receive fans notifications out until the connection fails or the bus
// closes. An idle connection is pinged every p.health.
func (p *Postgres) receive(conn *pgx.Conn) error {
	for {
		ctx, cancel := context.WithTimeout(p.ctx, p.health)
		n, err := conn.WaitForNotification(ctx)
		cancel()
		if n != nil {
			p.deliver(n.Payload)
		}
		if err == nil {
			continue
		}
		if p.ctx.Err() != nil {
			return p.ctx.Err()
		}
		if !pgconn.Timeout(err) || conn.IsClosed() {
			return err
		}
		ctx, cancel = context.WithTimeout(p.ctx, opTimeout)
		err = conn.Ping(ctx)
		cancel()
		if err != nil {
			return err
		}
	}
}

// deliver decodes one notification payload and publishes its events locally.
func (p *Postgres) deliver(payload string) {
	var evs []domain.Event
	if err := json.Unmarshal([]byte(payload), &evs); err != nil {
		p.logger.Warn("ignoring malformed event notification", "err", err)
		return
	}
	p.received.Add(int64(len(evs)))
	for _, ev := range evs {
		if ev.OrgID != "" {
			p.local.Publish(p.ctx, ev)
		}
	}
}

// resync tells every subscribed org that notifications may have been missed.
func (p *Postgres) resync() {
	for _, org := range p.local.orgs() {
		p.local.Publish(p.ctx, domain.Event{Kind: EventResync, OrgID: org})
	}
}

// flushLoop sends queued events: after flushWindow, or at once when a batch
// is full. Failed sends are requeued and retried with backoff. At Close it
// sends what is left.
func (p *Postgres) flushLoop() {
	defer p.wg.Done()
	backoff := backoffMin
	for {
		select {
		case <-p.ctx.Done():
			p.finalFlush()
			return
		case <-p.wake:
		}
		timer := time.NewTimer(flushWindow)
		select {
		case <-timer.C:
		case <-p.full:
		case <-p.ctx.Done():
		}
		timer.Stop()
		batch := p.take()
		if len(batch) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(p.ctx, opTimeout)
		err := p.send(ctx, batch)
		cancel()
		if err == nil {
			backoff = backoffMin
			continue
		}
		if p.ctx.Err() != nil {
			p.requeue(batch)
			continue // the next round sees ctx done and makes a final attempt
		}
		p.logger.Warn("sending event notifications failed", "err", err, "events", len(batch), "retry_in", backoff)
		p.requeue(batch)
		if !sleep(p.ctx, backoff) {
			continue
		}
		backoff = nextBackoff(backoff)
	}
}

// finalFlush makes one bounded attempt to send what is queued at Close.
func (p *Postgres) finalFlush() {
	batch := p.take()
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := p.send(ctx, batch); err != nil {
		p.dropped.Add(int64(len(batch)))
		p.logger.Warn("dropping event notifications at close", "err", err, "events", len(batch))
	}
}

// take removes and returns everything queued.
func (p *Postgres) take() []domain.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	batch := p.pending
	p.pending = nil
	clear(p.index)
	return batch
}

// requeue puts a failed batch back in front of what was queued since,
// merging events that were superseded meanwhile.
func (p *Postgres) requeue(batch []domain.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	merged := Coalesce(append(batch, p.pending...))
	if over := len(merged) - maxPending; over > 0 {
		p.dropped.Add(int64(over))
		merged = merged[over:]
	}
	p.pending = merged
	clear(p.index)
	for i, ev := range merged {
		p.index[eventKey{ev.OrgID, ev.Kind, ev.RefID}] = i
	}
	if len(merged) > 0 {
		signal(p.wake)
	}
}

// send notifies batch in as few pg_notify calls as the payload limit allows,
// all in one round trip.
func (p *Postgres) send(ctx context.Context, batch []domain.Event) error {
	payloads := p.encode(batch)
	if len(payloads) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, pl := range payloads {
		b.Queue("SELECT pg_notify($1, $2)", Channel, pl)
	}
	if err := p.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("bus: notify: %w", err)
	}
	p.notifies.Add(int64(len(payloads)))
	return nil
}

// encode packs events into JSON arrays of at most maxPayload bytes each.
func (p *Postgres) encode(batch []domain.Event) []string {
	var out []string
	buf := make([]byte, 0, maxPayload)
	for _, ev := range batch {
		js, err := json.Marshal(ev)
		if err != nil || len(js)+2 > maxPayload {
			p.dropped.Add(1)
			p.logger.Error("dropping an event too large to notify", "org", ev.OrgID, "kind", ev.Kind, "err", err)
			continue
		}
		if len(buf) > 0 && len(buf)+1+len(js)+1 > maxPayload {
			out = append(out, string(append(buf, ']')))
			buf = buf[:0]
		}
		if len(buf) == 0 {
			buf = append(buf, '[')
		} else {
			buf = append(buf, ',')
		}
		buf = append(buf, js...)
	}
	if len(buf) > 0 {
		out = append(out, string(append(buf, ']')))
	}
	return out
}

// sleep waits d (with ±20% jitter) and reports false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	d = time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func nextBackoff(d time.Duration) time.Duration { return min(2*d, backoffMax) }
