package domain_test

import (
	"context"
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// BenchmarkConsume measures one debit through the domain service on each
// store, with 64 goroutines spending: on one org (every spend contends for
// its balance lock), and spread over 10, 100 and 1,000 orgs (spends of
// different orgs, which group commit lets share transactions). PostgreSQL
// flushes the WAL at every commit, as in production. Each store
// and org count is set up once; postgres-apikey spends on PostgreSQL as
// each org's API key (authorize reads nothing), as the load benchmark's
// clients do. Run:
//
//	go test -run '^$' -bench Consume -benchtime 20000x ./domain/
func BenchmarkConsume(b *testing.B) {
	for _, be := range []struct {
		name string
		open func(testing.TB) *db.DB
		key  bool // spend as each org's API key instead of its owner
	}{{"postgres", durablePostgres, false}, {"postgres-apikey", durablePostgres, true}, {"sqlite", dbtest.SQLite, false}} {
		for _, orgs := range []int{1, 10, 100, 1000} {
			var (
				d     *db.DB
				svc   *domain.Service
				owner context.Context
				ids   []string
				as    []context.Context // the context each org's spends run in
			)
			b.Run(fmt.Sprintf("%s/orgs=%d", be.name, orgs), func(sb *testing.B) {
				if svc == nil { // the first of the runs that size b.N
					d = be.open(b)
					svc, owner, ids = benchOrgs(b, d, orgs)
					as = make([]context.Context, orgs)
					for i, id := range ids {
						as[i] = owner
						if be.key {
							as[i] = domain.WithActor(context.Background(), domain.Actor{APIKeyID: "key-" + id, APIKeyOrgID: id})
						}
					}
				}
				var n atomic.Int64
				sb.SetParallelism(32) // 64 goroutines on 2 cores
				sb.ResetTimer()
				sb.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						_, err := svc.Consume(as[int(i)%orgs], domain.ConsumeInput{OrgID: ids[int(i)%orgs], Amount: 1, IdempotencyKey: fmt.Sprint("k", sb.N, "-", i)})
						if err != nil {
							sb.Error(err)
							return
						}
					}
				})
				sb.ReportMetric(float64(sb.N)/sb.Elapsed().Seconds(), "debits/s")
			})
			if d != nil { // its connections are not needed any more
				_ = d.Close()
			}
		}
	}
}

// durablePostgres is a fresh test database on PostgreSQL with every commit
// waiting for its WAL flush, as in production (test databases skip it),
// and the server's default pool of 20 connections.
func durablePostgres(tb testing.TB) *db.DB {
	u, err := url.Parse(dbtest.PostgresURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "on")
	u.RawQuery = q.Encode()
	d, err := db.Open(context.Background(), u.String(), db.Options{MaxOpenConns: 20})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = d.Close() })
	var on string
	if err := d.Gorm().Raw("SHOW synchronous_commit").Scan(&on).Error; err != nil || on != "on" {
		tb.Fatalf("synchronous_commit = %q, %v; want on", on, err)
	}
	return d
}

// benchOrgs creates a service on d with orgs orgs of one owner, each with
// ample credit; it returns the owner's context and the org ids.
func benchOrgs(b *testing.B, d *db.DB, orgs int) (*domain.Service, context.Context, []string) {
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
	return svc, owner, ids
}
