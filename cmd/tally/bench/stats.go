package bench

import (
	"math"
	"slices"
	"time"
)

// Latencies summarizes the latency of the successful requests of one run.
type Latencies struct {
	Count         int
	P50, P99, Max time.Duration
}

// Summarize sorts samples in place and returns their exact percentiles
// (nearest rank: the smallest sample with at least p% of samples at or below it).
func Summarize(samples []time.Duration) Latencies {
	if len(samples) == 0 {
		return Latencies{}
	}
	slices.Sort(samples)
	return Latencies{
		Count: len(samples),
		P50:   percentile(samples, 50),
		P99:   percentile(samples, 99),
		Max:   samples[len(samples)-1],
	}
}

// percentile returns the nearest-rank p-th percentile of sorted samples.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// Rate returns events per second over d, 0 for a zero duration.
func Rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// Ratio returns Tally debits per second over pgbench transactions per
// second, 0 when pgbench reported nothing.
func Ratio(tallyPerSec, pgbenchTPS float64) float64 {
	if pgbenchTPS <= 0 {
		return 0
	}
	return tallyPerSec / pgbenchTPS
}
