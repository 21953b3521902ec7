package bus

import (
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// newPostgres opens a bus on the test database at url, closed at cleanup.
func newPostgres(t *testing.T, url string) *Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := NewPostgres(ctx, url, discardLogger())
	if err != nil {
		t.Fatalf("NewPostgres: %v", err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// pair opens two buses, two instances of Tally, on one fresh database.
func pair(t *testing.T) (a, b *Postgres, url string) {
	url = dbtest.PostgresURL(t)
	return newPostgres(t, url), newPostgres(t, url), url
}

// next returns the next event on ch, failing after a timeout.
func next(t *testing.T, ch <-chan domain.Event) domain.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("subscription closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return domain.Event{}
}

// until reads ch until an event satisfies ok and returns how many arrived.
func until(t *testing.T, ch <-chan domain.Event, ok func(domain.Event) bool) (domain.Event, int) {
	t.Helper()
	for n := 1; ; n++ {
		if ev := next(t, ch); ok(ev) {
			return ev, n
		}
	}
}

func TestPostgresDeliversAcrossInstances(t *testing.T) {
	t.Parallel()
	a, b, _ := pair(t)
	org := uuid.NewString()
	tests := []struct {
		name string
		from *Postgres
		ev   domain.Event
	}{
		{"balance from the other instance", a, bal(org, 7)},
		{"order from the other instance", a, order(org, "o1")},
		{"balance from the same instance", b, bal(org, 8)},
	}
	sub := b.Subscribe(t.Context(), org)
	other := b.Subscribe(t.Context(), uuid.NewString())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.from.Publish(t.Context(), tt.ev)
			if got := next(t, sub); got != tt.ev {
				t.Fatalf("got %v, want %v", got, tt.ev)
			}
		})
	}
	if got := drain(other); len(got) != 0 {
		t.Fatalf("subscriber of another org got %v", got)
	}
}

func TestPostgresCoalescesRapidPublishes(t *testing.T) {
	t.Parallel()
	a, b, _ := pair(t)
	org := uuid.NewString()
	sub := b.Subscribe(t.Context(), org)
	const n = 1000
	for v := int64(1); v <= n; v++ {
		a.Publish(context.Background(), bal(org, v))
	}
	last, _ := until(t, sub, func(ev domain.Event) bool { return ev.Version == n })
	if last != bal(org, n) {
		t.Fatalf("last event = %v", last)
	}
	select {
	case ev := <-sub:
		t.Fatalf("event after the newest: %v", ev)
	case <-time.After(100 * time.Millisecond):
	}
	st := a.Stats()
	if st.Published != n {
		t.Fatalf("published = %d, want %d", st.Published, n)
	}
	if st.Notifies == 0 || st.Notifies > n/20 {
		t.Fatalf("%d publishes sent %d notifications, want far fewer", n, st.Notifies)
	}
	t.Logf("%d publishes → %d notifications", n, st.Notifies)
}

func TestPostgresBatchesManyOrgs(t *testing.T) {
	t.Parallel()
	a, b, _ := pair(t)
	const orgs = 300
	subs := make(map[string]<-chan domain.Event, orgs)
	for range orgs {
		org := uuid.NewString()
		subs[org] = b.Subscribe(t.Context(), org)
	}
	for org := range subs {
		a.Publish(context.Background(), bal(org, 1))
	}
	for org, ch := range subs {
		if got := next(t, ch); got != bal(org, 1) {
			t.Fatalf("got %v, want %v", got, bal(org, 1))
		}
	}
	// About 100 events fit in one payload; allow for flushes triggered by
	// full batches.
	if st := a.Stats(); st.Notifies > orgs/10 {
		t.Fatalf("%d orgs sent %d notifications", orgs, st.Notifies)
	}
}

func TestPostgresEncodeRespectsPayloadLimit(t *testing.T) {
	tests := []struct {
		name   string
		events int
		ref    string
	}{
		{"one", 1, ""},
		{"a hundred", 100, ""},
		{"a thousand orders", 1000, "order-with-a-long-reference-" + uuid.NewString()},
	}
	p := &Postgres{logger: discardLogger()}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []domain.Event
			for range tt.events {
				in = append(in, domain.Event{Kind: domain.EventOrder, OrgID: uuid.NewString(), RefID: tt.ref, Version: 1 << 40})
			}
			var out []domain.Event
			payloads := p.encode(in)
			for _, pl := range payloads {
				if len(pl) >= 8000 {
					t.Fatalf("payload of %d bytes", len(pl))
				}
				var evs []domain.Event
				if err := json.Unmarshal([]byte(pl), &evs); err != nil {
					t.Fatalf("payload is not a JSON array of events: %v", err)
				}
				out = append(out, evs...)
			}
			if !reflect.DeepEqual(out, in) {
				t.Fatalf("round trip lost events: %d in, %d out", len(in), len(out))
			}
			t.Logf("%d events → %d payloads", len(in), len(payloads))
		})
	}
}

func TestPostgresClosesSubscriptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		end  func(p *Postgres, cancel context.CancelFunc)
	}{
		{"context canceled", func(_ *Postgres, cancel context.CancelFunc) { cancel() }},
		{"bus closed", func(p *Postgres, _ context.CancelFunc) { _ = p.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPostgres(t, dbtest.PostgresURL(t))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ch := p.Subscribe(ctx, uuid.NewString())
			tt.end(p, cancel)
			waitClosed(t, ch)
		})
	}
}

func TestPostgresCloseSendsQueuedEvents(t *testing.T) {
	t.Parallel()
	a, b, _ := pair(t)
	org := uuid.NewString()
	sub := b.Subscribe(t.Context(), org)
	a.Publish(context.Background(), bal(org, 1))
	if err := a.Close(); err != nil { // before the flush window ends
		t.Fatal(err)
	}
	if got := next(t, sub); got != bal(org, 1) {
		t.Fatalf("got %v", got)
	}
	a.Publish(context.Background(), bal(org, 2)) // after Close: dropped, no panic
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestPostgresReconnectsAndResyncs(t *testing.T) {
	t.Parallel()
	a, b, url := pair(t)
	org := uuid.NewString()
	sub := b.Subscribe(t.Context(), org)
	oldPID := b.listenerPID.Load()

	ctx := t.Context()
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend($1)", int32(oldPID)); err != nil {
		t.Fatal(err)
	}

	if got := next(t, sub); got != (domain.Event{Kind: EventResync, OrgID: org}) {
		t.Fatalf("first event after reconnect = %v, want a resync", got)
	}
	if b.listenerPID.Load() == oldPID {
		t.Fatal("listener still on the terminated backend")
	}
	if n := b.Stats().Reconnects; n != 1 {
		t.Fatalf("reconnects = %d, want 1", n)
	}
	a.Publish(ctx, bal(org, 3))
	if got := next(t, sub); got != bal(org, 3) {
		t.Fatalf("after reconnect got %v", got)
	}
}

func TestNewPostgresFailsOnBadURL(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{"not a URL", "postgres://%zz"},
		{"nobody listening", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPostgres(t.Context(), tt.url, discardLogger())
			if err == nil {
				_ = p.Close()
				t.Fatal("NewPostgres succeeded")
			}
		})
	}
}

func TestPostgresResyncCountsEachOrgOnce(t *testing.T) {
	p := &Postgres{local: NewLocal(), ctx: t.Context()}
	orgs := []string{"a", "b"}
	var subs []<-chan domain.Event
	for _, o := range orgs {
		subs = append(subs, p.local.Subscribe(t.Context(), o), p.local.Subscribe(t.Context(), o))
	}
	p.resync()
	for i, ch := range subs {
		want := []domain.Event{{Kind: EventResync, OrgID: orgs[i/2]}}
		if got := drain(ch); !reflect.DeepEqual(got, want) {
			t.Fatalf("subscriber %d got %v, want %v", i, got, want)
		}
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestPostgresCloseLeaksNoGoroutines(t *testing.T) {
	url := dbtest.PostgresURL(t)
	before := runtime.NumGoroutine()
	a, b := newPostgres(t, url), newPostgres(t, url)
	org := uuid.NewString()
	sub := b.Subscribe(context.Background(), org)
	a.Publish(context.Background(), bal(org, 1))
	next(t, sub)
	for _, p := range []*Postgres{a, b} {
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
	waitClosed(t, sub)
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("goroutines: %d before, %d after Close", before, after)
	}
}

func TestPostgresIdleListenerSurvivesHealthChecks(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	a := newPostgres(t, url)
	b, err := newPostgresBus(t.Context(), url, discardLogger(), 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	org := uuid.NewString()
	sub := b.Subscribe(t.Context(), org)
	time.Sleep(200 * time.Millisecond) // several wait timeouts and pings
	a.Publish(t.Context(), bal(org, 1))
	if got := next(t, sub); got != bal(org, 1) {
		t.Fatalf("got %v", got)
	}
	if n := b.Stats().Reconnects; n != 0 {
		t.Fatalf("idle listener reconnected %d times", n)
	}
}
