package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/cmd/tally/internal/scrape"
	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
)

// The tests below drive the real binary, as an operator would, through
// the harness in internal/tallytest.

func TestMain(m *testing.M) { tallytest.Main(m) }

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
// with `tally token`, runs GraphQL over HTTP, opens a subscription, then
// checks that SIGTERM closes the websocket and exits 0 well within the
// timeout.
func TestServeSQLite(t *testing.T) {
	env := []string{
		"DATABASE_URL=sqlite://" + filepath.Join(t.TempDir(), "tally.db"),
		"TALLY_JWT_SECRET=e2e-secret-e2e-secret-e2e-secret",
		"TALLY_SHUTDOWN_TIMEOUT=10s",
	}
	s := tallytest.StartReady(t, env)

	for path, want := range map[string]int{"/healthz": 200, "/metrics": 200, "/": 200} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}

	token := strings.TrimSpace(tallytest.Output(t, env, "token", "--email", "e2e@example.com", "--name", "E2E"))
	if strings.Count(token, ".") != 2 {
		t.Fatalf("token %q is not a JWT", token)
	}

	var plans struct {
		Plans []struct{ Code string } `json:"plans"`
	}
	graphql(t, s.URL, "", `{ plans { code } }`, nil, &plans)
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
	graphql(t, s.URL, token, createOrg, map[string]any{"in": map[string]any{"name": "Acme", "country": "DE", "currency": "EUR"}}, &created)
	org := created.CreateOrg.Org
	if org.ID == "" || org.Balance.Total != 10_000 || org.Balance.Free != 10_000 {
		t.Fatalf("created org = %+v, want the 10,000 sign-up credits", org)
	}

	// A subscriber over graphql-transport-ws, for SIGTERM to close. That it
	// sees each debit is e2e's TestSubscriptionProtocols (both protocols,
	// both stores) and TestSubscribeCommand here.
	wsURL := "ws" + strings.TrimPrefix(s.URL, "http") + "/graphql"
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
	waitSubscriptions(t, s.URL, 1) // registered, so it is open when SIGTERM comes

	// SIGTERM: the open websocket is closed by the server and the process
	// exits 0, long before the 10s drain timeout.
	start := time.Now()
	if err := s.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
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
	if code := s.Wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("shutdown took %s", d)
	}
	if !strings.Contains(s.Log.String(), "shutdown complete") {
		t.Error("no clean shutdown logged")
	}
}

// TestServePostgres: serve refuses a database whose migrations are not
// current, `tally migrate` fixes that, and serve then runs on PostgreSQL with
// the LISTEN/NOTIFY bus and answers /readyz.
func TestServePostgres(t *testing.T) {
	dbURL := scratchPostgres(t)
	env := []string{"DATABASE_URL=" + dbURL, "TALLY_JWT_SECRET=e2e-secret-e2e-secret-e2e-secret"}

	s := tallytest.Start(t, env)
	if code := s.Wait(t, 30*time.Second); code == 0 {
		t.Fatal("serve started on an unmigrated database")
	}
	if !strings.Contains(s.Log.String(), "tally migrate") {
		t.Errorf("the refusal does not say how to fix it:\n%s", s.Log.String())
	}

	tallytest.Output(t, env, "migrate")
	tallytest.Output(t, env, "migrate") // a second run finds nothing to do
	if out := tallytest.Output(t, env, "seed"); !strings.Contains(out, "plans") {
		t.Fatalf("seed: %q", out)
	}

	s = tallytest.StartReady(t, env)
	token := tallytest.Output(t, env, "token", "--email", "pg@example.com")
	var created struct {
		CreateOrg struct{ Org struct{ ID string } }
	}
	graphql(t, s.URL, strings.TrimSpace(token), createOrg, map[string]any{"in": map[string]any{"name": "PG", "country": "BR", "currency": "BRL"}}, &created)
	if created.CreateOrg.Org.ID == "" {
		t.Fatal("no org created")
	}
	if err := s.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := s.Wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

// scratchPostgres creates an empty database on the test server (the
// TALLY_TEST_POSTGRES_URL convention of db/dbtest) and drops it at cleanup.
func scratchPostgres(t testing.TB) string {
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
