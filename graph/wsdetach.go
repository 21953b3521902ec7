package graph

import (
	"context"
	"sync"
)

// Detachment lets a websocket outlive the handler call that accepted it.
// Under a context that carries one (WithDetachment), the websocket
// transport serves an accepted connection on a new goroutine and returns
// at once: the connection's one goroutine then starts with a small,
// shallow stack, rather than being the request's goroutine, whose stack
// holds the whole middleware chain and grew with the upgrade's
// authentication. What a middleware does when its request ends, it hands
// to After, which runs it when the connection ends.
//
// A server that serves the whole websocket request past its handler (as
// `tally serve` does) uses one, its zero value, the same way for the
// middleware outside it: Detach when the request goes on on its own
// goroutine, End when it ended.
type Detachment struct {
	mu       sync.Mutex
	detached bool // the connection is served on its own goroutine
	ended    bool // and that ended
	fns      []func()
}

type detachmentKey struct{}

// WithDetachment returns ctx with a new Detachment, for the middleware
// that runs a websocket request to say what is left to do when it ends.
func WithDetachment(ctx context.Context) (context.Context, *Detachment) {
	d := &Detachment{}
	return context.WithValue(ctx, detachmentKey{}, d), d
}

// DetachmentFrom returns ctx's Detachment; nil (whose After runs at once)
// when there is none.
func DetachmentFrom(ctx context.Context) *Detachment {
	d, _ := ctx.Value(detachmentKey{}).(*Detachment)
	return d
}

// After runs fn when the request is over: now, unless its connection
// goes on on a goroutine of its own, and then when that ends. Middleware
// calls it as its handler returns, in place of deferring fn; the
// functions run in the order they were given (innermost first).
func (d *Detachment) After(fn func()) {
	if d == nil {
		fn()
		return
	}
	d.mu.Lock()
	if !d.detached || d.ended {
		d.mu.Unlock()
		fn()
		return
	}
	d.fns = append(d.fns, fn)
	d.mu.Unlock()
}

// Detach records that the request goes on on a goroutine of its own (the
// functions After is given from now on wait for End); false when there is
// no Detachment (serve it in place).
func (d *Detachment) Detach() bool {
	if d == nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.detached = true
	return true
}

// End runs what After was given: the detached request ended. Nothing
// without a Detachment.
func (d *Detachment) End() {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.ended = true
	fns := d.fns
	d.fns = nil
	d.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// shallow runs f on a short-lived goroutine and waits for it, so that
// the deep calls f makes (authentication, a resolver's queries) grow that
// goroutine's stack, not the connection's; a panic in f is raised again
// here.
func shallow(f func()) {
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		f()
	}()
	if p := <-done; p != nil {
		panic(p)
	}
}
