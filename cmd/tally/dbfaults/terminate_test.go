package dbfaults

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/db/dbtest"
)

// terminator ends every connection to one database but its own, as an
// administrator's pg_terminate_backend does.
type terminator struct {
	conn   *pgx.Conn
	dbName string
}

func newTerminator(t *testing.T, dbURL string) *terminator {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return &terminator{conn: conn, dbName: strings.TrimPrefix(u.Path, "/")}
}

// terminate ends the other backends of the test's database (never another
// database's) and returns how many.
func (k *terminator) terminate(ctx context.Context) (int, error) {
	var n int
	err := k.conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = $1 AND pid <> pg_backend_pid()`, k.dbName).Scan(&n)
	return n, err
}

// TestTerminatedConnections: while 64 clients spend with idempotency keys,
// every connection the server holds to its database (its pool, the job
// queue's and the event bus's listener) is terminated again and again,
// mid-transaction. The server keeps running, answers each request in time
// with a success or a retryable code, and, once every key is definite,
// nothing acknowledged is lost and nothing doubled.
func TestTerminatedConnections(t *testing.T) {
	sc := faultScale(t)
	dbURL := dbtest.PostgresURL(t)
	s := startServer(t, dbURL)
	alice, org := setupOrg(t, s)
	killer := newTerminator(t, dbURL)

	l := newLoad(alice, org)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { l.run(stop); close(done) }()

	rounds, terminated := 0, 0
	end := time.Now().Add(sc.load)
	for time.Now().Before(end) {
		time.Sleep(sc.every)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		n, err := killer.terminate(ctx)
		cancel()
		if err != nil {
			t.Fatalf("pg_terminate_backend: %v", err)
		}
		rounds++
		terminated += n
	}
	l.calm()
	close(stop)
	select {
	case <-done:
	case <-time.After(keyDeadline + clientDeadline):
		t.Fatal("clients still spending long after the load ended")
	}

	faults := fmt.Sprintf("%d pg_terminate_backend rounds ending %d connections", rounds, terminated)
	l.report(t, "terminated connections ("+sc.name+")", faults)
	if terminated == 0 {
		t.Error("no connection was terminated: the fault was not injected")
	}
	if err := alive(s.URL); err != nil {
		t.Fatalf("server after the faults: %v", err)
	}
	waitReady(t, s.URL, 200, 30*time.Second)
	l.checkAnswers(t)
	checkConsistent(t, dbURL, org, startCredits, l.acked)
}
