package bench

import (
	"context"
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// TestMeterCountsTheClient burns CPU in this process inside a window: the
// meter must charge it to the client side (and to the machine's busy
// time), and nothing to a server side it was not given.
func TestMeterCountsTheClient(t *testing.T) {
	if !cpuAvailable() {
		t.Skip("no /proc on " + runtime.GOOS)
	}
	m := &meter{}
	w := m.begin(context.Background(), time.Second)
	const burn = 200 * time.Millisecond
	start := selfCPU(t)
	for x := 0; selfCPU(t)-start < burn; x++ {
		_ = fmt.Sprint(x)
	}
	use := w.end(4)
	// Clock ticks are 10 ms: allow two of rounding.
	if use.Client < burn-20*time.Millisecond {
		t.Errorf("client CPU %s, want at least %s", use.Client, burn)
	}
	if use.Server != 0 {
		t.Errorf("server CPU %s without servers", use.Server)
	}
	if use.Busy < use.Client-20*time.Millisecond {
		t.Errorf("machine busy %s < client %s", use.Busy, use.Client)
	}
	if use.Ops != 4 || use.Window <= 0 {
		t.Errorf("use %+v", use)
	}
}

// selfCPU returns this process's user+system CPU from getrusage.
func selfCPU(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
