package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CPU accounting: during each measured window the bench reads, from /proc,
// the CPU time (user + system) of the processes on each side of the run
// and the machine's busy and idle time, and divides each by the operations
// the window completed. The sides:
//
//   - server: the Tally server processes the bench started for the run (or
//     the plain reference handler's process on its row);
//   - PostgreSQL: the postmaster, its background processes and the
//     backends connected to the bench's own databases (a process title
//     names the database; backends of other databases are left to
//     "other");
//   - client: the bench process itself (the load's goroutines, and the
//     subscribers' sockets) plus the children it reaped in the window
//     (pgbench on its rows);
//   - other: the machine's busy time less the three above (other
//     programs, PostgreSQL's work for other databases, the kernel's
//     interrupts).
//
// A backend that exits inside the window is counted up to the last poll
// before its exit (cpuPoll): pgbench's backends live exactly as long as
// its run.

// clockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat and
// /proc/stat: 100 on every Linux architecture the bench runs on (the
// kernel converts to it whatever its internal HZ).
const clockTicks = 100

// cpuPoll is how often PostgreSQL's processes are read during a window, so
// that backends that come and go are counted.
const cpuPoll = 100 * time.Millisecond

// procStat is what the bench reads of one /proc/PID/stat line.
type procStat struct {
	Comm  string
	State byte
	PPID  int
	// UTime, STime: the process's own CPU; CUTime, CSTime: that of the
	// children it has waited for; in clock ticks.
	UTime, STime, CUTime, CSTime uint64
}

// parseProcStat parses the content of /proc/PID/stat. The command name is
// the text between the first '(' and the last ')' (it may hold spaces
// and parentheses itself); the fields after it are space-separated.
func parseProcStat(s string) (procStat, error) {
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return procStat{}, fmt.Errorf("no (comm) in stat line %q", clip([]byte(s)))
	}
	st := procStat{Comm: s[open+1 : closing]}
	f := strings.Fields(s[closing+1:])
	// f[0] state, f[1] ppid, … f[11] utime, f[12] stime, f[13] cutime, f[14] cstime.
	if len(f) < 15 || len(f[0]) != 1 {
		return procStat{}, fmt.Errorf("short stat line %q", clip([]byte(s)))
	}
	st.State = f[0][0]
	var err error
	if st.PPID, err = strconv.Atoi(f[1]); err != nil {
		return procStat{}, fmt.Errorf("stat ppid %q: %w", f[1], err)
	}
	for i, dst := range []*uint64{&st.UTime, &st.STime, &st.CUTime, &st.CSTime} {
		// cutime and cstime are signed in the kernel's format (long).
		v, err := strconv.ParseInt(f[11+i], 10, 64)
		if err != nil || v < 0 {
			return procStat{}, fmt.Errorf("stat time field %d %q: %v", 14+i, f[11+i], err)
		}
		*dst = uint64(v)
	}
	return st, nil
}

// readProcStat reads /proc/PID/stat ("self" for the bench).
func readProcStat(pid string) (procStat, error) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return procStat{}, err
	}
	return parseProcStat(string(b))
}

// machineTicks are the machine's CPU times from /proc/stat's "cpu" line,
// summed over all CPUs, in clock ticks.
type machineTicks struct {
	Busy, Idle uint64
}

// parseMachineStat reads the "cpu" line of /proc/stat: busy is user, nice,
// system, irq, softirq and steal (guest time is inside user), idle is idle
// and iowait.
func parseMachineStat(s string) (machineTicks, error) {
	for line := range strings.SplitSeq(s, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "cpu" {
			continue
		}
		if len(f) < 9 {
			return machineTicks{}, fmt.Errorf("short cpu line %q", line)
		}
		var v [8]uint64
		for i := range v {
			n, err := strconv.ParseUint(f[1+i], 10, 64)
			if err != nil {
				return machineTicks{}, fmt.Errorf("cpu line field %d: %w", i+1, err)
			}
			v[i] = n
		}
		user, nice, system, idle, iowait, irq, softirq, steal := v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
		return machineTicks{Busy: user + nice + system + irq + softirq + steal, Idle: idle + iowait}, nil
	}
	return machineTicks{}, fmt.Errorf("no cpu line in /proc/stat")
}

// pgClientBackend matches the client address of a backend's process title
// ("… 127.0.0.1(5432) idle", "… [local] SELECT"); background processes
// have none.
var pgClientBackend = regexp.MustCompile(`\S+\(\d+\)|\[local\]`)

// pgTitleIsOurs says whether a PostgreSQL process with command line title
// (/proc/PID/cmdline, NULs as spaces) counts for the bench: the postmaster
// and background processes do, a client backend ("postgres: [cluster: ]user
// database host(port) activity") or an autovacuum worker ("… autovacuum
// worker database") only when a word of its title is one of databases.
func pgTitleIsOurs(title string, databases []string) bool {
	if !pgClientBackend.MatchString(title) && !strings.Contains(title, "autovacuum worker") {
		return true
	}
	for w := range strings.FieldsSeq(title) {
		for _, d := range databases {
			if w == d {
				return true
			}
		}
	}
	return false
}

// CPUUse is where the CPU of one measured window went.
type CPUUse struct {
	Window time.Duration
	Ops    int // operations completed in the window (debits, requests, events, transactions)
	// Server, Postgres, Client and Other are CPU time spent in the window.
	Server, Postgres, Client, Other time.Duration
	// Busy and Idle are the whole machine's, over all CPUs.
	Busy, Idle time.Duration
	// Profile is the servers' CPU profile of the window (gzipped proto,
	// merged over the servers) when one was asked for.
	Profile []byte
	// ProfileErr says why there is no profile although one was asked for.
	ProfileErr error
}

// PerOp returns CPU time d per operation in microseconds (0 without
// operations).
func (u CPUUse) PerOp(d time.Duration) float64 {
	if u.Ops <= 0 {
		return 0
	}
	return float64(d) / float64(time.Microsecond) / float64(u.Ops)
}

// IdleShare returns the machine's idle fraction during the window.
func (u CPUUse) IdleShare() float64 {
	if u.Busy+u.Idle <= 0 {
		return 0
	}
	return float64(u.Idle) / float64(u.Busy+u.Idle)
}

// cpuAvailable says whether this system has the /proc the accounting reads.
func cpuAvailable() bool {
	if runtime.GOOS != "linux" {
		return false
	}
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// ticks converts clock ticks to a duration.
func ticks(n uint64) time.Duration { return time.Duration(n) * time.Second / clockTicks }

// meter measures the CPU of the processes of one kind of run.
type meter struct {
	servers   []int    // PIDs of the server side
	databases []string // names of the bench's PostgreSQL databases
	// pprof, when set, are the servers' pprof base URLs
	// (http://host:port) to fetch a CPU profile of the window from.
	pprof []string
}

// window is one measurement in progress.
type window struct {
	m       *meter
	began   time.Time
	ok      bool // /proc is there
	server  uint64
	client  uint64
	machine machineTicks
	pg      pgTracker
	stop    chan struct{}
	polled  sync.WaitGroup
	profile chan profileResult
}

// pgTracker follows PostgreSQL's processes through a window: the CPU each
// had at the start (0 for those born since) and when last seen.
type pgTracker struct {
	mu          sync.Mutex
	first, last map[int]uint64
	ours        map[int]bool // cached title decision per PID
}

// scan reads every postgres process once; initial marks the window's start.
func (t *pgTracker) scan(databases []string, initial bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ours, known := t.ours[pid]
		if known && !ours {
			continue
		}
		st, err := readProcStat(e.Name())
		if err != nil || st.Comm != "postgres" {
			if err == nil && !known {
				t.ours[pid] = false
			}
			continue
		}
		if !known {
			raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			if err != nil {
				continue
			}
			title := string(bytes.ReplaceAll(raw, []byte{0}, []byte{' '}))
			switch {
			case strings.HasPrefix(title, "postgres: "):
				ours = pgTitleIsOurs(title, databases)
			case !isPostgres(st.PPID):
				ours = true // the postmaster
			default:
				continue // forked but not titled yet: decide at the next scan
			}
			t.ours[pid] = ours
			if !ours {
				continue
			}
		}
		now := st.UTime + st.STime
		if initial {
			t.first[pid] = now
		}
		t.last[pid] = now
	}
}

// isPostgres says whether process pid is a PostgreSQL process.
func isPostgres(pid int) bool {
	st, err := readProcStat(strconv.Itoa(pid))
	return err == nil && st.Comm == "postgres"
}

// spent returns the CPU ticks PostgreSQL's counted processes spent.
func (t *pgTracker) spent() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var n uint64
	for pid, last := range t.last {
		if first := t.first[pid]; last > first {
			n += last - first
		}
	}
	return n
}

// sideTicks returns the server side's and the client side's CPU now.
func (m *meter) sideTicks() (server, client uint64) {
	for _, pid := range m.servers {
		if st, err := readProcStat(strconv.Itoa(pid)); err == nil {
			server += st.UTime + st.STime
		}
	}
	if st, err := readProcStat("self"); err == nil {
		client = st.UTime + st.STime + st.CUTime + st.CSTime
	}
	return server, client
}

// begin starts a window now; a profile, when the meter has pprof URLs,
// covers d from now.
func (m *meter) begin(ctx context.Context, d time.Duration) *window {
	w := &window{m: m, began: time.Now(), stop: make(chan struct{}),
		pg: pgTracker{first: map[int]uint64{}, last: map[int]uint64{}, ours: map[int]bool{}}}
	if len(m.pprof) > 0 {
		w.profile = make(chan profileResult, 1)
		go func() { w.profile <- fetchProfiles(ctx, m.pprof, d) }()
	}
	if !cpuAvailable() {
		return w
	}
	w.ok = true
	b, err := os.ReadFile("/proc/stat")
	if err == nil {
		w.machine, _ = parseMachineStat(string(b))
	}
	w.pg.scan(m.databases, true)
	w.server, w.client = m.sideTicks()
	w.polled.Add(1)
	go func() {
		defer w.polled.Done()
		t := time.NewTicker(cpuPoll)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.pg.scan(m.databases, false)
			}
		}
	}()
	return w
}

// end closes the window and returns its use for ops operations (nil when
// /proc is not there and no profile was asked for).
func (w *window) end(ops int) *CPUUse {
	use := &CPUUse{Window: time.Since(w.began), Ops: ops}
	if w.ok {
		close(w.stop)
		w.polled.Wait()
		server, client := w.m.sideTicks()
		w.pg.scan(w.m.databases, false)
		var machine machineTicks
		if b, err := os.ReadFile("/proc/stat"); err == nil {
			machine, _ = parseMachineStat(string(b))
		}
		use.Server = ticks(sub(server, w.server))
		use.Client = ticks(sub(client, w.client))
		use.Postgres = ticks(w.pg.spent())
		use.Busy = ticks(sub(machine.Busy, w.machine.Busy))
		use.Idle = ticks(sub(machine.Idle, w.machine.Idle))
		use.Other = max(0, use.Busy-use.Server-use.Client-use.Postgres)
	}
	if w.profile != nil {
		p := <-w.profile
		use.Profile, use.ProfileErr = p.data, p.err
	}
	if !w.ok && w.profile == nil {
		return nil
	}
	return use
}

// sub returns a-b, 0 when a counter went backwards (a PID reused).
func sub(a, b uint64) uint64 {
	if a < b {
		return 0
	}
	return a - b
}

// during measures the window [from, to) of a load in the background; the
// returned function waits for its end and returns the use for the ops the
// load counted in it.
func (m *meter) during(ctx context.Context, from, to time.Time) func(ops int) *CPUUse {
	if m == nil {
		return func(int) *CPUUse { return nil }
	}
	ch := make(chan *window, 1)
	go func() {
		sleepUntil(ctx, from)
		w := m.begin(ctx, to.Sub(from))
		sleepUntil(ctx, to)
		ch <- w
	}()
	return func(ops int) *CPUUse { return (<-ch).end(ops) }
}

// sleepUntil sleeps until t or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// CPURow is one line of the CPU table.
type CPURow struct {
	Run       string
	PerSecond float64
	Use       *CPUUse // nil: not measured on this system
}

// WriteCPUTable prints the "Where the CPU went" table: per run, CPU
// microseconds per operation of each side and the machine's idle share.
func WriteCPUTable(b *strings.Builder, rows []CPURow) {
	b.WriteString("Where the CPU went (CPU µs per operation; client = the bench process and the pgbench it ran; " +
		"other = the rest of the machine's busy time):\n\n")
	b.WriteString("| run | ops/s | server | PostgreSQL | client | other | machine idle |\n|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		u := r.Use
		if u == nil || u.Busy+u.Idle == 0 {
			fmt.Fprintf(b, "| %s | %s | n/a | n/a | n/a | n/a | n/a |\n", cell(r.Run), thousands(r.PerSecond))
			continue
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", cell(r.Run), thousands(r.PerSecond),
			micros(u.PerOp(u.Server)), micros(u.PerOp(u.Postgres)), micros(u.PerOp(u.Client)), micros(u.PerOp(u.Other)),
			percent(u.IdleShare()))
	}
	b.WriteByte('\n')
}

// micros renders microseconds per operation: "–" for none, one decimal
// below 100.
func micros(us float64) string {
	switch {
	case us <= 0:
		return "–"
	case us < 100:
		return fmt.Sprintf("%.1f", us)
	}
	return thousands(us)
}
