// Package bus delivers domain events from the instance that committed a
// change to every subscriber: in process (Local) and across instances through
// PostgreSQL LISTEN/NOTIFY (Postgres).
package bus

import (
	"context"
	"sync"

	"github.com/tallyhq/tally/domain"
)

// EventResync is domain.EventResync, kept here for callers of the bus.
const EventResync = domain.EventResync

// DefaultBuffer is the channel capacity of each subscription.
const DefaultBuffer = 16

var _ domain.Bus = (*Local)(nil)

// Local is an in-process domain.Bus: Publish fans an event out to the
// subscribers of its org on this instance. It is safe for concurrent use.
type Local struct {
	mu     sync.RWMutex
	subs   map[string]map[*subscriber]struct{} // org ID → subscribers
	closed bool
	buffer int
}

// subscriber is one Subscribe call: its channel and the lock that makes
// sends, coalescing and close mutually exclusive.
type subscriber struct {
	mu        sync.Mutex
	ch        chan domain.Event
	closed    bool
	coalesced int64 // publishes that had to be merged into a full buffer
	stop      func() bool
}

// NewLocal returns an empty in-process bus.
func NewLocal() *Local {
	return &Local{subs: map[string]map[*subscriber]struct{}{}, buffer: DefaultBuffer}
}

// Publish delivers ev to every current subscriber of ev.OrgID without
// blocking. When a subscriber's buffer is full, its pending events are
// coalesced (one per kind and object, the newest kept) so that the newest
// event always gets through.
func (l *Local) Publish(_ context.Context, ev domain.Event) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	for s := range l.subs[ev.OrgID] {
		s.offer(ev)
	}
}

// Subscribe delivers the events of one org until ctx ends (or the bus is
// closed); the channel is closed then.
func (l *Local) Subscribe(ctx context.Context, orgID string) <-chan domain.Event {
	s := &subscriber{ch: make(chan domain.Event, l.buffer)}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		close(s.ch)
		return s.ch
	}
	set := l.subs[orgID]
	if set == nil {
		set = map[*subscriber]struct{}{}
		l.subs[orgID] = set
	}
	set[s] = struct{}{}
	// AfterFunc starts no goroutine until ctx is done, so an idle
	// subscription costs nothing but its channel. It is set under the
	// lock, as Close reads it (and runs the callback on a goroutine of
	// its own, so an ended ctx does not deadlock here).
	s.stop = context.AfterFunc(ctx, func() { l.unsubscribe(orgID, s) })
	l.mu.Unlock()
	return s.ch
}

// Close closes every subscription; later subscriptions are closed at once
// and publishes are dropped.
func (l *Local) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	for _, set := range l.subs {
		for s := range set {
			if s.stop != nil {
				s.stop()
			}
			s.close()
		}
	}
	l.subs = map[string]map[*subscriber]struct{}{}
	return nil
}

// orgs lists the orgs that have at least one subscriber.
func (l *Local) orgs() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]string, 0, len(l.subs))
	for org := range l.subs {
		out = append(out, org)
	}
	return out
}

// subscribers counts the open subscriptions (tests).
func (l *Local) subscribers() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	n := 0
	for _, set := range l.subs {
		n += len(set)
	}
	return n
}

func (l *Local) unsubscribe(orgID string, s *subscriber) {
	l.mu.Lock()
	if set := l.subs[orgID]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(l.subs, orgID)
		}
	}
	l.mu.Unlock()
	s.close()
}

func (s *subscriber) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.ch)
	}
}

// offer sends ev without blocking. Only offer adds to s.ch, always under
// s.mu, so after draining the buffer there is room for what is put back.
func (s *subscriber) offer(ev domain.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	select {
	case s.ch <- ev:
		return
	default:
	}
	s.coalesced++
	pending := make([]domain.Event, 0, cap(s.ch)+1)
drain:
	for {
		select {
		case e := <-s.ch:
			pending = append(pending, e)
		default:
			break drain
		}
	}
	pending = Coalesce(append(pending, ev))
	if over := len(pending) - cap(s.ch); over > 0 {
		pending = pending[over:] // still too many distinct objects: drop the oldest
	}
	for _, e := range pending {
		s.ch <- e
	}
}

// Coalesce merges events about the same org, kind and object (RefID) into
// one, in the position of the newest and with the highest version seen, and
// keeps the order of the rest. Events carry no state, so a receiver of the
// merged event re-reads everything the merged ones announced.
func Coalesce(evs []domain.Event) []domain.Event {
	type key struct {
		org  string
		kind domain.EventKind
		ref  string
	}
	last := make(map[key]int, len(evs))
	maxVersion := make(map[key]int64, len(evs))
	for i, e := range evs {
		k := key{e.OrgID, e.Kind, e.RefID}
		last[k] = i
		maxVersion[k] = max(maxVersion[k], e.Version)
	}
	if len(last) == len(evs) {
		return evs
	}
	out := evs[:0:0]
	for i, e := range evs {
		k := key{e.OrgID, e.Kind, e.RefID}
		if last[k] == i {
			e.Version = maxVersion[k]
			out = append(out, e)
		}
	}
	return out
}
