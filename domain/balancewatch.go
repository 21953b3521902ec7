package domain

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// feedReadTimeout bounds one round of a balance feed's reads.
const feedReadTimeout = 10 * time.Second

// feedMemberPages bounds the pages of an org's member list a feed reads in
// one round; subscribers not found in them have their membership read one
// by one.
const feedMemberPages = 4

// BalanceEvent is pushed to balanceUpdated subscribers after a committed
// change: the balance then, and the newest ledger entry when the
// subscriber may see it (mayReadEntry), nil otherwise. Events share their
// Balance (and its Grants) and Entry with the other subscribers of the
// org: treat them as read-only.
type BalanceEvent struct {
	Balance Balance
	Entry   *LedgerEntry
}

// WatchBalance streams an org's balance after every committed change, on
// whichever instance made it, until ctx ends. It is authorized like Balance,
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
	return WatchBalanceAs(ctx, s, orgID, func(ev BalanceEvent) BalanceEvent { return ev })
}

// WatchBalanceAs is WatchBalance with every event converted by conv before
// it is queued, so that the caller needs no goroutine of its own to
// convert. conv runs on the org's shared feed: it must be quick and must
// not block.
func WatchBalanceAs[T any](ctx context.Context, s *Service, orgID string, conv func(BalanceEvent) T) (<-chan T, error) {
	acc, err := s.authorize(ctx, orgID, ActionReadBalance)
	if err != nil {
		return nil, err
	}
	if s.bus == nil {
		return nil, Internal(fmt.Errorf("no event bus configured"))
	}
	ch := make(chan T, 1)
	w := &balanceWatcher{ctx: ctx, actor: acc.Actor}
	w.send = func(ev BalanceEvent) {
		v := conv(ev)
		select {
		case ch <- v:
			return
		default:
		}
		select { // conflate: the newest replaces the one not yet taken
		case <-ch:
		default:
		}
		ch <- v // only the feed sends, under w.mu: there is room now
	}
	w.closeCh = func() { close(ch) }
	f := s.feeds.join(s, orgID, w)
	// Events of changes committed before the subscription may still be in
	// flight; only versions after this one are news.
	start, err := s.store.GetBalance(ctx, orgID)
	if err != nil {
		f.leave(w)
		return nil, asDomainError(err)
	}
	w.ready(start.Version)
	// Leaving twice (the feed ended w first) is harmless.
	context.AfterFunc(ctx, func() { f.leave(w) })
	return ch, nil
}

// balanceFeeds are this instance's balance feeds, one per org with
// subscribers. The zero value is ready to use.
type balanceFeeds struct {
	mu   sync.Mutex
	orgs map[string]*balanceFeed
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
}

// balanceWatcher is one subscriber of a feed.
type balanceWatcher struct {
	ctx   context.Context // the subscriber's (its actor)
	actor Actor

	send    func(BalanceEvent) // never blocks; called under mu
	closeCh func()             // called under mu, once

	mu      sync.Mutex
	started bool          // its starting version is known
	held    *BalanceEvent // newest event read before it started
	last    int64         // newest version sent (or the starting one)
	closed  bool
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

// run reads and hands out the balance after each burst of events until the
// bus subscription ends.
func (f *balanceFeed) run(in <-chan Event) {
	for ev := range in {
		news := ev.Kind == EventBalance || ev.Kind == EventResync
	drain: // what queued meanwhile is covered by one read
		for {
			select {
			case e, ok := <-in:
				if !ok {
					break drain
				}
				news = news || e.Kind == EventBalance || e.Kind == EventResync
			default:
				break drain
			}
		}
		if news {
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

// round reads the org's state once and hands each subscriber what it may
// see: memberships first (as authorize before each event), then the
// balance with its grants, then the newest entry if anyone may see it.
func (f *balanceFeed) round() {
	f.mu.Lock()
	ws := make([]*balanceWatcher, 0, len(f.watchers))
	for w := range f.watchers {
		ws = append(ws, w)
	}
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
	for _, w := range ws {
		var acc Access
		var err error
		if w.actor.IsAPIKey() || w.actor.UserID == "" {
			acc, err = s.authorize(w.ctx, f.orgID, ActionReadBalance) // reads nothing
		} else if !ValidID(f.orgID) {
			err = NotFound("org")
		} else {
			r := members[w.actor.UserID]
			acc, err = memberAccess(w.actor, r.m, r.err, ActionReadBalance)
		}
		if err != nil {
			if ErrorCode(err).Retryable() {
				// The database is briefly unreachable: the next event, or
				// the bus's resync once it is back, catches up.
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
	b, err := s.balanceOf(ctx, f.orgID)
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
	for _, g := range allowed {
		ev := BalanceEvent{Balance: b}
		if entry != nil && mayReadEntry(g.acc, *entry) {
			ev.Entry = entry
		}
		g.w.offer(ev)
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

// ready records w's starting version and hands it what the feed read for
// it meanwhile, if that is newer.
func (w *balanceWatcher) ready(version int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.started = true
	w.last = max(w.last, version)
	if w.held != nil {
		ev := *w.held
		w.held = nil
		w.sendLocked(ev)
	}
}

// behind reports whether version would be news to w.
func (w *balanceWatcher) behind(version int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.closed && (!w.started || version > w.last)
}

// offer hands ev to w without blocking: held until w knows its starting
// version, dropped unless newer than what w has.
func (w *balanceWatcher) offer(ev BalanceEvent) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	if !w.started {
		if w.held == nil || ev.Balance.Version > w.held.Balance.Version {
			w.held = &ev
		}
		return
	}
	w.sendLocked(ev)
}

func (w *balanceWatcher) sendLocked(ev BalanceEvent) {
	if w.closed || ev.Balance.Version <= w.last {
		return
	}
	w.last = ev.Balance.Version
	w.send(ev)
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
