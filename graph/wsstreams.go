package graph

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
)

// streamShardSize is how many subscription channels one hub goroutine
// waits on. Every event costs a reflect.Select over the whole shard, which
// locks each of its channels: at 32, the selects took 20% of the server's
// CPU under 10,000 subscribers (perf), and 4 gave 20% more debits and a
// lower push p99 with no more RSS per subscriber (make bench's subscriber
// scenario, back to back). 10,000 subscriptions take 2,500 goroutines.
// Subscriptions whose resolver announces its events (streamNotify, as
// balanceUpdated does) are in no shard.
const streamShardSize = 4

// streamHub waits on the channels of running subscriptions, a shard of
// them per goroutine, in place of a goroutine parked on each. When a
// channel has an event (or closes), its entry is handed it on a fresh
// goroutine that renders and writes it, and waits again only once that
// is done: a subscription's events are delivered one at a time and in
// order.
type streamHub struct {
	mu     sync.Mutex
	shards []*streamShard
}

// streamEntry is one subscription's channel in the hub.
type streamEntry struct {
	src     reflect.Value // the resolver's channel
	dst     reflect.Value // src's events, one at a time (bidirectional)
	out     any           // dst as src's type: what gqlgen reads
	deliver func(ev any)  // renders the event in dst (ev; nil once closed); runs on its own goroutine
	shard   *streamShard  // guarded by the hub's mu

	// notified: the resolver calls pull after each event it queues on
	// src and after closing it (streamNotify), so no shard waits on src.
	notified bool
	nmu      sync.Mutex // guards armed and removed when notified

	// guarded by shard.mu (before shard is set, by the hub's mu), or by
	// nmu when notified
	armed   bool // waiting for src (false while an event is delivered)
	removed bool
}

// streamNotify lets a subscription resolver announce its events to the
// hub in place of a shard waiting on its channel: the transport puts one
// in the operation's context, the resolver claims it and calls what
// claim returns after each event it queues on its channel and after it
// closes the channel.
type streamNotify struct {
	claimed atomic.Bool
	e       atomic.Pointer[streamEntry]
}

type streamNotifyKey struct{}

// claimStreamNotify returns the function the resolver of ctx's
// subscription calls after each event it queued (and after closing its
// channel); nil when the hub does not take notifications (the channel is
// waited on as any other).
func claimStreamNotify(ctx context.Context) func() {
	n, _ := ctx.Value(streamNotifyKey{}).(*streamNotify)
	if n == nil || !n.claimed.CompareAndSwap(false, true) {
		return nil
	}
	return func() {
		if e := n.e.Load(); e != nil {
			e.pull()
		}
	}
}

// bind makes e the entry n's resolver notifies, if it claimed n.
func (n *streamNotify) bind(e *streamEntry) {
	if n != nil && n.claimed.Load() {
		e.notified = true
		n.e.Store(e)
	}
}

// pull hands src's next event (or its end) to a delivery when e is armed;
// nothing when src has none yet.
func (e *streamEntry) pull() {
	e.nmu.Lock()
	if !e.armed || e.removed {
		e.nmu.Unlock()
		return
	}
	v, ok := e.src.TryRecv()
	if !ok && !v.IsValid() {
		e.nmu.Unlock()
		return // empty: the resolver calls pull again when it queues
	}
	e.armed = false
	if !ok {
		e.removed = true
	}
	e.nmu.Unlock()
	var ev any
	if ok {
		e.dst.TrySend(v) // dst is empty, as in run
		ev = v.Interface()
	} else {
		e.dst.Close()
	}
	go e.deliver(ev)
}

// streamShard is one goroutine's share of the hub.
type streamShard struct {
	wake chan struct{} // a changed set of entries

	mu      sync.Mutex
	entries map[*streamEntry]struct{}
	running bool
}

// entry wraps the resolver's channel src: gqlgen gets the returned
// entry's out (of src's type) to read from, and deliver is called each
// time dst holds an event (passed as ev) or is closed (ev nil). The entry
// waits for watch.
func (h *streamHub) entry(src reflect.Value, deliver func(ev any)) *streamEntry {
	dst := reflect.MakeChan(reflect.ChanOf(reflect.BothDir, src.Type().Elem()), 1)
	return &streamEntry{src: src, dst: dst, out: dst.Convert(src.Type()).Interface(), deliver: deliver}
}

// armNotified marks a notified entry as waiting again (unless it was
// removed) and takes what its resolver queued meanwhile.
func (e *streamEntry) armNotified() {
	e.nmu.Lock()
	if e.removed {
		e.nmu.Unlock()
		return
	}
	e.armed = true
	e.nmu.Unlock()
	e.pull()
}

// watch starts waiting on e's channel (unless e was removed).
func (h *streamHub) watch(e *streamEntry) {
	if e.notified {
		e.armNotified() // and take events queued before the entry was watched
		return
	}
	h.mu.Lock()
	if e.removed {
		h.mu.Unlock()
		return
	}
	var s *streamShard
	for _, sh := range h.shards {
		sh.mu.Lock()
		if len(sh.entries) < streamShardSize {
			s = sh
			break
		}
		sh.mu.Unlock()
	}
	if s == nil {
		s = &streamShard{wake: make(chan struct{}, 1), entries: map[*streamEntry]struct{}{}}
		h.shards = append(h.shards, s)
		s.mu.Lock()
	}
	e.shard, e.armed = s, true
	h.mu.Unlock()
	s.entries[e] = struct{}{}
	if !s.running {
		s.running = true
		go s.run()
	}
	s.mu.Unlock()
	s.poke()
}

// rearm waits on e's channel again after an event was delivered.
func (h *streamHub) rearm(e *streamEntry) {
	if e.notified {
		e.armNotified() // and take events queued while the last was delivered
		return
	}
	h.mu.Lock()
	s := e.shard
	h.mu.Unlock()
	s.mu.Lock()
	if e.removed {
		s.mu.Unlock()
		return
	}
	e.armed = true
	s.mu.Unlock()
	s.poke()
}

// remove stops waiting on e's channel.
func (h *streamHub) remove(e *streamEntry) {
	if e.notified {
		e.nmu.Lock()
		e.removed = true
		e.nmu.Unlock()
		return
	}
	h.mu.Lock()
	s := e.shard
	if s == nil { // not watched yet: it never will be
		e.removed = true
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	s.mu.Lock()
	if e.removed {
		s.mu.Unlock()
		return
	}
	e.removed = true
	delete(s.entries, e)
	s.mu.Unlock()
	s.poke()
}

func (s *streamShard) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run waits on the shard's armed channels until it has none left.
func (s *streamShard) run() {
	cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(s.wake)}}
	var armed []*streamEntry
	for {
		s.mu.Lock()
		if len(s.entries) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		cases, armed = cases[:1], armed[:0]
		for e := range s.entries {
			if e.armed {
				cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: e.src})
				armed = append(armed, e)
			}
		}
		s.mu.Unlock()
		i, v, ok := reflect.Select(cases)
		if i == 0 {
			continue
		}
		e := armed[i-1]
		s.mu.Lock()
		if e.removed {
			s.mu.Unlock()
			continue
		}
		e.armed = false
		if !ok {
			// Closed: the last delivery reads the closed dst and ends.
			e.removed = true
			delete(s.entries, e)
		}
		s.mu.Unlock()
		var ev any
		if ok {
			// dst is empty (its last event was delivered, or the
			// operation ended without reading it and the entry is
			// gone): the send does not block.
			e.dst.TrySend(v)
			ev = v.Interface()
		} else {
			e.dst.Close()
		}
		go e.deliver(ev)
	}
}
