package bus

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

func bal(org string, v int64) domain.Event {
	return domain.Event{Kind: domain.EventBalance, OrgID: org, Version: v}
}

func order(org, ref string) domain.Event {
	return domain.Event{Kind: domain.EventOrder, OrgID: org, RefID: ref}
}

// drain reads what is pending on ch without waiting.
func drain(ch <-chan domain.Event) []domain.Event {
	var out []domain.Event
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return out
			}
			out = append(out, ev)
		default:
			return out
		}
	}
}

// waitClosed fails unless ch is closed within a second (pending events are
// skipped).
func waitClosed(t *testing.T, ch <-chan domain.Event) {
	t.Helper()
	timeout := time.After(time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("channel not closed")
		}
	}
}

func TestCoalesce(t *testing.T) {
	tests := []struct {
		name string
		in   []domain.Event
		want []domain.Event
	}{
		{"empty", nil, nil},
		{"distinct kept in order", []domain.Event{bal("a", 1), order("a", "o1"), bal("b", 1)},
			[]domain.Event{bal("a", 1), order("a", "o1"), bal("b", 1)}},
		{"same org and kind: newest wins, in its position",
			[]domain.Event{bal("a", 1), order("a", "o1"), bal("a", 2)},
			[]domain.Event{order("a", "o1"), bal("a", 2)}},
		{"highest version survives a late, older event",
			[]domain.Event{bal("a", 5), bal("a", 3)},
			[]domain.Event{bal("a", 5)}},
		{"orders of different objects stay apart",
			[]domain.Event{order("a", "o1"), order("a", "o2"), order("a", "o1")},
			[]domain.Event{order("a", "o2"), order("a", "o1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Coalesce(append([]domain.Event(nil), tt.in...))
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Coalesce = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLocalDeliversToSubscribersOfTheOrg(t *testing.T) {
	l := NewLocal()
	ctx := t.Context()
	a1, a2, b := l.Subscribe(ctx, "a"), l.Subscribe(ctx, "a"), l.Subscribe(ctx, "b")
	l.Publish(ctx, bal("a", 1))
	l.Publish(ctx, order("b", "o1"))
	tests := []struct {
		name string
		ch   <-chan domain.Event
		want []domain.Event
	}{
		{"first subscriber of a", a1, []domain.Event{bal("a", 1)}},
		{"second subscriber of a", a2, []domain.Event{bal("a", 1)}},
		{"subscriber of b", b, []domain.Event{order("b", "o1")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := drain(tt.ch); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLocalCoalescesForSlowSubscriber(t *testing.T) {
	tests := []struct {
		name    string
		publish func(l *Local)
		check   func(t *testing.T, got []domain.Event)
	}{
		{
			name: "1000 balance events: the newest version arrives",
			publish: func(l *Local) {
				for v := int64(1); v <= 1000; v++ {
					l.Publish(context.Background(), bal("org", v))
				}
			},
			check: func(t *testing.T, got []domain.Event) {
				if len(got) == 0 || len(got) > DefaultBuffer {
					t.Fatalf("got %d events, want 1..%d", len(got), DefaultBuffer)
				}
				if last := got[len(got)-1]; last != bal("org", 1000) {
					t.Fatalf("last event = %v, want version 1000", last)
				}
			},
		},
		{
			name: "an order event survives a flood of balance events",
			publish: func(l *Local) {
				l.Publish(context.Background(), order("org", "o1"))
				for v := int64(1); v <= 500; v++ {
					l.Publish(context.Background(), bal("org", v))
				}
			},
			check: func(t *testing.T, got []domain.Event) {
				if len(got) < 2 || got[0] != order("org", "o1") || got[len(got)-1] != bal("org", 500) {
					t.Fatalf("got %v, want the order first and version 500 last", got)
				}
			},
		},
		{
			name: "more distinct orders than the buffer: the newest are kept",
			publish: func(l *Local) {
				for i := range 3 * DefaultBuffer {
					l.Publish(context.Background(), order("org", fmt.Sprint("o", i)))
				}
			},
			check: func(t *testing.T, got []domain.Event) {
				if len(got) != DefaultBuffer {
					t.Fatalf("got %d events, want %d", len(got), DefaultBuffer)
				}
				if last := got[len(got)-1]; last != order("org", fmt.Sprint("o", 3*DefaultBuffer-1)) {
					t.Fatalf("last event = %v, want the newest order", last)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLocal()
			ch := l.Subscribe(t.Context(), "org")
			tt.publish(l) // nobody reads meanwhile: the slowest subscriber
			tt.check(t, drain(ch))
		})
	}
}

func TestLocalClosesOnContextEnd(t *testing.T) {
	l := NewLocal()
	ctx, cancel := context.WithCancel(context.Background())
	ch := l.Subscribe(ctx, "org")
	l.Publish(ctx, bal("org", 1))
	cancel()
	waitClosed(t, ch)
	l.Publish(context.Background(), bal("org", 2)) // must not panic on the closed channel
	if n := l.subscribers(); n != 0 {
		t.Fatalf("%d subscribers left after cancel", n)
	}
}

func TestLocalCloseEndsEverySubscription(t *testing.T) {
	l := NewLocal()
	chs := []<-chan domain.Event{l.Subscribe(t.Context(), "a"), l.Subscribe(t.Context(), "b")}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	chs = append(chs, l.Subscribe(t.Context(), "c")) // after Close: closed at once
	for _, ch := range chs {
		waitClosed(t, ch)
	}
	l.Publish(context.Background(), bal("a", 1))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestLocalConcurrentUseLeaksNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	l := NewLocal()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var chs []<-chan domain.Event
	for i := range 50 {
		chs = append(chs, l.Subscribe(ctx, fmt.Sprint("org", i%5)))
	}
	for _, ch := range chs {
		wg.Go(func() {
			for range ch { // a reader that keeps up until the channel closes
			}
		})
	}
	for p := range 8 {
		wg.Go(func() {
			for v := range 2000 {
				l.Publish(ctx, bal(fmt.Sprint("org", (p+v)%5), int64(v)))
			}
		})
	}
	for i := range 50 { // subscriptions that come and go meanwhile
		wg.Go(func() {
			sctx, scancel := context.WithCancel(ctx)
			ch := l.Subscribe(sctx, fmt.Sprint("org", i%5))
			<-ch
			scancel()
			for range ch {
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	wg.Wait()
	if n := l.subscribers(); n != 0 {
		t.Fatalf("%d subscribers left", n)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("goroutines: %d before, %d after", before, after)
	}
}
