package db

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/tallyhq/tally/domain"
)

// migrationFiles holds one directory of goose SQL migrations per dialect,
// with the same version numbers in each.
//
//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationFiles embed.FS

// Migrations returns the embedded migration files of a dialect ("postgres"
// or "sqlite").
func Migrations(dialect string) (fs.FS, error) {
	switch dialect {
	case DialectPostgres, DialectSQLite:
		return fs.Sub(migrationFiles, path.Join("migrations", dialect))
	}
	return nil, fmt.Errorf("db: unknown dialect %q", dialect)
}

// MigrationsFingerprint returns a hex hash of a dialect's migration files,
// which changes whenever a migration is added or edited (test databases
// built from one set are keyed by it).
func MigrationsFingerprint(dialect string) (string, error) {
	fsys, err := Migrations(dialect)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	err = fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// newProvider builds a goose provider for the embedded migrations. On
// PostgreSQL it takes a session advisory lock, so instances starting
// together migrate one at a time.
func (d *DB) newProvider() (*goose.Provider, error) {
	fsys, err := Migrations(d.dialect)
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d.dialect == DialectPostgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	return goose.NewProvider(dialect, d.sqlDB, fsys, opts...)
}

// Migrate applies every pending embedded migration.
func (d *DB) Migrate(ctx context.Context) error {
	p, err := d.provider()
	if err != nil {
		return domain.Internal(err)
	}
	if _, err := p.Up(ctx); err != nil {
		return domain.Internal(fmt.Errorf("migrate %s: %w", d.dialect, err))
	}
	return nil
}

// MigrationsCurrent reports whether every embedded migration has been
// applied (for /readyz and `serve`'s start-up check).
func (d *DB) MigrationsCurrent(ctx context.Context) (bool, error) {
	p, err := d.provider()
	if err != nil {
		return false, domain.Internal(err)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, domain.Internal(fmt.Errorf("migration status %s: %w", d.dialect, err))
	}
	return !pending, nil
}
