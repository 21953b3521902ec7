package db

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// TestGormLoggerFormats: gorm's messages are printf templates; they are
// logged filled in, never as a raw "%v" with the arguments beside.
func TestGormLoggerFormats(t *testing.T) {
	tests := []struct {
		log  func(l gormLogger)
		want string
	}{
		{func(l gormLogger) {
			l.Error(context.Background(), "failed to initialize database, got error %v", "boom")
		}, `level=ERROR msg="failed to initialize database, got error boom"`},
		{func(l gormLogger) { l.Warn(context.Background(), "duplicated callback `%s` from %s\n", "x", "y.go:1") }, "level=WARN msg=\"duplicated callback `x` from y.go:1\""},
		{func(l gormLogger) { l.Info(context.Background(), "replacing callback `%s`", "z") }, "level=DEBUG msg=\"replacing callback `z`\""},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		tc.log(newGormLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), slowQuery))
		if got := buf.String(); !strings.Contains(got, tc.want) || strings.Contains(got, "%") {
			t.Errorf("logged %q, want %q", got, tc.want)
		}
	}
}
