// Package bench is Tally's load benchmark: it drives consumeCredits over
// HTTP against a running server on PostgreSQL and compares the debit rate
// with pgbench on the same database server, for the same time and clients.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// Options configures a benchmark run; zero fields take the defaults noted.
type Options struct {
	// URL is the running Tally server, e.g. http://127.0.0.1:8080.
	URL string
	// DatabaseURL is the server's PostgreSQL, used for setup and pgbench.
	DatabaseURL string
	// Clients is the number of concurrent HTTP clients (64).
	Clients int
	// Orgs is the number of orgs of the spread-out scenario (1000).
	Orgs int
	// Duration is the measured time of each run (20s).
	Duration time.Duration
	// Warmup is the unmeasured load before each Tally run (3s).
	Warmup time.Duration
	// PgbenchPath is the pgbench binary ("pgbench").
	PgbenchPath string
	// ServerPID, when set, is the server process whose RSS is reported.
	ServerPID int
	// JWTSecret is the server's TALLY_JWT_SECRET, for the GraphQL lookups
	// made as the benchmark's owner during setup.
	JWTSecret string
	// UsageBatch is the events per usage batch (500); UsageOrgs the orgs
	// the usage run reports for (16, at most Orgs).
	UsageBatch, UsageOrgs int
}

// withDefaults fills zero fields and checks the rest.
func (o Options) withDefaults() (Options, error) {
	if o.Clients == 0 {
		o.Clients = 64
	}
	if o.Orgs == 0 {
		o.Orgs = 1000
	}
	if o.Duration == 0 {
		o.Duration = 20 * time.Second
	}
	if o.Warmup == 0 {
		o.Warmup = 3 * time.Second
	}
	if o.PgbenchPath == "" {
		o.PgbenchPath = "pgbench"
	}
	if o.UsageBatch == 0 {
		o.UsageBatch = 500
	}
	if o.UsageOrgs == 0 {
		o.UsageOrgs = 16
	}
	o.UsageOrgs = min(o.UsageOrgs, o.Orgs)
	switch {
	case o.URL == "":
		return o, domain.InvalidInput("url", "the Tally server URL is required")
	case !strings.HasPrefix(o.DatabaseURL, "postgres://") && !strings.HasPrefix(o.DatabaseURL, "postgresql://"):
		return o, domain.InvalidInput("databaseURL", "the server's PostgreSQL URL is required")
	case o.JWTSecret == "":
		return o, domain.InvalidInput("jwtSecret", "the server's JWT secret is required")
	case o.UsageBatch < 1 || o.UsageOrgs < 1:
		return o, domain.InvalidInput("usageBatch", "the usage batch and orgs must be positive")
	case o.Clients < 1 || o.Orgs < 1:
		return o, domain.InvalidInput("clients", "clients and orgs must be positive")
	case o.Duration < time.Second || o.Warmup < 0:
		return o, domain.InvalidInput("duration", "the duration must be at least 1s and the warm-up not negative")
	}
	o.URL = strings.TrimSuffix(o.URL, "/")
	return o, nil
}

// Run sets up orgs and API keys on the server's database, then runs two
// scenarios back to back, each followed by its pgbench comparison on the
// same PostgreSQL: Clients clients over Orgs orgs against pgbench's TPC-B
// (scale = Clients), and all clients on one org against a one-hot-row
// script. It writes the report to out as each part finishes.
func Run(ctx context.Context, o Options, out io.Writer) (err error) {
	o, err = o.withDefaults()
	if err != nil {
		return err
	}
	if o.ServerPID > 0 {
		kib, err := ReadRSS(o.ServerPID)
		if err != nil {
			return domain.Internal(fmt.Errorf("server RSS: %w", err))
		}
		fmt.Fprintf(out, "server:  rss idle %s (pid %d)\n", mebibytes(kib), o.ServerPID)
	}

	runID := newRunID()
	began := time.Now()
	fx, err := setup(ctx, o.DatabaseURL, runID, o.Orgs+1)
	if err != nil {
		return err
	}
	targets, err := resolveTargets(ctx, o.URL+"/graphql", o.JWTSecret, fx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "setup:   %d orgs with API keys in %s\n", len(targets), time.Since(began).Round(time.Millisecond))

	began = time.Now()
	pg, err := newPgbench(ctx, o.PgbenchPath, o.DatabaseURL)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := pg.close(ctx); err == nil {
			err = cerr
		}
	}()
	scale := o.Clients
	if err := pg.initialize(ctx, scale); err != nil {
		return err
	}
	fmt.Fprintf(out, "setup:   pgbench -i -s %d in %s\n\n", scale, time.Since(began).Round(time.Millisecond))

	scenarios := []struct {
		targets []Target
		script  string
		pgbench func(context.Context, int, time.Duration) (float64, error)
	}{
		{targets[:o.Orgs], "tpcb-like", pg.tpcb},
		{targets[o.Orgs:], "hot-row", pg.hotRow},
	}
	var debits float64 // of the spread-out scenario
	for _, sc := range scenarios {
		s := Scenario{Orgs: len(sc.targets), Clients: o.Clients, Duration: o.Duration,
			PgbenchScript: sc.script, PgbenchScale: scale}
		pg.checkpoint(ctx)
		l := &load{endpoint: o.URL + "/graphql", targets: sc.targets, clients: o.Clients,
			warmup: o.Warmup, duration: o.Duration, runID: runID + "-" + sc.script}
		s.Tally = l.run(ctx)
		if debits == 0 {
			debits = s.Tally.PerSecond()
		}
		if o.ServerPID > 0 {
			s.RSSAfterKiB, _ = ReadRSS(o.ServerPID) // a vanished server shows as unknown
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		pg.checkpoint(ctx)
		s.PgbenchTPS, err = sc.pgbench(ctx, o.Clients, o.Duration)
		if werr := WriteScenario(out, s); werr != nil && err == nil {
			err = werr
		}
		if err != nil {
			return err // the block above still shows the Tally side
		}
		fmt.Fprintln(out)
	}
	return runUsage(ctx, o, fx.Owner, targets[:o.UsageOrgs], runID, debits, out)
}

// runUsage runs the usage ingest scenario, checks the totals and reports
// them next to the debit rate.
func runUsage(ctx context.Context, o Options, owner domain.User, targets []Target, runID string, debits float64, out io.Writer) error {
	u := &usageRun{endpoint: o.URL + "/v1/usage/events", targets: targets, clients: o.Clients, batch: o.UsageBatch,
		duration: o.Duration, runID: runID}
	res := u.run(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := verifyUsage(ctx, o.URL+"/graphql", o.JWTSecret, owner, targets, res.sentPerOrg, &res); err != nil {
		return err
	}
	if err := WriteUsage(out, res, debits); err != nil {
		return err
	}
	if !res.Verified || res.Errors > 0 {
		return domain.Internal(fmt.Errorf("usage ingest: %d errors; %s", res.Errors, res.Mismatch))
	}
	return nil
}

// newRunID returns a short random tag that keeps names and idempotency keys
// of different runs apart.
func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
