package db_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// BenchmarkConsume measures the whole credit-spend transaction (lock with
// idempotency lookup, open grants, one batched write, commit) through the
// domain service, from parallel clients on one org.
func BenchmarkConsume(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"postgres", dbtest.Postgres}, {"sqlite", dbtest.SQLite}} {
		b.Run(backend.name, func(b *testing.B) {
			d := backend.open(b)
			svc := domain.NewService(d, domain.Config{SignupGrant: domain.MaxCredits / 2})
			u, err := svc.EnsureUser(ctx(), "sub-"+newID(), "bench@x.io", "")
			if err != nil {
				b.Fatal(err)
			}
			as := domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Email: u.Email})
			org, err := svc.CreateOrg(as, domain.CreateOrgInput{Name: "Bench", Country: "DE", Currency: domain.EUR})
			if err != nil {
				b.Fatal(err)
			}
			var n atomic.Int64
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					key := fmt.Sprintf("k%d", n.Add(1))
					if _, err := svc.Consume(as, domain.ConsumeInput{OrgID: org.ID, Amount: 1, IdempotencyKey: key}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
