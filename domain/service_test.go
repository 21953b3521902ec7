package domain_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// fixture is a service over a real store with an org owned by "owner".
type fixture struct {
	svc   *domain.Service
	store domain.Store
	clock *clock
	org   domain.Org
	owner context.Context
	admin context.Context
}

func newFixture(t *testing.T, d *db.DB, cfg domain.Config) *fixture {
	t.Helper()
	return newFixtureStore(t, d, cfg)
}

func newFixtureStore(t *testing.T, st domain.Store, cfg domain.Config, opts ...domain.Option) *fixture {
	t.Helper()
	c := &clock{now: t0}
	svc := domain.NewService(st, cfg, append([]domain.Option{domain.WithClock(c)}, opts...)...)
	ctx := context.Background()
	owner := signIn(t, svc, "owner")
	admin := signIn(t, svc, "platform-admin")
	a, _ := domain.ActorFrom(admin)
	a.PlatformAdmin = true
	admin = domain.WithActor(ctx, a)
	org, err := svc.CreateOrg(owner, domain.CreateOrgInput{Name: "Acme", Country: "DE", Currency: domain.EUR})
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	return &fixture{svc: svc, store: st, clock: c, org: org, owner: owner, admin: admin}
}

func signIn(t *testing.T, svc *domain.Service, name string) context.Context {
	t.Helper()
	u, err := svc.EnsureUser(context.Background(), "test|"+name, name+"@example.com", name)
	if err != nil {
		t.Fatalf("EnsureUser: %v", err)
	}
	// As the identity provider would: the user owns the email.
	return domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Email: u.Email, EmailVerified: true})
}

func (f *fixture) grant(t *testing.T, kind domain.GrantKind, amount int64, expiresIn time.Duration, key string) domain.Grant {
	t.Helper()
	var exp *time.Time
	if expiresIn > 0 {
		e := f.clock.Now().Add(expiresIn)
		exp = &e
	}
	res, err := f.svc.GrantCredits(f.admin, domain.GrantInput{
		OrgID: f.org.ID, Amount: amount, Kind: kind, ExpiresAt: exp, Reason: key, IdempotencyKey: key,
	})
	if err != nil {
		t.Fatalf("GrantCredits(%s): %v", key, err)
	}
	gs, err := f.svc.GrantsByIDs(f.owner, []string{res.Entry.GrantID()})
	if err != nil || len(gs) != 1 {
		t.Fatalf("grant lookup: %v", err)
	}
	return gs[res.Entry.GrantID()]
}

// ledger returns the org's whole ledger, oldest first.
func (f *fixture) ledger(t *testing.T) []domain.LedgerEntry {
	t.Helper()
	var all []domain.LedgerEntry
	p := domain.Page{First: domain.MaxPageSize}
	for {
		c, err := f.svc.Ledger(f.owner, f.org.ID, p)
		if err != nil {
			t.Fatalf("Ledger: %v", err)
		}
		for _, e := range c.Edges {
			all = append([]domain.LedgerEntry{e.Node}, all...)
		}
		if !c.HasNextPage {
			return all
		}
		p.After = c.EndCursor()
	}
}

// checkInvariants asserts the ledger sums to the stored balance, every
// entry's BalanceAfter is its running sum and never negative, and the open
// grants hold exactly the balance.
func (f *fixture) checkInvariants(t *testing.T) domain.Balance {
	t.Helper()
	ctx := context.Background()
	stored, err := f.store.GetBalance(ctx, f.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := f.store.SumLedger(ctx, f.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sum != stored.Total {
		t.Fatalf("ledger sums to %d, balance is %d", sum, stored.Total)
	}
	var running int64
	for i, e := range f.ledger(t) {
		running += e.Amount
		if e.Seq != int64(i+1) || e.BalanceAfter != running || running < 0 {
			t.Fatalf("entry %d: seq %d balanceAfter %d running %d", i, e.Seq, e.BalanceAfter, running)
		}
	}
	gs, err := f.store.OpenGrants(ctx, f.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	var inGrants, free int64
	for _, g := range gs {
		inGrants += g.Remaining
		if !g.Kind.Paid() {
			free += g.Remaining
		}
	}
	if inGrants != stored.Total || free != stored.Free || stored.Total-free != stored.Paid {
		t.Fatalf("grants hold %d (free %d), balance %+v", inGrants, free, stored)
	}
	return stored
}

func consume(ctx context.Context, f *fixture, amount int64, key string) (domain.CreditResult, error) {
	return f.svc.Consume(ctx, domain.ConsumeInput{OrgID: f.org.ID, Amount: amount, IdempotencyKey: key, Reason: "test"})
}

// step is one action of a spending-order scenario.
type step struct {
	at      time.Duration // clock offset from t0
	grant   domain.GrantKind
	amount  int64
	expires time.Duration // grant expiry from its creation; 0 = never
	spend   int64
	code    domain.Code // expected error code of a spend
}

// want is one expected ledger entry: kind, amount, and the grant keys it touched.
type want struct {
	kind   domain.EntryKind
	amount int64
	grants map[string]int64 // grant name → allocation
}

func TestSpendingOrderAndExpiry(t *testing.T) {
	tests := []struct {
		name   string
		steps  []step
		ledger []want
	}{
		{
			name: "free first, then subscription, then purchased by soonest expiry, never-expiring last",
			steps: []step{
				{grant: domain.GrantPurchased, amount: 100},                      // g1: never
				{grant: domain.GrantPurchased, amount: 100, expires: 10 * day},   // g2
				{grant: domain.GrantSubscription, amount: 50, expires: 30 * day}, // g3
				{grant: domain.GrantPromo, amount: 20, expires: 5 * day},         // g4
				{spend: 10},  // promo 10
				{spend: 100}, // promo 10, sub 50, g2 40
				{spend: 100}, // g2 60, g1 40
			},
			ledger: []want{
				{domain.EntryGrant, 100, map[string]int64{"g1": 100}},
				{domain.EntryGrant, 100, map[string]int64{"g2": 100}},
				{domain.EntryGrant, 50, map[string]int64{"g3": 50}},
				{domain.EntryGrant, 20, map[string]int64{"g4": 20}},
				{domain.EntryConsume, -10, map[string]int64{"g4": -10}},
				{domain.EntryConsume, -100, map[string]int64{"g4": -10, "g3": -50, "g2": -40}},
				{domain.EntryConsume, -100, map[string]int64{"g2": -60, "g1": -40}},
			},
		},
		{
			name: "expired grants are written off before a spend and never spent",
			steps: []step{
				{grant: domain.GrantFree, amount: 30, expires: 2 * day}, // g1
				{grant: domain.GrantPurchased, amount: 50},              // g2
				{at: 3 * day, spend: 40},                                // g1 expired: EXPIRE 30, then g2 40
				{at: 3 * day, spend: 20, code: domain.CodeInsufficientCredits},
			},
			ledger: []want{
				{domain.EntryGrant, 30, map[string]int64{"g1": 30}},
				{domain.EntryGrant, 50, map[string]int64{"g2": 50}},
				{domain.EntryExpire, -30, map[string]int64{"g1": -30}},
				{domain.EntryConsume, -40, map[string]int64{"g2": -40}},
			},
		},
		{
			name: "an insufficient spend changes nothing, an exact one empties the balance",
			steps: []step{
				{grant: domain.GrantPurchased, amount: 7},
				{spend: 8, code: domain.CodeInsufficientCredits},
				{spend: 7},
				{spend: 1, code: domain.CodeInsufficientCredits},
			},
			ledger: []want{
				{domain.EntryGrant, 7, map[string]int64{"g1": 7}},
				{domain.EntryConsume, -7, map[string]int64{"g1": -7}},
			},
		},
		{
			name: "the expiry job writes off what a spend did not touch",
			steps: []step{
				{grant: domain.GrantPromo, amount: 5, expires: day},
				{grant: domain.GrantPurchased, amount: 5, expires: 2 * day},
				{at: 3 * day}, // run ExpireDue
			},
			ledger: []want{
				{domain.EntryGrant, 5, map[string]int64{"g1": 5}},
				{domain.EntryGrant, 5, map[string]int64{"g2": 5}},
				{domain.EntryExpire, -5, map[string]int64{"g1": -5}},
				{domain.EntryExpire, -5, map[string]int64{"g2": -5}},
			},
		},
	}
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, d, domain.Config{SignupGrantDisabled: true})
				names := map[string]string{} // grant ID → g1, g2…
				for i, s := range tt.steps {
					f.clock.Set(t0.Add(s.at))
					switch {
					case s.grant != "":
						g := f.grant(t, s.grant, s.amount, s.expires, fmt.Sprintf("grant-%d", i))
						names[g.ID] = fmt.Sprintf("g%d", len(names)+1)
					case s.spend > 0:
						_, err := consume(f.owner, f, s.spend, fmt.Sprintf("spend-%d", i))
						if domain.ErrorCode(err) != s.code {
							t.Fatalf("step %d: spend %d: err %v, want code %q", i, s.spend, err, s.code)
						}
					default:
						if _, err := f.svc.ExpireDue(context.Background(), 100); err != nil {
							t.Fatalf("ExpireDue: %v", err)
						}
					}
				}
				got := f.ledger(t)
				if len(got) != len(tt.ledger) {
					t.Fatalf("ledger has %d entries, want %d: %+v", len(got), len(tt.ledger), got)
				}
				for i, w := range tt.ledger {
					e := got[i]
					allocs := map[string]int64{}
					for _, a := range e.Allocations {
						allocs[names[a.GrantID]] = a.Amount
					}
					if e.Kind != w.kind || e.Amount != w.amount || fmt.Sprint(allocs) != fmt.Sprint(w.grants) {
						t.Errorf("entry %d = %s %d %v, want %s %d %v", i, e.Kind, e.Amount, allocs, w.kind, w.amount, w.grants)
					}
				}
				f.checkInvariants(t)
			})
		}
	})
}

func TestSignupGrant(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrant: 500, SignupGrantTTL: 14 * day})
		b, err := f.svc.Balance(f.owner, f.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Total != 500 || b.Free != 500 || b.Paid != 0 || len(b.Grants) != 1 {
			t.Fatalf("balance = %+v", b)
		}
		g := b.Grants[0]
		if g.Kind != domain.GrantFree || g.ExpiresAt == nil || !g.ExpiresAt.Equal(t0.Add(14*day)) {
			t.Fatalf("grant = %+v", g)
		}
		// Past expiry the balance reads zero even before the job runs.
		f.clock.Set(t0.Add(15 * day))
		if b, _ := f.svc.Balance(f.owner, f.org.ID); b.Total != 0 || len(b.Grants) != 0 {
			t.Fatalf("balance after expiry = %+v", b)
		}
		f.checkInvariants(t)
	})
}

func TestOverdraftRace(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		for round := 0; round < 20; round++ {
			f := newFixture(t, d, domain.Config{SignupGrant: 1})
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = consume(f.owner, f, 1, fmt.Sprintf("race-%d", i))
				}()
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch domain.ErrorCode(err) {
				case "":
					ok++
				case domain.CodeInsufficientCredits:
				default:
					t.Fatalf("unexpected error %v", err)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d spends of 1 succeeded on a balance of 1", round, ok)
			}
			if b := f.checkInvariants(t); b.Total != 0 {
				t.Fatalf("balance %d, want 0", b.Total)
			}
		}
	})
}

func TestIdempotency(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrant: 1000})
		const n = 50
		results := make([]domain.CreditResult, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = f.svc.Consume(f.owner, domain.ConsumeInput{
					OrgID: f.org.ID, Amount: 7, IdempotencyKey: "same-key", Reason: "once",
					Metadata: json.RawMessage(`{"b":1,"a":2}`),
				})
			}()
		}
		wg.Wait()
		for i := 0; i < n; i++ {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			if results[i].Entry.ID != results[0].Entry.ID || results[i].Balance.Total != 993 {
				t.Fatalf("call %d returned %+v, first %+v", i, results[i].Entry, results[0].Entry)
			}
		}
		entries := f.ledger(t)
		if len(entries) != 2 { // sign-up grant + one spend
			t.Fatalf("ledger has %d entries, want 2", len(entries))
		}
		// Same key, same request with metadata keys reordered: still a replay.
		again, err := f.svc.Consume(f.owner, domain.ConsumeInput{
			OrgID: f.org.ID, Amount: 7, IdempotencyKey: "same-key", Reason: "once",
			Metadata: json.RawMessage(`{"a":2,"b":1}`),
		})
		if err != nil || again.Entry.ID != results[0].Entry.ID {
			t.Fatalf("replay: %v %+v", err, again.Entry)
		}
		conflicts := []domain.ConsumeInput{
			{OrgID: f.org.ID, Amount: 8, IdempotencyKey: "same-key", Reason: "once"},
			{OrgID: f.org.ID, Amount: 7, IdempotencyKey: "same-key", Reason: "other"},
		}
		for _, in := range conflicts {
			if _, err := f.svc.Consume(f.owner, in); !domain.IsCode(err, domain.CodeConflict) {
				t.Fatalf("reuse with %+v: err %v, want CONFLICT", in, err)
			}
		}
		// The same key on grantCredits is another operation: CONFLICT too.
		if _, err := f.svc.GrantCredits(f.admin, domain.GrantInput{OrgID: f.org.ID, Amount: 1, Kind: domain.GrantPromo, IdempotencyKey: "same-key"}); !domain.IsCode(err, domain.CodeConflict) {
			t.Fatalf("key reused across operations: %v", err)
		}
		if b := f.checkInvariants(t); b.Total != 993 {
			t.Fatalf("balance %d, want 993", b.Total)
		}
	})
}

func TestConsumeBadInputChangesNothing(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrant: 100})
		long := string(make([]byte, 300))
		tests := []struct {
			name  string
			ctx   context.Context
			in    domain.ConsumeInput
			code  domain.Code
			field string
		}{
			{"zero", f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: 0, IdempotencyKey: "k"}, domain.CodeInvalidInput, "amount"},
			{"negative", f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: -5, IdempotencyKey: "k"}, domain.CodeInvalidInput, "amount"},
			{"over 2^53", f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: 1 << 53, IdempotencyKey: "k"}, domain.CodeInvalidInput, "amount"},
			{"no key", f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: 1}, domain.CodeInvalidInput, "idempotencyKey"},
			{"long key", f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: 1, IdempotencyKey: long}, domain.CodeInvalidInput, "idempotencyKey"},
			{"metadata not an object", f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: 1, IdempotencyKey: "k", Metadata: json.RawMessage(`[1]`)}, domain.CodeInvalidInput, "metadata"},
			{"unknown org", f.owner, domain.ConsumeInput{OrgID: "0190a0a0-0000-7000-8000-000000000000", Amount: 1, IdempotencyKey: "k"}, domain.CodeNotFound, ""},
			{"malformed org", f.owner, domain.ConsumeInput{OrgID: "nope", Amount: 1, IdempotencyKey: "k"}, domain.CodeNotFound, ""},
			{"anonymous", context.Background(), domain.ConsumeInput{OrgID: f.org.ID, Amount: 1, IdempotencyKey: "k"}, domain.CodeUnauthenticated, ""},
			{"outsider", signIn(t, f.svc, "outsider"), domain.ConsumeInput{OrgID: f.org.ID, Amount: 1, IdempotencyKey: "k"}, domain.CodeNotFound, ""},
			{"too much", f.owner, domain.ConsumeInput{OrgID: f.org.ID, Amount: 101, IdempotencyKey: "k"}, domain.CodeInsufficientCredits, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := f.svc.Consume(tt.ctx, tt.in)
				var de *domain.Error
				if !domain.IsCode(err, tt.code) {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				if tt.field != "" {
					if de = err.(*domain.Error); de.Field != tt.field {
						t.Fatalf("field = %q, want %q", de.Field, tt.field)
					}
				}
			})
		}
		if b := f.checkInvariants(t); b.Total != 100 || b.Version != 1 {
			t.Fatalf("bad input changed the balance: %+v", b)
		}
	})
}

func TestSuspendedOrgCannotSpend(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrant: 100})
		o := f.org
		o.Status = domain.OrgSuspended
		if err := f.store.UpdateOrg(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if _, err := consume(f.owner, f, 1, "k"); !domain.IsCode(err, domain.CodeOrgSuspended) {
			t.Fatalf("err = %v, want ORG_SUSPENDED", err)
		}
		if _, err := f.svc.Balance(f.owner, f.org.ID); err != nil {
			t.Fatalf("reading a suspended org's balance: %v", err)
		}
	})
}

func TestIdempotencyRetention(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, domain.Config{SignupGrant: 100, SignupGrantTTL: -1, IdempotencyRetention: 7 * day})
		first, err := consume(f.owner, f, 10, "k")
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			at        time.Duration
			purged    int
			sameEntry bool
			balance   int64
		}{
			{6 * day, 0, true, 90},  // within retention: a replay
			{8 * day, 1, false, 80}, // forgotten: the same key is a new request
		}
		for _, s := range steps {
			f.clock.Set(t0.Add(s.at))
			n, err := f.svc.PurgeIdempotencyKeys(context.Background(), 100)
			if err != nil || n != s.purged {
				t.Fatalf("at %v: purged %d (%v), want %d", s.at, n, err, s.purged)
			}
			res, err := consume(f.owner, f, 10, "k")
			if err != nil {
				t.Fatal(err)
			}
			if (res.Entry.ID == first.Entry.ID) != s.sameEntry || res.Balance.Total != s.balance {
				t.Fatalf("at %v: entry %s (first %s) balance %d, want same=%v balance %d", s.at, res.Entry.ID, first.Entry.ID, res.Balance.Total, s.sameEntry, s.balance)
			}
		}
		f.checkInvariants(t)
	})
}
