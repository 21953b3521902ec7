package db

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/tallyhq/tally/domain"
)

// SQLite extended result codes for unique-key violations.
const (
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// mapErr maps a database error to the domain's one error type: a missing
// row is NOT_FOUND (naming what), a unique-key clash is CONFLICT, anything
// else INTERNAL (cause kept for logs).
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
	}
	return domain.Internal(err)
}

func isDomainError(err error) bool {
	var de *domain.Error
	return errors.As(err, &de)
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
