package domain_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// BenchmarkConsume measures one debit through the domain service on each
// store: one org (every goroutine contends for its balance lock) and 1,000
// orgs (no contention). Run: go test -run '^$' -bench Consume ./domain/
func BenchmarkConsume(b *testing.B) {
	for _, be := range []struct {
		name string
		open func(testing.TB) *db.DB
	}{{"postgres", dbtest.Postgres}, {"sqlite", dbtest.SQLite}} {
		for _, orgs := range []int{1, 1000} {
			b.Run(fmt.Sprintf("%s/orgs=%d", be.name, orgs), func(b *testing.B) {
				d := be.open(b)
				svc := domain.NewService(d, domain.Config{SignupGrantDisabled: true})
				admin := domain.WithActor(context.Background(), domain.Actor{UserID: "admin", PlatformAdmin: true})
				u, err := svc.EnsureUser(context.Background(), "bench|owner", "owner@example.com", "owner")
				if err != nil {
					b.Fatal(err)
				}
				owner := domain.WithActor(context.Background(), domain.Actor{UserID: u.ID, Email: u.Email})
				ids := make([]string, orgs)
				for i := range ids {
					o, err := svc.CreateOrg(owner, domain.CreateOrgInput{Name: "Bench", Country: "DE", Currency: domain.EUR})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := svc.GrantCredits(admin, domain.GrantInput{OrgID: o.ID, Amount: 1 << 40, Kind: domain.GrantPurchased, IdempotencyKey: "seed"}); err != nil {
						b.Fatal(err)
					}
					ids[i] = o.ID
				}
				var n atomic.Int64
				b.SetParallelism(32) // 64 goroutines on 2 cores
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						_, err := svc.Consume(owner, domain.ConsumeInput{OrgID: ids[int(i)%orgs], Amount: 1, IdempotencyKey: fmt.Sprint("k", i)})
						if err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}
