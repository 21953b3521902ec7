package db_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestServiceCredits runs the domain's credit operations on the real
// stores: concurrent spends, idempotent replays and races on one key.
func TestServiceCredits(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		svc := domain.NewService(d, domain.Config{SignupGrant: 1000})
		u, err := svc.EnsureUser(ctx(), "sub-"+newID(), "owner@x.io", "Owner")
		must(t, err)
		as := domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Email: u.Email})
		org, err := svc.CreateOrg(as, domain.CreateOrgInput{Name: "Acme", Country: "DE", Currency: domain.EUR})
		must(t, err)

		const workers, each = 6, 5
		var wg sync.WaitGroup
		errs := make(chan error, workers*each+workers)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					_, err := svc.Consume(as, domain.ConsumeInput{OrgID: org.ID, Amount: 3, IdempotencyKey: fmt.Sprintf("w%d-%d", w, i)})
					errs <- err
				}
			}()
		}
		// Racing requests with one key: exactly one spend.
		var first sync.Map
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := svc.Consume(as, domain.ConsumeInput{OrgID: org.ID, Amount: 7, IdempotencyKey: "same", Reason: "r"})
				if err == nil {
					first.Store(res.Entry.ID, true)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		ids := 0
		first.Range(func(any, any) bool { ids++; return true })
		if ids != 1 {
			t.Fatalf("one idempotency key produced %d different entries", ids)
		}

		b, err := svc.Balance(as, org.ID)
		must(t, err)
		want := int64(1000 - workers*each*3 - 7)
		if b.Total != want || b.Free != want || b.Version != int64(1+workers*each+1) {
			t.Fatalf("balance = %+v, want total %d", b, want)
		}
		sum, err := d.SumLedger(ctx(), org.ID)
		must(t, err)
		if sum != b.Total {
			t.Fatalf("ledger sums to %d, balance is %d", sum, b.Total)
		}

		_, err = svc.Consume(as, domain.ConsumeInput{OrgID: org.ID, Amount: 8, IdempotencyKey: "same", Reason: "r"})
		wantCode(t, err, domain.CodeConflict)
		_, err = svc.Consume(as, domain.ConsumeInput{OrgID: org.ID, Amount: 1 << 40, IdempotencyKey: "big"})
		wantCode(t, err, domain.CodeInsufficientCredits)
	})
}
