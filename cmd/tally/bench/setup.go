package bench

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/domain"
	"golang.org/x/sync/errgroup"
)

// grantPerOrg is the credit granted to every benchmark org: far more than
// any run can spend, so no debit is refused.
const grantPerOrg int64 = 1_000_000_000_000

// setupParallelism bounds the concurrent org creations.
const setupParallelism = 8

// benchOrg is an org created for the run, before its GraphQL ID is known.
type benchOrg struct {
	ID, Name, APIKey string
}

// fixture is what setup created: one owner user and its orgs.
type fixture struct {
	Owner domain.User
	Orgs  []benchOrg
}

// setup creates n orgs owned by one benchmark user, each with a large
// ADJUSTMENT grant and one API key, through the domain service on the
// server's own database. Nothing here is timed.
func setup(ctx context.Context, databaseURL, runID string, n int) (fixture, error) {
	d, err := db.Open(ctx, databaseURL, db.Options{MaxOpenConns: setupParallelism})
	if err != nil {
		return fixture{}, err
	}
	defer d.Close()
	svc := domain.NewService(d, domain.Config{})
	owner, err := svc.EnsureUser(ctx, "tally-bench-"+runID, "bench+"+runID+"@tally.invalid", "Tally bench "+runID)
	if err != nil {
		return fixture{}, err
	}
	ownerActor := domain.Actor{UserID: owner.ID, Email: owner.Email}

	orgs := make([]benchOrg, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(setupParallelism)
	for i := range orgs {
		g.Go(func() error {
			o, err := createOrg(gctx, svc, ownerActor, fmt.Sprintf("bench %s %04d", runID, i))
			if err != nil {
				return err
			}
			orgs[i] = o
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return fixture{}, err
	}
	return fixture{Owner: owner, Orgs: orgs}, nil
}

// createOrg makes one funded org with an API key.
// The owner grants the credits as a platform admin.
func createOrg(ctx context.Context, svc *domain.Service, owner domain.Actor, name string) (benchOrg, error) {
	ownerCtx := domain.WithActor(ctx, owner)
	admin := owner
	admin.PlatformAdmin = true
	org, err := svc.CreateOrg(ownerCtx, domain.CreateOrgInput{Name: name, Country: "DE", Currency: domain.EUR})
	if err != nil {
		return benchOrg{}, fmt.Errorf("create org %q: %w", name, err)
	}
	_, err = svc.GrantCredits(domain.WithActor(ctx, admin), domain.GrantInput{
		OrgID: org.ID, Amount: grantPerOrg, Kind: domain.GrantAdjustment,
		Reason: "load benchmark", IdempotencyKey: "bench-grant-" + org.ID,
	})
	if err != nil {
		return benchOrg{}, fmt.Errorf("grant credits to %q: %w", name, err)
	}
	_, secret, err := svc.CreateAPIKey(ownerCtx, org.ID, "bench")
	if err != nil {
		return benchOrg{}, fmt.Errorf("create API key of %q: %w", name, err)
	}
	return benchOrg{ID: org.ID, Name: name, APIKey: secret}, nil
}
