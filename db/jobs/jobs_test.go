package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/db/jobs"
)

// backends are the jobs databases a test runs on: a fresh PostgreSQL
// database and a SQLite store file (whose jobs live in PATH-jobs).
func backends(t *testing.T, fn func(t *testing.T, url string)) {
	t.Helper()
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, dbtest.PostgresURL(t)) })
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, "sqlite://"+filepath.Join(t.TempDir(), "tally.db"))
	})
}

// open opens and migrates a jobs.Queue for a test, stopped and closed at
// cleanup.
func open(t *testing.T, url string, opts jobs.Options) *jobs.Queue {
	t.Helper()
	opts.TestOnly = true
	if opts.PollInterval == 0 {
		opts.PollInterval = 50 * time.Millisecond
	}
	q, err := jobs.Open(context.Background(), url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(ctx)
		_ = q.Close()
	})
	if err := q.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return q
}

// start starts q for the rest of the test.
func start(t *testing.T, q *jobs.Queue) {
	t.Helper()
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds or the timeout ends.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPeriodicRunsOnceAcrossInstances starts two instances with the same
// periodic job on one database: only the elected leader enqueues it, so
// it runs once, not once per instance.
func TestPeriodicRunsOnceAcrossInstances(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		var runs atomic.Int32
		opts := jobs.Options{Periodic: []jobs.Periodic{{Name: "sweep", Every: time.Hour, Run: func(context.Context) error {
			runs.Add(1)
			return nil
		}}}}
		a, b := open(t, url, opts), open(t, url, opts)
		start(t, a)
		start(t, b)
		waitFor(t, 15*time.Second, "the first run", func() bool { return runs.Load() > 0 })
		time.Sleep(1500 * time.Millisecond) // time for a second instance's run, if any
		if got := runs.Load(); got != 1 {
			t.Fatalf("periodic job ran %d times across two instances, want 1", got)
		}
	})
}

// TestJobSurvivesRestart enqueues a job on an instance that stops before
// working it; the next instance runs it.
func TestJobSurvivesRestart(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		type note struct{ Text string }
		var got atomic.Value
		worker := jobs.Handle("note", func(_ context.Context, n note) error {
			got.Store(n.Text)
			return nil
		})
		first := open(t, url, jobs.Options{Workers: []jobs.Worker{worker}})
		start(t, first)
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := first.Stop(stopCtx); err != nil {
			t.Fatal(err)
		}
		if ok, err := first.Enqueue(context.Background(), "note", note{"hello"}, ""); err != nil || !ok {
			t.Fatalf("Enqueue = %v, %v", ok, err)
		}
		_ = first.Close()

		second := open(t, url, jobs.Options{Workers: []jobs.Worker{worker}})
		start(t, second)
		waitFor(t, 15*time.Second, "the job to run after the restart", func() bool { return got.Load() == "hello" })
	})
}

// TestFailingJobRetried fails a job's first attempt: it is counted, listed
// by Failures with its error, and River retries it.
func TestFailingJobRetried(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		var attempts atomic.Int32
		q := open(t, url, jobs.Options{Workers: []jobs.Worker{{Kind: "flaky", Run: func(context.Context, json.RawMessage) error {
			if attempts.Add(1) == 1 {
				return errors.New("gateway down")
			}
			return nil
		}}}})
		start(t, q)
		if _, err := q.Enqueue(context.Background(), "flaky", nil, ""); err != nil {
			t.Fatal(err)
		}
		var listed []jobs.Job
		waitFor(t, 10*time.Second, "the failed attempt to be listed", func() bool {
			var err error
			listed, err = q.Failures(context.Background(), 10)
			if err != nil {
				t.Fatal(err)
			}
			return len(listed) == 1 || attempts.Load() > 1
		})
		if attempts.Load() == 1 { // not retried yet: it must show as waiting
			j := listed[0]
			if j.Kind != "flaky" || j.State != "retryable" || j.Attempt != 1 || j.MaxAttempts != jobs.OneOffAttempts ||
				len(j.Errors) != 1 || j.Errors[0].Error != "gateway down" {
				t.Fatalf("listed %+v, want flaky retryable attempt 1 with its error", j)
			}
		}
		if got := q.Runs("flaky", "failed"); got != 1 {
			t.Fatalf("failed count = %v, want 1", got)
		}
		waitFor(t, 20*time.Second, "the retry", func() bool {
			return q.Runs("flaky", "completed") == 1
		})
		if listed, err := q.Failures(context.Background(), 10); err != nil || len(listed) != 0 {
			t.Fatalf("after the retry succeeded, Failures = %v, %v; want none", listed, err)
		}
	})
}

// TestEnqueueUnique inserts a keyed job once per key.
func TestEnqueueUnique(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		q := open(t, url, jobs.Options{Workers: []jobs.Worker{jobs.Handle("renew", func(context.Context, struct{ Sub string }) error { return nil })}})
		ctx := context.Background()
		tests := []struct {
			key  string
			args any
			want bool
		}{
			{"sub_1/2026-12", struct{ Sub string }{"sub_1"}, true},
			{"sub_1/2026-12", struct{ Sub string }{"sub_1 again"}, false},
			{"sub_1/2027-01", struct{ Sub string }{"sub_1"}, true},
			{"", nil, true},
			{"", nil, true},
		}
		for _, tt := range tests {
			if got, err := q.Enqueue(ctx, "renew", tt.args, tt.key); err != nil || got != tt.want {
				t.Errorf("Enqueue(key %q) = %v, %v; want %v", tt.key, got, err, tt.want)
			}
		}
		if _, err := q.Enqueue(ctx, "nobody_works_this", nil, ""); err == nil {
			t.Error("Enqueue of a kind with no worker succeeded")
		}
	})
}

// TestSQLiteSiblingFile: River's tables go to PATH-jobs, not into the
// store's file, and an in-memory store gets an in-memory queue.
func TestSQLiteSiblingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tally.db")
	open(t, "sqlite://"+path, jobs.Options{})
	if _, err := os.Stat(path + "-jobs"); err != nil {
		t.Fatalf("no jobs file: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the store's file was touched: %v", err)
	}
	tests := []struct{ path, want string }{
		{"/data/tally.db", "/data/tally.db-jobs"},
		{"tally.db?_pragma=x", "tally.db-jobs"},
		{":memory:", ""},
		{"file:x?mode=memory", ""},
	}
	for _, tt := range tests {
		if got := jobs.SQLiteJobsFile(tt.path); got != tt.want {
			t.Errorf("sqliteJobsFile(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
	mem := open(t, "sqlite://:memory:", jobs.Options{})
	if ok, err := mem.MigrationsCurrent(context.Background()); err != nil || !ok {
		t.Fatalf("in-memory MigrationsCurrent = %v, %v", ok, err)
	}
}

// TestMigrationsCurrent reports a database River has not migrated.
func TestMigrationsCurrent(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		if strings.HasPrefix(url, "postgres") {
			url = dbtest.EmptyPostgresURL(t) // test databases come with River's tables
		}
		q, err := jobs.Open(context.Background(), url, jobs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = q.Close() }()
		for _, want := range []bool{false, true} {
			if want {
				if err := q.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := q.MigrationsCurrent(context.Background()); err != nil || got != want {
				t.Fatalf("MigrationsCurrent = %v, %v; want %v", got, err, want)
			}
		}
	})
}

// TestEnqueueFromAJob: a periodic sweep hands work to a one-off job with
// jobs.Enqueue on its context; in a context from Inline the same call runs
// the worker at once, in the caller (what moving the test clock does).
func TestEnqueueFromAJob(t *testing.T) {
	type renewal struct{ Sub string }
	var renewed atomic.Int32
	var last atomic.Value
	opts := jobs.Options{
		Periodic: []jobs.Periodic{{Name: "renewals_due", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := jobs.Enqueue(ctx, "renew", renewal{"sub_1"}, "sub_1/2026-12")
			return err
		}}},
		Workers: []jobs.Worker{jobs.Handle("renew", func(_ context.Context, r renewal) error {
			renewed.Add(1)
			last.Store(r.Sub)
			return nil
		})},
	}
	q := open(t, "sqlite://"+filepath.Join(t.TempDir(), "tally.db"), opts)

	ctx := context.Background()
	if _, err := jobs.Enqueue(ctx, "renew", renewal{"x"}, ""); err == nil {
		t.Fatal("jobs.Enqueue without a queue in the context succeeded")
	}
	inline := q.Inline(ctx)
	if ok, err := jobs.Enqueue(inline, "renew", renewal{"sub_2"}, "sub_2/2026-12"); err != nil || !ok || renewed.Load() != 1 || last.Load() != "sub_2" {
		t.Fatalf("inline Enqueue = %v, %v; renewed %d (%v); want the worker run at once", ok, err, renewed.Load(), last.Load())
	}
	if _, err := q.Enqueue(inline, "nobody_works_this", nil, ""); err == nil {
		t.Fatal("inline Enqueue of an unknown kind succeeded")
	}
	if failed, err := q.Failures(ctx, 10); err != nil || len(failed) != 0 {
		t.Fatalf("inline runs left jobs behind: %v, %v", failed, err)
	}

	start(t, q)
	waitFor(t, 15*time.Second, "the sweep's renewal job", func() bool { return renewed.Load() == 2 })
	if last.Load() != "sub_1" {
		t.Fatalf("renewed %v, want sub_1", last.Load())
	}
}

// TestStopCancelsAtTheDeadline: a job still running when Stop's context
// ends is cancelled, and Stop returns once it has.
func TestStopCancelsAtTheDeadline(t *testing.T) {
	started, cancelled := make(chan struct{}), make(chan struct{})
	q := open(t, "sqlite://"+filepath.Join(t.TempDir(), "tally.db"), jobs.Options{Workers: []jobs.Worker{
		{Kind: "slow", Run: func(ctx context.Context, _ json.RawMessage) error {
			close(started)
			<-ctx.Done()
			close(cancelled)
			return ctx.Err()
		}},
	}})
	start(t, q)
	if _, err := q.Enqueue(context.Background(), "slow", nil, ""); err != nil {
		t.Fatal(err)
	}
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := q.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop = %v, want the deadline", err)
	}
	select {
	case <-cancelled:
	default:
		t.Fatal("Stop returned while the job was still running")
	}
}

// TestRescueTimeout: jobs without a timeout of their own stop before the
// leader would take them for abandoned, and never later than
// DefaultTimeout.
func TestRescueTimeout(t *testing.T) {
	tests := []struct {
		rescueAfter, want time.Duration
	}{
		{jobs.MinRescueAfter, 10 * time.Second},
		{3 * time.Minute, 2 * time.Minute},
		{jobs.DefaultRescueAfter, jobs.DefaultTimeout},
		{24 * time.Hour, jobs.DefaultTimeout},
	}
	for _, tt := range tests {
		if got := jobs.RescueTimeout(tt.rescueAfter); got != tt.want {
			t.Errorf("RescueTimeout(%s) = %s, want %s", tt.rescueAfter, got, tt.want)
		}
	}
}

// TestOpenRefusesHastyRescue: a rescue delay under MinRescueAfter would
// run jobs twice while their instance still works them.
func TestOpenRefusesHastyRescue(t *testing.T) {
	_, err := jobs.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "tally.db"),
		jobs.Options{RescueAfter: jobs.MinRescueAfter - time.Second})
	if err == nil || !strings.Contains(err.Error(), "RescueAfter") {
		t.Fatalf("Open with a 14s rescue: %v, want a refusal", err)
	}
}
