// Package bench is Tally's load benchmark (`make bench`, `tally bench`):
// it starts production-mode servers from the tally binary on a PostgreSQL
// database it is given, on a temporary SQLite file and on a second,
// seeded PostgreSQL database, drives them over HTTP and websockets, and
// prints one table of figures with the ratio of each to what it is
// compared with: pgbench on the same PostgreSQL, the stack's own
// `{ __typename }` ceiling, and a plain net/http + pgx handler the bench
// serves itself. Every run also checks its totals (acknowledged debits
// against the ledger, pushes against the final balances, usage events
// against the org totals) and fails when one is off; no figure is ever a
// pass or fail.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// Options configures a benchmark run; zero fields take the defaults of
// the size (full, or Small), noted as full/small.
type Options struct {
	// Binary is the tally binary whose `serve` the bench starts.
	Binary string
	// DatabaseURL is a migrated or empty PostgreSQL database the main
	// server runs on; pgbench and the growth database go next to it.
	DatabaseURL string
	// GrowthDatabaseURL, when set, is the (empty or migrated) database the
	// growth scenarios seed and use, and keep; by default the bench creates
	// DatabaseURL's name + "_growth" and drops it at the end.
	GrowthDatabaseURL string
	// Small runs every scenario at a tiny size, for CI and a quick look.
	Small bool
	// Clients is the number of concurrent HTTP clients (64/4).
	Clients int
	// Orgs is the number of orgs of the spread-out scenario (1000/10).
	Orgs int
	// Duration is the measured time of each run (20s/1s).
	Duration time.Duration
	// Warmup is the unmeasured load before each run (3s/200ms).
	Warmup time.Duration
	// PgbenchPath is the pgbench binary ("pgbench").
	PgbenchPath string
	// UsageBatch is the events per usage batch (500/20); UsageOrgs the
	// orgs the usage run reports for (16/2, at most Orgs).
	UsageBatch, UsageOrgs int
	// Subscribers are the websocket subscribers (10000/20), spread over
	// SubscriberOrgs orgs (1000/5, at most Orgs).
	Subscribers, SubscriberOrgs int
	// SQLiteOrgs is the many-orgs side of the SQLite scenario (100/5).
	SQLiteOrgs int
	// GrowthOrgs are the org counts of the cost-growth spread loads
	// (10,1000,100000 / 2,5,20); the last is how many orgs are seeded, the
	// middle one also runs on two instances.
	GrowthOrgs []int
	// SeedEntries is the ledger entries seeded over the growth orgs
	// (10,000,000/2,000).
	SeedEntries int
	// Settle bounds the wait for pushes after the load (10s/5s).
	Settle time.Duration
	// FsyncProbe is how long the fdatasync rate is measured (1s/100ms).
	FsyncProbe time.Duration
	// Only, when set, runs just these scenarios (of Scenarios); start-up
	// and idle RSS are always measured.
	Only []string
	// ProfileDir, when set, is where a CPU profile of the servers is saved
	// for every measured window of theirs (the servers then serve pprof
	// on a loopback port); the report sums each up.
	ProfileDir string
}

// Scenarios are the names Options.Only takes, in the order they run.
var Scenarios = []string{"ceiling", "debits", "reads", "subscribers", "usage", "sqlite", "growth"}

// withDefaults fills zero fields and checks the rest.
func (o Options) withDefaults() (Options, error) {
	type size struct {
		clients, orgs, usageBatch, usageOrgs, subs, subOrgs, sqliteOrgs, seed int
		duration, warmup, settle, fsync                                       time.Duration
		growth                                                                []int
	}
	z := size{64, 1000, 500, 16, 10000, 1000, 100, 10_000_000, 20 * time.Second, 3 * time.Second, 10 * time.Second, time.Second, []int{10, 1000, 100_000}}
	if o.Small {
		z = size{4, 10, 20, 2, 20, 5, 5, 2000, time.Second, 200 * time.Millisecond, 5 * time.Second, 100 * time.Millisecond, []int{2, 5, 20}}
	}
	set := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	setD := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	set(&o.Clients, z.clients)
	set(&o.Orgs, z.orgs)
	set(&o.UsageBatch, z.usageBatch)
	set(&o.UsageOrgs, z.usageOrgs)
	set(&o.Subscribers, z.subs)
	set(&o.SubscriberOrgs, z.subOrgs)
	set(&o.SQLiteOrgs, z.sqliteOrgs)
	set(&o.SeedEntries, z.seed)
	setD(&o.Duration, z.duration)
	setD(&o.Warmup, z.warmup)
	setD(&o.Settle, z.settle)
	setD(&o.FsyncProbe, z.fsync)
	if len(o.GrowthOrgs) == 0 {
		o.GrowthOrgs = z.growth
	}
	if o.PgbenchPath == "" {
		o.PgbenchPath = "pgbench"
	}
	o.UsageOrgs = min(o.UsageOrgs, o.Orgs)
	o.SubscriberOrgs = min(o.SubscriberOrgs, o.Orgs)
	for _, name := range o.Only {
		if !slices.Contains(Scenarios, name) {
			return o, domain.InvalidInput("only", "unknown scenario %q: want some of %s", name, strings.Join(Scenarios, ", "))
		}
	}
	for i, n := range o.GrowthOrgs {
		if n < 1 || (i > 0 && n < o.GrowthOrgs[i-1]) {
			return o, domain.InvalidInput("growthOrgs", "the growth org counts must be positive and ascending")
		}
	}
	switch {
	case o.Binary == "":
		return o, domain.InvalidInput("binary", "the tally binary is required")
	case !strings.HasPrefix(o.DatabaseURL, "postgres://") && !strings.HasPrefix(o.DatabaseURL, "postgresql://"):
		return o, domain.InvalidInput("databaseURL", "a PostgreSQL URL is required")
	case o.UsageBatch < 1 || o.UsageOrgs < 1:
		return o, domain.InvalidInput("usageBatch", "the usage batch and orgs must be positive")
	case o.Clients < 1 || o.Orgs < 1 || o.Subscribers < 1 || o.SubscriberOrgs < 1 || o.SQLiteOrgs < 1:
		return o, domain.InvalidInput("clients", "clients, orgs and subscribers must be positive")
	case o.SeedEntries < o.GrowthOrgs[len(o.GrowthOrgs)-1]:
		return o, domain.InvalidInput("seedEntries", "at least one seeded ledger entry per growth org")
	case o.Duration < time.Second || o.Warmup < 0:
		return o, domain.InvalidInput("duration", "the duration must be at least 1s and the warm-up not negative")
	}
	return o, nil
}

// Run runs every scenario, printing each block to out as it finishes and
// then the table; it fails when a check failed.
func Run(ctx context.Context, o Options, out io.Writer) error {
	rep, err := RunReport(ctx, o, out)
	if err != nil {
		return err
	}
	if failed := rep.Failed(); len(failed) > 0 {
		return domain.Internal(fmt.Errorf("%d checks failed, first: %s: %s", len(failed), failed[0].Name, failed[0].Note))
	}
	return nil
}

// RunReport runs every scenario and returns the report after printing it;
// a scenario that could not run to its end is a failed check, an error
// means bad options or a failure to print.
func RunReport(ctx context.Context, o Options, out io.Writer) (Report, error) {
	o, err := o.withDefaults()
	if err != nil {
		return Report{}, err
	}
	b := &run{o: o, out: out, runID: newRunID(), secret: newRunID() + newRunID() + newRunID() + newRunID(), profileNames: map[string]bool{}}
	b.databases = benchDatabases(o, b.runID)
	if o.ProfileDir != "" {
		if err := os.MkdirAll(o.ProfileDir, 0o755); err != nil {
			return Report{}, domain.Internal(err)
		}
	}
	b.rep.Machine = describeMachine(ctx, o.DatabaseURL, o.FsyncProbe)
	fmt.Fprintf(out, "machine: %s\n\n", b.rep.Machine)
	steps := []struct {
		name string
		run  func(context.Context) error
		want string // the scenario the step is, "" for always
	}{
		{"PostgreSQL scenarios", b.postgres, ""},
		{"subscribers on two instances", b.twoInstances, "subscribers"},
		{"SQLite scenarios", b.sqlite, "sqlite"},
		{"cost growth scenarios", b.growth, "growth"},
	}
	for _, step := range steps {
		if step.want != "" && !b.want(step.want) {
			continue
		}
		// A scenario that cannot finish fails its check; the others still
		// run, so that one run shows every figure it can.
		if err := step.run(ctx); err != nil {
			b.logf("error:   %s: %v", step.name, err)
			b.rep.check(step.name+" ran to the end", false, "%v", err)
			if ctx.Err() != nil {
				break
			}
		}
	}
	fmt.Fprintln(out)
	return b.rep, WriteTable(out, b.rep)
}

// run is one benchmark run's state.
type run struct {
	o      Options
	out    io.Writer
	runID  string
	secret string // the servers' TALLY_JWT_SECRET
	rep    Report
	// ceiling is `{ __typename }` req/s; spread the 1,000-org debits/s on
	// the fresh store.
	ceiling, spread float64
	// subscriberTargets are the main store's orgs the subscribers watch.
	subscriberTargets []Target
	// live are the processes started and not stopped yet (servers and the
	// reference handler), for the CPU accounting of loads against them.
	live []*server
	// databases are the names of the bench's PostgreSQL databases.
	databases []string
	// profileNames are the profile files written so far.
	profileNames map[string]bool
}

// benchDatabases returns the names of the PostgreSQL databases a run uses:
// the main one, pgbench's scratch one and the growth one.
func benchDatabases(o Options, runID string) []string {
	names := []string{pgbenchDatabase + runID, "tally_bench_growth_" + runID}
	for _, u := range []string{o.DatabaseURL, o.GrowthDatabaseURL} {
		if p, err := url.Parse(u); err == nil && strings.Trim(p.Path, "/") != "" {
			names = append(names, strings.Trim(p.Path, "/"))
		}
	}
	return names
}

// meterFor returns the meter of a run against servers: their CPU is the
// server side's, and with --profile their profiles are fetched.
func (b *run) meterFor(servers ...*server) *meter {
	m := &meter{databases: b.databases}
	for _, s := range servers {
		m.servers = append(m.servers, s.PID)
		if s.Pprof != "" {
			m.pprof = append(m.pprof, s.Pprof)
		}
	}
	return m
}

// serving returns the live processes behind endpoints.
func (b *run) serving(endpoints []string) []*server {
	var out []*server
	for _, s := range b.live {
		for _, e := range endpoints {
			if strings.HasPrefix(e, s.URL+"/") || e == s.URL {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// cpuRow adds a run's row to the CPU table and saves its profile.
func (b *run) cpuRow(run string, perSecond float64, use *CPUUse) {
	b.rep.CPU = append(b.rep.CPU, CPURow{Run: run, PerSecond: perSecond, Use: use})
	if b.o.ProfileDir != "" && use != nil && (use.Profile != nil || use.ProfileErr != nil) {
		b.rep.Profiles = append(b.rep.Profiles, saveProfile(b.o.ProfileDir, run, use, b.profileNames))
	}
}

// want says whether the scenario named name runs.
func (b *run) want(name string) bool {
	return len(b.o.Only) == 0 || slices.Contains(b.o.Only, name)
}

// logf prints one progress line.
func (b *run) logf(format string, args ...any) {
	fmt.Fprintf(b.out, format+"\n", args...)
}

// start starts a server on databaseURL and reports its start-up; name
// labels the rows ("" for none).
func (b *run) start(ctx context.Context, databaseURL, name string) (*server, error) {
	s, err := startServer(ctx, b.o.Binary, databaseURL, b.secret, b.o.Subscribers, b.o.ProfileDir != "")
	if err != nil {
		return nil, err
	}
	b.live = append(b.live, s)
	if name != "" {
		idle := s.idleRSS(ctx)
		b.logf("server:  %s ready in %s, idle RSS %s (pid %d)", name, s.Startup.Round(time.Millisecond), mebibytes(idle), s.PID)
		b.rep.add("start-up, "+name, fmt.Sprintf("%d ms", s.Startup.Milliseconds()), "", "exec to the first /readyz 200 (goal < 1 s)")
		b.rep.add("idle RSS, "+name, mebibytes(idle), "", "server RSS after start-up (goal < 60 MB)")
	}
	return s, nil
}

// stop stops a server and prints the warnings and errors it logged once
// ready: how many were slow-SQL lines, then the last few lines.
func (b *run) stop(s *server) {
	b.live = slices.DeleteFunc(b.live, func(l *server) bool { return l == s })
	log := strings.TrimSpace(s.stop())
	// With --profile, the pprof listener's own warning is no news.
	lines := slices.DeleteFunc(strings.Split(log, "\n"), func(l string) bool {
		return l == "" || strings.Contains(l, `"msg":"profiles listening`)
	})
	if len(lines) == 0 {
		return
	}
	slow := 0
	for _, l := range lines {
		if strings.Contains(l, `"msg":"slow sql"`) {
			slow++
		}
	}
	b.logf("server %s logged %d warnings and errors (%d slow-SQL lines); the last:", s.URL, len(lines), slow)
	const keep = 10
	if len(lines) > keep {
		lines = lines[len(lines)-keep:]
	}
	b.logf("%s", strings.Join(lines, "\n"))
}

// load runs one load against endpoints and prints its line.
func (b *run) load(ctx context.Context, name string, kind requestKind, targets []Target, endpoints ...string) LoadResult {
	l := &load{endpoints: endpoints, kind: kind, targets: targets, clients: b.o.Clients,
		warmup: b.o.Warmup, duration: b.o.Duration, runID: b.runID + "-" + strings.ReplaceAll(name, " ", "_"),
		meter: b.meterFor(b.serving(endpoints)...)}
	r := l.run(ctx)
	b.cpuRow(name, r.PerSecond(), r.CPU)
	b.logf("%-40s %10.1f/s  p50 %s  p99 %s  max %s  errors %d", name, r.PerSecond(),
		millis(r.Latencies.P50), millis(r.Latencies.P99), millis(r.Latencies.Max), r.Errors)
	for _, e := range r.ErrorSamples {
		b.logf("error:   %s", e)
	}
	return r
}

// noErrors adds a check that a load had no failed request.
func (b *run) noErrors(name string, r LoadResult) {
	b.rep.check(name+": no failed requests", r.Errors == 0, "%d errors", r.Errors)
}

// postgres runs the scenarios of the main PostgreSQL server.
func (b *run) postgres(ctx context.Context) error {
	o := b.o
	if err := migrate(ctx, o.Binary, o.DatabaseURL); err != nil {
		return err
	}
	began := time.Now()
	fx, err := setup(ctx, o.DatabaseURL, b.runID, o.Orgs+1)
	if err != nil {
		return err
	}
	targets := fixtureTargets(fx)
	spread, hot := targets[:o.Orgs], targets[o.Orgs:]
	b.logf("setup:   %d orgs with API keys in %s", len(targets), time.Since(began).Round(time.Millisecond))
	consumedBefore, err := consumeEntries(ctx, o.DatabaseURL)
	if err != nil {
		return err
	}

	srv, err := b.start(ctx, o.DatabaseURL, "PostgreSQL")
	if err != nil {
		return err
	}
	defer b.stop(srv)
	base := srv.URL + "/graphql"

	// 1. The stack's ceiling.
	if b.want("ceiling") {
		ceil := b.load(ctx, "{ __typename } (API key)", kindTypename, spread, base)
		b.noErrors("ceiling", ceil)
		b.ceiling = ceil.PerSecond()
		b.rep.add("`{ __typename }` with an API key (the ceiling)", thousands(b.ceiling)+" req/s", "", fmt.Sprintf("%d clients", o.Clients))
	}

	// 2. Debits: one org against the hot-row script, spread against TPC-B.
	var acked int
	if b.want("debits") {
		n, err := b.debits(ctx, base, hot, spread)
		acked += n
		if err != nil { // pgbench failed (PostgreSQL out of connections): the other scenarios still run
			b.logf("error:   debit scenarios: %v", err)
			b.rep.check("debit scenarios ran to the end", false, "%v", err)
		}
	}

	// 3. Reads against the plain handler.
	if b.want("reads") {
		read := b.load(ctx, "org { balance } (API key)", kindReadBalance, spread, base)
		ref, err := startReference(ctx, o.Binary, o.DatabaseURL)
		if err != nil {
			return err
		}
		b.live = append(b.live, ref)
		plain := b.load(ctx, "plain net/http + pgx handler (reference)", kindReference, spread, ref.URL)
		b.stop(ref)
		b.noErrors("balance read", read)
		b.noErrors("reference read", plain)
		b.rep.add(fmt.Sprintf("`org(id) { balance { total } }` with an API key, %s orgs", thousands(float64(o.Orgs))),
			thousands(read.PerSecond())+" req/s", times(Ratio(read.PerSecond(), plain.PerSecond())),
			fmt.Sprintf("plain net/http + pgx handler, one SELECT: %s req/s", thousands(plain.PerSecond())))
	}

	// 4. Subscribers on this instance (twoInstances runs them on two).
	b.subscriberTargets = spread[:o.SubscriberOrgs]
	if b.want("subscribers") {
		if err := b.subscribers(ctx, []*server{srv}, b.subscriberTargets, &acked); err != nil {
			b.logf("error:   subscriber scenario: %v", err)
			b.rep.check("subscriber scenario ran to the end", false, "%v", err)
		}
	}

	// Every acknowledged debit is in the ledger, and nothing else is.
	consumed, err := consumeEntries(ctx, o.DatabaseURL)
	if err != nil {
		return err
	}
	b.rep.check("PostgreSQL: acknowledged debits = new CONSUME ledger entries", consumed-consumedBefore == int64(acked),
		"%d acknowledged, %d entries", acked, consumed-consumedBefore)

	// 5. Usage ingest.
	if !b.want("usage") {
		return nil
	}
	return b.usage(ctx, srv, fx.Owner, targets[:o.UsageOrgs])
}

// debits compares consumeCredits with pgbench on the same PostgreSQL: one
// org against the hot-row script, spread against TPC-B (scale = clients).
// It returns the debits acknowledged.
func (b *run) debits(ctx context.Context, base string, hot, spread []Target) (acked int, err error) {
	o := b.o
	began := time.Now()
	pg, err := newPgbench(ctx, o.PgbenchPath, o.DatabaseURL, b.runID)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := pg.close(ctx); err == nil {
			err = cerr
		}
	}()
	scale := o.Clients
	if err := pg.initialize(ctx, scale); err != nil {
		return 0, err
	}
	b.logf("setup:   pgbench -i -s %d in %s", scale, time.Since(began).Round(time.Millisecond))

	pg.checkpoint(ctx)
	one := b.load(ctx, "consumeCredits, 1 org", kindDebit, hot, base)
	acked += one.Acked
	pg.checkpoint(ctx)
	w := b.meterFor().begin(ctx, o.Duration)
	hotTPS, err := pg.hotRow(ctx, o.Clients, o.Duration)
	if err != nil {
		return acked, err
	}
	b.logf("%-40s %10.1f tps", "pgbench hot-row", hotTPS)
	b.cpuRow("pgbench hot-row (reference)", hotTPS, w.end(pgbenchOps(hotTPS, o.Duration)))
	pg.checkpoint(ctx)
	many := b.load(ctx, fmt.Sprintf("consumeCredits, %d orgs", o.Orgs), kindDebit, spread, base)
	acked += many.Acked
	pg.checkpoint(ctx)
	w = b.meterFor().begin(ctx, o.Duration)
	tpcb, err := pg.tpcb(ctx, o.Clients, o.Duration)
	if err != nil {
		return acked, err
	}
	b.logf("%-40s %10.1f tps", "pgbench tpcb-like", tpcb)
	b.cpuRow("pgbench TPC-B (reference)", tpcb, w.end(pgbenchOps(tpcb, o.Duration)))
	b.noErrors("consumeCredits 1 org", one)
	b.noErrors("consumeCredits spread", many)
	b.spread = many.PerSecond()
	b.rep.add("consumeCredits, 1 org", thousands(one.PerSecond())+" debits/s", times(Ratio(one.PerSecond(), hotTPS)),
		fmt.Sprintf("pgbench hot-row %s tps", thousands(hotTPS)))
	ratio := times(Ratio(b.spread, tpcb))
	if b.ceiling > 0 {
		ratio += "; " + percent(Ratio(b.spread, b.ceiling)) + " of the ceiling"
	}
	b.rep.add(fmt.Sprintf("consumeCredits, %s orgs", thousands(float64(o.Orgs))), thousands(b.spread)+" debits/s",
		ratio, fmt.Sprintf("pgbench TPC-B %s tps (scale %d)", thousands(tpcb), scale))
	return acked, nil
}

// subscribers runs the subscriber scenario and adds its rows.
func (b *run) subscribers(ctx context.Context, servers []*server, targets []Target, acked *int) error {
	o := b.o
	sr := &subscriberRun{servers: servers, databaseURL: o.DatabaseURL, targets: targets,
		subscribers: o.Subscribers, clients: o.Clients, warmup: o.Warmup, duration: o.Duration,
		settle: o.Settle, runID: fmt.Sprintf("%s-%d", b.runID, len(servers)), // idempotency keys differ per run
		meter: b.meterFor(servers...)}
	res, err := sr.run(ctx)
	*acked += res.Without.Acked + res.With.Acked + res.ProbeDebits
	if err != nil {
		return err
	}
	where := "one instance"
	if len(servers) > 1 {
		where = fmt.Sprintf("%d instances", len(servers))
	}
	b.cpuRow(fmt.Sprintf("consumeCredits, %d orgs, no subscribers, %s", res.Orgs, where), res.Without.PerSecond(), res.Without.CPU)
	b.cpuRow(fmt.Sprintf("consumeCredits, %d orgs, %d subscribers, %s", res.Orgs, res.Subscribers, where), res.With.PerSecond(), res.With.CPU)
	b.logf("subscribers on %s:", where)
	b.logf("%-40s %10.1f/s  without subscribers", fmt.Sprintf("consumeCredits, %d orgs", res.Orgs), res.Without.PerSecond())
	b.logf("%-40s %10.1f/s  with %d subscribers (connected in %s)", "", res.With.PerSecond(), res.Subscribers, res.Connect.Round(time.Millisecond))
	b.logf("pushes:  %d received, latency p50 %s p99 %s max %s (%d matched), %d of %d subscribers saw the final balance",
		res.Pushes, millis(res.Latencies.P50), millis(res.Latencies.P99), millis(res.Latencies.Max), res.Latencies.Count, res.Complete, res.Subscribers)
	if res.Sent > 0 {
		b.logf("renders: %d for %d pushes sent: %.2f per push", res.Rendered, res.Sent, float64(res.Rendered)/float64(res.Sent))
	}
	b.logf("servers: RSS %s before, %s with the subscribers: %.1f KiB each", mebibytes(res.RSSBeforeKiB), mebibytes(res.RSSAfterKiB), res.RSSPerSubscriberKiB())
	for _, e := range slices.Concat(res.Without.ErrorSamples, res.With.ErrorSamples, res.ErrorSamples) {
		b.logf("error:   %s", e)
	}
	b.noErrors("debits without subscribers, "+where, res.Without)
	b.noErrors("debits with subscribers, "+where, res.With)
	b.rep.check("subscribers, "+where+": every one saw its org's final balance", res.Complete == res.Subscribers,
		"%d of %d", res.Complete, res.Subscribers)
	b.rep.check("subscribers, "+where+": no socket failed", res.Errors == 0, "%d failed", res.Errors)
	b.rep.check("subscribers, "+where+": pushes carry the debits' balances", res.Latencies.Count > 0, "%d matched of %d pushes", res.Latencies.Count, res.Pushes)
	shape := fmt.Sprintf("%s subscribers over %s orgs", thousands(float64(res.Subscribers)), thousands(float64(res.Orgs)))
	if len(servers) > 1 {
		shape += fmt.Sprintf(", %d instances", len(servers))
	}
	b.rep.add("consumeCredits with "+shape, thousands(res.With.PerSecond())+" debits/s",
		times(Ratio(res.With.PerSecond(), res.Without.PerSecond())),
		fmt.Sprintf("the same load without them: %s debits/s (goal ≥ 0.9×)", thousands(res.Without.PerSecond())))
	b.rep.add("push latency, "+shape, fmt.Sprintf("p50 %s, p99 %s", millis(res.Latencies.P50), millis(res.Latencies.P99)), "",
		fmt.Sprintf("debit answered → push received, %s pushes (goal p99 < 100 ms)", thousands(float64(res.Latencies.Count))))
	b.rep.add("server RSS per subscriber, "+where, fmt.Sprintf("%.1f KiB", res.RSSPerSubscriberKiB()), "",
		fmt.Sprintf("RSS %s → %s (goal < 30 KB)", mebibytes(res.RSSBeforeKiB), mebibytes(res.RSSAfterKiB)))
	return nil
}

// twoInstances runs the subscriber scenario again on two fresh servers on
// the main store (the first server is stopped by then: a Go process keeps
// the memory its first subscribers used, which would hide the growth).
func (b *run) twoInstances(ctx context.Context) error {
	if len(b.subscriberTargets) == 0 {
		return nil // the main scenarios did not get as far as the orgs
	}
	dbURL := b.o.DatabaseURL
	before, err := consumeEntries(ctx, dbURL)
	if err != nil {
		return err
	}
	servers := make([]*server, 2)
	for i := range servers {
		if servers[i], err = b.start(ctx, dbURL, ""); err != nil {
			return err
		}
		defer b.stop(servers[i])
	}
	acked := 0
	err = b.subscribers(ctx, servers, b.subscriberTargets, &acked)
	after, cerr := consumeEntries(ctx, dbURL)
	if cerr != nil {
		return cerr
	}
	b.rep.check("PostgreSQL, 2 instances: acknowledged debits = new CONSUME ledger entries", after-before == int64(acked),
		"%d acknowledged, %d entries", acked, after-before)
	return err
}

// usage runs the usage ingest scenario and adds its row and check.
func (b *run) usage(ctx context.Context, srv *server, owner domain.User, targets []Target) error {
	o := b.o
	u := &usageRun{endpoint: srv.URL + "/v1/usage/events", targets: targets, clients: o.Clients, batch: o.UsageBatch,
		duration: o.Duration, runID: b.runID}
	w := b.meterFor(srv).begin(ctx, o.Duration)
	res := u.run(ctx)
	b.cpuRow(fmt.Sprintf("usage ingest, batches of %d (per event)", o.UsageBatch), res.PerSecond(), w.end(res.Events))
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := verifyUsage(ctx, srv.URL+"/graphql", b.secret, owner, targets, res.sentPerOrg, &res); err != nil {
		return err
	}
	if err := WriteUsage(b.out, res, b.spread); err != nil {
		return err
	}
	note := res.Mismatch
	if res.Verified {
		note = fmt.Sprintf("%d orgs, %d batches, %d sent three times", res.Orgs, res.Batches, res.Retried)
	}
	b.rep.check("usage: every org's total equals the distinct events sent", res.Verified, "%s", note)
	b.rep.check("usage: no failed batch", res.Errors == 0, "%d errors", res.Errors)
	b.rep.add(fmt.Sprintf("usage ingest, batches of %d", o.UsageBatch), thousands(res.PerSecond())+" events/s",
		times(Ratio(res.PerSecond(), b.spread)), "debits/s of the spread load")
	return nil
}

// sqlite runs one org and many orgs on a server on a temporary SQLite file.
func (b *run) sqlite(ctx context.Context) error {
	o := b.o
	dir, err := os.MkdirTemp("", "tally-bench-sqlite-")
	if err != nil {
		return domain.Internal(err)
	}
	defer os.RemoveAll(dir)
	dbURL := "sqlite://" + filepath.Join(dir, "bench.db")
	if err := migrate(ctx, o.Binary, dbURL); err != nil {
		return err
	}
	fx, err := setup(ctx, dbURL, b.runID, o.SQLiteOrgs+1)
	if err != nil {
		return err
	}
	targets := fixtureTargets(fx)
	srv, err := b.start(ctx, dbURL, "SQLite")
	if err != nil {
		return err
	}
	defer b.stop(srv)
	base := srv.URL + "/graphql"
	one := b.load(ctx, "SQLite consumeCredits, 1 org", kindDebit, targets[o.SQLiteOrgs:], base)
	many := b.load(ctx, fmt.Sprintf("SQLite consumeCredits, %d orgs", o.SQLiteOrgs), kindDebit, targets[:o.SQLiteOrgs], base)
	b.noErrors("SQLite 1 org", one)
	b.noErrors("SQLite many orgs", many)
	consumed, err := consumeEntries(ctx, dbURL)
	if err != nil {
		return err
	}
	acked := one.Acked + many.Acked
	b.rep.check("SQLite: acknowledged debits = CONSUME ledger entries", consumed == int64(acked), "%d acknowledged, %d entries", acked, consumed)
	b.rep.add("SQLite consumeCredits, 1 org", thousands(one.PerSecond())+" debits/s", "", "")
	b.rep.add(fmt.Sprintf("SQLite consumeCredits, %s orgs", thousands(float64(o.SQLiteOrgs))), thousands(many.PerSecond())+" debits/s",
		times(Ratio(many.PerSecond(), one.PerSecond())), "SQLite, 1 org (goal ≥ 0.9×)")
	return nil
}

// growth seeds the growth database and runs the spread loads on it.
func (b *run) growth(ctx context.Context) (err error) {
	o := b.o
	dbURL := o.GrowthDatabaseURL
	if dbURL == "" {
		name := "tally_bench_growth_" + b.runID
		if dbURL, err = siblingDatabase(o.DatabaseURL, name); err != nil {
			return err
		}
		if err := adminExec(ctx, o.DatabaseURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)", "CREATE DATABASE "+name); err != nil {
			return err
		}
		defer func() {
			if derr := adminExec(context.WithoutCancel(ctx), o.DatabaseURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err == nil {
				err = derr
			}
		}()
	}
	if err := migrate(ctx, o.Binary, dbURL); err != nil {
		return err
	}
	orgs := o.GrowthOrgs[len(o.GrowthOrgs)-1]
	began := time.Now()
	b.logf("")
	if err := seed(ctx, dbURL, orgs, o.SeedEntries, b.out); err != nil {
		return err
	}
	perOrg := max(1, o.SeedEntries/orgs)
	b.logf("setup:   seeded %d orgs with %d ledger entries in %s", orgs, orgs*perOrg, time.Since(began).Round(time.Millisecond))
	consumedBefore, err := consumeEntries(ctx, dbURL)
	if err != nil {
		return err
	}
	targets := seededTargets(orgs)

	first, err := b.start(ctx, dbURL, "")
	if err != nil {
		return err
	}
	defer b.stop(first)
	entries := thousands(float64(orgs * perOrg))
	acked := 0
	var mid LoadResult
	midOrgs := o.GrowthOrgs[len(o.GrowthOrgs)/2]
	for _, n := range o.GrowthOrgs {
		r := b.load(ctx, fmt.Sprintf("spread over %d orgs, %s entries", n, entries), kindDebit, targets[:n], first.URL+"/graphql")
		b.noErrors(fmt.Sprintf("growth %d orgs", n), r)
		acked += r.Acked
		if n == midOrgs {
			mid = r
		}
		b.rep.add(fmt.Sprintf("consumeCredits over %s orgs, %s ledger entries present", thousands(float64(n)), entries),
			thousands(r.PerSecond())+" debits/s", times(Ratio(r.PerSecond(), b.spread)),
			fmt.Sprintf("%s orgs on the fresh store", thousands(float64(o.Orgs))))
	}
	second, err := b.start(ctx, dbURL, "")
	if err != nil {
		return err
	}
	defer b.stop(second)
	two := b.load(ctx, fmt.Sprintf("spread over %d orgs, 2 instances", midOrgs), kindDebit, targets[:midOrgs],
		first.URL+"/graphql", second.URL+"/graphql")
	b.noErrors("growth two instances", two)
	acked += two.Acked
	b.rep.add(fmt.Sprintf("consumeCredits over %s orgs, 2 instances on one PostgreSQL", thousands(float64(midOrgs))),
		thousands(two.PerSecond())+" debits/s", times(Ratio(two.PerSecond(), mid.PerSecond())), "1 instance, the same orgs")
	consumed, err := consumeEntries(ctx, dbURL)
	if err != nil {
		return err
	}
	b.rep.check("growth: acknowledged debits = new CONSUME ledger entries", consumed-consumedBefore == int64(acked),
		"%d acknowledged, %d entries", acked, consumed-consumedBefore)
	return nil
}

// pgbenchOps returns the transactions of a pgbench run of d at tps (pgbench
// runs whole seconds).
func pgbenchOps(tps float64, d time.Duration) int {
	secs, _ := strconv.Atoi(seconds(d))
	return int(tps * float64(secs))
}

// newRunID returns a short random tag that keeps names and idempotency keys
// of different runs apart.
func newRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
