package domain_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways"
)

// EnvRechargeHammer set to "full" runs the auto-recharge hammer at full
// size (100 spends per goroutine instead of 4, and the default limit of 50.00).
const EnvRechargeHammer = "TALLY_RECHARGE_HAMMER"

// TestAutoRechargeHammer: 64 goroutines spend one org across the threshold
// again and again on two Service instances sharing one database (two
// connection pools on PostgreSQL, one handle on SQLite). Never two top-ups
// in flight (sampled from the database throughout, and the unique index),
// never over the period's limit, one grant per paid top-up, balance equal
// to the ledger's sum.
func TestAutoRechargeHammer(t *testing.T) {
	t.Parallel()
	perGoroutine, limit := 4, int64(2000) // 20.00: at most 16 top-ups of 1.19
	if os.Getenv(EnvRechargeHammer) == "full" {
		perGoroutine, limit = 100, 5000 // the default 50.00: 42 top-ups
	}
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		u := dbtest.PostgresURL(t)
		open := func() *db.DB {
			d, err := db.Open(context.Background(), u, db.Options{MaxOpenConns: 16})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = d.Close() })
			return d
		}
		hammerRecharge(t, open(), open(), perGoroutine, limit)
	})
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		d := dbtest.SQLite(t)
		hammerRecharge(t, d, d, perGoroutine, limit)
	})
}

func hammerRecharge(t *testing.T, d1, d2 *db.DB, perGoroutine int, limitMinor int64) {
	const (
		goroutines = 64
		spend      = 1000
		threshold  = 5000
	)
	r := newRechargeShop(t, d1)
	reg, err := gateways.New(nil, r.gw)
	if err != nil {
		t.Fatal(err)
	}
	svc2 := domain.NewService(d2, domain.Config{SignupGrantDisabled: true}, domain.WithClock(r.clock), domain.WithGateways(reg))
	t.Cleanup(svc2.Close)
	svcs := []*domain.Service{r.svc, svc2}
	r.grant(t, domain.GrantPromo, 20_000, 0, "start")
	st := r.enable(t, threshold, limitMinor, "on")
	if st.SpendingLimit.AmountMinor != limitMinor {
		t.Fatalf("limit %+v", st.SpendingLimit)
	}

	ctx := context.Background()
	var (
		done        atomic.Bool
		samples     atomic.Int64
		maxInFlight atomic.Int64
		sampleErr   atomic.Value
		spent       atomic.Int64
		refused     atomic.Int64
		wg          sync.WaitGroup
		sampler     sync.WaitGroup
	)
	sampler.Add(1)
	go func() { // count in-flight top-ups in the database, throughout
		defer sampler.Done()
		for !done.Load() {
			os, err := d1.AutoRechargeOrders(ctx, r.org.ID, t0.AddDate(0, -1, 0), t0.AddDate(0, 1, 0))
			if err != nil {
				sampleErr.Store(err)
				return
			}
			var n int64
			for _, o := range os {
				if o.Status.Unpaid() {
					n++
				}
			}
			samples.Add(1)
			if n > maxInFlight.Load() {
				maxInFlight.Store(n)
			}
			time.Sleep(time.Millisecond)
		}
	}()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := svcs[g%2]
			for i := range perGoroutine {
				// A spend the balance cannot cover waits for the top-up
				// (a bounded number of retries: once the limit is
				// reached, none comes).
				for try := 0; ; try++ {
					_, err := svc.Consume(r.owner, domain.ConsumeInput{OrgID: r.org.ID, Amount: spend,
						IdempotencyKey: fmt.Sprintf("h-%d-%d", g, i), Reason: "hammer"})
					code := domain.ErrorCode(err)
					if code == domain.CodeInsufficientCredits && try < 50 {
						time.Sleep(10 * time.Millisecond)
						continue
					}
					switch code {
					case "":
						spent.Add(spend)
					case domain.CodeInsufficientCredits:
						refused.Add(1)
					default:
						t.Errorf("spend: %v", err)
						return
					}
					break
				}
			}
		}()
	}
	wg.Wait()
	// Let the background checks of both instances finish.
	deadline := time.Now().Add(time.Minute)
	for !r.svc.ChecksIdle() || !svc2.ChecksIdle() {
		if time.Now().After(deadline) {
			t.Fatal("background checks did not finish")
		}
		time.Sleep(5 * time.Millisecond)
	}
	done.Store(true)
	sampler.Wait()
	if err, _ := sampleErr.Load().(error); err != nil {
		t.Fatal(err)
	}

	ups := r.topUps(t)
	var (
		total, paid int64
		numbers     = map[string]bool{}
		dups        int
	)
	for _, o := range ups {
		if numbers[o.Number] {
			dups++
		}
		numbers[o.Number] = true
		if o.Status.Unpaid() {
			t.Errorf("top-up %s still %s", o.Number, o.Status)
		}
		if o.Status == domain.OrderPaid {
			paid++
			total += o.Total.AmountMinor
		}
	}
	grants := 0
	for _, e := range r.ledger(t) {
		if e.Kind != domain.EntryGrant {
			continue
		}
		gs, err := r.svc.GrantsByIDs(r.owner, []string{e.GrantID()})
		if err != nil {
			t.Fatal(err)
		}
		if gs[e.GrantID()].Kind == domain.GrantAutoRecharge {
			grants++
		}
	}
	b := r.checkInvariants(t)
	t.Logf("hammer: %d spends of %d by %d goroutines on 2 instances (%d refused: balance short); top-ups made %d (paid %d, total %d minor), limit %d minor, max in flight %d over %d samples, duplicates %d, balance %d",
		goroutines*perGoroutine, spend, goroutines, refused.Load(), len(ups), paid, total, limitMinor, maxInFlight.Load(), samples.Load(), dups+grants-int(paid), b.Total)
	if maxInFlight.Load() > 1 {
		t.Fatalf("%d top-ups in flight at once", maxInFlight.Load())
	}
	if total > limitMinor {
		t.Fatalf("top-ups cost %d, over the limit %d", total, limitMinor)
	}
	if n, _ := r.events(t); refused.Load() > 0 && n[domain.OrgEventAutoRechargeLimitReached] != 1 {
		t.Fatalf("spends were refused but the limit was not reached: events %v", n)
	}
	if paid == 0 || int64(grants) != paid || dups != 0 {
		t.Fatalf("%d paid top-ups, %d AUTO_RECHARGE grants, %d duplicate numbers", paid, grants, dups)
	}
	if want := 20_000 + paid*10_000 - spent.Load(); b.Total != want {
		t.Fatalf("balance %d, want %d", b.Total, want)
	}
}
