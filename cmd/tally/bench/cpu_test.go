package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// statLine renders a /proc/PID/stat line with comm and the given times
// (the fields after cstime as a real kernel prints them).
func statLine(pid int, comm string, ppid int, utime, stime, cutime, cstime int64) string {
	return fmt.Sprintf("%d (%s) S %d %d %d 0 -1 4194560 2541 0 0 0 %d %d %d %d 20 0 9 0 1201 1448062976 9634 "+
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
		pid, comm, ppid, pid, pid, utime, stime, cutime, cstime)
}

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    procStat
		wantErr bool
	}{
		{"postgres backend", statLine(5431, "postgres", 5430, 120, 34, 0, 0),
			procStat{Comm: "postgres", State: 'S', PPID: 5430, UTime: 120, STime: 34}, false},
		{"comm with spaces and parentheses", statLine(77, "tally (bench) a) b", 1, 5, 6, 7, 8),
			procStat{Comm: "tally (bench) a) b", State: 'S', PPID: 1, UTime: 5, STime: 6, CUTime: 7, CSTime: 8}, false},
		{"empty comm", statLine(9, "", 2, 1, 2, 3, 4),
			procStat{Comm: "", State: 'S', PPID: 2, UTime: 1, STime: 2, CUTime: 3, CSTime: 4}, false},
		{"big counters", statLine(9, "x", 2, 1<<40, 2, 3, 4),
			procStat{Comm: "x", State: 'S', PPID: 2, UTime: 1 << 40, STime: 2, CUTime: 3, CSTime: 4}, false},
		{"no parentheses", "12 postgres S 1 2 3", procStat{}, true},
		{"cut short", "12 (postgres) S 1 2 3 4 5 6 7 8 9 10 11 12", procStat{}, true},
		{"negative child time", statLine(9, "x", 2, 1, 2, -3, 4), procStat{}, true},
		{"bad ppid", strings.Replace(statLine(9, "x", 2, 1, 2, 3, 4), "S 2 ", "S two ", 1), procStat{}, true},
		{"empty", "", procStat{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseProcStat(tt.line)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseMachineStat(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    machineTicks
		wantErr bool
	}{
		{"two cpus", "cpu  24319 5 9432 49676 1227 3 245 1439 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n",
			machineTicks{Busy: 24319 + 5 + 9432 + 3 + 245 + 1439, Idle: 49676 + 1227}, false},
		{"old kernel, no guest fields", "cpu 1 2 3 4 5 6 7 8\n", machineTicks{Busy: 1 + 2 + 3 + 6 + 7 + 8, Idle: 4 + 5}, false},
		{"cpu0 only is not the total", "cpu0 1 2 3 4 5 6 7 8 0 0\n", machineTicks{}, true},
		{"short line", "cpu 1 2 3\n", machineTicks{}, true},
		{"not a number", "cpu 1 2 x 4 5 6 7 8\n", machineTicks{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseMachineStat(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestPgTitleIsOurs(t *testing.T) {
	ours := []string{"bench_cpu", "tally_pgbench_1a2b"}
	tests := []struct {
		title string
		want  bool
	}{
		{"postgres: 15/main: checkpointer ", true},
		{"postgres: walwriter", true},
		{"postgres: 15/main: autovacuum launcher ", true},
		{"postgres: 15/main: postgres bench_cpu 127.0.0.1(54321) idle ", true},
		{"postgres: postgres tally_pgbench_1a2b [local] UPDATE", true},
		{"postgres: 15/main: postgres other_db 127.0.0.1(54321) SELECT ", false},
		{"postgres: 15/main: autovacuum worker bench_cpu", true},
		{"postgres: 15/main: autovacuum worker other_db", false},
		{"postgres: 15/main: postgres bench_cpu_2 127.0.0.1(54321) idle ", false},
		{"postgres: 15/main: bench_cpu other_db 127.0.0.1(1) idle", true}, // a role named like a database: counted, as it cannot be told
	}
	for _, tt := range tests {
		if got := pgTitleIsOurs(tt.title, ours); got != tt.want {
			t.Errorf("pgTitleIsOurs(%q) = %v, want %v", tt.title, got, tt.want)
		}
	}
}

func TestCPUUsePerOp(t *testing.T) {
	tests := []struct {
		name     string
		use      CPUUse
		d        time.Duration
		wantUs   float64
		wantIdle float64
	}{
		{"500 µs each", CPUUse{Ops: 200, Busy: 3 * time.Second, Idle: time.Second}, 100 * time.Millisecond, 500, 0.25},
		{"fractions", CPUUse{Ops: 3, Busy: time.Second}, 10 * time.Microsecond, 10.0 / 3, 0},
		{"no operations", CPUUse{Ops: 0, Idle: time.Second}, time.Second, 0, 1},
		{"nothing measured", CPUUse{Ops: 5}, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.use.PerOp(tt.d); got != tt.wantUs {
				t.Errorf("PerOp = %v, want %v", got, tt.wantUs)
			}
			if got := tt.use.IdleShare(); got != tt.wantIdle {
				t.Errorf("IdleShare = %v, want %v", got, tt.wantIdle)
			}
		})
	}
}

func TestPgbenchOps(t *testing.T) {
	tests := []struct {
		tps  float64
		d    time.Duration
		want int
	}{{333.4, 20 * time.Second, 6668}, {100, 1500 * time.Millisecond, 200}, {100, 100 * time.Millisecond, 100}, {0, time.Second, 0}}
	for _, tt := range tests {
		if got := pgbenchOps(tt.tps, tt.d); got != tt.want {
			t.Errorf("pgbenchOps(%v, %s) = %d, want %d", tt.tps, tt.d, got, tt.want)
		}
	}
}

func TestWriteCPUTable(t *testing.T) {
	rows := []CPURow{
		{"consumeCredits, 1 org", 386.4, &CPUUse{Ops: 400, Server: 400 * time.Millisecond, Postgres: 250 * time.Millisecond,
			Client: 12 * time.Millisecond, Other: 2 * time.Second, Busy: 2662 * time.Millisecond, Idle: 1338 * time.Millisecond}},
		{"pgbench hot-row (reference)", 333, &CPUUse{Ops: 333, Postgres: 240 * time.Millisecond, Client: 140 * time.Millisecond,
			Busy: 400 * time.Millisecond, Idle: 3600 * time.Millisecond}},
		{"a | b", 10, nil},
		{"no /proc/stat", 10, &CPUUse{Ops: 10, Profile: []byte{1}}},
	}
	var b strings.Builder
	WriteCPUTable(&b, rows)
	want := "Where the CPU went (CPU µs per operation; client = the bench process and the pgbench it ran; " +
		"other = the rest of the machine's busy time):\n\n" +
		"| run | ops/s | server | PostgreSQL | client | other | machine idle |\n|---|---|---|---|---|---|---|\n" +
		"| consumeCredits, 1 org | 386 | 1,000 | 625 | 30.0 | 5,000 | 33% |\n" +
		"| pgbench hot-row (reference) | 333 | – | 721 | 420 | – | 90% |\n" +
		"| a \\| b | 10 | n/a | n/a | n/a | n/a | n/a |\n" +
		"| no /proc/stat | 10 | n/a | n/a | n/a | n/a | n/a |\n\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestMicros(t *testing.T) {
	tests := []struct {
		us   float64
		want string
	}{{0, "–"}, {-1, "–"}, {0.04, "0.0"}, {2.55, "2.5"}, {99.94, "99.9"}, {100, "100"}, {12345.6, "12,346"}}
	for _, tt := range tests {
		if got := micros(tt.us); got != tt.want {
			t.Errorf("micros(%v) = %q, want %q", tt.us, got, tt.want)
		}
	}
}
