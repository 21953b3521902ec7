package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// keyCtx returns the context of a new API key of org, created by owner.
func keyCtx(t *testing.T, svc *domain.Service, owner context.Context, orgID string) context.Context {
	t.Helper()
	_, secret, err := svc.CreateAPIKey(owner, orgID, "backend")
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.AuthenticateAPIKey(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return domain.WithActor(context.Background(), a)
}

// asPlatformAdmin returns ctx's actor with the platform admin claim.
func asPlatformAdmin(ctx context.Context) context.Context {
	a, _ := domain.ActorFrom(ctx)
	a.PlatformAdmin = true
	return domain.WithActor(context.Background(), a)
}

// TestBalanceEventsShowOnlyVisibleEntries: every balanceUpdated subscriber
// gets every balance, but the entry only when the ledger rule lets it read
// that entry (OWNER and BILLING: all; other members: their own; API keys:
// none), decided with the role at each event; LedgerEntry agrees.
func TestBalanceEventsShowOnlyVisibleEntries(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		b := bus.NewLocal()
		t.Cleanup(func() { _ = b.Close() })
		f := newFixtureStore(t, d, domain.Config{SignupGrant: 1000}, domain.WithBus(b))
		member, memberID := f.join(t, "member", domain.RoleMember)
		billing, billingID := f.join(t, "billing", domain.RoleBilling)
		key := keyCtx(t, f.svc, f.owner, f.org.ID)
		who := map[string]context.Context{"owner": f.owner, "member": member, "billing": billing, "key": key}
		watch := map[string]<-chan domain.BalanceEvent{}
		for name, ctx := range who {
			ctx, cancel := context.WithCancel(ctx)
			t.Cleanup(cancel)
			ch, err := f.svc.WatchBalance(ctx, f.org.ID)
			if err != nil {
				t.Fatalf("%s subscribing: %v", name, err)
			}
			watch[name] = ch
		}
		steps := []struct {
			name    string
			spender string
			before  func(t *testing.T)
			sees    map[string]bool
		}{
			{name: "the owner spends", spender: "owner",
				sees: map[string]bool{"owner": true, "member": false, "billing": true, "key": false}},
			{name: "the member spends", spender: "member",
				sees: map[string]bool{"owner": true, "member": true, "billing": true, "key": false}},
			{name: "the API key spends", spender: "key",
				sees: map[string]bool{"owner": true, "member": false, "billing": true, "key": false}},
			{name: "roles swapped while subscribed", spender: "owner",
				before: func(t *testing.T) {
					if _, err := f.svc.SetMemberRole(f.owner, f.org.ID, memberID, domain.RoleBilling); err != nil {
						t.Fatal(err)
					}
					if _, err := f.svc.SetMemberRole(f.owner, f.org.ID, billingID, domain.RoleMember); err != nil {
						t.Fatal(err)
					}
				},
				sees: map[string]bool{"owner": true, "member": true, "billing": false, "key": false}},
		}
		for i, st := range steps {
			if st.before != nil {
				st.before(t)
			}
			res, err := f.svc.Consume(who[st.spender], domain.ConsumeInput{OrgID: f.org.ID, Amount: 10,
				IdempotencyKey: st.name, Reason: "secret reason of " + st.spender})
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			for name, ch := range watch {
				var ev domain.BalanceEvent
				select {
				case ev = <-ch:
				case <-time.After(10 * time.Second):
					t.Fatalf("%s: no event for %s", st.name, name)
				}
				if ev.Balance.Total != 1000-10*int64(i+1) || ev.Balance.Version != res.Balance.Version {
					t.Fatalf("%s: %s got balance %d v%d, want %d v%d", st.name, name, ev.Balance.Total, ev.Balance.Version,
						1000-10*(i+1), res.Balance.Version)
				}
				if got := ev.Entry != nil; got != st.sees[name] {
					t.Fatalf("%s: %s sees the entry: %v, want %v (%+v)", st.name, name, got, st.sees[name], ev.Entry)
				}
				if ev.Entry != nil && ev.Entry.ID != res.Entry.ID {
					t.Fatalf("%s: %s got entry %s, want %s", st.name, name, ev.Entry.ID, res.Entry.ID)
				}
				if name == "key" {
					continue // API keys read no entry at all (FORBIDDEN)
				}
				_, err := f.svc.LedgerEntry(who[name], res.Entry.ID)
				if (err == nil) != st.sees[name] {
					t.Fatalf("%s: LedgerEntry as %s = %v, but the event showed the entry: %v", st.name, name, err, st.sees[name])
				}
			}
		}
	})
}
