package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
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

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/cmd/tally/internal/scrape"
)

// The tests below build the real binary and drive it as an operator would.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// tallyBinary builds cmd/tally once per test run.
func tallyBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "tally-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "tally")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// childEnv is the test process's environment without Tally's variables,
// plus extra.
func childEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TALLY_") || k == "DATABASE_URL" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// syncBuffer collects a child's output from its copying goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a running `tally serve`.
type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	logs *syncBuffer
	done chan struct{}
	err  error // Wait's result, once done is closed
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startServer runs `tally serve` with env; it is killed at cleanup if the
// test did not stop it.
func startServer(t *testing.T, env map[string]string, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	env["TALLY_ADDR"] = addr
	s := &server{base: "http://" + addr, logs: &syncBuffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(tallyBinary(t), append([]string{"serve"}, args...)...)
	s.cmd.Env = childEnv(env)
	s.cmd.Stdout = s.logs
	s.cmd.Stderr = s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Kill()
			<-s.done
		}
		if t.Failed() {
			t.Logf("server output:\n%s", s.logs.String())
		}
	})
	return s
}

// waitReady polls /readyz until it answers 200.
func (s *server) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			t.Fatalf("server exited before it was ready: %v", s.err)
		default:
		}
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("server not ready within 60s")
}

// wait waits for the process to exit and returns its exit code.
func (s *server) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(timeout):
		t.Fatalf("server still running %s later", timeout)
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

// runTally runs a short subcommand and returns its stdout.
func runTally(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(tallyBinary(t), args...)
	cmd.Env = childEnv(env)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("tally %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out), nil
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// graphql posts one operation and decodes data into out; it fails the test
// on any GraphQL error.
func graphql(t *testing.T, base, token, query string, vars map[string]any, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var r gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	if len(r.Errors) > 0 || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, errors %+v", resp.StatusCode, r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatal(err)
	}
}

const (
	createOrg = `mutation($in: CreateOrgInput!) { createOrg(input: $in) { org { id balance { total free } } } }`
	consume   = `mutation($in: ConsumeCreditsInput!) { consumeCredits(input: $in) { entry { amount } balance { total } } }`
	watch     = `subscription($org: ID!) { balanceUpdated(orgId: $org) { balance { total } } }`
)

// TestServeSQLite starts the binary on a fresh SQLite file, mints a token
// with `tally token`, runs GraphQL over HTTP and a websocket, then checks
// that SIGTERM closes the websocket and exits 0 well within the timeout.
func TestServeSQLite(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":           "sqlite://" + filepath.Join(t.TempDir(), "tally.db"),
		"TALLY_JWT_SECRET":       "e2e-secret-e2e-secret-e2e-secret",
		"TALLY_SHUTDOWN_TIMEOUT": "10s",
	}
	s := startServer(t, env)
	s.waitReady(t)

	for path, want := range map[string]int{"/healthz": 200, "/metrics": 200, "/": 200} {
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}

	token, err := runTally(t, env, "token", "--email", "e2e@example.com", "--name", "E2E")
	if err != nil {
		t.Fatal(err)
	}
	token = strings.TrimSpace(token)
	if strings.Count(token, ".") != 2 {
		t.Fatalf("token %q is not a JWT", token)
	}

	var plans struct {
		Plans []struct{ Code string } `json:"plans"`
	}
	graphql(t, s.base, "", `{ plans { code } }`, nil, &plans)
	if len(plans.Plans) == 0 {
		t.Error("the default catalog was not seeded into the empty SQLite store")
	}

	var created struct {
		CreateOrg struct {
			Org struct {
				ID      string
				Balance struct{ Total, Free int64 }
			}
		}
	}
	graphql(t, s.base, token, createOrg, map[string]any{"in": map[string]any{"name": "Acme", "country": "DE", "currency": "EUR"}}, &created)
	org := created.CreateOrg.Org
	if org.ID == "" || org.Balance.Total != 10_000 || org.Balance.Free != 10_000 {
		t.Fatalf("created org = %+v, want the 10,000 sign-up credits", org)
	}

	// A subscriber over graphql-transport-ws sees the next debit.
	wsURL := "ws" + strings.TrimPrefix(s.base, "http") + "/graphql"
	conn, _, err := (&websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}).Dial(wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	send := func(v any) {
		if err := conn.WriteJSON(v); err != nil {
			t.Fatal(err)
		}
	}
	type wsMsg struct {
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	next := func() wsMsg {
		for {
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			var m wsMsg
			if err := conn.ReadJSON(&m); err != nil {
				t.Fatalf("websocket read: %v", err)
			}
			if m.Type != "ping" && m.Type != "pong" && m.Type != "ka" {
				return m
			}
		}
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + token}})
	if m := next(); m.Type != "connection_ack" {
		t.Fatalf("got %s %s, want connection_ack", m.Type, m.Payload)
	}
	send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": watch, "variables": map[string]any{"org": org.ID}}})
	waitSubscriptions(t, s.base, 1) // registered with the bus before the debit

	var spent struct {
		ConsumeCredits struct {
			Entry   struct{ Amount int64 }
			Balance struct{ Total int64 }
		}
	}
	graphql(t, s.base, token, consume, map[string]any{"in": map[string]any{"orgId": org.ID, "amount": 2500, "idempotencyKey": "e2e-1"}}, &spent)
	if spent.ConsumeCredits.Entry.Amount != -2500 || spent.ConsumeCredits.Balance.Total != 7500 {
		t.Fatalf("consumeCredits = %+v", spent.ConsumeCredits)
	}
	for {
		m := next()
		if m.Type != "next" {
			t.Fatalf("got %s %s, want next", m.Type, m.Payload)
		}
		if strings.Contains(string(m.Payload), `"total":7500`) {
			break
		}
	}

	// SIGTERM: the open websocket is closed by the server and the process
	// exits 0, long before the 10s drain timeout.
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(8 * time.Second))
	for {
		var m wsMsg
		if err := conn.ReadJSON(&m); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Errorf("websocket ended with %v, want a close frame", err)
			}
			break
		}
	}
	if code := s.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("shutdown took %s", d)
	}
	if !strings.Contains(s.logs.String(), "shutdown complete") {
		t.Error("no clean shutdown logged")
	}
}

// TestServePostgres: serve refuses a database whose migrations are not
// current, `tally migrate` fixes that, and serve then runs on PostgreSQL with
// the LISTEN/NOTIFY bus and answers /readyz.
func TestServePostgres(t *testing.T) {
	dbURL := scratchPostgres(t)
	env := map[string]string{"DATABASE_URL": dbURL, "TALLY_JWT_SECRET": "e2e-secret-e2e-secret-e2e-secret"}

	s := startServer(t, env)
	if code := s.wait(t, 30*time.Second); code == 0 {
		t.Fatal("serve started on an unmigrated database")
	}
	if !strings.Contains(s.logs.String(), "tally migrate") {
		t.Errorf("the refusal does not say how to fix it:\n%s", s.logs.String())
	}

	if _, err := runTally(t, env, "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := runTally(t, env, "migrate"); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	out, err := runTally(t, env, "seed")
	if err != nil || !strings.Contains(out, "plans") {
		t.Fatalf("seed: %q %v", out, err)
	}

	s = startServer(t, env)
	s.waitReady(t)
	token, err := runTally(t, env, "token", "--email", "pg@example.com")
	if err != nil {
		t.Fatal(err)
	}
	var created struct {
		CreateOrg struct{ Org struct{ ID string } }
	}
	graphql(t, s.base, strings.TrimSpace(token), createOrg, map[string]any{"in": map[string]any{"name": "PG", "country": "BR", "currency": "BRL"}}, &created)
	if created.CreateOrg.Org.ID == "" {
		t.Fatal("no org created")
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := s.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

// scratchPostgres creates an empty database on the test server (the
// TALLY_TEST_POSTGRES_URL convention of db/dbtest) and drops it at cleanup.
func scratchPostgres(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("TALLY_TEST_POSTGRES_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("PostgreSQL is needed at %s (see .ci/run): %v", admin, err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "tally_cmd_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer func() { _ = c.Close(context.Background()) }()
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatal(err)
	}
	u := fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
	if cfg.Password != "" {
		u = fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Password, cfg.Host, cfg.Port, name)
	}
	return u
}

// waitSubscriptions waits until the server at base counts n open subscriptions.
func waitSubscriptions(t *testing.T, base string, n int) {
	t.Helper()
	scrape.WaitForGauge(t, base, scrape.Subscriptions, n, 10*time.Second)
}
