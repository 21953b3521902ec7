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

// expirer is the part of *domain.Service the expiry loop uses.
type expirer interface {
	ExpireDue(ctx context.Context, limit int) (int, error)
}

// runExpiry writes off expired credit grants now and then every interval
// until ctx ends. It is safe on many instances at once (the service locks
// each org's balance).
func runExpiry(ctx context.Context, svc expirer, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		expireAll(ctx, svc, logger)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// expireAll calls ExpireDue until it reports no more work and logs the total.
func expireAll(ctx context.Context, svc expirer, logger *slog.Logger) int {
	total := 0
	start := time.Now()
	for range maxExpiryRounds {
		n, err := svc.ExpireDue(ctx, expiryBatch)
		total += n
		if err != nil {
			if ctx.Err() == nil {
				logger.Error("expiring credit grants failed", "err", err, "entries", total)
			}
			return total
		}
		if n == 0 {
			break
		}
	}
	if total > 0 {
		logger.Info("expired credit grants", "entries", total, "duration", time.Since(start))
	}
	return total
}
