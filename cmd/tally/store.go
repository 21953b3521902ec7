package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/tallyhq/tally/cmd/tally/catalog"
	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/domain"
)

// errSchemaStale is returned when PostgreSQL's schema is behind the binary.
var errSchemaStale = errors.New("the database schema is not current: run `tally migrate` first (or start with `tally serve --migrate`)")

// openStore opens DATABASE_URL and makes sure its schema is current: on
// SQLite, or when migrate is set, pending migrations are applied; on
// PostgreSQL a stale schema is refused, since several instances may share it
// and migrating is an operator's decision.
func openStore(ctx context.Context, c Common, migrate bool, logger *slog.Logger) (*db.DB, error) {
	d, err := db.Open(ctx, c.DatabaseURL, db.Options{MaxOpenConns: c.DBMaxConns, Logger: logger})
	if err != nil {
		return nil, databaseError(c.DatabaseURL, err)
	}
	if migrate || d.Dialect() == "sqlite" {
		if err := d.Migrate(ctx); err != nil {
			_ = d.Close()
			return nil, fmt.Errorf("apply migrations: %w", err)
		}
		return d, nil
	}
	current, err := d.MigrationsCurrent(ctx)
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("read migration state: %w", err)
	}
	if !current {
		_ = d.Close()
		return nil, errSchemaStale
	}
	return d, nil
}

// seedIfEmpty loads the default catalog when the store has no plans and no
// packs, so a fresh development server has something to sell; a store
// with a catalog but no top-up rules (seeded before top-ups existed) gets
// the default catalog's top-up rules alone.
func seedIfEmpty(ctx context.Context, svc *domain.Service, logger *slog.Logger) error {
	plans, err := svc.Plans(ctx, nil)
	if err != nil {
		return err
	}
	packs, err := svc.Packs(ctx, nil)
	if err != nil {
		return err
	}
	topUps, err := svc.TopUpRules(ctx)
	if err != nil {
		return err
	}
	if len(topUps) > 0 && (len(plans) > 0 || len(packs) > 0) {
		return nil
	}
	c, err := catalog.Parse(catalog.Default())
	if err != nil {
		return fmt.Errorf("default catalog: %w", err)
	}
	if len(plans) > 0 || len(packs) > 0 {
		c = domain.Catalog{TopUps: c.TopUps}
	}
	stored, err := svc.LoadCatalog(ctx, c)
	if err != nil {
		return fmt.Errorf("load default catalog: %w", err)
	}
	logger.Info("empty catalog: loaded the default catalog", "plans", len(stored.Plans), "packs", len(stored.Packs), "topUps", len(stored.TopUps))
	return nil
}
