package db

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"time"

	"github.com/tallyhq/tally/domain"
)

// writeLock serializes the writes to one SQLite database. SQLite has one
// writer at a time and makes the others sleep and poll in its busy handler,
// which is not fair: a process whose goroutines queue for the lock back to
// back can keep another process's writer polling until its busy timeout
// runs out, and that writer's request fails. So every write takes this lock
// before it touches the database: goroutines of this process queue on a
// channel, and processes take turns on an exclusive flock(2) of a lock file
// beside the database, where the kernel wakes a waiting process as soon as
// the lock is released. Contention is then waiting, never a failure; a
// write whose context ends while it waits gets a retryable RATE_LIMITED.
type writeLock struct {
	gate chan struct{}
	file *os.File // the lock file, nil when only this process can open the database
	// reserve is whether transactions run on a connection of their own
	// (conn, taken from the pool on first use and kept): false for an
	// in-memory database or a pool of one connection, which serves
	// everything.
	reserve bool
	conn    *sql.Conn
}

// busyRetryAfter is the retryAfter of a write that gave up waiting.
const busyRetryAfter = time.Second

// closeWait bounds how long Close waits for a transaction in flight.
const closeWait = 5 * time.Second

// newWriteLock returns the lock of the SQLite database at path; an empty
// path (an in-memory database) needs no lock file.
func newWriteLock(path string, reserve bool) (*writeLock, error) {
	l := &writeLock{gate: make(chan struct{}, 1), reserve: reserve}
	if path == "" || !canFlock {
		return l, nil
	}
	f, err := os.OpenFile(path+"-writelock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, domain.Internal(err)
	}
	l.file = f
	return l, nil
}

// lock waits for the database's write lock and returns its release.
func (l *writeLock) lock(ctx context.Context) (unlock func(), err error) {
	select {
	case l.gate <- struct{}{}:
	case <-ctx.Done():
		return nil, busy(ctx.Err())
	}
	if l.file == nil {
		return func() { <-l.gate }, nil
	}
	release := func() {
		_ = funlock(l.file)
		<-l.gate
	}
	switch err := flock(l.file, false); {
	case err == nil:
		return release, nil
	case !errors.Is(err, errWouldBlock):
		<-l.gate
		return nil, domain.Internal(err)
	}
	// Another process holds it: wait in the kernel, unless ctx ends first.
	done := make(chan error, 1)
	go func() { done <- flock(l.file, true) }()
	select {
	case err := <-done:
		if err != nil {
			<-l.gate
			return nil, domain.Internal(err)
		}
		return release, nil
	case <-ctx.Done():
		go func() { // this process's next writer waits until the kernel answers
			if <-done == nil {
				release()
				return
			}
			<-l.gate
		}()
		return nil, busy(ctx.Err())
	}
}

// close returns the writer's connection to the pool and releases the lock
// file. It waits (a bounded time) for a transaction in flight to end.
func (l *writeLock) close() error {
	select {
	case l.gate <- struct{}{}:
		defer func() { <-l.gate }()
	case <-time.After(closeWait):
	}
	var err error
	if l.conn != nil {
		err = l.conn.Close()
		l.conn = nil
	}
	if l.file != nil {
		err = errors.Join(err, l.file.Close())
	}
	return err
}

// writer returns the connection SQLite transactions run on, taking it
// from the pool on first use; nil (use the pool) on PostgreSQL, for an
// in-memory database, or when the pool cannot give one now. The caller
// holds the write lock, which makes it the connection's only user.
//
// Why one connection: SQLite keeps a page cache per connection and throws
// it away when a transaction begins on a connection that has not seen the
// database's latest commit. Writes that rotate over the pool so start
// each transaction cold, reading back every index page they touch; one
// writer connection sees every commit it made itself and keeps its cache.
func (d *DB) writer(ctx context.Context) *sql.Conn {
	l := d.wlock
	if l == nil || !l.reserve {
		return nil
	}
	if l.conn == nil {
		c, err := d.sqlDB.Conn(ctx)
		if err != nil {
			return nil
		}
		l.conn = c
	}
	return l.conn
}

// dropWriter returns the writer's connection to the pool (which discards
// it when it is broken) after a BEGIN failed on it; the caller holds the
// write lock.
func (d *DB) dropWriter() {
	if l := d.wlock; l != nil && l.conn != nil {
		_ = l.conn.Close()
		l.conn = nil
	}
}

// busy is the error of a write that could not get the database in time.
func busy(cause error) error {
	return &domain.Error{Code: domain.CodeRateLimited, Message: "the database is busy; retry shortly",
		RetryAfter: busyRetryAfter, Err: cause}
}

// lockWrites takes the SQLite write lock for one statement (or a few that
// need no transaction) run outside a transaction, and returns its release.
// On PostgreSQL, and inside a transaction (which holds the lock already),
// it does nothing.
func (d *DB) lockWrites(ctx context.Context) (unlock func(), err error) {
	if d.wlock == nil || d.inTx {
		return func() {}, nil
	}
	return d.wlock.lock(ctx)
}

// insert writes one row (a pointer to a gorm row type) under the write
// lock and maps its error for what the row is ("invoice", "order", …):
// CONFLICT on a duplicate key.
func (d *DB) insert(ctx context.Context, what string, row any) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return mapErr(d.db(ctx).Create(row).Error, what)
}
