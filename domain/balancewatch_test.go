package domain_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// feedCountingStore counts the reads made without an actor in the
// context: those of the balance feeds (a subscriber's own reads, and the
// spends, carry their actor).
type feedCountingStore struct {
	domain.Store
	balances, grants, orgBalances, entries, members atomic.Int64
}

func feedRead(ctx context.Context, n *atomic.Int64) {
	if _, ok := domain.ActorFrom(ctx); !ok {
		n.Add(1)
	}
}

func (s *feedCountingStore) GetBalance(ctx context.Context, orgID string) (domain.Balance, error) {
	feedRead(ctx, &s.balances)
	return s.Store.GetBalance(ctx, orgID)
}

func (s *feedCountingStore) OpenGrants(ctx context.Context, orgID string) ([]domain.Grant, error) {
	feedRead(ctx, &s.grants)
	return s.Store.OpenGrants(ctx, orgID)
}

func (s *feedCountingStore) Balances(ctx context.Context, orgIDs []string) (map[string]domain.Balance, error) {
	feedRead(ctx, &s.orgBalances)
	return s.Store.Balances(ctx, orgIDs)
}

func (s *feedCountingStore) LedgerEntryBySeq(ctx context.Context, orgID string, seq int64) (domain.LedgerEntry, error) {
	feedRead(ctx, &s.entries)
	return s.Store.LedgerEntryBySeq(ctx, orgID, seq)
}

func (s *feedCountingStore) MembershipOf(ctx context.Context, orgID, userID string) (domain.Membership, error) {
	feedRead(ctx, &s.members)
	return s.Store.MembershipOf(ctx, orgID, userID)
}

func (s *feedCountingStore) ListMembers(ctx context.Context, orgID string, p domain.Page) (domain.Connection[domain.Membership], error) {
	feedRead(ctx, &s.members)
	return s.Store.ListMembers(ctx, orgID, p)
}

// TestBalanceFeedSharesOneRead: many balanceUpdated subscribers of one org
// cost one read per burst of events, not one per subscriber; each still
// gets what its role may see (a MEMBER and an API key never the owner's
// entry, the MEMBER its own), versions only go forward, a subscriber that
// reads nothing meanwhile gets the newest state once, and a removed member's
// subscription ends.
func TestBalanceFeedSharesOneRead(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		b := bus.NewLocal()
		t.Cleanup(func() { _ = b.Close() })
		st := &feedCountingStore{Store: d}
		f := newFixtureStore(t, st, domain.Config{SignupGrant: 1_000_000}, domain.WithBus(b))
		member, memberID := f.join(t, "member", domain.RoleMember)
		billing, _ := f.join(t, "billing", domain.RoleBilling)
		key := keyCtx(t, f.svc, f.owner, f.org.ID)
		roles := map[string]context.Context{"owner": f.owner, "member": member, "billing": billing, "key": key}

		const perRole = 5
		type sub struct {
			role string
			ch   <-chan domain.BalanceEvent
			last int64
		}
		var subs []*sub
		for role, ctx := range roles {
			for range perRole {
				ctx, cancel := context.WithCancel(ctx)
				t.Cleanup(cancel)
				ch, err := f.svc.WatchBalance(ctx, f.org.ID)
				if err != nil {
					t.Fatal(err)
				}
				subs = append(subs, &sub{role: role, ch: ch, last: firstEvent(t, ch).Balance.Version})
			}
		}
		slowCtx, cancelSlow := context.WithCancel(f.owner)
		t.Cleanup(cancelSlow)
		slow, err := f.svc.WatchBalance(slowCtx, f.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		st.balances.Store(0)
		st.grants.Store(0)
		st.orgBalances.Store(0)
		st.entries.Store(0)
		st.members.Store(0)

		const spends = 20
		var final domain.CreditResult
		for i := range spends {
			spender := f.owner
			if i == spends-1 {
				spender = member // the last entry is the member's own
			}
			final, err = f.svc.Consume(spender, domain.ConsumeInput{OrgID: f.org.ID, Amount: 1,
				IdempotencyKey: fmt.Sprintf("burst-%d", i), Reason: "secret"})
			if err != nil {
				t.Fatal(err)
			}
		}
		want := final.Balance.Version
		for _, s := range subs {
			deadline := time.After(10 * time.Second)
			for s.last < want {
				var ev domain.BalanceEvent
				select {
				case ev = <-s.ch:
				case <-deadline:
					t.Fatalf("%s: stuck at version %d, want %d", s.role, s.last, want)
				}
				v := ev.Balance.Version
				if v <= s.last {
					t.Fatalf("%s: version %d after %d", s.role, v, s.last)
				}
				s.last = v
				ownEntry := v == want // the member's spend
				sees := s.role == "owner" || s.role == "billing" || (s.role == "member" && ownEntry)
				if got := ev.Entry != nil; got != sees {
					t.Fatalf("%s at v%d sees the entry: %v, want %v", s.role, v, got, sees)
				}
				if ev.Entry != nil && ev.Entry.Seq != v {
					t.Fatalf("%s: entry seq %d with balance v%d", s.role, ev.Entry.Seq, v)
				}
			}
		}
		// The silent subscriber held one event at a time, each newer than
		// the last: at most the one it held when the newest arrived, then
		// the newest.
		var slowGot []int64
		for len(slowGot) == 0 || slowGot[len(slowGot)-1] < want {
			select {
			case ev := <-slow:
				slowGot = append(slowGot, ev.Balance.Version)
			case <-time.After(10 * time.Second):
				t.Fatalf("slow subscriber got %v, never v%d", slowGot, want)
			}
		}
		if len(slowGot) > 2 || (len(slowGot) == 2 && slowGot[0] >= slowGot[1]) {
			t.Fatalf("slow subscriber got %v for %d events: not conflated", slowGot, spends)
		}
		select {
		case ev := <-slow:
			t.Fatalf("slow subscriber got v%d after the newest", ev.Balance.Version)
		default:
		}
		// One statement for the balance and its grants per round, never
		// one per subscriber: at most one round per event for 21
		// subscribers.
		rounds := st.orgBalances.Load()
		if rounds < 1 || rounds > spends {
			t.Fatalf("%d feed balance reads for %d events and %d subscribers", rounds, spends, len(subs)+1)
		}
		if n, r := st.balances.Load(), st.grants.Load(); n != 0 || r != 0 {
			t.Fatalf("the feed read the balance (%d) and the grants (%d) apart", n, r)
		}
		if n := st.entries.Load(); n > rounds {
			t.Fatalf("%d entry reads for %d rounds", n, rounds)
		}
		// (Spends may read members too, for their low-balance checks.)
		if n := st.members.Load(); n > 2*rounds {
			t.Fatalf("%d membership reads for %d rounds", n, rounds)
		}
		t.Logf("%d events, %d subscribers: %d rounds, %d entry reads, %d membership reads",
			spends, len(subs)+1, rounds, st.entries.Load(), st.members.Load())

		// A removed member's subscriptions end at the next event; the
		// others go on.
		if err := f.svc.RemoveMember(f.owner, f.org.ID, memberID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Consume(f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: 1, IdempotencyKey: "after"}); err != nil {
			t.Fatal(err)
		}
		for _, s := range subs {
			select {
			case ev, ok := <-s.ch:
				if s.role == "member" && ok {
					t.Fatalf("removed member got v%d", ev.Balance.Version)
				}
				if s.role != "member" && (!ok || ev.Balance.Version <= want) {
					t.Fatalf("%s: open %v, v%d after removing the member", s.role, ok, ev.Balance.Version)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: nothing after removing the member", s.role)
			}
		}
	})
}

// TestBalanceFeedsOfManyOrgs: the feeds of several orgs, spent from at the
// same time, share their reads (never more than one per event) and each
// subscriber still gets its own org's balance, up to the newest.
func TestBalanceFeedsOfManyOrgs(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		b := bus.NewLocal()
		t.Cleanup(func() { _ = b.Close() })
		st := &feedCountingStore{Store: d}
		f := newFixtureStore(t, st, domain.Config{SignupGrant: 1_000_000}, domain.WithBus(b))
		const orgs, perOrg, spends = 8, 3, 5
		type sub struct {
			org string
			ch  <-chan domain.BalanceEvent
		}
		ids := []string{f.org.ID}
		for i := 1; i < orgs; i++ {
			o, err := f.svc.CreateOrg(f.owner, domain.CreateOrgInput{Name: fmt.Sprintf("Org %d", i), Country: "DE", Currency: domain.EUR})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, o.ID)
		}
		var subs []sub
		for _, id := range ids {
			for range perOrg {
				ctx, cancel := context.WithCancel(f.owner)
				t.Cleanup(cancel)
				ch, err := f.svc.WatchBalance(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				subs = append(subs, sub{id, ch})
			}
		}
		st.orgBalances.Store(0)
		final := make(map[string]domain.Balance, orgs)
		results := make(chan domain.CreditResult, orgs*spends)
		errs := make(chan error, orgs*spends)
		for _, id := range ids {
			go func() {
				for i := range spends {
					r, err := f.svc.Consume(f.owner, domain.ConsumeInput{OrgID: id, Amount: int64(i + 1), IdempotencyKey: fmt.Sprintf("many-%d", i)})
					if err != nil {
						errs <- err
						return
					}
					results <- r
				}
			}()
		}
		for range orgs * spends {
			select {
			case err := <-errs:
				t.Fatal(err)
			case r := <-results:
				if r.Balance.Version > final[r.Balance.OrgID].Version {
					final[r.Balance.OrgID] = r.Balance
				}
			}
		}
		for _, s := range subs {
			want := final[s.org]
			var last domain.BalanceEvent
			for last.Balance.Version < want.Version {
				select {
				case last = <-s.ch:
				case <-time.After(10 * time.Second):
					t.Fatalf("org %s: stuck at v%d, want v%d", s.org, last.Balance.Version, want.Version)
				}
				if last.Balance.OrgID != s.org {
					t.Fatalf("a subscriber of org %s got org %s's balance", s.org, last.Balance.OrgID)
				}
			}
			if last.Balance.Version != want.Version || last.Balance.Total != want.Total || len(last.Balance.Grants) != 1 {
				t.Fatalf("org %s: v%d total %d with %d grants, want v%d total %d with 1",
					s.org, last.Balance.Version, last.Balance.Total, len(last.Balance.Grants), want.Version, want.Total)
			}
		}
		if n := st.orgBalances.Load(); n < 1 || n > orgs*spends {
			t.Fatalf("%d balance reads for %d events", n, orgs*spends)
		}
		t.Logf("%d events of %d orgs: %d balance reads", orgs*spends, orgs, st.orgBalances.Load())
	})
}

// TestBalanceFeedConvertsOnce: the subscribers of an org that see the same
// event through the same converter share one conversion of it; those who
// see it otherwise (an API key: no entry) get their own.
func TestBalanceFeedConvertsOnce(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		b := bus.NewLocal()
		t.Cleanup(func() { _ = b.Close() })
		f := newFixtureStore(t, d, domain.Config{SignupGrant: 1_000_000}, domain.WithBus(b))
		key := keyCtx(t, f.svc, f.owner, f.org.ID)
		var conversions, eaches atomic.Int64
		conv := domain.NewBalanceConverter(func(ev domain.BalanceEvent) *domain.BalanceEvent {
			conversions.Add(1)
			return &ev
		})
		watch := func(ctx context.Context) <-chan *domain.BalanceEvent {
			ctx, cancel := context.WithCancel(ctx)
			t.Cleanup(cancel)
			ch, err := domain.WatchBalanceAs(ctx, f.svc, f.org.ID, conv, func() { eaches.Add(1) })
			if err != nil {
				t.Fatal(err)
			}
			return ch
		}
		owners := []<-chan *domain.BalanceEvent{watch(f.owner), watch(f.owner), watch(f.owner)}
		keys := []<-chan *domain.BalanceEvent{watch(key), watch(key)}
		for _, ch := range append(owners[:len(owners):len(owners)], keys...) {
			select {
			case ev := <-ch:
				if ev.Entry != nil {
					t.Fatal("a snapshot with an entry")
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no snapshot")
			}
		}
		conversions.Store(0)
		eaches.Store(0)
		r, err := f.svc.Consume(f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: 3, IdempotencyKey: "once"})
		if err != nil {
			t.Fatal(err)
		}
		next := func(ch <-chan *domain.BalanceEvent) *domain.BalanceEvent {
			select {
			case ev := <-ch:
				if ev.Balance.Version != r.Balance.Version {
					t.Fatalf("v%d, want v%d", ev.Balance.Version, r.Balance.Version)
				}
				return ev
			case <-time.After(10 * time.Second):
				t.Fatal("no event")
			}
			return nil
		}
		owner, apiKey := next(owners[0]), next(keys[0])
		if owner.Entry == nil || apiKey.Entry != nil {
			t.Fatalf("owner's entry %v, API key's %v: want the owner's only", owner.Entry, apiKey.Entry)
		}
		for _, ch := range owners[1:] {
			if ev := next(ch); ev != owner {
				t.Fatal("owners got different conversions of one event")
			}
		}
		if ev := next(keys[1]); ev != apiKey {
			t.Fatal("API keys got different conversions of one event")
		}
		if n := conversions.Load(); n != 2 {
			t.Fatalf("%d conversions for two views", n)
		}
		if n := eaches.Load(); n != 5 {
			t.Fatalf("each ran %d times for 5 subscribers", n)
		}
	})
}

// firstEvent returns a new subscription's first event, its snapshot, which
// has no entry.
func firstEvent(t *testing.T, ch <-chan domain.BalanceEvent) domain.BalanceEvent {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("closed before its snapshot")
		}
		if ev.Entry != nil {
			t.Fatalf("snapshot v%d with entry %s", ev.Balance.Version, ev.Entry.ID)
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no snapshot")
	}
	return domain.BalanceEvent{}
}

// TestBalanceWatchStartsWithSnapshot: a subscription's first event is the
// org's balance when it subscribed (with its grants, without an entry),
// for every role; subscriptions started while spends commit never miss
// one and never go back: every subscriber's versions rise, each event's
// total is the one its version left, and each ends at the final balance.
func TestBalanceWatchStartsWithSnapshot(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		b := bus.NewLocal()
		t.Cleanup(func() { _ = b.Close() })
		f := newFixtureStore(t, d, domain.Config{SignupGrant: 1_000_000}, domain.WithBus(b))
		member, _ := f.join(t, "member", domain.RoleMember)
		key := keyCtx(t, f.svc, f.owner, f.org.ID)
		first, err := f.svc.Consume(f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: 7, IdempotencyKey: "before", Reason: "secret"})
		if err != nil {
			t.Fatal(err)
		}
		for name, ctx := range map[string]context.Context{"owner": f.owner, "member": member, "key": key} {
			ctx, cancel := context.WithCancel(ctx)
			t.Cleanup(cancel)
			ch, err := f.svc.WatchBalance(ctx, f.org.ID)
			if err != nil {
				t.Fatal(err)
			}
			ev := firstEvent(t, ch)
			if ev.Balance.Version != first.Balance.Version || ev.Balance.Total != first.Balance.Total || len(ev.Balance.Grants) != 1 {
				t.Fatalf("%s: snapshot v%d total %d with %d grants, want v%d total %d with 1", name,
					ev.Balance.Version, ev.Balance.Total, len(ev.Balance.Grants), first.Balance.Version, first.Balance.Total)
			}
			select {
			case ev := <-ch:
				t.Fatalf("%s: v%d after the snapshot with no change", name, ev.Balance.Version)
			case <-time.After(50 * time.Millisecond):
			}
		}

		// Subscribers join one after another while spends commit.
		const spends, subscribers = 40, 30
		totals := sync.Map{} // version → total
		totals.Store(first.Balance.Version, first.Balance.Total)
		var final domain.CreditResult
		spent := make(chan error, 1)
		go func() {
			for i := range spends {
				r, err := f.svc.Consume(f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: int64(i%3 + 1), IdempotencyKey: fmt.Sprintf("race-%d", i)})
				if err != nil {
					spent <- err
					return
				}
				totals.Store(r.Balance.Version, r.Balance.Total)
				final = r
			}
			spent <- nil
		}()
		chans := make([]<-chan domain.BalanceEvent, subscribers)
		for i := range chans {
			ctx, cancel := context.WithCancel(f.owner)
			t.Cleanup(cancel)
			if chans[i], err = f.svc.WatchBalance(ctx, f.org.ID); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
		if err := <-spent; err != nil {
			t.Fatal(err)
		}
		for i, ch := range chans {
			last := firstEvent(t, ch).Balance
			for {
				if want, ok := totals.Load(last.Version); !ok || want.(int64) != last.Total {
					t.Fatalf("subscriber %d: total %d at v%d, want %v", i, last.Total, last.Version, want)
				}
				if last.Version == final.Balance.Version {
					break
				}
				select {
				case ev := <-ch:
					if ev.Balance.Version <= last.Version {
						t.Fatalf("subscriber %d: v%d after v%d", i, ev.Balance.Version, last.Version)
					}
					last = ev.Balance
				case <-time.After(10 * time.Second):
					t.Fatalf("subscriber %d: stuck at v%d, want v%d", i, last.Version, final.Balance.Version)
				}
			}
		}
	})
}
