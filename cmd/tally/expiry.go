package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tallyhq/tally/db/jobs"
	"github.com/tallyhq/tally/domain"
)

// expiryBatch is how many orgs (or records) one batch call handles.
const expiryBatch = 500

// maxExpiryRounds bounds one sweep, so a store that keeps reporting work
// cannot pin a job; the next run continues.
const maxExpiryRounds = 1000

// housekeeper is the part of *domain.Service the periodic sweeps use.
type housekeeper interface {
	subscriptionRunner
	dunningRunner
	ResetFreeCredits(ctx context.Context, limit int) (int, error)
	ExpireDue(ctx context.Context, limit int) (int, error)
	PurgeIdempotencyKeys(ctx context.Context, limit int) (int, error)
	PurgeGatewayEvents(ctx context.Context, limit int) (int, error)
	DiscardStaleDrafts(ctx context.Context, limit int) (int, error)
	RechargeDue(ctx context.Context, limit int) (int, error)
	reconciler
	notifier
	hooker
}

// sweep is one periodic job of the server.
type sweep struct {
	jobs.Periodic
	// clockDriven marks work that depends on the domain's clock: moving
	// the test clock (advanceTestClock) runs it at once, before answering.
	clockDriven bool
}

// sweepOptions are the settings and extra work the sweeps need.
type sweepOptions struct {
	expiryEvery    time.Duration
	reconcileEvery time.Duration
	reconcileAfter time.Duration
	// notifyEvery is how often unsent notifications are queued.
	notifyEvery time.Duration
	// webhookEvery is how often org events are fanned out and due
	// webhook deliveries queued (0: the webhooks sweep does not run).
	webhookEvery time.Duration
	// purgeWindows deletes ended rate-limit windows (nil: none kept).
	purgeWindows func(ctx context.Context, limit int) (int, error)
}

// sweeps are the server's periodic jobs, each run once per interval
// across all instances by the job queue. New time-driven work (e.g. the
// subscriptions due for renewal) is one more entry here; with
// clockDriven set, advanceTestClock runs it too. A sweep that hands work
// to one-off jobs calls jobs.Enqueue(ctx, kind, args, uniqueKey) with its
// ctx, for a worker registered in serve's jobs.Options.Workers.
func sweeps(svc housekeeper, o sweepOptions, logger *slog.Logger) []sweep {
	s := []sweep{
		// Renewals and resets first, so that expiry then writes off the
		// credits of the months they closed.
		{jobs.Periodic{Name: subscriptionsDueJob, Every: o.expiryEvery,
			Run: dueRun(svc, logger)}, true},
		// Dunning after renewals, so a renewal that just failed has its
		// schedule; before expiry, like them.
		{jobs.Periodic{Name: dunningDueJob, Every: o.expiryEvery,
			Run: dunningRun(svc, logger)}, true},
		{jobs.Periodic{Name: "free_credits", Every: o.expiryEvery,
			Run: batches(svc.ResetFreeCredits, "orgs given the Free plan's monthly credits", logger)}, true},
		{jobs.Periodic{Name: "expire_credits", Every: o.expiryEvery,
			Run: batches(svc.ExpireDue, "expired credit grants", logger)}, true},
		// Auto-recharge of orgs left below their threshold: catches a
		// poke lost after a spend committed (a crash), and top-ups due
		// after a period changed.
		{jobs.Periodic{Name: "auto_recharge", Every: o.expiryEvery,
			Run: batches(svc.RechargeDue, "automatic top-ups started", logger)}, true},
		{jobs.Periodic{Name: "purge_idempotency_keys", Every: o.expiryEvery,
			Run: batches(svc.PurgeIdempotencyKeys, "idempotency keys past retention", logger)}, true},
		{jobs.Periodic{Name: "purge_gateway_events", Every: o.expiryEvery,
			Run: batches(svc.PurgeGatewayEvents, "gateway event ids past retention", logger)}, true},
		{jobs.Periodic{Name: "discard_stale_drafts", Every: o.expiryEvery,
			Run: batches(svc.DiscardStaleDrafts, "draft orders untouched past their TTL", logger)}, true},
		// Alerts after expiry (it lowers balances), and mail last, so
		// that a move of the test clock also sends what it caused.
		{jobs.Periodic{Name: lowBalanceJob, Every: o.expiryEvery,
			Run: batches(svc.CheckLowBalances, "low balance alerts checked", logger)}, true},
		{jobs.Periodic{Name: notificationsJob, Every: o.notifyEvery,
			Run: notificationsRun(svc, logger)}, true},
		{jobs.Periodic{Name: "reconcile_payments", Every: o.reconcileEvery,
			Run: reconcileRun(svc, o.reconcileAfter, logger)}, false},
	}
	if o.webhookEvery > 0 {
		// After the notifications: a move of the test clock also sends
		// the webhooks of what it caused, and retries that fell due.
		s = append(s, sweep{jobs.Periodic{Name: webhooksJob, Every: o.webhookEvery,
			Run: webhooksRun(svc, logger)}, true})
	}
	if o.purgeWindows != nil {
		// Rate-limit windows are on the wall clock, not the domain's.
		s = append(s, sweep{jobs.Periodic{Name: "purge_rate_limit_windows", Every: o.expiryEvery,
			Run: batches(o.purgeWindows, "ended rate-limit windows", logger)}, false})
	}
	return s
}

// periodic returns the jobs of the sweeps.
func periodic(sw []sweep) []jobs.Periodic {
	out := make([]jobs.Periodic, len(sw))
	for i, s := range sw {
		out[i] = s.Periodic
	}
	return out
}

// dueWork runs the clock-driven sweeps in order (what moving the test
// clock runs); the first failure stops it. One-off jobs they enqueue on q
// (jobs.Enqueue) run at once, inline, so that all the work is done when
// the move answers; q nil: no queue.
func dueWork(sw []sweep, q *jobs.Queue) domain.DueWork {
	return func(ctx context.Context) error {
		if q != nil {
			ctx = q.Inline(ctx)
		}
		for _, s := range sw {
			if !s.clockDriven {
				continue
			}
			if err := s.Run(ctx); err != nil {
				return fmt.Errorf("%s: %w", s.Name, err)
			}
		}
		return nil
	}
}

// batches turns a batch call into a job that calls it until it reports
// no more work (or maxExpiryRounds batches) and logs the total; a failure
// ends the run with its error, for the queue to retry.
func batches(job func(context.Context, int) (int, error), what string, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := drain(ctx, job, what, logger)
		return err
	}
}

// drain calls a batch job until it reports no more work (or
// maxExpiryRounds batches), logging the total; it returns the total and
// the first failure.
func drain(ctx context.Context, job func(context.Context, int) (int, error), what string, logger *slog.Logger) (int, error) {
	total := 0
	start := time.Now()
	for range maxExpiryRounds {
		n, err := job(ctx, expiryBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("%s (%d done): %w", what, total, err)
		}
		if n == 0 {
			break
		}
	}
	if total > 0 {
		logger.Info("housekeeping", "job", what, "count", total, "duration", time.Since(start))
	}
	return total, nil
}

// reconcileRun re-checks stale unpaid orders once. Orders a gateway could
// not answer for are logged and left for the next run; only a failure of
// the whole pass is an error.
func reconcileRun(svc reconciler, after time.Duration, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		rep, err := svc.Reconcile(ctx, after, reconcileBatch)
		if err != nil {
			return fmt.Errorf("reconcile payments: %w", err)
		}
		for _, c := range rep.Changed {
			logger.Info("order reconciled", "order", c.OrderNumber, "from", c.From, "to", c.To)
		}
		for _, e := range rep.Errors {
			logger.Warn("order not reconciled", "detail", e)
		}
		return nil
	}
}

// errJobsSchemaStale is returned when the job queue's tables are behind
// the binary on PostgreSQL.
var errJobsSchemaStale = errors.New("the job queue's tables are not current: run `tally migrate` first (or start with `tally serve --migrate`)")

// openJobs opens the job queue of DATABASE_URL and makes sure its tables
// are current, as openStore does for the store's: on SQLite, or when
// migrate is set, River's migrations are applied; on PostgreSQL a stale
// schema is refused.
func openJobs(ctx context.Context, c Common, migrate bool, logger *slog.Logger, opts jobs.Options) (*jobs.Queue, error) {
	opts.Logger = logger
	q, err := jobs.Open(ctx, c.DatabaseURL, opts)
	if err != nil {
		return nil, databaseError(c.DatabaseURL, err)
	}
	if migrate || q.Dialect() == "sqlite" {
		if err := q.Migrate(ctx); err != nil {
			_ = q.Close()
			return nil, err
		}
		return q, nil
	}
	current, err := q.MigrationsCurrent(ctx)
	if err != nil {
		_ = q.Close()
		return nil, err
	}
	if !current {
		_ = q.Close()
		return nil, errJobsSchemaStale
	}
	return q, nil
}

// Job kinds of plan subscriptions.
const (
	// subscriptionsDueJob is the periodic sweep that finds subscriptions
	// with work due.
	subscriptionsDueJob = "subscriptions_due"
	// advanceSubscriptionJob does the due work of one subscription (a
	// renewal, an end, a monthly reset), retried with backoff on failure.
	advanceSubscriptionJob = "advance_subscription"
)

// subscriptionRunner is the part of *domain.Service the subscription jobs use.
type subscriptionRunner interface {
	DueSubscriptions(ctx context.Context, limit int) ([]domain.DueSubscription, error)
	AdvanceSubscription(ctx context.Context, id string) (bool, error)
}

// advanceArgs are the arguments of an advance_subscription job.
type advanceArgs struct {
	SubscriptionID string `json:"subscriptionId"`
}

// dueRun is one run of the subscriptions_due sweep: it hands each due
// subscription to its own advance_subscription job until none is left that
// this run has not handed over already.
func dueRun(svc subscriptionRunner, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := drain(ctx, enqueueDue(svc, map[string]bool{}), "subscriptions due handed to "+advanceSubscriptionJob, logger)
		return err
	}
}

// enqueueDue hands each due subscription to its own advance_subscription
// job, keyed by subscription and due instant, so one piece of due work is
// queued once however often the sweep runs (the queue's unique keys) and
// once per run (seen: a subscription whose work changed nothing, such as a
// renewal being paid, stays due at the same instant). It returns how many
// jobs it queued, 0 when every due one was queued already. Handled work
// moves the due instant (the next period, the next reset), so with the
// queue running jobs inline (the test clock) a run goes on until nothing
// is due.
func enqueueDue(svc subscriptionRunner, seen map[string]bool) func(context.Context, int) (int, error) {
	return func(ctx context.Context, limit int) (int, error) {
		due, err := svc.DueSubscriptions(ctx, limit)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, d := range due {
			key := d.ID + "@" + d.Due.UTC().Format(time.RFC3339Nano)
			if seen[key] {
				continue
			}
			seen[key] = true
			inserted, err := jobs.Enqueue(ctx, advanceSubscriptionJob, advanceArgs{SubscriptionID: d.ID}, key)
			if err != nil {
				return n, fmt.Errorf("queue %s: %w", key, err)
			}
			if inserted {
				n++
			}
		}
		return n, nil
	}
}

// advanceWorker runs advance_subscription jobs; an error is retried by the
// queue with backoff and listed by `tally jobs`.
func advanceWorker(svc subscriptionRunner) jobs.Worker {
	return jobs.Handle(advanceSubscriptionJob, func(ctx context.Context, a advanceArgs) error {
		_, err := svc.AdvanceSubscription(ctx, a.SubscriptionID)
		return err
	})
}

// Job kinds of dunning (failed renewals).
const (
	// dunningDueJob is the periodic sweep that finds dunning steps due.
	dunningDueJob = "dunning_due"
	// advanceDunningJob does one dunning step (a retry of a failed
	// renewal, a suspension, a closing), retried with backoff on failure.
	advanceDunningJob = "advance_dunning"
)

// dunningRunner is the part of *domain.Service the dunning jobs use.
type dunningRunner interface {
	DueDunning(ctx context.Context, limit int) ([]domain.DunningDue, error)
	AdvanceDunning(ctx context.Context, step domain.DunningStep, id string) (bool, error)
}

// dunningArgs are the arguments of an advance_dunning job.
type dunningArgs struct {
	Step domain.DunningStep `json:"step"`
	ID   string             `json:"id"`
}

// dunningRun is one run of the dunning_due sweep: it hands each due step
// to its own advance_dunning job, keyed by step, id and due instant (as
// enqueueDue does for renewals), until none is left that this run has not
// handed over already.
func dunningRun(svc dunningRunner, logger *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := drain(ctx, enqueueDunning(svc, map[string]bool{}), "dunning steps handed to "+advanceDunningJob, logger)
		return err
	}
}

// enqueueDunning queues one advance_dunning job per due step, once per
// step and due instant however often the sweep runs; a retry that failed
// moves the subscription's next retry, so the next one gets its own key.
func enqueueDunning(svc dunningRunner, seen map[string]bool) func(context.Context, int) (int, error) {
	return func(ctx context.Context, limit int) (int, error) {
		due, err := svc.DueDunning(ctx, limit)
		if err != nil {
			return 0, err
		}
		n := 0
		for _, d := range due {
			key := string(d.Step) + ":" + d.ID + "@" + d.Due.UTC().Format(time.RFC3339Nano)
			if seen[key] {
				continue
			}
			seen[key] = true
			inserted, err := jobs.Enqueue(ctx, advanceDunningJob, dunningArgs{Step: d.Step, ID: d.ID}, key)
			if err != nil {
				return n, fmt.Errorf("queue %s: %w", key, err)
			}
			if inserted {
				n++
			}
		}
		return n, nil
	}
}

// dunningWorker runs advance_dunning jobs; an error is retried by the
// queue with backoff and listed by `tally jobs`.
func dunningWorker(svc dunningRunner) jobs.Worker {
	return jobs.Handle(advanceDunningJob, func(ctx context.Context, a dunningArgs) error {
		_, err := svc.AdvanceDunning(ctx, a.Step, a.ID)
		return err
	})
}
