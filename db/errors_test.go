package db_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// closedPortURL is a PostgreSQL URL on a loopback port no one listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return "postgres://postgres@" + addr + "/postgres?sslmode=disable&connect_timeout=2"
}

// terminate ends every other backend connected to url's database, as an
// administrator's pg_terminate_backend does.
func terminate(t *testing.T, url string) {
	t.Helper()
	c, err := pgx.Connect(ctx(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(ctx()) }()
	if _, err := c.Exec(ctx(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
}

// realErrors produces, for real, the errors a lost or refused database
// gives, and some that are not that.
func realErrors(t *testing.T) map[string]error {
	t.Helper()
	url := dbtest.PostgresURL(t)
	out := map[string]error{}

	_, out["connect to a closed port"] = pgx.Connect(ctx(), closedPortURL(t))

	c, err := pgx.Connect(ctx(), url)
	if err != nil {
		t.Fatal(err)
	}
	terminate(t, url)
	_, out["statement on a terminated backend"] = c.Exec(ctx(), "SELECT 1")
	_, out["statement on the closed connection after"] = c.Exec(ctx(), "SELECT 1")

	c, err = pgx.Connect(ctx(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(ctx()) }()
	_, out["statement timeout"] = c.Exec(ctx(), "SET statement_timeout = 10; SELECT pg_sleep(1)")
	if _, err := c.Exec(ctx(), "SET statement_timeout = 0"); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(ctx())
	cancel()
	_, out["context canceled"] = c.Exec(canceled, "SELECT 1")
	soon, cancel := context.WithTimeout(ctx(), 20*time.Millisecond)
	defer cancel()
	_, out["deadline while waiting for an answer"] = c.Exec(soon, "SELECT pg_sleep(1)")
	if c.IsClosed() { // pgx closes a connection whose query it had to abandon
		c, err = pgx.Connect(ctx(), url)
		if err != nil {
			t.Fatal(err)
		}
	}
	_, out["syntax error"] = c.Exec(ctx(), "SELEC 1")

	// A role allowed no connections is refused the way a server out of
	// connection slots refuses everyone (SQLSTATE 53300).
	role := fmt.Sprintf("tally_nolimit_%d", time.Now().UnixNano())
	if _, err := c.Exec(ctx(), "CREATE ROLE "+role+" LOGIN CONNECTION LIMIT 0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(ctx(), url); err == nil {
			_, _ = c.Exec(ctx(), "DROP ROLE IF EXISTS "+role)
			_ = c.Close(ctx())
		}
	})
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.User = role
	_, out["connect refused: too many connections"] = pgx.ConnectConfig(ctx(), cfg)
	for name, err := range out {
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
	}
	return out
}

func TestLostConnection(t *testing.T) {
	t.Parallel()
	real := realErrors(t)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connect to a closed port", real["connect to a closed port"], true},
		{"connect refused: too many connections", real["connect refused: too many connections"], true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"out of memory (class 53, answered)", &pgconn.PgError{Code: "53200"}, false},
		{"statement on a terminated backend", real["statement on a terminated backend"], true},
		{"statement on the closed connection after", real["statement on the closed connection after"], true},
		{"deadline while waiting for an answer", real["deadline while waiting for an answer"], true},
		{"statement timeout", real["statement timeout"], false},
		{"context canceled", real["context canceled"], false},
		{"syntax error", real["syntax error"], false},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, true},
		{"connection failure (class 08)", &pgconn.PgError{Code: "08006"}, true},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, false},
		{"query canceled", &pgconn.PgError{Code: "57014"}, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"unexpected EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"bad connection", driver.ErrBadConn, true},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"pool wait past the deadline", fmt.Errorf("acquire: %w", context.DeadlineExceeded), true},
		{"wrapped cancel", fmt.Errorf("acquire: %w", context.Canceled), false},
		{"nil", nil, false},
		{"other", errors.New("db: something else"), false},
	}
	for _, tt := range tests {
		if got := db.LostConnection(tt.err); got != tt.want {
			t.Errorf("%s: lostConnection(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestMapErrUnavailable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want domain.Code
	}{
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, domain.CodeUnavailable},
		{"unexpected EOF", io.ErrUnexpectedEOF, domain.CodeUnavailable},
		{"INTERNAL caused by a lost connection", domain.Internal(driver.ErrBadConn), domain.CodeUnavailable},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, domain.CodeInternal},
		{"unique violation", &pgconn.PgError{Code: "23505"}, domain.CodeConflict},
		{"already mapped", domain.NotFound("org"), domain.CodeNotFound},
	}
	for _, tt := range tests {
		err := db.MapErr(tt.err, "thing")
		if got := domain.ErrorCode(err); got != tt.want {
			t.Errorf("%s: mapErr = %v (%s), want %s", tt.name, err, got, tt.want)
		}
		var de *domain.Error
		if tt.want == domain.CodeUnavailable && (!errors.As(err, &de) || de.RetryAfter <= 0) {
			t.Errorf("%s: UNAVAILABLE without RetryAfter: %+v", tt.name, err)
		}
	}
}

// TestTerminatedTransactionIsUnavailable: the store's own paths turn a
// backend terminated mid-transaction into UNAVAILABLE, whether the loss
// shows at a statement or at COMMIT; nothing of the transaction stays, and
// the pool serves again at once.
func TestTerminatedTransactionIsUnavailable(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	d, err := db.Open(ctx(), url, db.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	o := mkOrg(t, d)
	start := time.Now().Truncate(time.Hour)
	for _, at := range []string{"statement", "commit"} {
		err := d.InTx(ctx(), func(tx domain.Store) error {
			if _, _, err := tx.LockBalance(ctx(), o.ID); err != nil {
				return err
			}
			if _, err := tx.(*db.DB).HitRateWindow(ctx(), "k", start, start.Add(time.Hour)); err != nil {
				return err
			}
			terminate(t, url)
			if at == "statement" {
				_, err := tx.GetBalance(ctx(), o.ID)
				return err
			}
			return nil
		})
		if domain.ErrorCode(err) != domain.CodeUnavailable {
			t.Errorf("terminated before the %s: %v (%s), want UNAVAILABLE", at, err, domain.ErrorCode(err))
		}
	}
	n, err := d.RateWindowCount(ctx(), "k", start)
	if err != nil || n != 0 {
		t.Fatalf("after two lost transactions: count %d, %v; want 0 (nothing applied)", n, err)
	}
}

// TestTerminatedUnderConcurrentUse: backends terminated again and again
// while many goroutines read and write through the store give only
// UNAVAILABLE, never INTERNAL. It guards against a failure one lost
// connection causes in requests on other connections: a statement cache
// shared by the pool that closes a statement another goroutine is running
// ("sql: statement is closed").
func TestTerminatedUnderConcurrentUse(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	d, err := db.Open(ctx(), url, db.Options{MaxOpenConns: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	o := mkOrg(t, d)

	const workers = 64
	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		calls    int
		codes    = map[domain.Code]int{}
		problems []string
	)
	for range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				switch i % 4 {
				case 0: // a statement of the store's own
					_, err = d.GetBalance(ctx(), o.ID)
				case 1, 2: // a statement built by the ORM
					_, err = d.OrgByID(ctx(), o.ID)
				default:
					err = d.InTx(ctx(), func(tx domain.Store) error {
						if _, _, err := tx.LockBalance(ctx(), o.ID); err != nil {
							return err
						}
						_, err := tx.GetBalance(ctx(), o.ID)
						return err
					})
				}
				mu.Lock()
				calls++
				if err != nil {
					code := domain.ErrorCode(err)
					codes[code]++
					if code != domain.CodeUnavailable && len(problems) < 10 {
						problems = append(problems, fmt.Sprintf("%s: %v", code, err))
					}
				}
				mu.Unlock()
			}
		})
	}
	rounds := 0
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); rounds++ {
		time.Sleep(10 * time.Millisecond)
		terminate(t, url)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d calls, %d termination rounds, errors by code %v", calls, rounds, codes)
	if codes[domain.CodeUnavailable] == 0 {
		t.Error("no call failed: the fault was not injected")
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestPreparedStatementCache: gorm's pool-wide prepared-statement cache is
// off on PostgreSQL, where a lost connection makes it close a statement
// other requests are running (see sharedStatements), and on for SQLite.
func TestPreparedStatementCache(t *testing.T) {
	for _, tt := range []struct {
		name string
		open func(testing.TB) *db.DB
		want bool
	}{
		{"postgres", dbtest.Postgres, false},
		{"sqlite", dbtest.SQLite, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.open(t).PreparesShared(); got != tt.want {
				t.Errorf("shared prepared statements %v, want %v", got, tt.want)
			}
		})
	}
}
