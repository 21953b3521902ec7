package main

import (
	"io"
	"log/slog"
)

// newLogger logs JSON in production (for log collectors) and text in
// development (for people), at level and above.
func newLogger(w io.Writer, production bool, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if production {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
