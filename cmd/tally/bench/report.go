package bench

import (
	"fmt"
	"io"
	"time"
)

// Scenario is one block of the report: a Tally load run and the pgbench run
// it is compared with.
type Scenario struct {
	Orgs, Clients int
	Duration      time.Duration
	Tally         LoadResult
	PgbenchScript string // "tpcb-like" or "hot-row"
	PgbenchScale  int
	PgbenchTPS    float64
	RSSAfterKiB   int64 // the server's RSS after the load, 0 when unknown
}

// Ratio returns Tally debits per second over pgbench tps.
func (s Scenario) Ratio() float64 { return Ratio(s.Tally.PerSecond(), s.PgbenchTPS) }

// WriteScenario prints one scenario block in the report's stable format.
func WriteScenario(w io.Writer, s Scenario) error {
	orgs, clients := plural(s.Orgs, "org"), plural(s.Clients, "client")
	l := s.Tally.Latencies
	_, err := fmt.Fprintf(w, "scenario: %d %s, %d %s, %s\n"+
		"tally:   debits/s %.1f  p50 %s  p99 %s  max %s  errors %d\n"+
		"pgbench: %s scale %d  tps %.1f\n"+
		"ratio:   %.2f (tally debits/s / pgbench tps)\n",
		s.Orgs, orgs, s.Clients, clients, s.Duration,
		s.Tally.PerSecond(), millis(l.P50), millis(l.P99), millis(l.Max), s.Tally.Errors,
		s.PgbenchScript, s.PgbenchScale, s.PgbenchTPS,
		s.Ratio())
	if err != nil {
		return err
	}
	for _, e := range s.Tally.ErrorSamples {
		if _, err := fmt.Fprintf(w, "error:   %s\n", e); err != nil {
			return err
		}
	}
	if s.RSSAfterKiB > 0 {
		_, err = fmt.Fprintf(w, "server:  rss after load %s\n", mebibytes(s.RSSAfterKiB))
	}
	return err
}

// plural returns noun, with an "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// millis renders a latency in milliseconds with one decimal ("12.3ms").
func millis(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}

// mebibytes renders a KiB count in MB (MiB) with one decimal.
func mebibytes(kib int64) string { return fmt.Sprintf("%.1f MB", float64(kib)/1024) }
