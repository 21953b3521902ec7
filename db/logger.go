package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"gorm.io/gorm"
	gormlogger "gorm.io/gorm/logger"
)

// gormLogger is a quiet gorm logger on slog: slow statements are warnings,
// failed ones debug traces (callers get the error and decide), the rest
// nothing. SQL is logged without its arguments, which may hold secrets.
type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func newGormLogger(log *slog.Logger, slow time.Duration) gormLogger {
	return gormLogger{log: log, slow: slow}
}

// LogMode implements gorm's logger.Interface; the level is fixed.
func (l gormLogger) LogMode(gormlogger.LogLevel) gormlogger.Interface { return l }

// Info implements gorm's logger.Interface; msg is a printf template.
func (l gormLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.DebugContext(ctx, strings.TrimSpace(fmt.Sprintf(msg, args...)))
}

// Warn implements gorm's logger.Interface; msg is a printf template.
func (l gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, strings.TrimSpace(fmt.Sprintf(msg, args...)))
}

// Error implements gorm's logger.Interface; msg is a printf template.
func (l gormLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, strings.TrimSpace(fmt.Sprintf(msg, args...)))
}

// Trace implements gorm's logger.Interface.
func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound):
		if l.log.Enabled(ctx, slog.LevelDebug) {
			sql, _ := fc()
			l.log.DebugContext(ctx, "sql failed", "sql", sql, "duration", elapsed, "err", err)
		}
	case elapsed > l.slow:
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow sql", "sql", clipSQL(sql), "rows", rows, "duration", elapsed)
	}
}

// ParamsFilter keeps arguments out of logged SQL.
func (l gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

// maxLoggedSQL bounds the statement text of a log line: a multi-row
// statement (a usage batch) would otherwise log tens of kilobytes.
const maxLoggedSQL = 1000

// clipSQL shortens a statement for the log.
func clipSQL(sql string) string {
	if len(sql) <= maxLoggedSQL {
		return sql
	}
	return sql[:maxLoggedSQL] + fmt.Sprintf("… (%d bytes)", len(sql))
}
