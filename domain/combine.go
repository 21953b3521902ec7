package domain

import (
	"context"
	"sync"
	"time"
)

// batchTimeout bounds a combined transaction; it runs detached from the
// request that happens to lead it, so that one caller going away never
// fails the others.
const batchTimeout = 30 * time.Second

// combiner merges concurrent spends of one org into shared transactions
// (group commit). The first caller for an org leads: it runs its request at
// once; requests that arrive meanwhile queue, and when the leader's
// transaction ends the first of them leads the whole queue in the next one.
// An org with one caller at a time pays nothing for this; an org under load
// commits many spends per lock and per disk flush. Every request still gets
// its own ledger entry, result and idempotency record (see applyOps).
type combiner struct {
	max int // most requests per transaction
	mu  sync.Mutex
	q   map[string][]*queued // org -> requests waiting; present while a leader runs
}

// queued is a request waiting in the combiner: it receives either its
// result or, as the head of the queue, the batch it must lead.
type queued struct {
	op     creditOp
	result chan opResult
	lead   chan []*queued
}

func newCombiner(max int) *combiner {
	return &combiner{max: max, q: map[string][]*queued{}}
}

// combined runs op on orgID's balance, combined with concurrent requests.
// The caller waits no longer than ctx allows: when ctx ends first (the
// database does not answer, or too many spends queue before this one) it
// gets UNAVAILABLE, and its request is still applied or refused with its
// batch, as a retry with the same idempotency key then tells.
func (s *Service) combined(ctx context.Context, orgID string, op creditOp) (CreditResult, error) {
	c := s.combine
	if c == nil || c.max <= 1 {
		r := s.applyOps(ctx, orgID, []creditOp{op})[0]
		return r.res, r.err
	}
	me := &queued{op: op, result: make(chan opResult, 1), lead: make(chan []*queued, 1)}
	c.mu.Lock()
	if waiting, busy := c.q[orgID]; busy {
		c.q[orgID] = append(waiting, me)
	} else {
		c.q[orgID] = nil
		me.lead <- []*queued{me}
	}
	c.mu.Unlock()
	for {
		select {
		case r := <-me.result:
			return r.res, r.err
		case batch := <-me.lead:
			go s.lead(ctx, orgID, batch)
		case <-ctx.Done():
			// Whoever hands this request the lead still gets it led.
			go func() {
				select {
				case <-me.result:
				case batch := <-me.lead:
					s.lead(ctx, orgID, batch)
				}
			}()
			return CreditResult{}, Unavailable(time.Second, ctx.Err())
		}
	}
}

// lead runs one batch, hands every request its result, and passes the
// lead to the head of whatever queued meanwhile (or ends the org's turn).
func (s *Service) lead(ctx context.Context, orgID string, batch []*queued) {
	ops := make([]creditOp, len(batch))
	for i, q := range batch {
		ops[i] = q.op
	}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
	out := s.applyOps(bctx, orgID, ops)
	cancel()

	c := s.combine
	c.mu.Lock()
	next := c.q[orgID]
	if len(next) == 0 {
		delete(c.q, orgID)
	} else {
		n := min(len(next), c.max)
		c.q[orgID] = next[n:]
		next = next[:n]
	}
	c.mu.Unlock()
	if len(next) > 0 {
		next[0].lead <- next
	}
	for i, q := range batch {
		q.result <- out[i]
	}
}
