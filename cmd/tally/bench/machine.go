package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Machine describes where a run took place.
type Machine struct {
	CPU        string  // model name from /proc/cpuinfo
	Cores      int     // logical CPUs
	Postgres   string  // server_version
	Fdatasyncs float64 // 8 KiB write + fdatasync per second in the temp directory, 0 when unknown
}

// String renders the machine in one line.
func (m Machine) String() string {
	s := fmt.Sprintf("%s, %d cores, PostgreSQL %s", m.CPU, m.Cores, m.Postgres)
	if m.Fdatasyncs > 0 {
		s += fmt.Sprintf(", fdatasync %.0f/s (8 KiB writes, temp dir)", m.Fdatasyncs)
	}
	return s
}

// describeMachine gathers the machine's facts; fsyncFor bounds the
// fdatasync probe (0 skips it).
func describeMachine(ctx context.Context, databaseURL string, fsyncFor time.Duration) Machine {
	m := Machine{CPU: cpuModel(), Cores: runtime.NumCPU(), Postgres: "unknown"}
	if conn, err := pgx.Connect(ctx, databaseURL); err == nil {
		_ = conn.QueryRow(ctx, "SHOW server_version").Scan(&m.Postgres)
		_ = conn.Close(context.WithoutCancel(ctx))
	}
	if fsyncFor > 0 {
		m.Fdatasyncs = fdatasyncRate(fsyncFor)
	}
	return m
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// fdatasyncRate writes 8 KiB at the start of a temporary file and
// fdatasyncs it, over and over for d, like pg_test_fsync's
// one-write-then-fdatasync line; 0 when it cannot.
func fdatasyncRate(d time.Duration) float64 {
	dir, err := os.MkdirTemp("", "tally-fsync-")
	if err != nil {
		return 0
	}
	defer os.RemoveAll(dir)
	f, err := os.Create(filepath.Join(dir, "probe"))
	if err != nil {
		return 0
	}
	defer f.Close()
	buf := make([]byte, 8<<10)
	n := 0
	began := time.Now()
	for time.Since(began) < d {
		if _, err := f.WriteAt(buf, 0); err != nil {
			return 0
		}
		if err := fdatasync(f); err != nil {
			return 0
		}
		n++
	}
	return Rate(n, time.Since(began))
}
