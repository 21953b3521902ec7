package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/tallyhq/tally/domain"
)

// SQLite result codes: extended ones for unique-key violations, primary
// ones (the low byte) for a busy or locked database.
const (
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
	sqliteBusy                 = 5
	sqliteLocked               = 6
)

// unavailableRetryAfter is the Retry-After of UNAVAILABLE: about how long
// a restarting PostgreSQL takes to accept connections again.
const unavailableRetryAfter = time.Second

// mapErr maps a database error to the domain's one error type: a missing
// row is NOT_FOUND (naming what), a unique-key clash is CONFLICT, a busy
// SQLite database is a retryable RATE_LIMITED, a database that cannot be
// reached (see lostConnection) a retryable UNAVAILABLE, anything else
// INTERNAL (cause kept for logs).
func mapErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case isDomainError(err): // mapped already (a pipelined statement's failure)
		return unavailableOr(err)
	case lostConnection(err):
		return domain.Unavailable(unavailableRetryAfter, err)
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return domain.NotFound(what)
	case isUniqueViolation(err):
		return &domain.Error{Code: domain.CodeConflict, Message: what + " already exists", Err: err}
	case isBusy(err):
		return busy(err)
	}
	return domain.Internal(err)
}

// unavailableOr returns err, or UNAVAILABLE when err is an unmapped error
// (or an INTERNAL one) caused by a database that cannot be reached. The
// store's edges that may see errors no mapErr has seen (a transaction's
// end, a raw driver call) pass them through it.
func unavailableOr(err error) error {
	var de *domain.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &de):
		if de.Code == domain.CodeInternal && de.Err != nil && lostConnection(de.Err) {
			return domain.Unavailable(unavailableRetryAfter, de.Err)
		}
		return err
	case lostConnection(err):
		return domain.Unavailable(unavailableRetryAfter, err)
	}
	return err
}

// PostgreSQL error codes (SQLSTATE) of a server that is going away or not
// accepting connections yet; class 08 (connection exception) is matched
// as a class.
const (
	pgAdminShutdown = "57P01" // terminated by pg_terminate_backend or a fast shutdown
	pgCrashShutdown = "57P02" // another backend crashed; the server restarts
	pgCannotConnect = "57P03" // starting up, shutting down, in recovery
	pgTooManyConns  = "53300" // no connection slot left (max_connections)
)

// lostConnection reports an error that means the database could not be
// reached or the connection was lost before an answer came: refused or
// failed connects, a connection reset or closed (EOF), a backend
// terminated by an administrator or a crash, the server starting up or
// shutting down or out of connection slots, and a deadline that ended
// while waiting for a connection or an answer. Whether a statement in flight took effect is unknown, so
// the client retries with the same idempotency key. Not included: a
// context canceled by the caller (the client went away), a statement
// timeout (57014) or a serialization failure (40001), which the server
// answered.
func lostConnection(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	// A failed connect, whatever the server said to refuse it.
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case pgAdminShutdown, pgCrashShutdown, pgCannotConnect, pgTooManyConns:
			return true
		}
		return len(pgErr.Code) == 5 && pgErr.Code[:2] == "08"
	}
	var netErr net.Error
	return pgconn.SafeToRetry(err) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &netErr)
}

func isDomainError(err error) bool {
	var de *domain.Error
	return errors.As(err, &de)
}

// isBusy reports SQLite's SQLITE_BUSY or SQLITE_LOCKED (with any extended
// code): another connection kept the database past the busy timeout.
// Tally's own writers queue on writeLock first, so this is left for
// foreign processes and rare read-side cases; the client may retry.
func isBusy(err error) bool {
	var sqliteErr interface{ Code() int }
	if errors.As(err, &sqliteErr) {
		c := sqliteErr.Code() & 0xff
		return c == sqliteBusy || c == sqliteLocked
	}
	return false
}

// isUniqueViolation reports a primary-key or unique-constraint violation on
// either backend.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqliteErr interface{ Code() int }
	if errors.As(err, &sqliteErr) {
		c := sqliteErr.Code()
		return c == sqliteConstraintUnique || c == sqliteConstraintPrimaryKey
	}
	return false
}
