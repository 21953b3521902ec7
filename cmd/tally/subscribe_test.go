package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/scrape"
	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
)

// TestSubscribeCommand runs `tally subscribe` against a running server: the
// README tour's websocket step, and what it says when it cannot subscribe.
func TestSubscribeCommand(t *testing.T) {
	env := []string{
		"DATABASE_URL=sqlite://" + filepath.Join(t.TempDir(), "tally.db"),
		"TALLY_JWT_SECRET=e2e-secret-e2e-secret-e2e-secret",
	}
	s := tallytest.StartReady(t, env)
	token := strings.TrimSpace(tallytest.Output(t, env, "token", "--email", "sub@example.com"))
	var created struct {
		CreateOrg struct{ Org struct{ ID string } }
	}
	graphql(t, s.URL, token, createOrg, map[string]any{"in": map[string]any{"name": "Acme", "country": "DE", "currency": "EUR"}}, &created)
	org := created.CreateOrg.Org.ID
	endpoint := s.URL + "/graphql"

	tests := []struct {
		name   string
		args   []string
		spend  bool // spend once the subscription is registered
		code   int
		stdout string
		stderr string
	}{
		{
			name: "an event as a JSON line", spend: true,
			args:   []string{"--url", endpoint, "--token", token, "--var", "org=" + org, "--count", "2", watch},
			stdout: `{"data":{"balanceUpdated":{"balance":{"total":10000}}}}` + "\n" + `{"data":{"balanceUpdated":{"balance":{"total":7500}}}}`,
			stderr: "waiting for events",
		},
		{
			name: "no token", code: exitFailed,
			args:   []string{"--url", endpoint, "--var", "org=" + org, watch},
			stderr: "UNAUTHENTICATED",
		},
		{
			name: "a field that does not exist", code: exitFailed,
			args:   []string{"--url", endpoint, "--token", token, "subscription { nope }"},
			stderr: "the server refused the subscription",
		},
		{
			name: "no server", code: exitFailed,
			args:   []string{"--url", "http://" + tallytest.FreeAddr(t) + "/graphql", "--token", token, watch},
			stderr: "cannot open a websocket",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := tallytest.Command(context.Background(), t, nil, append([]string{"subscribe"}, tc.args...)...)
			var stdout, stderr tallytest.Log
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if tc.spend {
				waitForSubscriptions(t, s.URL, 1, done)
				graphql(t, s.URL, token, consume, map[string]any{"in": map[string]any{"orgId": org, "amount": 2500, "idempotencyKey": "sub-1"}}, &struct{}{})
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("still running after 30s\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
			}
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout.String(), stderr.String())
			}
			if got := strings.TrimSpace(stdout.String()); got != tc.stdout {
				t.Errorf("stdout %q, want %q", got, tc.stdout)
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tc.stderr)
			}
		})
	}
}

// waitForSubscriptions polls the server's metrics until n subscriptions
// run (the server has registered them), failing if the subscriber exits.
func waitForSubscriptions(t *testing.T, base string, n int, exited <-chan error) {
	t.Helper()
	scrape.WaitForGauge(t, base, scrape.Subscriptions, n, 30*time.Second, exited)
}

// TestREADMETourCommandsParse: the tour's `tally subscribe` and `tally
// token` lines are valid command lines of this binary.
func TestREADMETourCommandsParse(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tour := string(readme)
	tour = tour[strings.Index(tour, "## A five-minute tour"):strings.Index(tour, "## Commands")]
	tests := []struct {
		name string
		line *regexp.Regexp
		args func(m []string) []string
	}{
		{
			name: "subscribe",
			line: regexp.MustCompile(`go run ./cmd/tally subscribe (--count 2) --token "\$TOKEN" --var org="\$ORG" \\\n\s*'([^']+)' &`),
			args: func(m []string) []string {
				return append(append([]string{"subscribe"}, strings.Fields(m[1])...), "--token", "t", "--var", "org=o", m[2])
			},
		},
		{
			name: "token",
			line: regexp.MustCompile(`go run ./cmd/tally token --email (\S+) --name (\w+)\)`),
			args: func(m []string) []string { return []string{"token", "--email", m[1], "--name", m[2]} },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.line.FindStringSubmatch(tour)
			if m == nil {
				t.Fatalf("the tour has no %s step like %s", tc.name, tc.line)
			}
			var cli CLI
			parser, err := newParser(&cli)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := parser.Parse(tc.args(m)); err != nil {
				t.Fatalf("%v: %v", tc.args(m), err)
			}
		})
	}
}
