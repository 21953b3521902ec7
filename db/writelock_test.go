package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/glebarez/go-sqlite" // a foreign writer, outside Tally's lock

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/domain"
)

// sharedSQLite opens n stores on one new SQLite file, as n processes would,
// each with SQLite's busy timeout cut to busyMS so that a writer left
// polling in SQLite's busy handler fails fast; the first one migrates.
func sharedSQLite(t *testing.T, n, busyMS int) (string, []*db.DB) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "shared.db")
	url := fmt.Sprintf("sqlite://%s?_pragma=busy_timeout(%d)", file, busyMS)
	var out []*db.DB
	for range n {
		d, err := db.Open(ctx(), url, db.Options{})
		must(t, err)
		t.Cleanup(func() { _ = d.Close() })
		out = append(out, d)
	}
	must(t, out[0].Migrate(ctx()))
	return file, out
}

// TestSQLiteWritersTakeTurns has one store keep the write lock busy with
// back-to-back transactions while another store on the same file writes,
// in transactions and in single statements. SQLite's busy handler alone
// lets the busy store starve the other past its (here 20 ms) timeout; the
// write lock makes every writer wait its turn instead.
func TestSQLiteWritersTakeTurns(t *testing.T) {
	t.Parallel()
	_, ds := sharedSQLite(t, 2, 20)
	busy, other := ds[0], ds[1]
	o := mkOrg(t, busy)

	const busyWorkers, rounds = 6, 25
	var wg sync.WaitGroup
	errs := make(chan error, (busyWorkers+3)*rounds)
	for range busyWorkers {
		wg.Go(func() {
			for range rounds {
				errs <- busy.InTx(ctx(), func(tx domain.Store) error {
					if _, _, err := tx.LockBalance(ctx(), o.ID); err != nil {
						return err
					}
					time.Sleep(2 * time.Millisecond) // hold the lock a while
					_, err := tx.NextNumber(ctx(), "busy")
					return err
				})
			}
		})
	}
	writes := map[string]func(i int) error{
		"transaction": func(int) error {
			return other.InTx(ctx(), func(tx domain.Store) error {
				_, err := tx.NextNumber(ctx(), "other")
				return err
			})
		},
		"statement": func(int) error { _, err := other.NextNumber(ctx(), "other"); return err },
		"upsert": func(i int) error {
			_, err := other.UpsertUser(ctx(), domain.User{ID: newID(), Subject: fmt.Sprintf("turns-%d", i), Email: "t@example.com", CreatedAt: t0})
			return err
		},
	}
	for name, write := range writes {
		wg.Go(func() {
			for i := range rounds {
				if err := write(i); err != nil {
					errs <- fmt.Errorf("%s %d: %w", name, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	n, err := other.NextNumber(ctx(), "other")
	must(t, err)
	if want := int64(2*rounds + 1); n != want {
		t.Fatalf("other's counter = %d, want %d", n, want)
	}
}

// TestSQLiteWriteWaitIsRetryable holds the write lock in one store and has
// writers give up waiting for it: in the same store, in another store on
// the same file, and against a foreign process's transaction that Tally's
// lock does not know about. Each gets the retryable RATE_LIMITED, never
// INTERNAL, and the lock is free again once its holder commits.
func TestSQLiteWriteWaitIsRetryable(t *testing.T) {
	t.Parallel()
	file, ds := sharedSQLite(t, 2, 20)
	holder, other := ds[0], ds[1]

	hold := func(t *testing.T) (release func()) {
		held, done := make(chan struct{}), make(chan error, 1)
		release2 := make(chan struct{})
		go func() {
			done <- holder.InTx(ctx(), func(tx domain.Store) error {
				if _, err := tx.NextNumber(ctx(), "held"); err != nil {
					return err
				}
				close(held)
				<-release2
				return nil
			})
		}()
		<-held
		return func() { close(release2); must(t, <-done) }
	}
	within := func(d time.Duration) context.Context {
		c, cancel := context.WithTimeout(ctx(), d)
		t.Cleanup(cancel)
		return c
	}
	cases := []struct {
		name  string
		write func(context.Context) error
	}{
		{"same store, transaction", func(c context.Context) error {
			return holder.InTx(c, func(domain.Store) error { return nil })
		}},
		{"same store, statement", func(c context.Context) error { _, err := holder.NextNumber(c, "x"); return err }},
		{"other store, transaction", func(c context.Context) error {
			return other.InTx(c, func(domain.Store) error { return nil })
		}},
		{"other store, statement", func(c context.Context) error { _, err := other.NextNumber(c, "x"); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			release := hold(t)
			wantCode(t, tc.write(within(50*time.Millisecond)), domain.CodeRateLimited)
			release()
			must(t, tc.write(within(10*time.Second))) // the abandoned wait left nothing locked
		})
	}

	t.Run("foreign writer", func(t *testing.T) {
		raw, err := sql.Open("sqlite", file)
		must(t, err)
		defer func() { _ = raw.Close() }()
		conn, err := raw.Conn(ctx())
		must(t, err)
		defer func() { _ = conn.Close() }()
		_, err = conn.ExecContext(ctx(), "BEGIN IMMEDIATE")
		must(t, err)
		_, err = other.NextNumber(ctx(), "x") // SQLite's own 20 ms busy timeout runs out
		wantCode(t, err, domain.CodeRateLimited)
		_, err = conn.ExecContext(ctx(), "ROLLBACK")
		must(t, err)
		_, err = other.NextNumber(ctx(), "x")
		must(t, err)
	})
}

// TestSQLiteWriterConnection runs transactions and statements outside them,
// one after the other and a read inside a transaction's function, on a
// file database whose pool has one connection and on one with two: the
// transactions' own connection (taken from the pool and kept) must never
// leave the other statements without one.
func TestSQLiteWriterConnection(t *testing.T) {
	t.Parallel()
	for _, conns := range []int{1, 2} {
		t.Run(fmt.Sprint(conns), func(t *testing.T) {
			t.Parallel()
			d, err := db.Open(ctx(), "sqlite://"+filepath.Join(t.TempDir(), "w.db"), db.Options{MaxOpenConns: conns})
			must(t, err)
			t.Cleanup(func() { _ = d.Close() })
			must(t, d.Migrate(ctx()))
			c, cancel := context.WithTimeout(ctx(), 10*time.Second) // a starved statement fails instead of hanging
			defer cancel()
			for i := range 3 {
				must(t, d.InTx(c, func(tx domain.Store) error {
					_, err := tx.NextNumber(c, "w")
					return err
				}))
				n, err := d.NextNumber(c, "w")
				must(t, err)
				if want := int64(2*i + 2); n != want {
					t.Fatalf("number %d, want %d", n, want)
				}
			}
			if conns > 1 {
				must(t, d.InTx(c, func(tx domain.Store) error {
					_, err := d.GetBalance(c, "none") // the pool's other connection
					wantCode(t, err, domain.CodeNotFound)
					return nil
				}))
			}
		})
	}
}
