package db

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// MigrateDownTo rolls the schema back to version (tests of the Down
// sections).
func (d *DB) MigrateDownTo(ctx context.Context, version int64) error {
	p, err := d.provider()
	if err != nil {
		return err
	}
	_, err = p.DownTo(ctx, version)
	return err
}

// LostConnection and MapErr expose the error classifier to its tests.
var (
	LostConnection = lostConnection
	MapErr         = mapErr
)

// PreparesShared reports whether gorm's pool-wide prepared-statement cache
// is on for this store.
func (d *DB) PreparesShared() bool { return d.gdb.PrepareStmt }

// Positional exposes DB.positional to its test.
func Positional(dialect, q string) string { return (&DB{dialect: dialect}).positional(q) }

// ScanPlanned scans the current row of rows into dest with plans kept in
// s, as OrgBalance does (new(ScanPlans) for a fresh set).
func ScanPlanned(s *ScanPlans, rows pgx.Rows, dest ...any) error {
	return (*scanPlans)(s).scan(rows, dest...)
}

// ScanPlans exposes scanPlans to its test.
type ScanPlans scanPlans
