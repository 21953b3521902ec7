package db_test

import (
	"path/filepath"
	"testing"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

func TestMigrate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		open func(t *testing.T) *db.DB
	}{
		{"postgres", func(t *testing.T) *db.DB {
			// A fresh database that has never been migrated: the template's
			// server, a new empty database.
			d := dbtest.Postgres(t)
			must(t, d.Gorm().Exec(`DROP SCHEMA public CASCADE`).Error)
			must(t, d.Gorm().Exec(`CREATE SCHEMA public`).Error)
			return d
		}},
		{"sqlite", func(t *testing.T) *db.DB {
			d, err := db.Open(ctx(), "sqlite://"+filepath.Join(t.TempDir(), "m.db"), db.Options{})
			must(t, err)
			t.Cleanup(func() { _ = d.Close() })
			return d
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.open(t)
			if d.Dialect() != tc.name {
				t.Fatalf("Dialect() = %q", d.Dialect())
			}
			cur, err := d.MigrationsCurrent(ctx())
			must(t, err)
			if cur {
				t.Fatal("MigrationsCurrent before Migrate = true")
			}
			must(t, d.Migrate(ctx()))
			cur, err = d.MigrationsCurrent(ctx())
			must(t, err)
			if !cur {
				t.Fatal("MigrationsCurrent after Migrate = false")
			}
			must(t, d.Migrate(ctx())) // idempotent
			must(t, d.Ping(ctx()))
		})
	}
}

// TestMigrateDownUp runs every Down section and migrates up again: the
// schema works afterwards, and the orders tables are gone in between.
func TestMigrateDownUp(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		tests := []struct {
			name    string
			version int64
		}{
			{"before orders", 2},
			{"empty schema", 0},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				must(t, d.MigrateDownTo(ctx(), tc.version))
				cur, err := d.MigrationsCurrent(ctx())
				must(t, err)
				if cur {
					t.Fatal("MigrationsCurrent after Down = true")
				}
				if _, err := d.OrderByID(ctx(), newID()); domain.ErrorCode(err) != domain.CodeInternal {
					t.Fatalf("OrderByID without the orders table: %v", err)
				}
				must(t, d.Migrate(ctx()))
				o := mkOrg(t, d)
				must(t, d.CreateOrder(ctx(), plainOrder(o.ID)))
				n, err := d.NextNumber(ctx(), "s")
				must(t, err)
				if n != 1 {
					t.Fatalf("NextNumber after Down/Up = %d, want 1", n)
				}
			})
		}
	})
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"mysql://x", "", "sqlite://"} {
		if _, err := db.Open(ctx(), u, db.Options{}); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		}
	}
}

func TestSQLiteInMemory(t *testing.T) {
	t.Parallel()
	d, err := db.Open(ctx(), "sqlite://:memory:", db.Options{})
	must(t, err)
	defer d.Close()
	must(t, d.Migrate(ctx()))
	o := mkOrg(t, d)
	grantCredits(t, d, o.ID, domain.GrantFree, 5, nil)
	b, err := d.GetBalance(ctx(), o.ID)
	must(t, err)
	if b.Total != 5 {
		t.Fatalf("in-memory balance = %+v", b)
	}
}
