package db_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallyhq/tally/db"
)

// TestOpenSQLiteReasons: a SQLite database that cannot be created is
// reported with the reason (not the driver's "out of memory (14)"), as a
// plain error the binary turns into one line, and gorm logs nothing of
// its own about it.
func TestOpenSQLiteReasons(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want string
		kind error
	}{
		{"missing directory", filepath.Join(dir, "missing", "tally.db"), "the directory " + filepath.Join(dir, "missing") + " does not exist", fs.ErrNotExist},
		{"directory is a file", filepath.Join(file, "tally.db"), file + " is not a directory", nil},
		{"database is a directory", dir, dir + " is a directory", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			d, err := db.Open(context.Background(), "sqlite://"+tc.path, db.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			if err == nil {
				_ = d.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "INTERNAL") || strings.Contains(err.Error(), "out of memory") {
				t.Errorf("error %q, want it to say %q", err, tc.want)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("error %q is not %v", err, tc.kind)
			}
			if logs.Len() != 0 {
				t.Errorf("logged besides returning the error: %s", logs.String())
			}
		})
	}
}
