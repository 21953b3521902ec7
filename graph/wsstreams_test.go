package graph

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// testStream is a channel the hub watches in a test: deliver reads one
// event into got (-1 once the channel is closed, then done closes) and
// rearms the entry.
type testStream struct {
	src    chan int
	got    chan int
	e      *streamEntry
	notify func() // set when the entry is notified (streamNotify)
	done   chan struct{}
}

// newTestStream makes a stream on h whose got holds up to size events.
func newTestStream(h *streamHub, size int) *testStream {
	s := &testStream{src: make(chan int, 1), got: make(chan int, size), done: make(chan struct{})}
	var out <-chan int = s.src
	s.e = h.entry(reflect.ValueOf(out), func(any) {
		v, ok := <-s.e.out.(<-chan int)
		if !ok {
			s.got <- -1
			close(s.done)
			return
		}
		s.got <- v
		h.rearm(s.e)
	})
	return s
}

// TestStreamHub: the hub hands every event of a channel on, one at a
// time and in order, ends it when it closes, and never watches an entry
// removed before it was watched; many channels share its goroutines.
func TestStreamHub(t *testing.T) {
	const streams, events = 3 * streamShardSize, 20
	h := &streamHub{}
	all := make([]*testStream, streams)
	for i := range all {
		s := newTestStream(h, events+1)
		h.watch(s.e)
		all[i] = s
	}
	for n := range events {
		for _, s := range all {
			s.src <- n // blocks while the last event is still in the channel
		}
	}
	for _, s := range all {
		close(s.src)
	}
	for i, s := range all {
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Fatalf("stream %d did not end", i)
		}
		for n := range events {
			if v := <-s.got; v != n {
				t.Fatalf("stream %d: event %d is %d", i, n, v)
			}
		}
		if v := <-s.got; v != -1 {
			t.Fatalf("stream %d: %d after the last event, want the end", i, v)
		}
	}

	// Removed before it is watched: never watched.
	src := make(chan int, 1)
	var out <-chan int = src
	e := h.entry(reflect.ValueOf(out), func(any) { t.Error("a removed entry was delivered") })
	h.remove(e)
	h.watch(e)
	src <- 1
	close(src)
	h.mu.Lock()
	shard := e.shard
	h.mu.Unlock()
	if shard != nil {
		t.Fatal("a removed entry joined a shard")
	}
}

// TestStreamHubNotified: an entry whose resolver announces its events
// (streamNotify) is handed every event, one at a time and in order, and
// its end, with no shard waiting on it: events queued before it is
// watched and while one is delivered included.
func TestStreamHubNotified(t *testing.T) {
	const streams, events = 5, 50
	h := &streamHub{}
	all := make([]*testStream, streams)
	for i := range all {
		s := newTestStream(h, events+2)
		n := &streamNotify{}
		notify := claimStreamNotify(context.WithValue(context.Background(), streamNotifyKey{}, n))
		if notify == nil || claimStreamNotify(context.WithValue(context.Background(), streamNotifyKey{}, n)) != nil {
			t.Fatal("a notifier is claimed once")
		}
		s.notify = notify
		n.bind(s.e)
		s.src <- -2 // queued before the entry is watched
		s.notify()
		h.watch(s.e)
		all[i] = s
	}
	for n := range events {
		for _, s := range all {
			s.src <- n // blocks while the last event is still in the channel
			s.notify()
		}
	}
	for _, s := range all {
		close(s.src)
		s.notify()
	}
	for i, s := range all {
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Fatalf("stream %d did not end", i)
		}
		for n := -2; n < events; n++ {
			if n == -1 {
				continue
			}
			if v := <-s.got; v != n {
				t.Fatalf("stream %d: event %d is %d", i, n, v)
			}
		}
		if v := <-s.got; v != -1 {
			t.Fatalf("stream %d: %d after the last event, want the end", i, v)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.shards) != 0 {
		t.Fatalf("%d shards for notified entries", len(h.shards))
	}
}
