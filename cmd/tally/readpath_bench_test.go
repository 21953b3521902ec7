package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/cmd/tally/internal/readref"
	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
)

// balanceQuery is the read the benchmark sends with an API key.
const balanceQuery = `query($id: ID!) { org(id: $id) { balance { total free paid } } }`

// BenchmarkReadPath compares `org { balance }` with an API key, served by
// the whole server in production mode (serve: logging, metrics, limits,
// authentication, GraphQL), with readref's plain net/http + pgx handler
// reading the same row, on one scratch PostgreSQL database. Each reports
// req/s and the database transactions per request (xacts/op, from
// pg_stat_database; every autocommit statement is one, and the server's
// background work adds a little); the parent logs
// the ratio, and the process's CPU per request (cpu-µs/op; the clients'
// share is the same for both, so the difference is the server's).
// TALLY_BENCH_ORGS sets how many orgs the requests spread over
// (100 by default). Run:
//
//	go test ./cmd/tally -run '^$' -bench ReadPath -benchtime 5s
func BenchmarkReadPath(b *testing.B) {
	dbURL := scratchPostgres(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 100
	if v, err := strconv.Atoi(os.Getenv("TALLY_BENCH_ORGS")); err == nil && v > 0 {
		n = v
	}
	orgs, keys := readPathFixture(ctx, b, dbURL, n)

	addr := tallytest.FreeAddr(b)
	cfg := benchServeConfig(b, dbURL, addr)
	served := make(chan error, 1)
	go func() { served <- serve(ctx, cfg, newLogger(io.Discard, true, slog.LevelInfo)) }()
	base := "http://" + addr
	waitReadyz(b, base, served)

	stats, err := pgx.Connect(ctx, dbURL) // one connection for the statistics: the server is often short of them
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = stats.Close(context.Background()) }()

	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	bodies := make([][]byte, n)
	for i, id := range orgs {
		bodies[i], _ = json.Marshal(map[string]any{"query": balanceQuery, "variables": map[string]any{"id": graph.EncodeID("Org", id)}})
	}
	var tallyRate, refRate float64
	b.Run("graphql", func(b *testing.B) {
		tallyRate = runReads(b, stats, func(i int) *http.Request {
			r, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(bodies[i%n]))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+keys[i%n])
			return r
		}, client)
	})
	pool, err := readref.Open(ctx, dbURL, 20) // as many connections as the server's pool
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	ref := httptest.NewServer(readref.Handler(pool))
	defer ref.Close()
	b.Run("reference", func(b *testing.B) {
		refRate = runReads(b, stats, func(i int) *http.Request {
			r, _ := http.NewRequest(http.MethodGet, ref.URL+"/?org="+orgs[i%n], nil)
			return r
		}, client)
	})
	if refRate > 0 {
		b.Logf("graphql %.0f req/s, reference %.0f req/s: ratio %.2f", tallyRate, refRate, tallyRate/refRate)
	}
	cancel()
	if err := <-served; err != nil {
		b.Error(err)
	}
}

// runReads sends b.N requests from 64 concurrent clients (on 2 cores) and
// returns the rate.
func runReads(b *testing.B, stats *pgx.Conn, req func(i int) *http.Request, client *http.Client) float64 {
	var next atomic.Int64
	b.SetParallelism(32)
	before := xactCount(b, stats)
	b.ResetTimer()
	cpu0 := processCPU()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Do(req(int(next.Add(1))))
			if err != nil {
				b.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK || bytes.Contains(body, []byte(`"errors"`)) {
				b.Errorf("%d %s", resp.StatusCode, body)
				return
			}
		}
	})
	elapsed := time.Since(start)
	cpu := processCPU() - cpu0
	b.StopTimer()
	rate := float64(b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "req/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	if elapsed > time.Second { // the measured round, not b.N's calibration
		// An idle backend reports its statistics within 10 seconds.
		time.Sleep(11 * time.Second)
		b.ReportMetric(float64(xactCount(b, stats)-before)/float64(b.N), "xacts/op")
	}
	return rate
}

// processCPU is the CPU time (user and system) the process used so far:
// server and clients, so only the difference between two handlers' figures
// is the server's.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// xactCount returns the committed and rolled back transactions of the
// database c is connected to.
func xactCount(b *testing.B, c *pgx.Conn) int64 {
	var n int64
	if err := c.QueryRow(context.Background(), `SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n - 1 // this statement
}

// readPathFixture migrates the database and creates n funded orgs with an
// API key each.
func readPathFixture(ctx context.Context, b *testing.B, dbURL string, n int) (orgs, keys []string) {
	d, err := db.Open(ctx, dbURL, db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = d.Close() }()
	if err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	svc := domain.NewService(d, domain.Config{})
	defer svc.Close()
	owner, err := svc.EnsureUser(ctx, "readpath-bench", "readpath@tally.invalid", "Read path")
	if err != nil {
		b.Fatal(err)
	}
	oc := domain.WithActor(ctx, domain.Actor{UserID: owner.ID, Email: owner.Email})
	ac := domain.WithActor(ctx, domain.Actor{UserID: owner.ID, Email: owner.Email, PlatformAdmin: true})
	for i := range n {
		o, err := svc.CreateOrg(oc, domain.CreateOrgInput{Name: fmt.Sprintf("read %04d", i), Country: "DE", Currency: domain.EUR})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.GrantCredits(ac, domain.GrantInput{OrgID: o.ID, Amount: 1_000_000, Kind: domain.GrantAdjustment,
			Reason: "read benchmark", IdempotencyKey: "grant-" + o.ID}); err != nil {
			b.Fatal(err)
		}
		_, secret, err := svc.CreateAPIKey(oc, o.ID, "bench")
		if err != nil {
			b.Fatal(err)
		}
		orgs, keys = append(orgs, o.ID), append(keys, secret)
	}
	return orgs, keys
}

// benchServeConfig is `tally serve` in production on dbURL at addr.
func benchServeConfig(b *testing.B, dbURL, addr string) Config {
	var cli CLI
	p, err := kong.New(&cli, kong.Name("tally"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Parse([]string{"serve", "--database-url", dbURL, "--env", "production", "--addr", addr,
		"--jwt-secret", longSecret, "--migrate", "--metrics-addr", tallytest.FreeAddr(b)}); err != nil {
		b.Fatal(err)
	}
	cfg, err := cli.Serve.Config()
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// waitReadyz waits for base's /readyz, failing if serve returned first.
func waitReadyz(b *testing.B, base string, served <-chan error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-served:
			b.Fatalf("serve returned: %v", err)
		default:
		}
		if resp, err := http.Get(base + "/readyz"); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatal("server not ready")
}
