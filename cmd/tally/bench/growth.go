package bench

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/domain"
)

// The cost-growth scenarios run on a second database seeded with set-based
// SQL: seedOrgs orgs, each with one FREE grant, a GRANT ledger entry and
// entriesPerOrg-1 CONSUME entries of one credit, a balance row that agrees
// with them (`tally audit` passes) and one API key whose secret the bench
// derives from the org's number. Spread load then runs over the first 10,
// 1,000 and all orgs, and over 1,000 orgs again through two server
// instances on the same database.

// seedGrant is every seeded org's FREE grant: more than any run spends.
const seedGrant int64 = 1_000_000_000_000

// seedChunk is the orgs seeded per statement (a progress line each).
const seedChunk = 10_000

// Seeded IDs are UUID-shaped and ascend with the org's number (and the
// entry's), so that every index the seed fills grows at its right edge;
// version nibble 4 keeps them apart from the server's time-ordered v7 IDs.
const (
	seedOrgID   = `lpad(to_hex(i), 8, '0')||'-0000-4000-8000-000000000000'`
	seedGrantID = `lpad(to_hex(i), 8, '0')||'-0000-4000-8001-000000000000'`
	seedEntryID = `lpad(to_hex(i), 8, '0')||'-0000-4000-8002-'||lpad(to_hex(s), 12, '0')`
	seedKeyID   = `lpad(to_hex(i), 8, '0')||'-0000-4000-8003-000000000000'`
	seedSecret  = `'tly_'||md5('bench-key-'||i)`
)

// seededOrgID returns the domain ID of seeded org i (1-based), as
// seedOrgID computes it.
func seededOrgID(i int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-000000000000", i)
}

// seededKey returns the API key secret of seeded org i.
func seededKey(i int) string {
	h := md5.Sum([]byte("bench-key-" + strconv.Itoa(i)))
	return "tly_" + hex.EncodeToString(h[:])
}

// orgGlobalID is the GraphQL ID of an org with domain ID id.
func orgGlobalID(id string) string {
	return base64.StdEncoding.EncodeToString([]byte("Org:" + id))
}

// seededTargets returns the targets of seeded orgs 1..n.
func seededTargets(n int) []Target {
	out := make([]Target, n)
	for i := range out {
		id := seededOrgID(i + 1)
		out[i] = Target{OrgID: orgGlobalID(id), APIKey: seededKey(i + 1), ID: id}
	}
	return out
}

// seedStatements returns the INSERTs that seed orgs from..to (inclusive)
// with entries ledger entries each.
func seedStatements(from, to, entries int) []string {
	span := fmt.Sprintf("generate_series(%d, %d) i", from, to)
	left := seedGrant - int64(entries-1)
	return []string{
		`INSERT INTO orgs (id, name, country, currency, status, seats, created_at, updated_at)
		 SELECT ` + seedOrgID + `, 'bench growth '||i, 'DE', 'EUR', 'ACTIVE', 5, now(), now() FROM ` + span,
		fmt.Sprintf(`INSERT INTO grants (id, org_id, kind, amount, remaining, reason, created_at)
		 SELECT %s, %s, 'FREE', %d, %d, 'load benchmark seed', now() FROM %s`, seedGrantID, seedOrgID, seedGrant, left, span),
		fmt.Sprintf(`INSERT INTO org_balances (org_id, total, free, paid, version, updated_at)
		 SELECT %s, %d, %d, 0, %d, now() FROM %s`, seedOrgID, left, left, entries, span),
		fmt.Sprintf(`INSERT INTO ledger_entries (id, org_id, seq, kind, amount, balance_after, allocations, actor_kind, created_at)
		 SELECT %[1]s, %[2]s, s,
		   CASE WHEN s = 1 THEN 'GRANT' ELSE 'CONSUME' END,
		   CASE WHEN s = 1 THEN %[3]d ELSE -1 END,
		   %[3]d - (s - 1),
		   ('[{"grantId":"'||%[4]s||'","amount":'||CASE WHEN s = 1 THEN %[3]d ELSE -1 END||'}]')::json,
		   'SYSTEM', now() - interval '1 second' * (%[5]d - s)
		 FROM %[6]s, generate_series(1, %[5]d) s`, seedEntryID, seedOrgID, seedGrant, seedGrantID, entries, span),
		`INSERT INTO api_keys (id, org_id, name, prefix, hash, created_by, created_at)
		 SELECT ` + seedKeyID + `, ` + seedOrgID + `, 'bench', left(` + seedSecret + `, 12),
		   encode(sha256(convert_to(` + seedSecret + `, 'UTF8')), 'hex'), '', now() FROM ` + span,
	}
}

// seed fills a migrated, empty database with orgs orgs holding entries
// ledger entries in all (at least one per org), printing progress to out.
func seed(ctx context.Context, databaseURL string, orgs, entries int, out io.Writer) error {
	perOrg := max(1, entries/orgs)
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return domain.Internal(fmt.Errorf("connect to seed: %w", err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SET synchronous_commit = off"); err != nil {
		return domain.Internal(err)
	}
	began := time.Now()
	for from := 1; from <= orgs; from += seedChunk {
		to := min(orgs, from+seedChunk-1)
		tx, err := conn.Begin(ctx)
		if err != nil {
			return domain.Internal(err)
		}
		for _, stmt := range seedStatements(from, to, perOrg) {
			if _, err := tx.Exec(ctx, stmt); err != nil {
				_ = tx.Rollback(ctx)
				return domain.Internal(fmt.Errorf("seed orgs %d-%d: %w", from, to, err))
			}
		}
		if err := tx.Commit(ctx); err != nil {
			return domain.Internal(err)
		}
		if orgs > seedChunk {
			fmt.Fprintf(out, "seed:    %d of %d orgs (%d ledger entries) in %s\n", to, orgs, to*perOrg, time.Since(began).Round(time.Second))
		}
	}
	// Settle the seeded store before measuring, as pgbench -i does: VACUUM
	// sets the hint bits and the visibility map (else the first debit to
	// touch each page writes it again) and ANALYZE gives the planner its
	// statistics; CHECKPOINT keeps the seed's flush out of the first run.
	for _, stmt := range []string{"VACUUM (ANALYZE)", "CHECKPOINT"} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return domain.Internal(fmt.Errorf("%s after the seed: %w", stmt, err))
		}
	}
	return nil
}

// siblingDatabase returns the URL of database name on the same server as
// databaseURL.
func siblingDatabase(databaseURL, name string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", domain.InvalidInput("databaseURL", "must be a postgres:// URL")
	}
	v := *u
	v.Path = "/" + name
	return v.String(), nil
}

// adminExec runs statements one by one on a connection to databaseURL.
func adminExec(ctx context.Context, databaseURL string, stmts ...string) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return domain.Internal(fmt.Errorf("connect: %w", err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			return domain.Internal(fmt.Errorf("%s: %w", s, err))
		}
	}
	return nil
}

// migrate runs `binary migrate` on the store at databaseURL: Tally's
// tables and the job queue's.
func migrate(ctx context.Context, binary, databaseURL string) error {
	cmd := exec.CommandContext(ctx, binary, "migrate")
	cmd.Env = serverEnv(databaseURL, "", "127.0.0.1:0", 0)
	if out, err := cmd.CombinedOutput(); err != nil {
		return domain.Internal(fmt.Errorf("%s migrate: %w\n%s", binary, err, out))
	}
	return nil
}

// consumeEntries counts the CONSUME ledger entries of the store at
// databaseURL (PostgreSQL or SQLite).
func consumeEntries(ctx context.Context, databaseURL string) (int64, error) {
	d, err := db.Open(ctx, databaseURL, db.Options{MaxOpenConns: 1})
	if err != nil {
		return 0, err
	}
	defer d.Close()
	var n int64
	err = d.Gorm().WithContext(ctx).Raw(`SELECT count(*) FROM ledger_entries WHERE kind = 'CONSUME'`).Scan(&n).Error
	if err != nil {
		return 0, domain.Internal(err)
	}
	return n, nil
}
