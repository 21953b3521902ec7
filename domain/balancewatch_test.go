package domain_test

import (
	"context"
	"fmt"
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
				subs = append(subs, &sub{role: role, ch: ch})
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
