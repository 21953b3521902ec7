package bench

import (
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(100-i) * time.Microsecond // 100µs … 1µs, unsorted
	}
	tests := []struct {
		name    string
		samples []time.Duration
		want    Latencies
	}{
		{"empty", nil, Latencies{}},
		{"one", ms(7), Latencies{Count: 1, P50: 7 * time.Millisecond, P99: 7 * time.Millisecond, Max: 7 * time.Millisecond}},
		{"two", ms(9, 1), Latencies{Count: 2, P50: time.Millisecond, P99: 9 * time.Millisecond, Max: 9 * time.Millisecond}},
		{"odd, unsorted", ms(5, 1, 4, 2, 3), Latencies{Count: 5, P50: 3 * time.Millisecond, P99: 5 * time.Millisecond, Max: 5 * time.Millisecond}},
		{"hundred", hundred, Latencies{Count: 100, P50: 50 * time.Microsecond, P99: 99 * time.Microsecond, Max: 100 * time.Microsecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Summarize(tt.samples); got != tt.want {
				t.Errorf("Summarize = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRateAndRatio(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		d         time.Duration
		tps       float64
		wantRate  float64
		wantRatio float64
	}{
		{"equal", 20000, 20 * time.Second, 1000, 1000, 1},
		{"faster", 30000, 20 * time.Second, 1000, 1500, 1.5},
		{"slower", 5000, 10 * time.Second, 2000, 500, 0.25},
		{"no pgbench", 100, time.Second, 0, 100, 0},
		{"no time", 100, 0, 50, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rate := Rate(tt.n, tt.d)
			if rate != tt.wantRate {
				t.Errorf("Rate = %v, want %v", rate, tt.wantRate)
			}
			if got := Ratio(rate, tt.tps); got != tt.wantRatio {
				t.Errorf("Ratio = %v, want %v", got, tt.wantRatio)
			}
		})
	}
}
