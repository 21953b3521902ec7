package db

import (
	"database/sql"
	"errors"

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

// mapErr maps a database error to the domain's one error type: a missing
// row is NOT_FOUND (naming what), a unique-key clash is CONFLICT, a busy
// SQLite database is a retryable RATE_LIMITED, anything else INTERNAL
// (cause kept for logs).
func mapErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case isDomainError(err): // mapped already (a pipelined statement's failure)
		return err
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return domain.NotFound(what)
	case isUniqueViolation(err):
		return &domain.Error{Code: domain.CodeConflict, Message: what + " already exists", Err: err}
	case isBusy(err):
		return busy(err)
	}
	return domain.Internal(err)
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
