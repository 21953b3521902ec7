package bench

import (
	"fmt"
	"time"
)

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
