package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/scripted"
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
			if ev := firstEvent(t, ch); ev.Balance.Total != 1000 {
				t.Fatalf("%s: snapshot total %d, want 1000", name, ev.Balance.Total)
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

// TestReadsWholeLedger: who reads every ledger entry of an org, and so a
// grant's reason (the reason of its GRANT entry): OWNER and BILLING; not
// ADMIN or MEMBER (their own entries only), not an API key, not a platform
// admin outside the org, not an outsider (left out: no access at all).
func TestReadsWholeLedger(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrant: 1000})
		member, _ := f.join(t, "member", domain.RoleMember)
		admin, _ := f.join(t, "admin", domain.RoleAdmin)
		billing, _ := f.join(t, "billing", domain.RoleBilling)
		other, err := f.svc.CreateOrg(signIn(t, f.svc, "other-owner"), domain.CreateOrgInput{Name: "Other", Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			ctx    context.Context
			listed bool // the org is in the answer at all
			whole  bool
		}{
			{"OWNER", f.owner, true, true},
			{"BILLING", billing, true, true},
			{"ADMIN", admin, true, false},
			{"MEMBER", member, true, false},
			{"API key", keyCtx(t, f.svc, f.owner, f.org.ID), false, false},
			{"platform admin, not a member", f.admin, false, false},
			{"outsider", signIn(t, f.svc, "outsider"), false, false},
			{"anonymous", context.Background(), false, false},
		} {
			got, err := f.svc.ReadsWholeLedger(tc.ctx, []string{f.org.ID, other.ID, "not-an-id"})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			whole, listed := got[f.org.ID]
			if listed != tc.listed || whole != tc.whole {
				t.Errorf("%s: listed %t, whole ledger %t; want %t, %t", tc.name, listed, whole, tc.listed, tc.whole)
			}
			if _, ok := got[other.ID]; ok {
				t.Errorf("%s: answered for an org they are not in", tc.name)
			}
		}
	})
}

// TestPlatformAdminOrderMatrix: who may read an order and its invoice, and
// who may cancel or confirm it. Platform admins read any order and its
// invoice (by either path) but cancel or confirm only as billing members.
func TestPlatformAdminOrderMatrix(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		member, _ := s.join(t, "member", domain.RoleMember)
		billingAdmin, _ := s.join(t, "billing-admin", domain.RoleBilling)
		principals := []struct {
			name                 string
			ctx                  context.Context
			read, invoice, write domain.Code
		}{
			{"platform admin, not a member", s.admin, "", "", domain.CodeForbidden},
			{"platform admin with the BILLING role", asPlatformAdmin(billingAdmin), "", "", ""},
			{"OWNER", s.owner, "", "", ""},
			{"MEMBER", member, domain.CodeForbidden, domain.CodeForbidden, domain.CodeForbidden},
			{"outsider", signIn(t, s.svc, "outsider"), domain.CodeNotFound, domain.CodeNotFound, domain.CodeNotFound},
			{"API key", keyCtx(t, s.svc, s.owner, s.org.ID), domain.CodeForbidden, domain.CodeForbidden, domain.CodeForbidden},
		}
		paid, err := s.buy(s.owner, "paid")
		if err != nil {
			t.Fatal(err)
		}
		inv, err := s.svc.InvoiceOfOrder(s.owner, paid.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.gw.Next(scripted.Pending)
		for _, p := range principals {
			if _, err := s.svc.Order(p.ctx, paid.Order.ID); codeOf(err) != p.read {
				t.Errorf("%s: order = %v, want %q", p.name, err, p.read)
			}
			if _, err := s.svc.Invoice(p.ctx, inv.ID); codeOf(err) != p.invoice {
				t.Errorf("%s: invoice(id) = %v, want %q", p.name, err, p.invoice)
			}
			if _, err := s.svc.InvoiceOfOrder(p.ctx, paid.Order.ID); codeOf(err) != p.invoice {
				t.Errorf("%s: order{invoice} = %v, want %q (as invoice(id))", p.name, err, p.invoice)
			}
			pending, err := s.buy(s.owner, "pending for "+p.name)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.svc.ConfirmOrder(p.ctx, pending.Order.ID); codeOf(err) != p.write {
				t.Errorf("%s: confirmOrder = %v, want %q", p.name, err, p.write)
			}
			o, err := s.svc.CancelOrder(p.ctx, pending.Order.ID)
			if codeOf(err) != p.write {
				t.Errorf("%s: cancelOrder = %v, want %q", p.name, err, p.write)
			}
			want := domain.OrderCanceled
			if p.write != "" {
				want = domain.OrderPending
			}
			if o = s.order(t, pending.Order.ID); o.Status != want {
				t.Errorf("%s: after cancelOrder the order is %s, want %s", p.name, o.Status, want)
			}
		}
	})
}

// TestIdempotentReplaysAnswerOnlyWhoMaySee: a repeated idempotency key
// answers with the stored result only a caller who may see it as for a
// fresh call; keys are scoped per org.
func TestIdempotentReplaysAnswerOnlyWhoMaySee(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		s := newShop(t, d)
		s.grant(t, domain.GrantPurchased, 1000, 0, "seed")
		alice, _ := s.join(t, "alice", domain.RoleMember)
		bob, _ := s.join(t, "bob", domain.RoleMember)
		billing, _ := s.join(t, "billing", domain.RoleBilling)
		key1 := keyCtx(t, s.svc, s.owner, s.org.ID)
		key2 := keyCtx(t, s.svc, s.owner, s.org.ID)
		spend := func(ctx context.Context, key string) (domain.CreditResult, error) {
			return s.svc.Consume(ctx, domain.ConsumeInput{OrgID: s.org.ID, Amount: 7, IdempotencyKey: key, Reason: "private"})
		}

		// consumeCredits: the same request under another principal's key.
		first, err := spend(alice, "alice-1")
		if err != nil {
			t.Fatal(err)
		}
		byKey, err := spend(key1, "key-1")
		if err != nil {
			t.Fatal(err)
		}
		replays := []struct {
			name  string
			ctx   context.Context
			key   string
			entry string // "" when refused with CONFLICT
		}{
			{"alice again", alice, "alice-1", first.Entry.ID},
			{"another MEMBER", bob, "alice-1", ""},
			{"an API key", key1, "alice-1", ""},
			{"BILLING (reads every entry)", billing, "alice-1", first.Entry.ID},
			{"OWNER (reads every entry)", s.owner, "alice-1", first.Entry.ID},
			{"the same API key", key1, "key-1", byKey.Entry.ID},
			{"another API key", key2, "key-1", ""},
			{"a MEMBER, an API key's key", alice, "key-1", ""},
		}
		for _, r := range replays {
			res, err := spend(r.ctx, r.key)
			switch {
			case r.entry == "" && codeOf(err) != domain.CodeConflict:
				t.Errorf("%s replaying %s = %+v, %v; want CONFLICT", r.name, r.key, res.Entry, err)
			case r.entry != "" && (err != nil || res.Entry.ID != r.entry):
				t.Errorf("%s replaying %s = %s, %v; want entry %s", r.name, r.key, res.Entry.ID, err, r.entry)
			}
		}
		// Concurrent first use by two principals: one spends, the other is
		// refused, never shown the winner's entry.
		results := make(chan error, 2)
		for _, ctx := range []context.Context{alice, bob} {
			go func() {
				_, err := spend(ctx, "race")
				results <- err
			}()
		}
		var ok, conflict int
		for range 2 {
			switch codeOf(<-results) {
			case "":
				ok++
			case domain.CodeConflict:
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("two members racing one key: %d spent, %d refused; want 1 and 1", ok, conflict)
		}
		if b := s.checkInvariants(t); b.Total != 1000-3*7 {
			t.Fatalf("balance %d, want %d (three spends)", b.Total, 1000-3*7)
		}

		// Keys are per org: another org's API key using the same key spends
		// in its own org, a fresh request.
		other, err := s.svc.CreateOrg(s.owner, domain.CreateOrgInput{Name: "Other", Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.svc.GrantCredits(s.admin, domain.GrantInput{OrgID: other.ID, Amount: 100, Kind: domain.GrantPromo, IdempotencyKey: "seed"}); err != nil {
			t.Fatal(err)
		}
		otherKey := keyCtx(t, s.svc, s.owner, other.ID)
		res, err := s.svc.Consume(otherKey, domain.ConsumeInput{OrgID: other.ID, Amount: 7, IdempotencyKey: "key-1", Reason: "private"})
		if err != nil || res.Entry.OrgID != other.ID || res.Entry.ID == byKey.Entry.ID || res.Balance.Total != 93 {
			t.Fatalf("other org's key reusing key-1 = %+v, %v; want a fresh spend in the other org", res.Entry, err)
		}

		// grantCredits: only admins; another admin who is no member of the
		// org may not see the first admin's grant entry.
		admin2 := asPlatformAdmin(signIn(t, s.svc, "admin2"))
		grant := domain.GrantInput{OrgID: s.org.ID, Amount: 5, Kind: domain.GrantPromo, Reason: "goodwill", IdempotencyKey: "grant-1"}
		g, err := s.svc.GrantCredits(s.admin, grant)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := s.svc.GrantCredits(s.admin, grant); err != nil || again.Entry.ID != g.Entry.ID {
			t.Fatalf("the admin replaying their grant = %+v, %v", again.Entry, err)
		}
		if _, err := s.svc.GrantCredits(admin2, grant); codeOf(err) != domain.CodeConflict {
			t.Fatalf("another admin replaying the grant key = %v, want CONFLICT", err)
		}
		if _, err := s.svc.GrantCredits(s.owner, grant); codeOf(err) != domain.CodeForbidden {
			t.Fatalf("the owner replaying the grant key = %v, want FORBIDDEN", err)
		}

		// purchasePack: a MEMBER replaying the owner's key is refused before
		// the key is looked up; BILLING reads every order of the org anyway.
		co, err := s.buy(s.owner, "buy-1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.buy(alice, "buy-1"); codeOf(err) != domain.CodeForbidden {
			t.Fatalf("a MEMBER replaying the owner's purchase key = %v, want FORBIDDEN", err)
		}
		if again, err := s.buy(billing, "buy-1"); err != nil || again.Order.ID != co.Order.ID {
			t.Fatalf("BILLING replaying the purchase key = %s, %v; want the same order", again.Order.ID, err)
		}
		if _, err := s.svc.PurchasePack(key1, domain.PurchaseInput{OrgID: s.org.ID, PackID: s.pack.ID, Quantity: 1, Installments: 1, IdempotencyKey: "buy-1"}); codeOf(err) != domain.CodeForbidden {
			t.Fatalf("an API key replaying the purchase key = %v, want FORBIDDEN", err)
		}

		// refundOrder: a non-admin replaying an admin's key is refused.
		refund := domain.RefundInput{OrderID: co.Order.ID, Reason: "duplicate", IdempotencyKey: "refund-1"}
		if _, err := s.svc.RefundOrder(s.admin, refund); err != nil {
			t.Fatal(err)
		}
		for name, ctx := range map[string]context.Context{"owner": s.owner, "billing": billing, "key": key1} {
			if _, err := s.svc.RefundOrder(ctx, refund); codeOf(err) != domain.CodeForbidden {
				t.Errorf("%s replaying the refund key = %v, want FORBIDDEN", name, err)
			}
		}
		if again, err := s.svc.RefundOrder(admin2, refund); err != nil || again.Order.ID != co.Order.ID || again.Order.Status != domain.OrderRefunded {
			t.Fatalf("another admin replaying the refund key = %+v, %v; want the first result", again, err)
		}
	})
}
