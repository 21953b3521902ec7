package gatewaytest

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// StripeMockEnv names the environment variable that points at a prebuilt
// stripe-mock binary (.ci/run installs one); without it the binary is built
// from the module's `tool github.com/stripe/stripe-mock` directive.
const StripeMockEnv = "STRIPE_MOCK"

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// stripeMockBinary returns the stripe-mock executable: $STRIPE_MOCK, or one
// built once per test process.
func stripeMockBinary() (string, error) {
	if bin := os.Getenv(StripeMockEnv); bin != "" {
		return bin, nil
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stripe-mock-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "stripe-mock")
		if out, err := exec.Command("go", "build", "-o", builtBin, "github.com/stripe/stripe-mock").CombinedOutput(); err != nil {
			buildErr = &buildError{err: err, out: string(out)}
		}
	})
	return builtBin, buildErr
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// StripeMock starts stripe-mock (Stripe's stateless API mock, which checks
// every request against Stripe's OpenAPI spec) on free loopback ports for
// the test and returns its base URL. A binary that cannot be had fails the
// test: a Stripe contract check must never be skipped silently.
func StripeMock(t testing.TB) string {
	t.Helper()
	bin, err := stripeMockBinary()
	if err != nil {
		t.Fatalf("stripe-mock: %v", err)
	}
	// Both listeners on port 0: with -http-addr alone stripe-mock still
	// opens HTTPS on its fixed default port, which parallel runs share.
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = pw.Close()
	})
	addr := make(chan string, 1)
	go func() {
		const prefix = "Listening for HTTP at address: "
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, prefix) {
				addr <- strings.TrimSpace(strings.TrimPrefix(line, prefix))
			}
		}
		_, _ = io.Copy(io.Discard, pr) // keep the child from blocking on a full pipe
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatal("stripe-mock did not say where it listens")
		return ""
	}
}
