package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/pprof/profile"
)

// Server CPU profiles (`tally bench --profile DIR`): the bench starts its
// servers with TALLY_PPROF_ADDR on a free loopback port, asks each for a
// CPU profile of every measured window (/debug/pprof/profile?seconds=N,
// from the window's start), merges the servers' profiles of one window,
// saves it as DIR/<run>.pprof (`go tool pprof` reads it) and sums it up in
// buckets.
//
// Bucket rule: every sample goes to exactly one bucket, so the shares add
// up to 100%. Its frames are walked from the leaf toward the root, inlined
// frames included, and the first frame that belongs to a layer names the
// bucket: a system call wrapper (syscall, the runtime's futex, epoll,
// read, write, …) for "syscalls" (time spent entering and in the kernel),
// the garbage collector's marking and sweeping for "runtime GC", the
// scheduler's own loop for "runtime scheduler", then the packages of the
// database drivers, the websocket code, GraphQL execution, Tally's own
// code and net/http. Frames of other packages (the allocator, memmove,
// encoding/json, reflect, sync, net, bufio, …) are passed over, so their
// cost is charged to the innermost layer that called them: a resolver's
// allocations count for Tally, gqlgen's JSON marshalling for GraphQL. A
// sample with no layer at all is "other".

// profileSlack is how much longer than its window a profile request may
// take before it is abandoned.
const profileSlack = 30 * time.Second

// profileResult is a window's merged profile (gzipped proto) or why there
// is none.
type profileResult struct {
	data []byte
	err  error
}

// fetchProfiles asks every pprof base URL for a CPU profile of d (whole
// seconds, at least 1) and returns the merged profile.
func fetchProfiles(ctx context.Context, bases []string, d time.Duration) profileResult {
	secs := max(1, int(d.Round(time.Second)/time.Second))
	ctx, cancel := context.WithTimeout(ctx, time.Duration(secs)*time.Second+profileSlack)
	defer cancel()
	profiles := make([]*profile.Profile, len(bases))
	errs := make([]error, len(bases))
	var wg sync.WaitGroup
	for i, base := range bases {
		wg.Go(func() { profiles[i], errs[i] = fetchProfile(ctx, base, secs) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return profileResult{err: err}
		}
	}
	merged, err := profile.Merge(profiles)
	if err != nil {
		return profileResult{err: fmt.Errorf("merge profiles: %w", err)}
	}
	var b bytes.Buffer
	if err := merged.Write(&b); err != nil {
		return profileResult{err: err}
	}
	return profileResult{data: b.Bytes()}
}

// fetchProfile fetches one CPU profile of secs seconds.
func fetchProfile(ctx context.Context, base string, secs int) (*profile.Profile, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/debug/pprof/profile?seconds="+strconv.Itoa(secs), nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("CPU profile from %s: %w", base, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("CPU profile from %s: %w", base, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("CPU profile from %s: HTTP %d: %s", base, res.StatusCode, clip(body))
	}
	p, err := profile.ParseData(body)
	if err != nil {
		return nil, fmt.Errorf("CPU profile from %s: %w", base, err)
	}
	return p, nil
}

// Bucket names, in the order ties are printed.
const (
	bucketSyscalls  = "syscalls"
	bucketGC        = "runtime GC"
	bucketScheduler = "runtime scheduler"
	bucketDriver    = "database driver"
	bucketWebsocket = "websocket"
	bucketGraphQL   = "GraphQL execution"
	bucketTally     = "Tally code"
	bucketHTTP      = "net/http"
	bucketOther     = "other"
)

// syscallFuncs are the runtime's own system call wrappers (the syscall
// packages count as a whole).
var syscallFuncs = []string{
	"runtime.futex", "runtime.epollwait", "runtime.netpoll", "runtime.write1", "runtime.read", "runtime.usleep",
	"runtime.osyield", "runtime.nanosleep", "runtime.madvise", "runtime.mmap", "runtime.munmap", "runtime.sysMmap",
	"runtime.sysMunmap", "runtime.pipe2", "runtime.tgkill", "runtime.rtsigprocmask", "runtime.sched_getaffinity",
}

// gcFuncs are the collector's marking, sweeping and scavenging; funcs
// starting with runtime.gc count too.
var gcFuncs = []string{
	"runtime.bgsweep", "runtime.bgscavenge", "runtime.markroot", "runtime.scanobject", "runtime.scanblock",
	"runtime.scanstack", "runtime.greyobject", "runtime.sweepone", "runtime.deductSweepCredit",
	"runtime.(*sweepLocked).sweep", "runtime.(*mspan).sweep", "runtime.wbBufFlush", "runtime.wbBufFlush1",
}

// schedulerFuncs are the scheduler's loop and hand-offs.
var schedulerFuncs = []string{
	"runtime.schedule", "runtime.findRunnable", "runtime.park_m", "runtime.goschedImpl", "runtime.gosched_m",
	"runtime.wakep", "runtime.startm", "runtime.stopm", "runtime.handoffp", "runtime.sysmon", "runtime.notesleep",
	"runtime.notewakeup", "runtime.exitsyscall", "runtime.entersyscall", "runtime.reentersyscall",
	"runtime.goexit0", "runtime.mstart1", "runtime.stealWork", "runtime.runqsteal", "runtime.runqgrab",
}

// layerPackages map package path prefixes to buckets (the first match).
var layerPackages = []struct{ prefix, bucket string }{
	{"syscall", bucketSyscalls},
	{"internal/runtime/syscall", bucketSyscalls},
	{"golang.org/x/sys/unix", bucketSyscalls},
	{"github.com/jackc/", bucketDriver},
	{"database/sql", bucketDriver},
	{"gorm.io/", bucketDriver},
	{"modernc.org/sqlite", bucketDriver},
	{"modernc.org/libc", bucketDriver},
	{"github.com/glebarez/", bucketDriver},
	{"github.com/mattn/go-sqlite3", bucketDriver},
	{"github.com/coder/websocket", bucketWebsocket},
	{"github.com/gorilla/websocket", bucketWebsocket},
	{"github.com/99designs/gqlgen", bucketGraphQL},
	{"github.com/vektah/gqlparser", bucketGraphQL},
	{"github.com/tallyhq/tally/graph/generated", bucketGraphQL},
	{"github.com/tallyhq/tally", bucketTally},
	{"net/http", bucketHTTP},
	{"github.com/go-chi/", bucketHTTP},
	{"net/textproto", bucketHTTP},
	{"mime", bucketHTTP},
}

// funcPackage returns the import path of a Go function's symbol name
// ("github.com/jackc/pgx/v5/pgconn.(*PgConn).Exec" → "…/pgconn").
func funcPackage(name string) string {
	if i := strings.IndexByte(name, '['); i >= 0 { // type arguments may hold paths
		name = name[:i]
	}
	slash := strings.LastIndexByte(name, '/')
	if dot := strings.IndexByte(name[slash+1:], '.'); dot >= 0 {
		return name[:slash+1+dot]
	}
	return name
}

// frameBucket returns the bucket of one frame, "" when its package is
// passed over. Tally's websocket code is told apart by its file name
// (graph/ws*.go).
func frameBucket(function, file string) string {
	switch {
	case slices.Contains(syscallFuncs, function):
		return bucketSyscalls
	case strings.HasPrefix(function, "runtime.gc") || slices.Contains(gcFuncs, function):
		return bucketGC
	case slices.Contains(schedulerFuncs, function):
		return bucketScheduler
	}
	pkg := funcPackage(function)
	if pkg == "github.com/tallyhq/tally/graph" && strings.HasPrefix(filepath.Base(file), "ws") {
		return bucketWebsocket
	}
	for _, l := range layerPackages {
		if hasPackagePrefix(pkg, l.prefix) {
			return l.bucket
		}
	}
	return ""
}

// hasPackagePrefix says whether package pkg is prefix or inside it; a
// prefix ending in "/" is a path prefix ("gorm.io/" takes gorm.io/gorm).
func hasPackagePrefix(pkg, prefix string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(pkg, prefix)
	}
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

// frame is one function of a stack.
type frame struct{ function, file string }

// sampleBucket returns the bucket of a stack listed leaf first.
func sampleBucket(stack []frame) string {
	for _, f := range stack {
		if b := frameBucket(f.function, f.file); b != "" {
			return b
		}
	}
	return bucketOther
}

// maxFuncName bounds a function's name in the summary.
const maxFuncName = 60

// shortFunc shortens a function's symbol for the summary: no type
// arguments, the package by its last path element, at most maxFuncName
// characters ("github.com/jackc/pgx/v5/pgconn.(*PgConn).Exec" →
// "pgconn.(*PgConn).Exec").
func shortFunc(name string) string {
	var b strings.Builder
	depth := 0
	for _, r := range name {
		switch {
		case r == '[':
			depth++
		case r == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	name = b.String()
	pkg := funcPackage(name)
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		name = name[i+1:]
	}
	if r := []rune(name); len(r) > maxFuncName {
		name = string(r[:maxFuncName-1]) + "…"
	}
	return name
}

// share is a name's part of a profile's CPU.
type share struct {
	Name  string
	Share float64
}

// ProfileSummary is one profile summed up.
type ProfileSummary struct {
	CPU     time.Duration // the CPU the samples stand for
	Samples int
	Buckets []share // every bucket with samples, largest first
	Top     []share // the functions with the most CPU of their own (flat), largest first
}

// topFunctions is how many functions a summary lists.
const topFunctions = 8

// summarizeProfile sorts a CPU profile's samples into buckets.
func summarizeProfile(p *profile.Profile) (ProfileSummary, error) {
	vi := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			vi = i
		}
	}
	if vi < 0 {
		return ProfileSummary{}, fmt.Errorf("not a CPU profile (no cpu sample type)")
	}
	var total int64
	buckets, flat := map[string]int64{}, map[string]int64{}
	var s ProfileSummary
	var stack []frame
	for _, sm := range p.Sample {
		v := sm.Value[vi]
		stack = stack[:0]
		for _, loc := range sm.Location {
			for _, ln := range loc.Line { // the innermost inlined function first
				if ln.Function != nil {
					stack = append(stack, frame{ln.Function.Name, ln.Function.Filename})
				}
			}
		}
		total += v
		s.Samples += int(sm.Value[0])
		buckets[sampleBucket(stack)] += v
		if len(stack) > 0 {
			flat[shortFunc(stack[0].function)] += v
		}
	}
	s.CPU = time.Duration(total)
	s.Buckets, s.Top = shares(buckets, total, 0), shares(flat, total, topFunctions)
	return s, nil
}

// shares turns sums into shares of total, largest first (then by name),
// keeping the first n (all when n is 0).
func shares(sums map[string]int64, total int64, n int) []share {
	out := make([]share, 0, len(sums))
	for name, v := range sums {
		if v > 0 && total > 0 {
			out = append(out, share{name, float64(v) / float64(total)})
		}
	}
	slices.SortFunc(out, func(a, b share) int {
		if a.Share != b.Share {
			if a.Share > b.Share {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	if n > 0 && len(out) > n {
		out = out[:n]
	}
	return out
}

// profileFileName turns a run's name into a file name: lower case letters
// and digits, dashes between.
func profileFileName(run string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(run) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		return "run.pprof"
	}
	return b.String() + ".pprof"
}

// ProfileNote is one run's profile, saved and summed up, for the report.
type ProfileNote struct {
	Run, File string
	Summary   ProfileSummary
	Err       error
}

// saveProfile writes a run's profile into dir (under a name no earlier run
// of this report took) and sums it up.
func saveProfile(dir, run string, use *CPUUse, taken map[string]bool) ProfileNote {
	n := ProfileNote{Run: run}
	if use == nil {
		n.Err = fmt.Errorf("no profile")
		return n
	}
	if use.ProfileErr != nil || len(use.Profile) == 0 {
		n.Err = use.ProfileErr
		if n.Err == nil {
			n.Err = fmt.Errorf("empty profile")
		}
		return n
	}
	name := profileFileName(run)
	for i := 2; taken[name]; i++ {
		name = strings.TrimSuffix(profileFileName(run), ".pprof") + "-" + strconv.Itoa(i) + ".pprof"
	}
	taken[name] = true
	n.File = filepath.Join(dir, name)
	if err := os.WriteFile(n.File, use.Profile, 0o644); err != nil {
		n.Err = err
		return n
	}
	p, err := profile.ParseData(use.Profile)
	if err != nil {
		n.Err = err
		return n
	}
	n.Summary, n.Err = summarizeProfile(p)
	return n
}

// writeProfiles prints the profiles' summaries.
func writeProfiles(b *strings.Builder, notes []ProfileNote) {
	if len(notes) == 0 {
		return
	}
	b.WriteString("Server CPU profiles (buckets: each sample to the innermost layer on its stack; top: CPU of the function itself):\n\n")
	for _, n := range notes {
		if n.Err != nil {
			fmt.Fprintf(b, "profile: %s: none: %v\n", n.Run, n.Err)
			continue
		}
		s := n.Summary
		fmt.Fprintf(b, "profile: %s → %s (%s CPU, %d samples)\n", n.Run, n.File, s.CPU.Round(10*time.Millisecond), s.Samples)
		fmt.Fprintf(b, "  buckets: %s\n", joinShares(s.Buckets))
		fmt.Fprintf(b, "  top:     %s\n", joinShares(s.Top))
	}
	b.WriteByte('\n')
}

// joinShares renders shares as "name 12% · name 3%", leaving out those
// under half a percent.
func joinShares(ss []share) string {
	var parts []string
	for _, s := range ss {
		if s.Share >= 0.005 {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", s.Name, 100*s.Share))
		}
	}
	return strings.Join(parts, " · ")
}
