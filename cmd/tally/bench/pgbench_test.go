package bench

import (
	"testing"
	"time"
)

// pgbench15 is verbatim output of pgbench 15 (-b tpcb-like -c 4 -j 2 -T 2).
const pgbench15 = `pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: <builtin: TPC-B (sort of)>
scaling factor: 1
query mode: simple
number of clients: 4
number of threads: 2
maximum number of tries: 1
duration: 2 s
number of transactions actually processed: 2521
number of failed transactions: 0 (0.000%)
latency average = 3.099 ms
initial connection time = 56.281 ms
tps = 1290.564342 (without initial connection time)
`

// pgbench12 is the ending of pgbench 12's output, which printed two tps lines.
const pgbench12 = `latency average = 8.123 ms
tps = 980.112233 (including connections establishing)
tps = 985.000001 (excluding connections establishing)
`

func TestParseTPS(t *testing.T) {
	tests := []struct {
		name    string
		output  string
		want    float64
		wantErr bool
	}{
		{"pgbench 15", pgbench15, 1290.564342, false},
		{"pgbench 12", pgbench12, 985.000001, false},
		{"integer", "tps = 42 (without initial connection time)\n", 42, false},
		{"aborted run", "pgbench: error: connection to server failed\n", 0, true},
		{"only the including line", "tps = 980.1 (including connections establishing)\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTPS(tt.output)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseTPS error = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseTPS = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPgbenchArgs(t *testing.T) {
	tests := []struct {
		clients     int
		d           time.Duration
		wantThreads int
		wantSeconds string
	}{
		{64, 20 * time.Second, 2, "20"},
		{1, 1500 * time.Millisecond, 1, "2"},
		{8, 200 * time.Millisecond, 2, "1"},
	}
	for _, tt := range tests {
		if got := threads(tt.clients); got != tt.wantThreads {
			t.Errorf("threads(%d) = %d, want %d", tt.clients, got, tt.wantThreads)
		}
		if got := seconds(tt.d); got != tt.wantSeconds {
			t.Errorf("seconds(%s) = %s, want %s", tt.d, got, tt.wantSeconds)
		}
	}
}
