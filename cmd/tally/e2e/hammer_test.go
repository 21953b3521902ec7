package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
)

// The hammer's shape (issue: 64 goroutines × 1,000 spends through the
// domain service and 16 more through the HTTP API).
const (
	domainWorkers  = 64
	domainSpends   = 1000
	httpWorkers    = 16
	httpSpends     = 250
	hammerStartBal = 60_000 // fewer than the 68,000 attempts: some must be refused
)

// spender spends one credit with a key and returns the error code ("" on success).
type spender func(ctx context.Context, key string) (domain.Code, error)

// hammerReport counts what a hammer run saw.
type hammerReport struct {
	accepted, refused atomic.Int64
	mu                sync.Mutex
	oddities          []string // anything that is neither success nor INSUFFICIENT_CREDITS
	oddKeys           []string // their idempotency keys, which HTTP spends also send as X-Request-Id
	negative          atomic.Int64
}

func (r *hammerReport) record(code domain.Code, err error, where string) {
	switch {
	case err != nil:
		r.odd(where, fmt.Sprintf("%s: transport error %v", where, err))
	case code == "":
		r.accepted.Add(1)
	case code == domain.CodeInsufficientCredits:
		r.refused.Add(1)
	default:
		r.odd(where, fmt.Sprintf("%s: refused with %s", where, code))
	}
}

// odd records the first 20 spends that were neither accepted nor refused
// for want of credits.
func (r *hammerReport) odd(key, what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.oddities) < 20 {
		r.oddities = append(r.oddities, what)
		r.oddKeys = append(r.oddKeys, key)
	}
}

// linesOf returns the server's log lines of the requests with these ids.
func (s *server) linesOf(ids []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, s.log.LinesWith(`request_id=`+id+` `)...)
		out = append(out, s.log.LinesWith(`"request_id":"`+id+`"`)...)
	}
	return out
}

// hammer runs workers groups of spenders concurrently while a watcher reads
// the stored balance, and returns what it saw.
func hammer(t *testing.T, store domain.LedgerStore, orgID string, groups map[string]struct {
	workers, spends int
	spend           spender
}) *hammerReport {
	t.Helper()
	rep := &hammerReport{}
	ctx, stop := context.WithCancel(context.Background())
	watcher := make(chan struct{})
	go func() { // never negative at any point
		defer close(watcher)
		for ctx.Err() == nil {
			if b, err := store.GetBalance(context.Background(), orgID); err == nil && b.Total < 0 {
				rep.negative.Add(1)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var wg sync.WaitGroup
	for name, g := range groups {
		for w := 0; w < g.workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < g.spends; i++ {
					key := fmt.Sprintf("%s-%d-%d", name, w, i)
					code, err := g.spend(context.Background(), key)
					rep.record(code, err, key)
				}
			}()
		}
	}
	wg.Wait()
	stop()
	<-watcher
	return rep
}

// violations lists every way the store disagrees with what the hammer saw.
func violations(t *testing.T, store domain.LedgerStore, orgID string, start int64, rep *hammerReport) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	out = append(out, rep.oddities...)
	if n := rep.negative.Load(); n > 0 {
		out = append(out, fmt.Sprintf("balance read negative %d times", n))
	}
	b, err := store.GetBalance(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if want := start - rep.accepted.Load(); b.Total != want {
		out = append(out, fmt.Sprintf("balance %d, want %d - %d accepted = %d (lost updates)", b.Total, start, rep.accepted.Load(), want))
	}
	sum, err := store.SumLedger(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if sum != b.Total {
		out = append(out, fmt.Sprintf("ledger sums to %d, balance is %d", sum, b.Total))
	}
	if b.Version != 1+rep.accepted.Load() {
		out = append(out, fmt.Sprintf("%d ledger entries, want 1 grant + %d spends", b.Version, rep.accepted.Load()))
	}
	gs, err := store.OpenGrants(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	var held int64
	for _, g := range gs {
		held += g.Remaining
	}
	if held != b.Total {
		out = append(out, fmt.Sprintf("grants hold %d, balance is %d", held, b.Total))
	}
	return out
}

// hammerSetup starts a server on a fresh database, creates an org with
// start credits (an admin grant, no sign-up credit) and opens a domain
// service of its own on the same database, as a second process would.
func hammerSetup(t *testing.T, b backend, start int64) (*server, *client, string, *db.DB, context.Context) {
	t.Helper()
	s := startServer(t, b.newDB(t), "TALLY_SIGNUP_CREDITS=0")
	alice := s.user(t, "alice@example.com")
	org := alice.createOrg(t, "Hammered", "DE", "EUR")
	admin := s.as("Bearer " + token(t, "root@example.com", true))
	admin.must(t, `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { balance { total } } }`,
		map[string]any{"in": map[string]any{"orgId": org, "amount": start, "kind": "PURCHASED", "idempotencyKey": "seed"}}, "grantCredits", nil)
	d, err := db.Open(context.Background(), s.DBURL, db.Options{MaxOpenConns: 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	svc := domain.NewService(d, domain.Config{})
	u, err := svc.EnsureUser(context.Background(), "e2e|alice@example.com", "alice@example.com", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	return s, alice, org, d, domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Email: u.Email})
}

// localID turns a global ID into the domain ID the service takes.
func localID(t *testing.T, global string) string {
	t.Helper()
	_, id, err := graph.DecodeID("id", global)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestHammer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s, alice, org, d, aliceCtx := hammerSetup(t, b, hammerStartBal)
		orgID := localID(t, org)
		svc := domain.NewService(d, domain.Config{})
		began := time.Now()
		rep := hammer(t, d, orgID, map[string]struct {
			workers, spends int
			spend           spender
		}{
			"domain": {domainWorkers, domainSpends, func(ctx context.Context, key string) (domain.Code, error) {
				_, err := svc.Consume(aliceCtx, domain.ConsumeInput{OrgID: orgID, Amount: 1, IdempotencyKey: key})
				return domain.ErrorCode(err), nil
			}},
			"http": {httpWorkers, httpSpends, func(ctx context.Context, key string) (domain.Code, error) {
				r, err := alice.consume(withRequestID(ctx, key), org, 1, key)
				return domain.Code(r.code()), err
			}},
		})
		t.Logf("%d spends accepted, %d refused in %v", rep.accepted.Load(), rep.refused.Load(), time.Since(began).Round(time.Millisecond))
		if v := violations(t, d, orgID, hammerStartBal, rep); len(v) > 0 {
			t.Fatalf("hammer found %d violations:\n%v\nserver log lines of those requests:\n%s",
				len(v), v, strings.Join(s.linesOf(rep.oddKeys), "\n"))
		}
		if rep.accepted.Load() != hammerStartBal || rep.refused.Load() != domainWorkers*domainSpends+httpWorkers*httpSpends-hammerStartBal {
			t.Fatalf("accepted %d refused %d: the balance should run out exactly", rep.accepted.Load(), rep.refused.Load())
		}
	})
}

// naiveStore is the deliberately broken read-then-write version: no
// transaction and no lock, so concurrent spends read the same balance and
// overwrite each other's writes. The hammer must catch it.
type naiveStore struct{ domain.Store }

func (n naiveStore) InTx(ctx context.Context, fn func(domain.Store) error) error { return fn(n) }

func (n naiveStore) LockBalance(ctx context.Context, orgID string, _ ...string) (domain.Balance, []domain.IdempotencyRecord, error) {
	b, err := n.GetBalance(ctx, orgID)
	return b, nil, err
}

func TestHammerCatchesNaiveReadThenWrite(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		const start = 2_000
		_, _, org, d, aliceCtx := hammerSetup(t, b, start)
		orgID := localID(t, org)
		// One spend per transaction: the combiner would serialize spends in
		// process and hide what the store gets wrong.
		naive := domain.NewService(naiveStore{d}, domain.Config{SpendBatch: 1})
		rep := hammer(t, d, orgID, map[string]struct {
			workers, spends int
			spend           spender
		}{
			"naive": {32, 100, func(ctx context.Context, key string) (domain.Code, error) {
				_, err := naive.Consume(aliceCtx, domain.ConsumeInput{OrgID: orgID, Amount: 1, IdempotencyKey: key})
				return domain.ErrorCode(err), nil
			}},
		})
		v := violations(t, d, orgID, start, rep)
		if len(v) == 0 {
			t.Fatal("the hammer did not catch the naive read-then-write spender")
		}
		t.Logf("naive spender caught: %d violations, first: %s", len(v), v[0])
	})
}
