package graph

import (
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// A subscription event that the resolvers share among subscribers (the
// balance feed hands every subscriber of an org who sees the same view the
// same *model.BalanceEvent) renders to the same bytes for every operation
// of the same shape: the same document, operation name and variables, run
// by the same actor. Field resolvers below the event (entry.actor, grant
// reasons) answer with the subscriber's own context, so the actor is part
// of the shape, and subscribers of different principals never share.
// pushCache lets the first subscriber of a shape render the event and the
// others send its bytes; only renders without errors are shared.
//
// The cache is bounded: entries live in two generations, the current one
// and the one before; a new entry starts a new generation when the current
// is full or older than the TTL, dropping the older one (and the events
// and bytes it held).
type pushCache struct {
	max int
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	cur, prev map[pushKey]*pushSlot
	born      time.Time // when cur started
}

// The default bounds of a server's push cache: an event's subscribers get
// it within milliseconds of each other, so a generation lasts a second.
const (
	pushCacheMax = 4096
	pushCacheTTL = time.Second
)

func newPushCache() *pushCache {
	return &pushCache{max: pushCacheMax, ttl: pushCacheTTL, now: time.Now}
}

// pushKey is one event rendered for one operation shape. The key holds the
// event itself, not its address: while the entry lives, the address cannot
// be reused by another event.
type pushKey struct {
	event any
	shape pushShape
}

// pushShape identifies what an operation renders from an event: a hash of
// its actor, document, operation name and variables.
type pushShape [sha256.Size]byte

// pushSlot is the render of one key: done closes once payload is set, or
// left nil when the render failed or had errors (then every subscriber
// renders its own).
type pushSlot struct {
	done    chan struct{}
	payload []byte
}

// slot returns key's slot and whether the caller is the first to ask:
// the first renders, calls publish, and the others wait for it.
func (pc *pushCache) slot(k pushKey) (s *pushSlot, first bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if s, ok := pc.cur[k]; ok {
		return s, false
	}
	if s, ok := pc.prev[k]; ok {
		return s, false
	}
	now := pc.now()
	if pc.cur == nil || len(pc.cur) >= pc.max || now.Sub(pc.born) >= pc.ttl {
		if now.Sub(pc.born) >= 2*pc.ttl {
			pc.cur = nil // both generations are stale
		}
		pc.prev, pc.cur, pc.born = pc.cur, make(map[pushKey]*pushSlot, len(pc.cur)), now
	}
	s = &pushSlot{done: make(chan struct{})}
	pc.cur[k] = s
	return s, true
}

// publish ends a slot's render: payload (nil: not shared) goes to the
// subscribers waiting for it.
func (s *pushSlot) publish(payload []byte) {
	s.payload = payload
	close(s.done)
}

// size is how many renders the cache holds.
func (pc *pushCache) size() int {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return len(pc.cur) + len(pc.prev)
}

// sharedEvent reports whether ev is an event the resolvers share among
// subscribers (others are converted per subscriber: caching them would
// never hit).
func sharedEvent(ev any) bool {
	e, ok := ev.(*model.BalanceEvent)
	return ok && e != nil
}

// shapeOf hashes what an operation's render depends on besides the event:
// the session's actor, the document, the operation name and the variables
// (encoding/json writes maps with sorted keys). false when the operation
// must not share (no session).
func shapeOf(s *session, rc *graphql.OperationContext) (pushShape, bool) {
	if s == nil {
		return pushShape{}, false
	}
	s.mu.Lock()
	actor, principal := s.actor, s.principal
	s.mu.Unlock()
	vars, err := json.Marshal(rc.Variables)
	if err != nil {
		return pushShape{}, false
	}
	who, err := json.Marshal(struct {
		Principal string
		Actor     domain.Actor
	}{principal, actor})
	if err != nil {
		return pushShape{}, false
	}
	h := sha256.New()
	for _, part := range [][]byte{who, []byte(rc.OperationName), []byte(rc.RawQuery), vars} {
		var n [8]byte
		l := uint64(len(part))
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write(part)
	}
	var out pushShape
	h.Sum(out[:0])
	return out, true
}
