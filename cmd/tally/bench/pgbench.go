package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tallyhq/tally/domain"
)

// pgbenchDatabase prefixes the scratch database pgbench initializes and
// drops (the run's ID follows, so that runs do not share one).
const pgbenchDatabase = "tally_pgbench_"

// hotRowScript is one transaction that updates one hot row and inserts a
// history row: the database work of one debit when every client spends
// from the same org.
const hotRowScript = `\set aid random(1, 100000)
\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = 1;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, :aid, :delta, CURRENT_TIMESTAMP);
END;
`

// tpsPattern matches pgbench's throughput line; PostgreSQL 14+ prints
// "without initial connection time", older versions "excluding connections
// establishing".
var tpsPattern = regexp.MustCompile(`(?m)^tps = ([0-9]+(?:\.[0-9]+)?) \((?:without initial connection time|excluding connections establishing)\)`)

// ParseTPS extracts the transactions per second from pgbench's output.
func ParseTPS(output string) (float64, error) {
	m := tpsPattern.FindStringSubmatch(output)
	if m == nil {
		return 0, domain.Internal(fmt.Errorf("no tps line in pgbench output:\n%s", output))
	}
	tps, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, domain.Internal(fmt.Errorf("parse pgbench tps %q: %w", m[1], err))
	}
	return tps, nil
}

// pgbench runs pgbench against a scratch database on the server's
// PostgreSQL.
type pgbench struct {
	path     string // the pgbench binary
	adminURL string // the server's database, for CREATE/DROP DATABASE
	url      string // the scratch database
	name     string // its name
	dir      string // holds the custom script
}

// newPgbench creates the scratch database (replacing a leftover one) next
// to the database at databaseURL.
func newPgbench(ctx context.Context, path, databaseURL, runID string) (*pgbench, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, domain.InvalidInput("databaseURL", "must be a postgres:// URL")
	}
	scratch := *u
	name := pgbenchDatabase + runID
	scratch.Path = "/" + name
	p := &pgbench{path: path, adminURL: databaseURL, url: scratch.String(), name: name}
	if err := p.exec(ctx, "DROP DATABASE IF EXISTS "+name, "CREATE DATABASE "+name); err != nil {
		return nil, err
	}
	if p.dir, err = os.MkdirTemp("", "tally-pgbench-"); err != nil {
		return nil, domain.Internal(err)
	}
	return p, nil
}

// exec runs statements one by one on the admin connection.
func (p *pgbench) exec(ctx context.Context, stmts ...string) error {
	conn, err := pgx.Connect(ctx, p.adminURL)
	if err != nil {
		return domain.Internal(fmt.Errorf("connect for pgbench setup: %w", err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return domain.Internal(fmt.Errorf("%s: %w", s, err))
		}
	}
	return nil
}

// initialize loads pgbench's tables at scale, generating rows on the server.
func (p *pgbench) initialize(ctx context.Context, scale int) error {
	_, err := p.run(ctx, "-i", "-q", "-I", "dtGvp", "-s", strconv.Itoa(scale), p.url)
	return err
}

// tpcb runs the built-in TPC-B-like script and returns its tps.
func (p *pgbench) tpcb(ctx context.Context, clients int, d time.Duration) (float64, error) {
	out, err := p.run(ctx, "-b", "tpcb-like", "-c", strconv.Itoa(clients), "-j", strconv.Itoa(threads(clients)),
		"-T", seconds(d), p.url)
	if err != nil {
		return 0, err
	}
	return ParseTPS(out)
}

// hotRow runs hotRowScript and returns its tps.
func (p *pgbench) hotRow(ctx context.Context, clients int, d time.Duration) (float64, error) {
	script := filepath.Join(p.dir, "hot-row.sql")
	if err := os.WriteFile(script, []byte(hotRowScript), 0o600); err != nil {
		return 0, domain.Internal(err)
	}
	out, err := p.run(ctx, "-f", script, "-c", strconv.Itoa(clients), "-j", strconv.Itoa(threads(clients)),
		"-T", seconds(d), p.url)
	if err != nil {
		return 0, err
	}
	return ParseTPS(out)
}

// close drops the scratch database and the script directory.
func (p *pgbench) close(ctx context.Context) error {
	os.RemoveAll(p.dir)
	return p.exec(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+p.name+" WITH (FORCE)")
}

// connectAttempts and connectRetryDelay bound the retries of a pgbench run
// that PostgreSQL refused because max_connections was reached (the
// server's idle pool and other clients hold some slots).
const (
	connectAttempts   = 12
	connectRetryDelay = 10 * time.Second
)

// run executes pgbench and returns its standard output, retrying a run
// that PostgreSQL refused for lack of connection slots.
func (p *pgbench) run(ctx context.Context, args ...string) (string, error) {
	for attempt := 1; ; attempt++ {
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, p.path, args...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if err == nil {
			return stdout.String(), nil
		}
		if attempt < connectAttempts && bytes.Contains(stderr.Bytes(), []byte("too many clients already")) {
			select {
			case <-time.After(connectRetryDelay):
				continue
			case <-ctx.Done():
				return "", ctx.Err()
			}
		}
		return "", domain.Internal(fmt.Errorf("pgbench %v: %w\n%s%s", args[:len(args)-1], err, stdout.String(), stderr.String()))
	}
}

// threads is pgbench's -j: two worker threads (the machine's cores), never
// more than the clients.
func threads(clients int) int { return min(2, max(clients, 1)) }

// seconds renders d as pgbench's whole-second -T (at least 1).
func seconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(d.Round(time.Second)/time.Second)))
}

// checkpoint flushes dirty pages before a timed run so that neither side
// pays for the other's writes; it is best effort.
func (p *pgbench) checkpoint(ctx context.Context) {
	_ = p.exec(ctx, "CHECKPOINT")
}
