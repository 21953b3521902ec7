// Package tallytest runs the real tally binary for tests: it builds the
// binary once per test process, runs its short commands, and starts
// `tally serve` processes that it waits for and stops. Every test that
// drives the binary (cmd/tally's own and the end-to-end suite in
// cmd/tally/e2e) gets its processes here, so that building, the child's
// environment, readiness and shutdown are decided in one place.
//
// Children never inherit Tally's settings from the test's environment
// (variables starting with TALLY_, and DATABASE_URL): a test says every
// setting its process gets.
package tallytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tallyhq/tally/graph/auth"
)

const (
	// readyTimeout bounds the wait for a started server's /readyz.
	readyTimeout = 60 * time.Second
	// stopTimeout bounds a server's drain after SIGTERM.
	stopTimeout = 20 * time.Second
)

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

// Binary returns the path of the tally binary, building it on the first
// call of the test process.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "tally-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "tally")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/tallyhq/tally/cmd/tally").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("building tally: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// Main runs the tests of m and removes the binary they built; a package
// whose tests use this one calls it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// Env is the environment of a child: the test process's without Tally's
// settings, then extra ("KEY=value"; a later value of a key wins).
func Env(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TALLY_") || k == "DATABASE_URL" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// Command returns `tally args...` with the environment Env(env...), killed
// when ctx ends; the caller runs it.
func Command(ctx context.Context, t testing.TB, env []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, Binary(t), args...)
	cmd.Env = Env(env...)
	return cmd
}

// Run runs a short command to its end and returns its outputs and exit
// code; a command that cannot be run fails the test.
func Run(t testing.TB, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := Command(context.Background(), t, env, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	code = exitCode(t, cmd.Run(), &out, &errOut)
	return out.String(), errOut.String(), code
}

// exitCode turns a finished command's error into its exit code.
func exitCode(t testing.TB, err error, out, errOut *bytes.Buffer) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode()
	case err != nil:
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}
	return 0
}

// Output runs a short command that must succeed and returns its stdout.
func Output(t testing.TB, env []string, args ...string) string {
	t.Helper()
	stdout, stderr, code := Run(t, env, args...)
	if code != 0 {
		t.Fatalf("tally %s: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
	}
	return stdout
}

// FreeAddr returns a loopback address no one listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// Log collects a process's output; it may be read while the process writes.
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything written so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// LinesWith returns the lines written so far that contain s.
func (l *Log) LinesWith(s string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		if strings.Contains(line, s) {
			out = append(out, line)
		}
	}
	return out
}

// Server is one `tally serve` process.
type Server struct {
	URL  string    // http://127.0.0.1:PORT
	Cmd  *exec.Cmd // the process; signal it through Cmd.Process
	Log  *Log      // its stdout and stderr
	done chan struct{}
	err  error // Wait's result, once done is closed
}

// Start runs `tally serve --addr 127.0.0.1:PORT args...` with the
// environment Env(env...) and returns at once; call WaitReady before
// using it, or Wait when it is meant to refuse to start. At cleanup a
// server still running is stopped as by Stop, and a failed test logs the
// server's output.
func Start(t testing.TB, env []string, args ...string) *Server {
	t.Helper()
	addr := FreeAddr(t)
	cmd := exec.Command(Binary(t), append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = Env(env...)
	// A working directory of its own: what the server writes by default
	// relative to it (./mail's .eml files on PostgreSQL) stays out of the
	// source tree.
	cmd.Dir = t.TempDir()
	s := &Server{URL: "http://" + addr, Cmd: cmd, Log: &Log{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = s.Log, s.Log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output of the server on %s:\n%s", s.URL, s.Log)
		}
		s.Stop(t)
	})
	return s
}

// StartReady is Start followed by WaitReady.
func StartReady(t testing.TB, env []string, args ...string) *Server {
	t.Helper()
	s := Start(t, env, args...)
	s.WaitReady(t)
	return s
}

// WaitReady waits until the server answers /readyz with 200, failing the
// test if it exits first or takes longer than a minute.
func (s *Server) WaitReady(t testing.TB) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(readyTimeout)
	var lastErr error
	for {
		resp, err := http.Get(s.URL + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = fmt.Errorf("/readyz answered %d", resp.StatusCode)
		}
		lastErr = err
		select {
		case <-s.done:
			t.Fatalf("server exited before it was ready: %v\n%s", s.err, s.Log)
		case <-deadline:
			t.Fatalf("server not ready within %v: %v\n%s", readyTimeout, lastErr, s.Log)
		case <-tick.C:
		}
	}
}

// Wait waits up to timeout for the process to exit and returns its exit
// code.
func (s *Server) Wait(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(timeout):
		t.Fatalf("server still running %v later\n%s", timeout, s.Log)
	}
	var ee *exec.ExitError
	if errors.As(s.err, &ee) {
		return ee.ExitCode()
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	return 0
}

// Stop sends SIGTERM to a running server and expects it to drain and exit
// 0 within 20 seconds; it kills a server that does not. A server that has
// already exited is left as it is: its test looked at how it ended.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		if s.err != nil {
			t.Errorf("server exited with %v\n%s", s.err, s.Log)
		}
	case <-time.After(stopTimeout):
		_ = s.Cmd.Process.Kill()
		<-s.done
		t.Errorf("server did not stop within %v\n%s", stopTimeout, s.Log)
	}
}

// AuditClean runs `tally audit --json` on the store at dbURL and fails the
// test, with the discrepancies, unless it exits 0 (clean). It returns the
// report's "checked" counts (orgs, ledgerEntries, grants, orders, …) for
// the test's log.
func AuditClean(t testing.TB, dbURL string) map[string]int64 {
	t.Helper()
	stdout, stderr, code := Run(t, []string{"DATABASE_URL=" + dbURL}, "audit", "--json")
	if code != 0 {
		t.Fatalf("tally audit: exit %d (1: discrepancies, 2: could not run)\n%s%s", code, stdout, stderr)
	}
	var rep struct {
		Checked map[string]int64 `json:"checked"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("tally audit --json: %v\n%s", err, stdout)
	}
	return rep.Checked
}

// Token mints an HS256 user token a test server started with secret
// accepts: subject "<issuer>|<email>", the email as the name, valid an
// hour; admin makes it a Tally admin.
func Token(t testing.TB, secret, issuer, email string, admin bool) string {
	t.Helper()
	tok, err := auth.Mint([]byte(secret), auth.Claims{Subject: issuer + "|" + email, Email: email, Name: email, Admin: admin, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
