package bench

import (
	"bufio"
	"strings"
	"testing"
	"time"
)

func TestWriteScenario(t *testing.T) {
	tests := []struct {
		name string
		s    Scenario
		want string
	}{
		{
			name: "spread over orgs",
			s: Scenario{
				Orgs: 1000, Clients: 64, Duration: 20 * time.Second,
				Tally: LoadResult{Successes: 24690, Window: 20 * time.Second,
					Latencies: Latencies{Count: 24690, P50: 12340 * time.Microsecond, P99: 45600 * time.Microsecond, Max: 101 * time.Millisecond}},
				PgbenchScript: "tpcb-like", PgbenchScale: 64, PgbenchTPS: 1100.2,
			},
			want: "scenario: 1000 orgs, 64 clients, 20s\n" +
				"tally:   debits/s 1234.5  p50 12.3ms  p99 45.6ms  max 101.0ms  errors 0\n" +
				"pgbench: tpcb-like scale 64  tps 1100.2\n" +
				"ratio:   1.12 (tally debits/s / pgbench tps)\n",
		},
		{
			name: "one org, one client, errors and RSS",
			s: Scenario{
				Orgs: 1, Clients: 1, Duration: 10 * time.Second,
				Tally: LoadResult{Successes: 5000, Errors: 2, Window: 10 * time.Second,
					Latencies:    Latencies{Count: 5000, P50: 800 * time.Microsecond, P99: 2 * time.Millisecond, Max: 3 * time.Millisecond},
					ErrorSamples: []string{"HTTP 200: CONFLICT: busy", "EOF"}},
				PgbenchScript: "hot-row", PgbenchScale: 64, PgbenchTPS: 2000,
				RSSAfterKiB: 46080,
			},
			want: "scenario: 1 org, 1 client, 10s\n" +
				"tally:   debits/s 500.0  p50 0.8ms  p99 2.0ms  max 3.0ms  errors 2\n" +
				"pgbench: hot-row scale 64  tps 2000.0\n" +
				"ratio:   0.25 (tally debits/s / pgbench tps)\n" +
				"error:   HTTP 200: CONFLICT: busy\n" +
				"error:   EOF\n" +
				"server:  rss after load 45.0 MB\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteScenario(&b, tt.s); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name    string
		status  string
		want    int64
		wantErr bool
	}{
		{"process", "Name:\ttally\nVmPeak:\t  812345 kB\nVmRSS:\t   23456 kB\nRssAnon:\t   12000 kB\n", 23456, false},
		{"kernel thread", "Name:\tkthreadd\nState:\tS (sleeping)\n", 0, true},
		{"odd unit", "VmRSS:\t 12 MB\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS(bufio.NewScanner(strings.NewReader(tt.status)))
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}
