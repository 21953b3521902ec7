// Package dbtest gives each test a private, migrated, empty database on
// PostgreSQL or SQLite, dropped when the test ends.
//
// PostgreSQL databases are copied from a template database built once per
// migration set (its name carries a hash of the migration files and the
// job queue's schema version), holding Tally's tables and the job queue's
// (River's), under an
// advisory lock, so parallel `go test` processes share it without racing.
// The server is TALLY_TEST_POSTGRES_URL, by default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable. An
// unreachable server fails the test: it is never skipped.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/jobs"
)

// EnvPostgresURL names the variable that overrides the PostgreSQL server URL.
const EnvPostgresURL = "TALLY_TEST_POSTGRES_URL"

// DefaultPostgresURL is the server used when EnvPostgresURL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// templateLockKey is the pg_advisory_lock key guarding template creation.
const templateLockKey = 7_411_001

// Postgres returns a fresh, migrated PostgreSQL database for one test; it
// is closed and dropped at cleanup.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	u := PostgresURL(t)
	d, err := db.Open(context.Background(), u, db.Options{MaxOpenConns: 8})
	if err != nil {
		t.Fatalf("dbtest: open test database: %v", err)
	}
	// Cleanups run last-in first-out: this Close runs before the drop
	// registered by PostgresURL.
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// PostgresURL creates a fresh, migrated PostgreSQL database for one test
// and returns its URL (for spawning servers); it is dropped at cleanup,
// disconnecting whoever still uses it.
func PostgresURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	server := serverURL()
	tpl, err := template(ctx, server)
	if err != nil {
		t.Fatalf("dbtest: PostgreSQL test template on %s: %v\n"+
			"(tests need a running PostgreSQL; set %s to its URL)", redact(server), err, EnvPostgresURL)
	}
	name := "tally_t_" + randomHex(8)
	if err := adminExec(ctx, server, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tpl)); err != nil {
		t.Fatalf("dbtest: create test database: %v", err)
	}
	// Test data need not survive a crash: commits skip the WAL flush wait,
	// which on a slow disk bounds a hot row to a few hundred commits a
	// second. Locking and visibility are unchanged.
	if err := adminExec(ctx, server, fmt.Sprintf("ALTER DATABASE %s SET synchronous_commit = off", name)); err != nil {
		t.Fatalf("dbtest: configure test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, server, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Errorf("dbtest: drop test database %s: %v", name, err)
		}
	})
	return withDatabase(server, name)
}

// EmptyPostgresURL creates an empty PostgreSQL database (no migrations)
// for one test and returns its URL; it is dropped at cleanup.
func EmptyPostgresURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	server := serverURL()
	name := "tally_e_" + randomHex(8)
	if err := adminExec(ctx, server, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("dbtest: create empty database on %s: %v", redact(server), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(ctx, server, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Errorf("dbtest: drop test database %s: %v", name, err)
		}
	})
	return withDatabase(server, name)
}

// SQLite returns a fresh, migrated SQLite database in a temporary file for
// one test; it is closed at cleanup.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tally.db")
	d, err := db.Open(context.Background(), "sqlite://"+path, db.Options{})
	if err != nil {
		t.Fatalf("dbtest: open SQLite: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(context.Background()); err != nil {
		t.Fatalf("dbtest: migrate SQLite: %v", err)
	}
	return d
}

// ForEach runs fn once per backend, as subtests "postgres" and "sqlite".
func ForEach(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
}

func serverURL() string {
	if u := os.Getenv(EnvPostgresURL); u != "" {
		return u
	}
	return DefaultPostgresURL
}

var (
	templateMu    sync.Mutex
	templateReady = map[string]string{} // server URL -> template name
)

// template returns the name of the migrated template database for the
// current migration set on server, creating it if no process has yet.
func template(ctx context.Context, server string) (string, error) {
	templateMu.Lock()
	defer templateMu.Unlock()
	if name, ok := templateReady[server]; ok {
		return name, nil
	}
	fp, err := db.MigrationsFingerprint(db.DialectPostgres)
	if err != nil {
		return "", err
	}
	name := fmt.Sprintf("tally_tpl_%s_r%d", fp[:16], jobs.SchemaVersion())

	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockKey); err != nil {
		return "", fmt.Errorf("advisory lock: %w", err)
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", templateLockKey) //nolint:errcheck

	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		// Build under a scratch name and rename when complete, so a
		// half-migrated template is never used.
		scratch := name + "_build"
		if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", scratch)); err != nil {
			return "", err
		}
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+scratch); err != nil {
			return "", err
		}
		d, err := db.Open(ctx, withDatabase(server, scratch), db.Options{MaxOpenConns: 1})
		if err != nil {
			return "", err
		}
		err = d.Migrate(ctx)
		_ = d.Close()
		if err != nil {
			return "", fmt.Errorf("migrate template: %w", err)
		}
		q, err := jobs.Open(ctx, withDatabase(server, scratch), jobs.Options{})
		if err != nil {
			return "", err
		}
		err = q.Migrate(ctx)
		_ = q.Close()
		if err != nil {
			return "", fmt.Errorf("migrate template: %w", err)
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", scratch, name)); err != nil {
			return "", err
		}
		if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s WITH ALLOW_CONNECTIONS false IS_TEMPLATE true", name)); err != nil {
			return "", err
		}
	}
	templateReady[server] = name
	return name, nil
}

// adminExec runs one statement on the server's maintenance database.
func adminExec(ctx context.Context, server, stmt string) error {
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, stmt)
	return err
}

// withDatabase returns server with its database name replaced.
func withDatabase(server, name string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + name
	return u.String()
}

// redact hides a password in a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(hex.EncodeToString(b))
}
