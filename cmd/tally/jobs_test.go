package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/db/jobs"
)

// TestJobsCommand: a job that failed shows in `tally jobs` with its kind,
// state, attempts and error, on both stores; with none failed it says so.
func TestJobsCommand(t *testing.T) {
	for _, tt := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "tally.db") }},
		{"postgres", func(t *testing.T) string { return dbtest.PostgresURL(t) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := tt.url(t)
			env := []string{"DATABASE_URL=" + url}
			if out := tallytest.Output(t, env, "jobs"); !strings.Contains(out, "No failed jobs") {
				t.Fatalf("tally jobs with nothing failed: %q", out)
			}
			ctx := context.Background()
			q, err := openJobs(ctx, Common{DatabaseURL: url}, false, slog.New(slog.DiscardHandler), jobs.Options{TestOnly: true, Workers: []jobs.Worker{
				{Kind: "always_fails", Run: func(context.Context, json.RawMessage) error { return errors.New("the gateway\nis down") }},
			}})
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = q.Close() }()
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := q.Enqueue(ctx, "always_fails", nil, ""); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(15 * time.Second)
			for {
				failed, err := q.Failures(ctx, 1)
				if err != nil {
					t.Fatal(err)
				}
				if len(failed) == 1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the failing job never showed as failed")
				}
				time.Sleep(50 * time.Millisecond)
			}
			stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := q.Stop(stopCtx); err != nil {
				t.Fatal(err)
			}
			out := tallytest.Output(t, env, "jobs")
			// It may have been retried once before the queue stopped.
			if !regexp.MustCompile(`\n\d+ +always_fails +retryable +[12]/25 +\S+ +the gateway is down\n`).MatchString(out) ||
				!strings.Contains(out, "attempt 1 at ") {
				t.Errorf("tally jobs does not show the failed job, its attempts and error:\n%s", out)
			}
		})
	}
}

func TestPrintFailures(t *testing.T) {
	at := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	var b bytes.Buffer
	err := printFailures(&b, []jobs.Job{{ID: 7, Kind: "expire_credits", State: "discarded", Attempt: 5, MaxAttempts: 5, At: at,
		Errors: []jobs.AttemptError{{Attempt: 1, At: at, Error: "first"}, {Attempt: 5, At: at, Error: "last  one"}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "ID  KIND            STATE      ATTEMPTS  NEXT RETRY / GIVEN UP AT  LAST ERROR\n" +
		"7   expire_credits  discarded  5/5       2026-12-02T10:00:00Z      last one\n" +
		"\njob 7 (expire_credits):\n  attempt 1 at 2026-12-02T10:00:00Z: first\n  attempt 5 at 2026-12-02T10:00:00Z: last one\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
