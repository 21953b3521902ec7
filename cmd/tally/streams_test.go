package main

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
)

// TestStreamsDetach: a websocket's handler returns to net/http once the
// connection is hijacked while its session goes on; the request's log line
// comes when the session ends; shutdown waits for the session; a panic
// after the hijack is logged and ends only that session; a panic before it
// reaches the recoverer.
func TestStreamsDetach(t *testing.T) {
	tests := []struct {
		name      string
		panicAt   string // "", "before" or "after" the hijack
		wantInLog string
	}{
		{"session outlives its handler", "", `msg=request`},
		{"panic after the hijack", "after", `msg="panic serving websocket"`},
		{"panic before the hijack", "before", `msg="panic serving request"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &tallytest.Log{}
			logger := slog.New(slog.NewTextHandler(logs, nil))
			s := newStreams(logger)
			hijacked, release, outerDone := make(chan struct{}), make(chan struct{}), make(chan struct{}, 1)
			session := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.panicAt == "before" {
					panic("before")
				}
				c, brw, err := http.NewResponseController(w).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				defer func() { _ = c.Close() }()
				_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
				_ = brw.Flush()
				close(hijacked)
				<-release
				if r.Context().Err() != nil {
					t.Error("the session's context ended with its handler")
				}
				if tc.panicAt == "after" {
					panic("after")
				}
			})
			outer := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					next.ServeHTTP(w, r)
					outerDone <- struct{}{}
				})
			}
			srv := httptest.NewServer(outer(requestLogger(logger)(recoverer(logger)(s.Middleware(session)))))
			defer srv.Close()

			c, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = c.Close() }()
			fmt.Fprintf(c, "GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
			res, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.panicAt == "before" {
				<-outerDone
				if !strings.Contains(logs.String(), tc.wantInLog) {
					t.Errorf("log %q lacks %s", logs.String(), tc.wantInLog)
				}
				return
			}
			if res.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("status %d", res.StatusCode)
			}
			select {
			case <-outerDone:
			case <-time.After(5 * time.Second):
				t.Fatal("the handler did not return at the hijack")
			}
			if strings.Contains(logs.String(), "msg=request") {
				t.Errorf("request logged before the session ended: %s", logs.String())
			}
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			if err := s.Wait(ctx); err == nil {
				t.Error("Wait returned while a session was open")
			}
			close(release)
			if err := s.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := logs.String(); !strings.Contains(got, tc.wantInLog) || !strings.Contains(got, "websocket=true") {
				t.Errorf("log %q lacks %s or the request line", got, tc.wantInLog)
			}
		})
	}
}
