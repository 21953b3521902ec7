package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
)

// TestScanPlans: rows scanned with kept plans read what pgx's own Scan
// reads, row after row and query after query on one connection (NULLs
// into pointers too), are planned again when the columns or the
// destinations' types change, and fail as pgx's Scan does.
func TestScanPlans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbtest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close(ctx) }()
	var plans db.ScanPlans
	type row struct {
		s  string
		n  int64
		at *time.Time
		ok bool
	}
	read := func(q string, scan func(rows pgx.Rows, r *row) error) ([]row, error) {
		rows, err := c.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []row
		for rows.Next() {
			var r row
			if err := scan(rows, &r); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		return out, rows.Err()
	}
	planned := func(rows pgx.Rows, r *row) error { return db.ScanPlanned(&plans, rows, &r.s, &r.n, &r.at, &r.ok) }
	plain := func(rows pgx.Rows, r *row) error { return rows.Scan(&r.s, &r.n, &r.at, &r.ok) }
	same := func(a, b []row) bool {
		if len(a) != len(b) {
			return false
		}
		for i := range a {
			if a[i].s != b[i].s || a[i].n != b[i].n || a[i].ok != b[i].ok || (a[i].at == nil) != (b[i].at == nil) ||
				a[i].at != nil && !a[i].at.Equal(*b[i].at) {
				return false
			}
		}
		return true
	}
	tests := []struct{ name, q string }{
		{"rows with NULLs", `SELECT 'a' || i, i::int8, CASE WHEN i % 2 = 0 THEN TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '1 hour' END, i > 1 FROM generate_series(1, 4) i`},
		{"again", `SELECT 'b' || i, i::int8 * 7, TIMESTAMPTZ '2026-02-01 00:00:00+00', i = 2 FROM generate_series(1, 3) i`},
		{"other column types", `SELECT i, i::int4, NULL::timestamptz, true FROM generate_series(1, 2) i`},
		{"the first types again", `SELECT 'c', 5::int8, TIMESTAMPTZ '2026-03-01 00:00:00+00', false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := read(tt.q, planned)
			if err != nil {
				t.Fatal(err)
			}
			want, err := read(tt.q, plain)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 || !same(got, want) {
				t.Errorf("planned %+v, want %+v", got, want)
			}
		})
	}
	t.Run("destinations of another type", func(t *testing.T) {
		rows, err := c.Query(ctx, `SELECT 'x', 3::int8, NULL::timestamptz, true`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatal(rows.Err())
		}
		var (
			s  string
			n  string // int8 into a string
			at *time.Time
			ok bool
		)
		if err := db.ScanPlanned(&plans, rows, &s, &n, &at, &ok); err != nil || n != "3" || s != "x" || at != nil || !ok {
			t.Errorf("got %q %q %v %v, %v", s, n, at, ok, err)
		}
	})
	t.Run("scan error", func(t *testing.T) {
		rows, err := c.Query(ctx, `SELECT 'x', NULL::int8, NULL::timestamptz, true`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		if !rows.Next() {
			t.Fatal(rows.Err())
		}
		var r row
		err = db.ScanPlanned(&plans, rows, &r.s, &r.n, &r.at, &r.ok)
		var se pgx.ScanArgError
		if !errors.As(err, &se) || se.ColumnIndex != 1 {
			t.Errorf("NULL into an int64: %v, want a ScanArgError of column 1", err)
		}
	})
}
