package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tallyhq/tally/cmd/tally/bench"
)

// BenchCmd runs the load benchmark against a running server on PostgreSQL.
type BenchCmd struct {
	Globals `embed:""`

	URL        string        `name:"url" required:"" help:"The running Tally server, e.g. http://127.0.0.1:8080."`
	Clients    int           `name:"clients" default:"64" help:"Concurrent HTTP clients."`
	Orgs       int           `name:"orgs" default:"1000" help:"Orgs of the spread-out scenario."`
	Duration   time.Duration `name:"duration" default:"20s" help:"Measured time of each run."`
	Warmup     time.Duration `name:"warmup" default:"3s" help:"Unmeasured load before each run."`
	Pgbench    string        `name:"pgbench" default:"pgbench" help:"The pgbench binary."`
	ServerPID  int           `name:"server-pid" help:"The server's PID, to report its RSS."`
	UsageBatch int           `name:"usage-batch" default:"500" help:"Events per batch of the usage ingest run."`
	UsageOrgs  int           `name:"usage-orgs" default:"16" help:"Orgs the usage ingest run reports usage for."`
}

// Run benchmarks the server at --url whose database is DATABASE_URL and
// whose token secret is TALLY_JWT_SECRET, printing the report on stdout.
func (b BenchCmd) Run() error {
	c, err := b.Common(false)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return bench.Run(ctx, bench.Options{
		URL: b.URL, DatabaseURL: c.DatabaseURL, Clients: b.Clients, Orgs: b.Orgs,
		Duration: b.Duration, Warmup: b.Warmup, PgbenchPath: b.Pgbench, ServerPID: b.ServerPID,
		JWTSecret: string(c.JWTSecret), UsageBatch: b.UsageBatch, UsageOrgs: b.UsageOrgs,
	}, os.Stdout)
}
