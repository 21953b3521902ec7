package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// The server's garbage collection: GOGC is tuned after every collection so
// that the heap may grow by about gcHeadroom beyond what is live, between
// gcPercentMin and gcPercentMax percent.
//
// A small server (about 10 MB live when idle) runs at gcPercentMax: at Go's
// default of 100 a busy server collects every few MB of allocation, which
// under a hot org's load cost about 15% of debits per second on 2 cores
// (`make bench`, hot-row ratio 9.0 at 100 and 10.3 at 200). But a server
// holding thousands of websockets has a large live heap (and goroutine
// stacks, which GOGC counts too), and at 200 its resident memory grows to
// about three times that. From about gcHeadroom live on it runs at
// gcPercentMin, Go's default: memory about twice what is live, for
// collections no more frequent than any Go program's. (Lower saves more
// memory but every collection marks the whole live heap: at 50 and
// 10,000 subscribers one noisy run on 2 cores lost half its debit rate.)
//
// A soft memory limit (GOMEMLIMIT) is not used for this: it has to be
// chosen for one size of deployment, leaves memory at three times the live
// heap below it, and makes the collector run back to back near it.
// Setting GOGC or GOMEMLIMIT in the environment turns the tuning off.
const (
	gcPercentMax = 200
	gcPercentMin = 100
	gcHeadroom   = 64 << 20
)

var tuneGCOnce sync.Once

// setGCPercent starts tuning GOGC, unless the environment sets GOGC or
// GOMEMLIMIT. It tunes for the life of the process.
func setGCPercent() {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	tuneGCOnce.Do(func() {
		t := &gcTuner{percent: gcPercentMax, samples: []metrics.Sample{
			{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"},
		}}
		debug.SetGCPercent(gcPercentMax)
		t.arm()
	})
}

// gcTuner sets GOGC after each collection.
type gcTuner struct {
	percent int
	samples []metrics.Sample
}

// gcSentinel is garbage whose finalizer marks the end of a collection (it
// holds a pointer, so that it is never one of the tiny allocations a
// finalizer may not run for).
type gcSentinel struct{ _ *gcTuner }

// arm runs tune after the next collection, and so on after each.
func (t *gcTuner) arm() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		t.tune()
		t.arm()
	})
}

// tune sets GOGC for what the last collection found live.
func (t *gcTuner) tune() {
	metrics.Read(t.samples)
	var base uint64
	for _, s := range t.samples {
		if s.Value.Kind() == metrics.KindUint64 {
			base += s.Value.Uint64()
		}
	}
	p := gcPercentFor(base)
	// Only a change of more than a tenth: setting GOGC takes the heap lock.
	if d := p - t.percent; d*10 > t.percent || -d*10 > t.percent {
		t.percent = p
		debug.SetGCPercent(p)
	}
}

// gcPercentFor is the GOGC that lets a heap grow by gcHeadroom beyond base
// (the live heap, stacks and globals), within the bounds.
func gcPercentFor(base uint64) int {
	if base == 0 {
		return gcPercentMax
	}
	return int(min(max(100*gcHeadroom/base, gcPercentMin), gcPercentMax))
}
