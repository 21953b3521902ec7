package domain_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// TestRevokedKeyRefusedOnOtherInstance: two services (two instances) on
// one PostgreSQL database, each with its own bus connection and a key cache
// that would keep the key an hour. Instance B has the key cached; revoking
// it on A makes B refuse it as soon as the revocation arrives on the bus,
// and B never caches it again.
func TestRevokedKeyRefusedOnOtherInstance(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	ctx := context.Background()
	instance := func() *domain.Service {
		d, err := db.Open(ctx, url, db.Options{MaxOpenConns: 4})
		if err != nil {
			t.Fatal(err)
		}
		b, err := bus.NewPostgres(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		svc := domain.NewService(d, domain.Config{APIKeyCacheTTL: time.Hour}, domain.WithBus(b))
		t.Cleanup(func() { svc.Close(); _ = b.Close(); _ = d.Close() })
		return svc
	}
	a, b := instance(), instance()
	owner := signIn(t, a, "owner")
	org, err := a.CreateOrg(owner, domain.CreateOrgInput{Name: "Keys", Country: "DE", Currency: domain.EUR})
	if err != nil {
		t.Fatal(err)
	}
	k, secret, err := a.CreateAPIKey(owner, org.ID, "backend")
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*domain.Service{a, b} { // both cache it
		if _, err := svc.AuthenticateAPIKey(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.RevokeAPIKey(owner, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.AuthenticateAPIKey(ctx, secret); !domain.IsCode(err, domain.CodeUnauthenticated) {
		t.Fatalf("instance A after revoking: %v, want UNAUTHENTICATED", err)
	}
	// NOTIFY reaches B asynchronously; once it did, B refuses, not when
	// its hour-long cache entry expires.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := b.AuthenticateAPIKey(ctx, secret)
		if domain.IsCode(err, domain.CodeUnauthenticated) {
			break
		}
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("instance B still accepts the revoked key: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for range 3 {
		if _, err := b.AuthenticateAPIKey(ctx, secret); !domain.IsCode(err, domain.CodeUnauthenticated) {
			t.Fatalf("instance B accepted the revoked key again: %v", err)
		}
	}
}

// TestKeyUseWrittenOffTheRequest: a cached key's requests write nothing;
// its last use reaches the store when the service flushes (here: Close),
// on both stores, and a stamp never moves back.
func TestKeyUseWrittenOffTheRequest(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newFixtureStore(t, d, domain.Config{})
		ctx := context.Background()
		k, secret, err := f.svc.CreateAPIKey(f.owner, f.org.ID, "backend")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				if _, err := f.svc.AuthenticateAPIKey(ctx, secret); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		f.clock.Set(f.clock.Now().Add(10 * time.Second))
		if _, err := f.svc.AuthenticateAPIKey(ctx, secret); err != nil {
			t.Fatal(err)
		}
		last := f.clock.Now()
		if got, _ := d.APIKeyByID(ctx, k.ID); got.LastUsedAt != nil {
			t.Fatalf("a request wrote last_used_at %v; want it written off the request", got.LastUsedAt)
		}
		f.svc.Close()
		got, err := d.APIKeyByID(ctx, k.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.LastUsedAt == nil || !got.LastUsedAt.Equal(last) {
			t.Fatalf("last_used_at %v after Close, want %v", got.LastUsedAt, last)
		}
		if err := d.TouchAPIKeys(ctx, map[string]time.Time{k.ID: last.Add(-time.Hour), "no-such-key": last}); err != nil {
			t.Fatal(err)
		}
		if got, _ := d.APIKeyByID(ctx, k.ID); !got.LastUsedAt.Equal(last) {
			t.Fatalf("an older stamp moved last_used_at back to %v", got.LastUsedAt)
		}
	})
}
