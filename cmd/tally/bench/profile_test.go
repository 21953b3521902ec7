package bench

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

func TestFuncPackage(t *testing.T) {
	tests := []struct{ name, want string }{
		{"github.com/jackc/pgx/v5/pgconn.(*PgConn).Exec", "github.com/jackc/pgx/v5/pgconn"},
		{"net/http.(*conn).serve", "net/http"},
		{"runtime.mallocgc", "runtime"},
		{"github.com/tallyhq/tally/graph.(*Resolver).Org.func1", "github.com/tallyhq/tally/graph"},
		{"encoding/json.appendString[go.shape.string]", "encoding/json"},
		{"github.com/x/y.F[go.shape.*github.com/z/w.T]", "github.com/x/y"},
		{"gorm.io/gorm.(*DB).Find", "gorm.io/gorm"},
	}
	for _, tt := range tests {
		if got := funcPackage(tt.name); got != tt.want {
			t.Errorf("funcPackage(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSampleBucket(t *testing.T) {
	f := func(fn string) frame { return frame{function: fn} }
	tests := []struct {
		name  string
		stack []frame // leaf first
		want  string
	}{
		{"write under net/http", []frame{f("internal/runtime/syscall/linux.Syscall6"), f("syscall.write"), f("internal/poll.(*FD).Write"),
			f("net.(*conn).Write"), f("net/http.(*response).finishRequest")}, bucketSyscalls},
		{"futex wake under a handler", []frame{f("runtime.futex"), f("runtime.futexwakeup"), f("runtime.notewakeup"),
			f("runtime.startm"), f("github.com/tallyhq/tally/domain.(*Service).Consume")}, bucketSyscalls},
		{"assist under a resolver", []frame{f("runtime.scanobject"), f("runtime.gcDrainN"), f("runtime.gcAssistAlloc"),
			f("runtime.mallocgc"), f("github.com/tallyhq/tally/graph.(*queryResolver).Org")}, bucketGC},
		{"background mark worker", []frame{f("runtime.memclrNoHeapPointers"), f("runtime.gcBgMarkWorker")}, bucketGC},
		{"write barrier", []frame{f("runtime.gcWriteBarrier2"), f("net/http.(*conn).serve")}, bucketGC},
		{"scheduler spinning", []frame{f("runtime.runqgrab"), f("runtime.findRunnable"), f("runtime.schedule"), f("runtime.mcall")}, bucketScheduler},
		{"allocation under gqlgen", []frame{f("runtime.nextFreeFast"), f("runtime.mallocgc"), f("encoding/json.Marshal"),
			f("github.com/99designs/gqlgen/graphql/executor.(*Executor).DispatchOperation"), f("net/http.HandlerFunc.ServeHTTP")}, bucketGraphQL},
		{"generated code", []frame{f("strconv.AppendInt"), f("github.com/tallyhq/tally/graph/generated.(*executionContext)._Query_org")}, bucketGraphQL},
		{"parser", []frame{f("github.com/vektah/gqlparser/v2/parser.(*parser).next")}, bucketGraphQL},
		{"pgx encode under Tally", []frame{f("github.com/jackc/pgx/v5/pgtype.(*Map).Encode"), f("github.com/tallyhq/tally/db.(*pgTx).pipeline")}, bucketDriver},
		{"gorm", []frame{f("reflect.Value.Field"), f("gorm.io/gorm/schema.(*Field).setupValuerAndSetter.func1"), f("github.com/tallyhq/tally/db.(*Store).Org")}, bucketDriver},
		{"sqlite", []frame{f("modernc.org/sqlite/lib.Xsqlite3VdbeExec"), f("database/sql.(*DB).QueryContext")}, bucketDriver},
		{"websocket library", []frame{f("runtime.memmove"), f("github.com/coder/websocket.(*Conn).writeFrame"), f("github.com/tallyhq/tally/graph.push")}, bucketWebsocket},
		{"Tally's websocket files", []frame{f("sync.(*Mutex).Lock"), {"github.com/tallyhq/tally/graph.(*wsConn).send", "/src/tally/graph/wsconn.go"}}, bucketWebsocket},
		{"Tally's other graph files", []frame{{"github.com/tallyhq/tally/graph.(*Resolver).Org", "/src/tally/graph/org.resolvers.go"}}, bucketTally},
		{"domain", []frame{f("crypto/sha256.Sum256"), f("github.com/tallyhq/tally/domain.HashAPIKey"), f("net/http.(*conn).serve")}, bucketTally},
		{"router", []frame{f("github.com/go-chi/chi/v5.(*node).findRoute"), f("net/http.(*conn).serve")}, bucketHTTP},
		{"header parsing", []frame{f("bufio.(*Reader).ReadSlice"), f("net/textproto.(*Reader).readLineSlice"), f("net/http.readRequest")}, bucketHTTP},
		{"no layer", []frame{f("runtime.memmove"), f("runtime.goexit")}, bucketOther},
		{"empty", nil, bucketOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sampleBucket(tt.stack); got != tt.want {
				t.Errorf("bucket %q, want %q", got, tt.want)
			}
		})
	}
}

func TestShortFunc(t *testing.T) {
	tests := []struct{ in, want string }{
		{"github.com/jackc/pgx/v5/pgconn.(*PgConn).Exec", "pgconn.(*PgConn).Exec"},
		{"runtime.mallocgc", "runtime.mallocgc"},
		{"encoding/json.appendString[go.shape.string]", "json.appendString"},
		{"github.com/x/y.F[go.shape.*github.com/z/w.T].func1", "y.F.func1"},
		{"github.com/x/y.(*averyveryveryveryveryverylongtypename).averyveryveryverylongmethod", "y.(*averyveryveryveryveryverylongtypename).averyveryveryver…"},
	}
	for _, tt := range tests {
		if got := shortFunc(tt.in); got != tt.want {
			t.Errorf("shortFunc(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProfileFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"consumeCredits, 1 org", "consumecredits-1-org.pprof"},
		{"{ __typename } (API key)", "typename-api-key.pprof"},
		{"spread over 5 orgs, 2,000 entries", "spread-over-5-orgs-2-000-entries.pprof"},
		{"???", "run.pprof"},
	}
	for _, tt := range tests {
		if got := profileFileName(tt.in); got != tt.want {
			t.Errorf("profileFileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// testProfile builds a CPU profile of stacks (leaf first) with the given
// CPU each; the first stack's leaf is inlined into its caller.
func testProfile(stacks [][]string, cpu []time.Duration) *profile.Profile {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     int64(10 * time.Millisecond),
	}
	funcs := map[string]*profile.Function{}
	fn := func(name string) *profile.Function {
		if f, ok := funcs[name]; ok {
			return f
		}
		f := &profile.Function{ID: uint64(len(funcs) + 1), Name: name, SystemName: name, Filename: "x.go"}
		funcs[name] = f
		p.Function = append(p.Function, f)
		return f
	}
	for i, stack := range stacks {
		var locs []*profile.Location
		for j := 0; j < len(stack); j++ {
			loc := &profile.Location{ID: uint64(len(p.Location) + 1)}
			if i == 0 && j == 0 && len(stack) > 1 { // the leaf inlined into its caller: one location, two lines
				loc.Line = []profile.Line{{Function: fn(stack[0])}, {Function: fn(stack[1])}}
				j++
			} else {
				loc.Line = []profile.Line{{Function: fn(stack[j])}}
			}
			p.Location = append(p.Location, loc)
			locs = append(locs, loc)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: locs, Value: []int64{int64(cpu[i] / (10 * time.Millisecond)), int64(cpu[i])}})
	}
	return p
}

func TestSummarizeProfile(t *testing.T) {
	p := testProfile([][]string{
		{"github.com/jackc/pgx/v5/pgconn.(*PgConn).Exec", "github.com/tallyhq/tally/db.(*pgTx).pipeline", "net/http.(*conn).serve"},
		{"syscall.write", "net/http.(*conn).serve"},
		{"runtime.memmove", "github.com/tallyhq/tally/domain.Consume"},
		{"syscall.write", "github.com/jackc/pgx/v5/pgconn.(*PgConn).Exec"},
	}, []time.Duration{500 * time.Millisecond, 300 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond})
	if err := p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	s, err := summarizeProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.CPU != time.Second || s.Samples != 100 {
		t.Errorf("CPU %s, samples %d", s.CPU, s.Samples)
	}
	if got, want := joinShares(s.Buckets), "database driver 50% · syscalls 40% · Tally code 10%"; got != want {
		t.Errorf("buckets %q, want %q", got, want)
	}
	if got, want := joinShares(s.Top), "pgconn.(*PgConn).Exec 50% · syscall.write 40% · runtime.memmove 10%"; got != want {
		t.Errorf("top %q, want %q", got, want)
	}

	heap := &profile.Profile{SampleType: []*profile.ValueType{{Type: "alloc_space", Unit: "bytes"}}}
	if _, err := summarizeProfile(heap); err == nil {
		t.Error("a heap profile was summed up as CPU")
	}
}

func TestJoinShares(t *testing.T) {
	tests := []struct {
		in   []share
		want string
	}{
		{nil, ""},
		{[]share{{"syscalls", 0.426}, {"net/http", 0.0051}, {"websocket", 0.0049}, {"other", 0}}, "syscalls 43% · net/http 1%"},
	}
	for _, tt := range tests {
		if got := joinShares(tt.in); got != tt.want {
			t.Errorf("joinShares(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSaveProfile(t *testing.T) {
	var gz bytes.Buffer
	p := testProfile([][]string{{"net/http.(*conn).serve"}}, []time.Duration{20 * time.Millisecond})
	if err := p.Write(&gz); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	taken := map[string]bool{}
	first := saveProfile(dir, "consumeCredits, 1 org", &CPUUse{Profile: gz.Bytes()}, taken)
	second := saveProfile(dir, "consumeCredits, 1 org", &CPUUse{Profile: gz.Bytes()}, taken)
	if first.Err != nil || second.Err != nil {
		t.Fatalf("errors %v, %v", first.Err, second.Err)
	}
	if filepath.Base(first.File) != "consumecredits-1-org.pprof" || filepath.Base(second.File) != "consumecredits-1-org-2.pprof" {
		t.Errorf("files %s, %s", first.File, second.File)
	}
	if b, err := os.ReadFile(second.File); err != nil || !bytes.Equal(b, gz.Bytes()) {
		t.Errorf("saved file: %v", err)
	}
	if joinShares(first.Summary.Buckets) != "net/http 100%" {
		t.Errorf("summary %+v", first.Summary)
	}
	failed := saveProfile(dir, "x", &CPUUse{ProfileErr: os.ErrDeadlineExceeded}, taken)
	bad := saveProfile(dir, "y", &CPUUse{Profile: []byte("not a profile")}, taken)
	if failed.Err == nil || bad.Err == nil {
		t.Errorf("errors %v, %v", failed.Err, bad.Err)
	}
	var b strings.Builder
	writeProfiles(&b, []ProfileNote{first, failed})
	for _, want := range []string{"profile: consumeCredits, 1 org → " + first.File + " (20ms CPU, 2 samples)", "  buckets: net/http 100%",
		"profile: x: none: "} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}
