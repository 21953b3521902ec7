package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tallyhq/tally/cmd/tally/bench"
	"github.com/tallyhq/tally/domain"
)

// BenchCmd runs the load benchmark: it starts servers from this binary on
// DATABASE_URL (PostgreSQL), a temporary SQLite file and a seeded second
// database, and prints one table. Zero flags take the size's default.
type BenchCmd struct {
	Globals `embed:""`

	Small             bool          `name:"small" help:"Run every scenario at a tiny size (seconds): the code paths, not the figures."`
	Clients           int           `name:"clients" help:"Concurrent HTTP clients (64; small 4)."`
	Orgs              int           `name:"orgs" help:"Orgs of the spread-out scenario (1000; small 10)."`
	Duration          time.Duration `name:"duration" help:"Measured time of each run (20s; small 1s)."`
	Warmup            time.Duration `name:"warmup" help:"Unmeasured load before each run (3s; small 200ms)."`
	Pgbench           string        `name:"pgbench" default:"pgbench" help:"The pgbench binary."`
	UsageBatch        int           `name:"usage-batch" help:"Events per batch of the usage ingest run (500; small 20)."`
	UsageOrgs         int           `name:"usage-orgs" help:"Orgs the usage ingest run reports usage for (16; small 2)."`
	Subscribers       int           `name:"subscribers" help:"Websocket subscribers of the subscriber scenario (10000; small 20)."`
	SubscriberOrgs    int           `name:"subscriber-orgs" help:"Orgs the subscribers are spread over (1000; small 5)."`
	SQLiteOrgs        int           `name:"sqlite-orgs" help:"Orgs of SQLite's many-orgs run (100; small 5)."`
	GrowthOrgs        []int         `name:"growth-orgs" sep:"," help:"Org counts of the cost-growth runs, ascending; the last is seeded (10,1000,100000; small 2,5,20)."`
	SeedEntries       int           `name:"seed-entries" help:"Ledger entries seeded over the growth orgs (10000000; small 2000)."`
	Only              []string      `name:"only" sep:"," help:"Run just these scenarios: ceiling, debits, reads, subscribers, usage, sqlite, growth (start-up and idle RSS always)."`
	GrowthDatabaseURL string        `name:"growth-database-url" help:"Seed and keep this database for the growth runs (default: a scratch database next to DATABASE_URL, dropped at the end)."`
	Profile           string        `name:"profile" placeholder:"DIR" help:"Save a CPU profile of the servers for every measured run in DIR (<run>.pprof) and sum each up in the report."`
	ServeReference    string        `name:"serve-reference" hidden:"" help:"Serve the plain reference handler on this address until stopped (the bench runs it so)."`
}

// Run benchmarks this binary's server on DATABASE_URL (a PostgreSQL
// database the bench may fill), printing the report on stdout.
func (b BenchCmd) Run() error {
	c, err := b.Common(false)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return domain.Internal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if b.ServeReference != "" {
		return bench.ServeReference(ctx, c.DatabaseURL, b.ServeReference)
	}
	return bench.Run(ctx, bench.Options{
		Binary: self, DatabaseURL: c.DatabaseURL, GrowthDatabaseURL: b.GrowthDatabaseURL, Small: b.Small,
		Clients: b.Clients, Orgs: b.Orgs, Duration: b.Duration, Warmup: b.Warmup, PgbenchPath: b.Pgbench,
		UsageBatch: b.UsageBatch, UsageOrgs: b.UsageOrgs, Subscribers: b.Subscribers, SubscriberOrgs: b.SubscriberOrgs,
		SQLiteOrgs: b.SQLiteOrgs, GrowthOrgs: b.GrowthOrgs, SeedEntries: b.SeedEntries, Only: b.Only,
		ProfileDir: b.Profile,
	}, os.Stdout)
}
