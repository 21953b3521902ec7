package domain

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// feedReadTimeout bounds one round of a balance feed's reads.
const feedReadTimeout = 10 * time.Second

// feedReaders bounds the balance reads the feeds of one instance have in
// flight, so that the balance reads of the pushes never hold more than a
// few of the pool's connections, which the spends that cause them need.
// The feeds waiting for a reader meanwhile are read together, in one
// statement of at most feedReadBatch orgs.
const (
	feedReaders   = 2
	feedReadBatch = 200
)

// feedMemberPages bounds the pages of an org's member list a feed reads in
// one round; subscribers not found in them have their membership read one
// by one.
const feedMemberPages = 4

// BalanceEvent is pushed to balanceUpdated subscribers: first the
// balance when they subscribed (Entry nil), then after every committed
// change the balance then, and the newest ledger entry when the
// subscriber may see it (mayReadEntry), nil otherwise. Events share their
// Balance (and its Grants) and Entry with the other subscribers of the
// org: treat them as read-only.
type BalanceEvent struct {
	Balance Balance
	Entry   *LedgerEntry
}

// WatchBalance streams an org's balance, first as it is when called (an
// event with no entry), then after every committed change, on whichever
// instance made it, until ctx ends. It is authorized like Balance,
// and again before each event, so a removed member stops receiving; the
// event's entry is shown as that re-check's access allows (a member whose
// role changed sees entries as the new role does).
//
// The subscribers of one org on this instance share one feed: a burst of
// events is one read of the newest state (balance, open grants, the newest
// entry and the subscribers' memberships), filtered for each subscriber.
// A subscriber that does not keep up gets the newest state in place of the
// one it has not taken yet: versions only go forward, and nobody waits for
// a slow subscriber.
func (s *Service) WatchBalance(ctx context.Context, orgID string) (<-chan BalanceEvent, error) {
	return WatchBalanceAs(ctx, s, orgID, sameEvent, nil)
}

// sameEvent hands events on as they are.
var sameEvent = NewBalanceConverter(func(ev BalanceEvent) BalanceEvent { return ev })

// BalanceConverter converts balance events for WatchBalanceAs. Make one
// per conversion (a package variable) and use it for every subscription:
// an org's feed converts an event once for all the subscribers that see
// the same (the same entry or none) through the same converter, and hands
// them the same value, which they must treat as read-only.
type BalanceConverter[T any] struct {
	conv func(BalanceEvent) T
}

// NewBalanceConverter returns the converter of conv, which must be quick,
// must not block and must not depend on the subscriber.
func NewBalanceConverter[T any](conv func(BalanceEvent) T) *BalanceConverter[T] {
	return &BalanceConverter[T]{conv: conv}
}

// WatchBalanceAs is WatchBalance with every event converted by c before
// it is queued, so that the caller needs no goroutine of its own to
// convert; each, when not nil, runs before each of this subscriber's
// events is queued. Both run on the org's shared feed: they must be quick
// and must not block.
func WatchBalanceAs[T any](ctx context.Context, s *Service, orgID string, c *BalanceConverter[T], each func()) (<-chan T, error) {
	return WatchBalanceNotify(ctx, s, orgID, c, each, nil)
}

// WatchBalanceNotify is WatchBalanceAs with queued, when not nil, called
// after each event was queued on the channel and after the channel
// closed, so that the caller can take it without a goroutine (or a
// select) waiting on the channel. It runs on the org's shared feed (or,
// for the first event, before WatchBalanceNotify returns): it must be
// quick and must not block.
func WatchBalanceNotify[T any](ctx context.Context, s *Service, orgID string, c *BalanceConverter[T], each, queued func()) (<-chan T, error) {
	acc, err := s.authorize(ctx, orgID, ActionReadBalance)
	if err != nil {
		return nil, err
	}
	if s.bus == nil {
		return nil, Internal(fmt.Errorf("no event bus configured"))
	}
	ch := make(chan T, 1)
	w := &balanceWatcher{ctx: ctx, actor: acc.Actor}
	snapshotQueued := false // the snapshot may not have been taken yet (guarded by w.mu)
	w.send = func(ev BalanceEvent, shared *converted, snapshot bool) {
		if each != nil {
			each()
		}
		if queued != nil {
			defer queued()
		}
		if snapshot {
			snapshotQueued = true
			ch <- convertOnce(shared, c, ev) // the first send: there is room
			return
		}
		v := convertOnce(shared, c, ev)
		select {
		case ch <- v:
			snapshotQueued = false // there was room: what was queued was taken
			return
		default:
		}
		if snapshotQueued && ev.Entry != nil {
			// The newest replaces the snapshot not yet taken: it is the
			// snapshot, the state without the change that led to it.
			ev.Entry = nil
			v = convertOnce(shared, c, ev)
		}
		select { // conflate: the newest replaces the one not yet taken
		case <-ch:
		default:
		}
		ch <- v // only the feed sends, under w.mu: there is room now
	}
	w.closeCh = func() {
		close(ch)
		if queued != nil {
			queued()
		}
	}
	f := s.feeds.join(s, orgID, w)
	// The snapshot is read after joining: a change committed after it is
	// announced to the feed, which hands it on unless the snapshot (or a
	// newer round held meanwhile) already covers it. Events of changes
	// committed before it may still be in flight: only versions after the
	// snapshot's are news.
	start, err := s.feeds.readBalance(s, orgID)
	if err != nil {
		f.leave(w)
		return nil, err
	}
	w.ready(BalanceEvent{Balance: start})
	// Leaving twice (the feed ended w first) is harmless.
	context.AfterFunc(ctx, func() { f.leave(w) })
	return ch, nil
}

// balanceFeeds are this instance's balance feeds, one per org with
// subscribers. The zero value is ready to use.
type balanceFeeds struct {
	mu   sync.Mutex
	orgs map[string]*balanceFeed

	rmu     sync.Mutex
	queue   []*balanceRead // waiting for a reader
	readers int            // running, at most feedReaders
}

// balanceRead is one feed's wait for its org's balance.
type balanceRead struct {
	orgID string
	done  chan struct{} // closed once b or err is set
	b     Balance
	err   error
}

// readBalance returns the org's balance with its open grants in spending
// order, read with those of the other orgs whose feeds ask meanwhile.
func (fs *balanceFeeds) readBalance(s *Service, orgID string) (Balance, error) {
	r := &balanceRead{orgID: orgID, done: make(chan struct{})}
	fs.rmu.Lock()
	fs.queue = append(fs.queue, r)
	if fs.readers < feedReaders {
		fs.readers++
		go fs.read(s)
	}
	fs.rmu.Unlock()
	<-r.done
	return r.b, r.err
}

// read reads the queued orgs, a batch at a time, until none wait.
func (fs *balanceFeeds) read(s *Service) {
	for {
		fs.rmu.Lock()
		n := min(len(fs.queue), feedReadBatch)
		if n == 0 {
			fs.readers--
			fs.rmu.Unlock()
			return
		}
		batch := fs.queue[:n:n]
		fs.queue = append([]*balanceRead(nil), fs.queue[n:]...)
		fs.rmu.Unlock()
		s.readBalances(batch)
	}
}

// readBalances reads the balances of batch in one statement and hands
// each its own.
func (s *Service) readBalances(batch []*balanceRead) {
	ids := make([]string, 0, len(batch))
	seen := make(map[string]bool, len(batch))
	for _, r := range batch {
		if !seen[r.orgID] {
			seen[r.orgID] = true
			ids = append(ids, r.orgID)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), feedReadTimeout)
	defer cancel()
	now := s.clock.Now()
	bs, err := s.store.Balances(ctx, ids)
	for _, r := range batch {
		b, ok := bs[r.orgID]
		switch {
		case err != nil:
			r.err = asDomainError(err)
		case !ok:
			r.err = NotFound("org")
		default:
			open := leaveOutExpired(&b, b.Grants, now)
			SortForSpending(open)
			b.Grants = open
			r.b = b
		}
		close(r.done)
	}
}

// join adds w to the feed of orgID, starting the feed (and its bus
// subscription) if the org had no subscriber.
func (fs *balanceFeeds) join(s *Service, orgID string, w *balanceWatcher) *balanceFeed {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.orgs[orgID]
	if f == nil {
		if fs.orgs == nil {
			fs.orgs = map[string]*balanceFeed{}
		}
		ctx, cancel := context.WithCancel(context.Background())
		f = &balanceFeed{feeds: fs, svc: s, orgID: orgID, cancel: cancel, watchers: map[*balanceWatcher]struct{}{}}
		fs.orgs[orgID] = f
		go f.run(s.bus.Subscribe(ctx, orgID))
	}
	f.mu.Lock()
	f.watchers[w] = struct{}{}
	f.joins++
	f.mu.Unlock()
	return f
}

// balanceFeed reads an org's balance once per burst of events and hands
// it to every subscriber of the org on this instance.
type balanceFeed struct {
	feeds  *balanceFeeds
	svc    *Service
	orgID  string
	cancel context.CancelFunc // ends the bus subscription

	mu       sync.Mutex
	watchers map[*balanceWatcher]struct{}
	joins    int64 // watchers added so far
	// covered is the newest version a round read and handed to every
	// watcher: an event of a version up to it is no news to any of them.
	// Watchers that joined since read their own start, which is newer.
	covered int64
}

// balanceWatcher is one subscriber of a feed.
type balanceWatcher struct {
	ctx   context.Context // the subscriber's (its actor)
	actor Actor

	send    func(ev BalanceEvent, shared *converted, snapshot bool) // never blocks; called under mu
	closeCh func()                                                  // called under mu, once

	mu      sync.Mutex
	started bool          // its starting version is known
	held    *BalanceEvent // newest event read before it started
	heldCv  *converted    // the conversions of held's round
	last    int64         // newest version sent (or the starting one)
	closed  bool
}

// converted holds the conversions of one round's events, shared by its
// subscribers: one per converter and view (with the entry or without).
type converted struct {
	mu   sync.Mutex
	vals map[convertedKey]any
}

type convertedKey struct {
	conv  any // *BalanceConverter[T]
	entry bool
}

// convertOnce returns ev converted by c, converting it only for the first
// subscriber of the round that asks (every call with shared nil converts).
func convertOnce[T any](shared *converted, c *BalanceConverter[T], ev BalanceEvent) T {
	if shared == nil {
		return c.conv(ev)
	}
	k := convertedKey{c, ev.Entry != nil}
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if v, ok := shared.vals[k]; ok {
		return v.(T)
	}
	v := c.conv(ev)
	if shared.vals == nil {
		shared.vals = map[convertedKey]any{}
	}
	shared.vals[k] = v
	return v
}

// leave removes w and closes its channel; the last subscriber to leave
// stops the feed.
func (f *balanceFeed) leave(w *balanceWatcher) {
	f.feeds.mu.Lock()
	f.mu.Lock()
	delete(f.watchers, w)
	if len(f.watchers) == 0 && f.feeds.orgs[f.orgID] == f {
		delete(f.feeds.orgs, f.orgID)
		f.cancel()
	}
	f.mu.Unlock()
	f.feeds.mu.Unlock()
	w.close()
}

// burst is what the events of one round announced.
type burst struct {
	newest int64 // highest balance version announced
	reread bool  // an event that requires a read whatever its version
}

// add takes ev into the burst.
func (b *burst) add(ev Event) {
	switch {
	case ev.Kind == EventResync || (ev.Kind == EventBalance && ev.Version <= 0):
		b.reread = true
	case ev.Kind == EventBalance:
		b.newest = max(b.newest, ev.Version)
	}
}

// drain adds what is queued on in without waiting; false when in closed.
func (b *burst) drain(in <-chan Event) bool {
	for {
		select {
		case e, ok := <-in:
			if !ok {
				return false
			}
			b.add(e)
		default:
			return true
		}
	}
}

// news reports whether the burst needs a read, after rounds read up to
// covered.
func (b burst) news(covered int64) bool { return b.reread || b.newest > covered }

// run reads and hands out the balance after each burst of events until the
// bus subscription ends. A burst is what queued by the time the feed is
// ready for it: one read covers it all; a burst of versions a round
// already read and handed out costs nothing.
func (f *balanceFeed) run(in <-chan Event) {
	for open := true; open; {
		ev, ok := <-in
		if !ok {
			break
		}
		var b burst
		b.add(ev)
		open = b.drain(in)
		if b.news(f.coveredVersion()) {
			f.round()
		}
	}
	// The bus closed (or the last subscriber left): end what is left.
	f.feeds.mu.Lock()
	if f.feeds.orgs[f.orgID] == f {
		delete(f.feeds.orgs, f.orgID)
	}
	f.feeds.mu.Unlock()
	f.cancel()
	f.mu.Lock()
	left := make([]*balanceWatcher, 0, len(f.watchers))
	for w := range f.watchers {
		left = append(left, w)
	}
	clear(f.watchers)
	f.mu.Unlock()
	for _, w := range left {
		w.close()
	}
}

// memberRead is the outcome of reading one user's membership.
type memberRead struct {
	m   Membership
	err error
}

// coveredVersion returns the newest version every watcher was handed.
func (f *balanceFeed) coveredVersion() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.covered
}

// round reads the org's state once and hands each subscriber what it may
// see: memberships first (as authorize before each event), then the
// balance with its grants (one statement, shared with other orgs' feeds
// that read at the same time), then the newest entry if anyone may see it.
func (f *balanceFeed) round() {
	f.mu.Lock()
	ws := make([]*balanceWatcher, 0, len(f.watchers))
	for w := range f.watchers {
		ws = append(ws, w)
	}
	joins := f.joins
	f.mu.Unlock()
	if len(ws) == 0 {
		return
	}
	s := f.svc
	ctx, cancel := context.WithTimeout(context.Background(), feedReadTimeout)
	defer cancel()

	members := f.memberships(ctx, ws)
	type grant struct {
		w   *balanceWatcher
		acc Access
	}
	allowed := make([]grant, 0, len(ws))
	everyone := true // every watcher of ws is handed this round's balance
	for _, w := range ws {
		var acc Access
		var err error
		switch {
		case !ValidID(f.orgID):
			err = NotFound("org")
		case w.actor.IsAPIKey():
			acc, err = apiKeyAccess(w.actor, f.orgID, ActionReadBalance)
		case w.actor.UserID == "":
			acc, err = s.authorize(w.ctx, f.orgID, ActionReadBalance)
		default:
			r := members[w.actor.UserID]
			acc, err = memberAccess(w.actor, r.m, r.err, ActionReadBalance)
		}
		if err != nil {
			if ErrorCode(err).Retryable() {
				// The database is briefly unreachable: the next event, or
				// the bus's resync once it is back, catches up.
				everyone = false
				continue
			}
			f.leave(w) // no longer allowed: the subscription ends
			continue
		}
		allowed = append(allowed, grant{w, acc})
	}
	if len(allowed) == 0 {
		return
	}
	b, err := f.feeds.readBalance(s, f.orgID)
	if err != nil {
		return
	}
	var entry *LedgerEntry
	for _, g := range allowed {
		if _, ok := ledgerScope(g.acc); ok && g.w.behind(b.Version) {
			if e, err := s.store.LedgerEntryBySeq(ctx, f.orgID, b.Version); err == nil {
				entry = &e
			}
			break
		}
	}
	if everyone {
		f.mu.Lock()
		if f.joins == joins {
			f.covered = max(f.covered, b.Version)
		}
		f.mu.Unlock()
	}
	shared := &converted{}
	for _, g := range allowed {
		ev := BalanceEvent{Balance: b}
		if entry != nil && mayReadEntry(g.acc, *entry) {
			ev.Entry = entry
		}
		g.w.offer(ev, shared)
	}
}

// memberships reads the memberships of the feed's signed-in subscribers:
// one read for one user, else the org's member list (a page or a few),
// then one by one whoever was not in it.
func (f *balanceFeed) memberships(ctx context.Context, ws []*balanceWatcher) map[string]memberRead {
	out := map[string]memberRead{}
	var users []string
	for _, w := range ws {
		if id := w.actor.UserID; id != "" && !w.actor.IsAPIKey() {
			if _, ok := out[id]; !ok {
				out[id] = memberRead{}
				users = append(users, id)
			}
		}
	}
	if len(users) == 0 || !ValidID(f.orgID) {
		return out
	}
	found := map[string]bool{}
	if len(users) > 1 {
		p := Page{First: MaxPageSize}
		complete := false
		for range feedMemberPages {
			c, err := f.svc.store.ListMembers(ctx, f.orgID, p)
			if err != nil {
				break // read one by one below, with their own errors
			}
			for _, e := range c.Edges {
				if _, ok := out[e.Node.UserID]; ok {
					out[e.Node.UserID] = memberRead{m: e.Node}
					found[e.Node.UserID] = true
				}
			}
			if !c.HasNextPage || len(c.Edges) == 0 {
				complete = true
				break
			}
			p.After = c.Edges[len(c.Edges)-1].Cursor
		}
		if complete {
			for _, id := range users {
				if !found[id] {
					out[id] = memberRead{err: NotFound("membership")}
					found[id] = true
				}
			}
		}
	}
	for _, id := range users {
		if !found[id] {
			m, err := f.svc.store.MembershipOf(ctx, f.orgID, id)
			out[id] = memberRead{m: m, err: err}
		}
	}
	return out
}

// ready sends w its first event, the snapshot of the org's state when it
// subscribed (entry nil), and starts it: later rounds hand it only newer
// versions. A round held for it meanwhile that is newer than snap is the
// snapshot in its place (its balance, without its entry), so that the
// versions w is sent never go back.
func (w *balanceWatcher) ready(snap BalanceEvent) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var cv *converted
	if w.held != nil && w.held.Balance.Version > snap.Balance.Version {
		snap, cv = BalanceEvent{Balance: w.held.Balance}, w.heldCv
	}
	w.held, w.heldCv = nil, nil
	w.started = true
	if w.closed {
		return
	}
	w.last = snap.Balance.Version
	w.send(snap, cv, true)
}

// behind reports whether version would be news to w.
func (w *balanceWatcher) behind(version int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.closed && (!w.started || version > w.last)
}

// offer hands ev, of the round whose conversions are shared, to w without
// blocking: held until w knows its starting version, dropped unless newer
// than what w has.
func (w *balanceWatcher) offer(ev BalanceEvent, shared *converted) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if !w.started {
		if w.held == nil || ev.Balance.Version > w.held.Balance.Version {
			w.held, w.heldCv = &ev, shared
		}
		return
	}
	w.sendLocked(ev, shared)
}

func (w *balanceWatcher) sendLocked(ev BalanceEvent, shared *converted) {
	if w.closed || ev.Balance.Version <= w.last {
		return
	}
	w.last = ev.Balance.Version
	w.send(ev, shared, false)
}

// close closes w's channel once.
func (w *balanceWatcher) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.closed = true
		w.closeCh()
	}
}
