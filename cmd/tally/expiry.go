package main

import (
	"context"
	"log/slog"
	"time"
)

// expiryBatch is how many orgs one ExpireDue call handles.
const expiryBatch = 500

// maxExpiryRounds bounds one sweep, so a store that keeps reporting work
// cannot pin the loop; the next tick continues.
const maxExpiryRounds = 1000

// expirer is the part of *domain.Service the housekeeping loop uses.
type expirer interface {
	ExpireDue(ctx context.Context, limit int) (int, error)
	PurgeIdempotencyKeys(ctx context.Context, limit int) (int, error)
	PurgeGatewayEvents(ctx context.Context, limit int) (int, error)
}

// housekeepingJob is one more batch job for the housekeeping loop.
type housekeepingJob struct {
	what string // for the logs, e.g. "ended rate-limit windows"
	run  func(ctx context.Context, limit int) (int, error)
}

// runExpiry writes off expired credit grants and forgets idempotency keys
// past their retention, then runs the extra jobs, now and then every
// interval until ctx ends. It is safe on many instances at once (the
// service locks each org's balance; purging deletes disjoint batches).
func runExpiry(ctx context.Context, svc expirer, every time.Duration, logger *slog.Logger, extra ...housekeepingJob) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		expireAll(ctx, svc, logger)
		drain(ctx, svc.PurgeIdempotencyKeys, "idempotency keys past retention", logger)
		drain(ctx, svc.PurgeGatewayEvents, "gateway event ids past retention", logger)
		for _, j := range extra {
			drain(ctx, j.run, j.what, logger)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// expireAll calls ExpireDue until it reports no more work and logs the total.
func expireAll(ctx context.Context, svc expirer, logger *slog.Logger) int {
	return drain(ctx, svc.ExpireDue, "expired credit grants", logger)
}

// drain calls a batch job until it reports no more work (or maxExpiryRounds
// batches), logging the total and any failure.
func drain(ctx context.Context, job func(context.Context, int) (int, error), what string, logger *slog.Logger) int {
	total := 0
	start := time.Now()
	for range maxExpiryRounds {
		n, err := job(ctx, expiryBatch)
		total += n
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("housekeeping failed", "job", what, "err", err, "done", total)
			}
			return total
		}
		if n == 0 {
			break
		}
	}
	if total > 0 {
		logger.Info("housekeeping", "job", what, "count", total, "duration", time.Since(start))
	}
	return total
}
