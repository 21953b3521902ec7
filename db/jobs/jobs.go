package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/url"
	"strings"
	"time"

	_ "github.com/glebarez/go-sqlite" // the "sqlite" database/sql driver Tally's store uses too
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Periodic is work that runs every Every, once across all instances: the
// elected leader enqueues it when it starts leading (unless it already ran
// in the current interval) and then every Every; any instance works it.
type Periodic struct {
	// Name is the job's kind: letters, digits and _ (e.g. "expire_credits").
	Name string
	// Every is the interval; at least one second.
	Every time.Duration
	// Run does the work; an error makes River retry it with backoff. It
	// must be idempotent: a retry, or the next interval, runs it again.
	Run func(ctx context.Context) error
	// Timeout bounds one run; 0: RescueTimeout(Options.RescueAfter).
	Timeout time.Duration
}

// Worker runs the one-off jobs of one kind; see [Handle] for typed
// arguments.
type Worker struct {
	// Kind names the jobs this worker runs.
	Kind string
	// Run does one job with its JSON arguments; an error makes River
	// retry it with backoff.
	Run func(ctx context.Context, args json.RawMessage) error
	// Timeout bounds one run; 0: RescueTimeout(Options.RescueAfter).
	Timeout time.Duration
}

// Handle builds the Worker of kind whose arguments are the JSON of a T
// (what [Queue.Enqueue] was given).
func Handle[T any](kind string, run func(ctx context.Context, args T) error) Worker {
	return Worker{Kind: kind, Run: func(ctx context.Context, raw json.RawMessage) error {
		var args T
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &args); err != nil {
				return fmt.Errorf("decode %s arguments: %w", kind, err)
			}
		}
		return run(ctx, args)
	}}
}

// DefaultTimeout bounds one run of a job without its own timeout, unless
// Options.RescueAfter makes it shorter (see RescueTimeout).
const DefaultTimeout = 10 * time.Minute

// Attempts are how many times a job runs before it is discarded.
const (
	// PeriodicAttempts: a periodic sweep runs again next interval anyway,
	// so it is retried a few times (the last ~10 minutes after the first).
	PeriodicAttempts = 5
	// OneOffAttempts: River's default, about three weeks of backoff.
	OneOffAttempts = river.MaxAttemptsDefault
)

// Options configure a Queue.
type Options struct {
	// Logger receives failures and River's own warnings; nil discards.
	Logger *slog.Logger
	// Registerer receives the job counters; nil registers none.
	Registerer prometheus.Registerer
	// Periodic are the periodic jobs; only a started Queue runs them.
	Periodic []Periodic
	// Workers run one-off jobs by kind.
	Workers []Worker
	// MaxWorkers is how many jobs one instance runs at once; 0: 4.
	MaxWorkers int
	// PollInterval is how often River looks for jobs without a
	// notification (SQLite has none); 0: River's default (1s).
	PollInterval time.Duration
	// ID identifies this client among the instances; "": random.
	ID string
	// TestOnly starts River's maintenance without its start-up jitter
	// (tests).
	TestOnly bool
	// RescueAfter is how long a job may stay running before the leader
	// takes it for one whose instance died (SIGKILL, a lost machine) and
	// schedules it again, to run on any instance; at least
	// MinRescueAfter, 0: DefaultRescueAfter. Jobs without a Timeout of
	// their own are bounded by RescueTimeout(RescueAfter), so that a job
	// still working is never rescued (one with a longer Timeout is
	// rescued only once that has passed too).
	RescueAfter time.Duration
}

// Rescue of jobs left running by a dead instance.
const (
	// DefaultRescueAfter leaves DefaultTimeout as the bound of jobs.
	DefaultRescueAfter = 15 * time.Minute
	// MinRescueAfter is the shortest RescueAfter.
	MinRescueAfter = 15 * time.Second
)

// RescueTimeout is the timeout of jobs without one of their own under
// rescueAfter: two thirds of it, at most DefaultTimeout. The third left
// over covers a job that hit its timeout and is being recorded.
func RescueTimeout(rescueAfter time.Duration) time.Duration {
	return min(DefaultTimeout, rescueAfter*2/3)
}

// Queue is the job queue of one database. Open it, Migrate (or check
// MigrationsCurrent), then Start to work jobs; Enqueue and Failures work
// on an unstarted Queue too.
type Queue struct {
	client   riverClient
	migrator migrator
	closeFn  func()
	dialect  string
	logger   *slog.Logger
	metrics  *metrics
	// workers are the one-off workers by kind, for inline runs.
	workers map[string]func(context.Context, json.RawMessage) error
}

// riverClient is what Queue uses of a *river.Client of either driver.
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
}

// migrator is River's migrator for the Queue's driver.
type migrator interface {
	migrate(ctx context.Context) (applied int, err error)
	current(ctx context.Context) (bool, error)
}

// args are the arguments of every Tally job: River tells kinds apart by
// the kind field, and a one-off job's unique key is the only field its
// uniqueness looks at.
type args struct {
	kind      string
	UniqueKey string          `json:"unique_key,omitempty" river:"unique"`
	Payload   json.RawMessage `json:"payload,omitempty"`
}

// Kind implements river.JobArgs.
func (a args) Kind() string { return a.kind }

// Open connects to the jobs database of databaseURL (Tally's
// DATABASE_URL): the same PostgreSQL database, or the SQLite file
// PATH-jobs. It does not migrate.
func Open(ctx context.Context, databaseURL string, opts Options) (*Queue, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	workers := river.NewWorkers()
	q := &Queue{logger: logger, metrics: newMetrics(opts.Registerer), workers: map[string]func(context.Context, json.RawMessage) error{}}
	seen := map[string]bool{}
	for _, w := range opts.Workers {
		if w.Run == nil || seen[w.Kind] {
			return nil, fmt.Errorf("jobs: worker %q: no Run, or the kind is taken", w.Kind)
		}
		seen[w.Kind] = true
		q.workers[w.Kind] = w.Run
		if err := addWorker(workers, w.Kind, q.wrap(w.Kind, w.Run), w.Timeout); err != nil {
			return nil, err
		}
	}
	var periodic []*river.PeriodicJob
	for _, p := range opts.Periodic {
		if p.Run == nil || seen[p.Name] || p.Every < time.Second {
			return nil, fmt.Errorf("jobs: periodic job %q: no Run, the name is taken, or Every is under 1s", p.Name)
		}
		seen[p.Name] = true
		run := p.Run
		if err := addWorker(workers, p.Name, q.wrap(p.Name, func(ctx context.Context, _ json.RawMessage) error { return run(ctx) }), p.Timeout); err != nil {
			return nil, err
		}
		name, every := p.Name, p.Every
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return args{kind: name}, &river.InsertOpts{
					MaxAttempts: PeriodicAttempts,
					// One per interval bucket: a new leader (restart,
					// failover) inside the interval inserts none again.
					UniqueOpts: river.UniqueOpts{ByPeriod: every},
				}
			}, &river.PeriodicJobOpts{ID: name, RunOnStart: true}))
	}
	rescueAfter := opts.RescueAfter
	if rescueAfter == 0 {
		rescueAfter = DefaultRescueAfter
	}
	if rescueAfter < MinRescueAfter {
		return nil, fmt.Errorf("jobs: RescueAfter %s is under %s", rescueAfter, MinRescueAfter)
	}
	maxWorkers := opts.MaxWorkers
	if maxWorkers <= 0 {
		maxWorkers = 4
	}
	cfg := &river.Config{
		// River reports its routine at INFO every few seconds; only its
		// warnings reach Tally's log.
		Logger:                      slog.New(atLeast{logger.Handler(), slog.LevelWarn}).With("component", "river"),
		Workers:                     workers,
		Queues:                      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: maxWorkers}},
		PeriodicJobs:                periodic,
		MaxAttempts:                 OneOffAttempts,
		JobTimeout:                  RescueTimeout(rescueAfter),
		RescueStuckJobsAfter:        rescueAfter,
		CompletedJobRetentionPeriod: time.Hour,
		FetchPollInterval:           opts.PollInterval,
		FetchCooldown:               min(opts.PollInterval, river.FetchCooldownDefault),
		ErrorHandler:                q,
		ID:                          opts.ID,
		TestOnly:                    opts.TestOnly,
	}
	var err error
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		err = q.openPostgres(ctx, databaseURL, cfg)
	case strings.HasPrefix(databaseURL, "sqlite://"):
		err = q.openSQLite(ctx, strings.TrimPrefix(databaseURL, "sqlite://"), cfg)
	default:
		err = errors.New("jobs: DATABASE_URL must be postgres://… or sqlite://PATH")
	}
	if err != nil {
		return nil, err
	}
	return q, nil
}

// addWorker registers the worker of kind.
func addWorker(workers *river.Workers, kind string, run func(context.Context, *river.Job[args]) error, timeout time.Duration) error {
	return addWorkerArgs(workers, kind, &worker{run: run, timeout: timeout})
}

// addWorkerArgs registers w for kind, turning River's panic on a bad kind
// into an error.
func addWorkerArgs(workers *river.Workers, kind string, w *worker) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("jobs: kind %q: %v", kind, r)
		}
	}()
	river.AddWorkerArgs(workers, args{kind: kind}, river.Worker[args](w))
	return nil
}

// worker is the River worker of every kind.
type worker struct {
	river.WorkerDefaults[args]
	run     func(context.Context, *river.Job[args]) error
	timeout time.Duration
}

// Work runs the job.
func (w *worker) Work(ctx context.Context, job *river.Job[args]) error { return w.run(ctx, job) }

// Timeout is the job's timeout.
func (w *worker) Timeout(*river.Job[args]) time.Duration { return w.timeout }

// wrap adapts a job function to River, counting completions.
func (q *Queue) wrap(kind string, run func(context.Context, json.RawMessage) error) func(context.Context, *river.Job[args]) error {
	return func(ctx context.Context, job *river.Job[args]) error {
		start := time.Now()
		err := run(context.WithValue(ctx, queueKey{}, q), job.Args.Payload)
		q.metrics.duration.WithLabelValues(kind).Observe(time.Since(start).Seconds())
		if err == nil {
			q.metrics.runs.WithLabelValues(kind, "completed").Inc()
		}
		return err
	}
}

// HandleError logs and counts a failed job (river.ErrorHandler); River
// then retries or discards it.
func (q *Queue) HandleError(_ context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	q.failed(job, err.Error())
	return nil
}

// HandlePanic logs and counts a job that panicked (river.ErrorHandler).
func (q *Queue) HandlePanic(_ context.Context, job *rivertype.JobRow, panicVal any, _ string) *river.ErrorHandlerResult {
	q.failed(job, fmt.Sprintf("panic: %v", panicVal))
	return nil
}

// failed records one failed attempt.
func (q *Queue) failed(job *rivertype.JobRow, msg string) {
	q.metrics.runs.WithLabelValues(job.Kind, "failed").Inc()
	final := job.Attempt >= job.MaxAttempts
	q.logger.Error("job failed", "kind", job.Kind, "job", job.ID, "attempt", job.Attempt,
		"max_attempts", job.MaxAttempts, "discarded", final, "err", msg)
}

// Dialect is "postgres" or "sqlite".
func (q *Queue) Dialect() string { return q.dialect }

// Migrate applies River's pending migrations.
func (q *Queue) Migrate(ctx context.Context) error {
	n, err := q.migrator.migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate the job queue: %w", err)
	}
	if n > 0 {
		q.logger.Info("job queue migrated", "dialect", q.dialect, "migrations", n)
	}
	return nil
}

// MigrationsCurrent reports whether River's migrations are all applied.
func (q *Queue) MigrationsCurrent(ctx context.Context) (bool, error) {
	ok, err := q.migrator.current(ctx)
	if err != nil {
		return false, fmt.Errorf("job queue migration status: %w", err)
	}
	return ok, nil
}

// Start works jobs, and on the elected leader enqueues the periodic
// ones, until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// hardStopWait is how long Stop waits for cancelled jobs to return.
const hardStopWait = 5 * time.Second

// Stop stops working jobs: running ones get until ctx ends to finish;
// then they are cancelled (each runs again later) and Stop waits up to
// hardStopWait for them to return, and reports ctx's error.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return nil // "not started" is not a failure at shutdown
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopWait)
	defer cancel()
	if herr := q.client.StopAndCancel(hard); herr != nil && !errors.Is(herr, context.DeadlineExceeded) {
		return errors.Join(err, herr)
	}
	return err
}

// Close releases the database connections; Stop first.
func (q *Queue) Close() error {
	q.closeFn()
	return nil
}

// queueKey is the context key of the Queue a job runs on.
type queueKey struct{}

// inlineKey marks a context whose enqueued jobs run at once.
type inlineKey struct{}

// Inline returns a context in which Enqueue (the method or the function)
// runs the job's worker at once, in the caller, instead of queueing it,
// and returns its error. Moving the test clock runs the periodic work in
// such a context, so that the one-off jobs it enqueues (renewals, …) have
// run when it answers. Uniqueness is not checked: workers are idempotent.
func (q *Queue) Inline(ctx context.Context) context.Context {
	return context.WithValue(context.WithValue(ctx, queueKey{}, q), inlineKey{}, true)
}

// Enqueue enqueues a one-off job on the Queue of ctx: the one running
// the current job (periodic or one-off), or the one Inline was called on.
// See Queue.Enqueue.
func Enqueue(ctx context.Context, kind string, jobArgs any, uniqueKey string) (bool, error) {
	q, ok := ctx.Value(queueKey{}).(*Queue)
	if !ok {
		return false, fmt.Errorf("enqueue %s: no job queue in the context (call it from a job, or a context from Queue.Inline)", kind)
	}
	return q.Enqueue(ctx, kind, jobArgs, uniqueKey)
}

// Enqueue inserts a one-off job of kind with args (encoded as JSON) for a
// registered Worker. A non-empty uniqueKey makes it unique: while a job
// of this kind and key is waiting, running, retrying or completed (kept
// an hour), another is not inserted, and Enqueue reports false. In a
// context from Inline the worker runs at once instead.
func (q *Queue) Enqueue(ctx context.Context, kind string, jobArgs any, uniqueKey string) (bool, error) {
	var payload json.RawMessage
	if jobArgs != nil {
		b, err := json.Marshal(jobArgs)
		if err != nil {
			return false, fmt.Errorf("encode %s arguments: %w", kind, err)
		}
		payload = b
	}
	if inline, _ := ctx.Value(inlineKey{}).(bool); inline {
		run, ok := q.workers[kind]
		if !ok {
			return false, fmt.Errorf("enqueue %s: no worker of this kind", kind)
		}
		if err := run(ctx, payload); err != nil {
			return false, fmt.Errorf("%s: %w", kind, err)
		}
		return true, nil
	}
	opts := &river.InsertOpts{}
	if uniqueKey != "" {
		opts.UniqueOpts = river.UniqueOpts{ByArgs: true}
	}
	res, err := q.client.Insert(ctx, args{kind: kind, UniqueKey: uniqueKey, Payload: payload}, opts)
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", kind, err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// Job is a job as `tally jobs` shows it.
type Job struct {
	ID          int64
	Kind        string
	State       string // "retryable" (a retry is scheduled) or "discarded"
	Attempt     int
	MaxAttempts int
	// At is the next attempt (retryable) or when the job was given up.
	At time.Time
	// Errors are the failed attempts' errors, oldest first.
	Errors []AttemptError
}

// AttemptError is one failed attempt.
type AttemptError struct {
	Attempt int
	At      time.Time
	Error   string
}

// Failures lists up to limit jobs waiting for a retry or discarded, most
// recent first.
func (q *Queue) Failures(ctx context.Context, limit int) ([]Job, error) {
	res, err := q.client.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateRetryable, rivertype.JobStateDiscarded).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit))
	if err != nil {
		return nil, fmt.Errorf("list failed jobs: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		j := Job{ID: r.ID, Kind: r.Kind, State: string(r.State), Attempt: r.Attempt, MaxAttempts: r.MaxAttempts, At: r.ScheduledAt}
		if r.FinalizedAt != nil {
			j.At = *r.FinalizedAt
		}
		for _, e := range r.Errors {
			j.Errors = append(j.Errors, AttemptError{Attempt: e.Attempt, At: e.At, Error: e.Error})
		}
		out = append(out, j)
	}
	return out, nil
}

// openPostgres builds the client on a pgx pool of its own.
func (q *Queue) openPostgres(ctx context.Context, rawURL string, cfg *river.Config) error {
	pcfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	pcfg.MaxConns = 5
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("jobs: connect: %w", err)
	}
	driver := riverpgxv5.New(pool)
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		pool.Close()
		return fmt.Errorf("jobs: %w", err)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: cfg.Logger})
	if err != nil {
		pool.Close()
		return fmt.Errorf("jobs: %w", err)
	}
	q.client, q.migrator, q.closeFn, q.dialect = client, pgMigrator{pool, m}, pool.Close, "postgres"
	return nil
}

// openSQLite builds the client on the sibling file PATH-jobs (see the
// package doc), or a private in-memory database for an in-memory store.
func (q *Queue) openSQLite(ctx context.Context, path string, cfg *river.Config) error {
	file := sqliteJobsFile(path)
	dsn := ":memory:"
	if file != "" {
		v := url.Values{}
		v.Add("_pragma", "journal_mode(WAL)")
		v.Add("_pragma", "synchronous(NORMAL)")
		v.Add("_pragma", "busy_timeout(10000)")
		dsn = file + "?" + v.Encode()
	}
	sqlDB, err := sql.Open("sqlite", dsn)
	if err != nil {
		return fmt.Errorf("jobs: open %s: %w", dsn, err)
	}
	// One connection, as River's SQLite driver advises (and the only way
	// an in-memory database is one database).
	sqlDB.SetMaxOpenConns(1)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return fmt.Errorf("jobs: open %s: %w", file, err)
	}
	driver := riversqlite.New(sqlDB)
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		_ = sqlDB.Close()
		return fmt.Errorf("jobs: %w", err)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: cfg.Logger})
	if err != nil {
		_ = sqlDB.Close()
		return fmt.Errorf("jobs: %w", err)
	}
	q.client, q.migrator, q.dialect = client, sqliteMigrator{m}, "sqlite"
	q.closeFn = func() { _ = sqlDB.Close() }
	return nil
}

// sqliteJobsFile is the jobs database of the store at the PATH of
// sqlite://PATH: PATH-jobs, or "" (in memory) for an in-memory store.
func sqliteJobsFile(path string) string {
	path, query, _ := strings.Cut(path, "?")
	if strings.HasPrefix(path, "file:") {
		path = strings.TrimPrefix(path, "file:")
		if v, err := url.ParseQuery(query); err == nil && v.Get("mode") == "memory" {
			return ""
		}
	}
	if path == "" || path == ":memory:" {
		return ""
	}
	return path + "-jobs"
}

// pgMigrator migrates River's PostgreSQL tables one instance at a time.
type pgMigrator struct {
	pool *pgxpool.Pool
	m    *rivermigrate.Migrator[pgx.Tx]
}

// migrateLockKey is the advisory lock held while migrating.
var migrateLockKey = func() int64 {
	h := fnv.New64a()
	h.Write([]byte("tally river migrate"))
	return int64(h.Sum64() >> 1)
}()

func (p pgMigrator) migrate(ctx context.Context) (int, error) {
	// River's migrations cannot all run in one transaction (one adds an
	// enum value and then uses it), so a session lock on a connection of
	// its own serializes instances while River migrates on the pool.
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return 0, err
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey); err != nil {
			_ = conn.Conn().Close(context.WithoutCancel(ctx)) // closing the session releases its lock
		}
	}()
	return applied(p.m.Migrate(ctx, rivermigrate.DirectionUp, nil))
}

// applied is the number of migrations a migration run applied.
func applied(res *rivermigrate.MigrateResult, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return len(res.Versions), nil
}

func (p pgMigrator) current(ctx context.Context) (bool, error) {
	res, err := p.m.Validate(ctx, nil)
	if err != nil {
		return false, err
	}
	return res.OK, nil
}

// sqliteMigrator migrates River's SQLite tables (one connection: no race).
type sqliteMigrator struct {
	m *rivermigrate.Migrator[*sql.Tx]
}

func (s sqliteMigrator) migrate(ctx context.Context) (int, error) {
	return applied(s.m.Migrate(ctx, rivermigrate.DirectionUp, nil))
}

func (s sqliteMigrator) current(ctx context.Context) (bool, error) {
	res, err := s.m.Validate(ctx, nil)
	if err != nil {
		return false, err
	}
	return res.OK, nil
}

// metrics are the job counters.
type metrics struct {
	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newMetrics builds the counters and registers them with reg (if any).
func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tally_jobs_total",
			Help: "Background job runs by kind and outcome (completed, failed; a failed run is retried with backoff until its attempts run out).",
		}, []string{"kind", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tally_job_duration_seconds",
			Help:    "How long background job runs took, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.005, 4, 8),
		}, []string{"kind"}),
	}
	if reg != nil {
		reg.MustRegister(m.runs, m.duration)
	}
	return m
}

// SchemaVersion is the version of River's newest migration on
// PostgreSQL, which changes when an upgrade of River brings new ones
// (test databases built with River's tables are keyed by it).
func SchemaVersion() int {
	m, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return 0
	}
	all := m.AllVersions()
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Version
}

// atLeast is a slog handler that drops records below a level.
type atLeast struct {
	slog.Handler
	min slog.Level
}

// Enabled reports whether the level is logged.
func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

// WithAttrs keeps the floor.
func (h atLeast) WithAttrs(attrs []slog.Attr) slog.Handler {
	return atLeast{h.Handler.WithAttrs(attrs), h.min}
}

// WithGroup keeps the floor.
func (h atLeast) WithGroup(name string) slog.Handler {
	return atLeast{h.Handler.WithGroup(name), h.min}
}
