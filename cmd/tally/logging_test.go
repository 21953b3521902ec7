package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5/middleware"
)

func TestLogLinesCarryTheRequestID(t *testing.T) {
	withID := context.WithValue(context.Background(), middleware.RequestIDKey, "req-42")
	cases := []struct {
		name       string
		production bool
		ctx        context.Context
		log        func(l *slog.Logger, ctx context.Context)
		want, not  string
	}{
		{"text, request context", false, withID, func(l *slog.Logger, c context.Context) { l.ErrorContext(c, "boom") }, "request_id=req-42", ""},
		{"json, request context", true, withID, func(l *slog.Logger, c context.Context) { l.ErrorContext(c, "boom") }, `"request_id":"req-42"`, ""},
		{"derived logger", true, withID, func(l *slog.Logger, c context.Context) { l.With("a", 1).WithGroup("g").InfoContext(c, "x", "b", 2) }, `"request_id":"req-42"`, ""},
		{"no request", false, context.Background(), func(l *slog.Logger, c context.Context) { l.InfoContext(c, "boom") }, "msg=boom", "request_id"},
		{"given already", false, withID, func(l *slog.Logger, c context.Context) { l.InfoContext(c, "request", "request_id", "req-42") }, "request_id=req-42", "request_id=req-42 request_id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tc.log(newLogger(&buf, tc.production, slog.LevelInfo), tc.ctx)
			got := buf.String()
			if !strings.Contains(got, tc.want) {
				t.Errorf("log %q lacks %q", got, tc.want)
			}
			if tc.not != "" && strings.Contains(got, tc.not) {
				t.Errorf("log %q has %q", got, tc.not)
			}
		})
	}
}
