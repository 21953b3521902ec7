package main

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
)

// TestCommandLine: the help, version and usage errors a newcomer meets
// first, and that each command's help lists the flags it uses, not the
// server's.
func TestCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		stdout     []string // substrings stdout must hold
		stderr     []string // substrings stderr must hold
		notStdout  []string // substrings stdout must not hold
		stdoutOnly bool     // stderr must be empty
	}{
		{name: "bare tally prints the help", args: nil, stdout: []string{"Usage: tally <command>", "serve", "config", "subscribe"}, stdoutOnly: true},
		{name: "--version", args: []string{"--version"}, stdout: []string{"tally dev (go"}, stdoutOnly: true},
		{name: "version", args: []string{"version"}, stdout: []string{"tally dev (go"}, stdoutOnly: true},
		{name: "help", args: []string{"help"}, stdout: []string{"Commands:", "migrate"}, stdoutOnly: true},
		{name: "help serve", args: []string{"help", "serve"}, stdout: []string{"Usage: tally serve", "--addr", "--database-url"}, stdoutOnly: true},
		{name: "unknown command", args: []string{"nope"}, code: 2, stderr: []string{"tally: error: unexpected argument nope", `Run "tally --help"`}},
		{name: "unknown flag", args: []string{"serve", "--nope"}, code: 2, stderr: []string{"unknown flag --nope", `Run "tally serve --help"`}},
		{
			name: "token's help: token settings only", args: []string{"token", "--help"},
			stdout:    []string{"--email", "--jwt-secret", "--ttl"},
			notStdout: []string{"--database-url", "--addr", "--stripe"},
		},
		{
			name: "version's help: no settings", args: []string{"version", "--help"},
			notStdout: []string{"--database-url", "--jwt-secret", "--env"},
		},
		{
			name: "migrate's help: the store only", args: []string{"migrate", "--help"},
			stdout:    []string{"--database-url", "--db-max-conns"},
			notStdout: []string{"--jwt-secret", "--addr", "--stripe"},
		},
		{
			name: "reconcile's help: the gateways, not the server", args: []string{"reconcile", "--help"},
			stdout:    []string{"--database-url", "--stripe-secret-key", "--older-than"},
			notStdout: []string{"--addr", "--sandbox", "--invoice-issuer", "--reconcile-interval", "--jwt-secret"},
		},
		{
			name: "a help text with a backslash n reads as one sentence", args: []string{"serve", "--help"},
			stdout: []string{"write \\n (backslash n) between its lines"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := tallytest.Run(t, nil, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tc.notStdout {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout holds %q:\n%s", s, stdout)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tc.stdoutOnly && stderr != "" {
				t.Errorf("stderr: %s", stderr)
			}
		})
	}
}

// TestStartupErrors: a server that cannot start says why in one line,
// once, naming the setting to change, without internal prefixes, raw
// templates or a misleading driver message.
func TestStartupErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = busy.Close() }()
	dir := t.TempDir()
	notADir := filepath.Join(dir, "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "readonly")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	sqlite := "sqlite://" + filepath.Join(dir, "ok.db")
	tests := []struct {
		name     string
		args     []string
		env      []string
		want     []string // in the one error line
		skipRoot bool     // root writes anywhere
	}{
		{
			name: "busy port", args: []string{"serve"},
			env:  []string{"TALLY_ADDR=" + busy.Addr().String(), "DATABASE_URL=" + sqlite},
			want: []string{"cannot listen on " + busy.Addr().String(), "TALLY_ADDR"},
		},
		{
			name: "busy port in production", args: []string{"serve"},
			env:  []string{"TALLY_ADDR=" + busy.Addr().String(), "DATABASE_URL=" + sqlite, "TALLY_ENV=production", "TALLY_JWT_SECRET=" + longSecret},
			want: []string{"cannot listen on ", "TALLY_ADDR"},
		},
		{
			name: "PostgreSQL not running", args: []string{"serve"},
			env:  []string{"TALLY_ADDR=127.0.0.1:0", "DATABASE_URL=postgres://postgres@" + tallytest.FreeAddr(t) + "/tally?sslmode=disable"},
			want: []string{"cannot reach PostgreSQL at 127.0.0.1:", "connection refused", "DATABASE_URL"},
		},
		{
			name: "PostgreSQL not running, migrate", args: []string{"migrate"},
			env:  []string{"DATABASE_URL=postgres://postgres:hunter2@" + tallytest.FreeAddr(t) + "/tally?sslmode=disable"},
			want: []string{"cannot reach PostgreSQL", "DATABASE_URL", "postgres:xxxxx@"},
		},
		{
			name: "SQLite directory missing", args: []string{"serve"},
			env:  []string{"TALLY_ADDR=127.0.0.1:0", "DATABASE_URL=sqlite://" + filepath.Join(dir, "missing", "tally.db")},
			want: []string{"the directory " + filepath.Join(dir, "missing") + " does not exist", "DATABASE_URL"},
		},
		{
			name: "SQLite directory is a file", args: []string{"migrate"},
			env:  []string{"DATABASE_URL=sqlite://" + filepath.Join(notADir, "tally.db")},
			want: []string{notADir + " is not a directory", "DATABASE_URL"},
		},
		{
			name: "SQLite directory read-only", args: []string{"serve"}, skipRoot: true,
			env:  []string{"TALLY_ADDR=127.0.0.1:0", "DATABASE_URL=sqlite://" + filepath.Join(readOnly, "tally.db")},
			want: []string{"the directory " + readOnly + " is not writable", "DATABASE_URL"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skipRoot && os.Geteuid() == 0 {
				t.Skip("root may write into a read-only directory")
			}
			stdout, stderr, code := tallytest.Run(t, tc.env, tc.args...)
			if code != exitFailed {
				t.Fatalf("exit %d, want %d\n%s%s", code, exitFailed, stdout, stderr)
			}
			var errLines []string
			for _, line := range strings.Split(stderr, "\n") {
				if strings.Contains(line, "error") || strings.Contains(line, "ERROR") {
					errLines = append(errLines, line)
				}
			}
			if len(errLines) != 1 {
				t.Fatalf("%d error lines, want 1:\n%s", len(errLines), stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(errLines[0], w) {
					t.Errorf("error line lacks %q: %s", w, errLines[0])
				}
			}
			for _, bad := range []string{"INTERNAL", "internal error", "%v", "out of memory", "hunter2"} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr holds %q:\n%s", bad, stderr)
				}
			}
		})
	}
}

// TestConfigCommand: `tally config` prints serve's settings with where
// each comes from, masks secrets, and fails on settings serve refuses.
func TestConfigCommand(t *testing.T) {
	env := []string{
		"DATABASE_URL=postgres://tally:hunter2@db.example:5432/tally",
		"TALLY_JWT_SECRET=" + longSecret,
		"STRIPE_SECRET_KEY=sk_test_visible",
	}
	tests := []struct {
		name      string
		args      []string
		env       []string
		code      int
		stdout    []string
		notStdout []string
		stderr    string
	}{
		{
			name: "environment and defaults", env: env,
			stdout: []string{
				"DATABASE_URL=postgres://tally:xxxxx@db.example:5432/tally", "TALLY_JWT_SECRET=********", "STRIPE_SECRET_KEY=********",
				"TALLY_ADDR=:8080", "TALLY_MAX_TOKENS=10000", "TALLY_RATE_LIMIT_API_KEY=10000", "TALLY_JWT_MAX_TTL=24h", "These settings are valid.",
			},
			notStdout: []string{"hunter2", longSecret, "sk_test_visible"},
		},
		{
			name: "a flag wins", args: []string{"--addr", ":9000", "--free-seats=7"}, env: env,
			stdout: []string{"TALLY_ADDR=:9000", "# flag --addr", "TALLY_FREE_SEATS=7"},
		},
		{name: "the development secret is said", env: []string{}, stdout: []string{"TALLY_JWT_SECRET=", "public development secret"}},
		{
			name: "invalid settings fail", env: []string{"TALLY_FREE_SEATS=0"}, code: exitFailed,
			stderr: "tally serve would refuse these settings: TALLY_FREE_SEATS must be at least 1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := tallytest.Run(t, tc.env, append([]string{"config"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, stdout, stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tc.notStdout {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout shows %q", s)
				}
			}
			if !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr lacks %q: %s", tc.stderr, stderr)
			}
		})
	}
}

// TestConfigMasksEverySecret: every variable whose name suggests a secret
// is classified here, and `tally config` masks exactly the secret ones.
func TestConfigMasksEverySecret(t *testing.T) {
	secrets := map[string]bool{
		"TALLY_JWT_SECRET": true, "TALLY_SANDBOX_WEBHOOK_SECRET": true, "TALLY_METRICS_TOKEN": true,
		"STRIPE_SECRET_KEY": true, "STRIPE_WEBHOOK_SECRET": true, "PAYPAL_SECRET": true,
		"MERCADOPAGO_ACCESS_TOKEN": true, "MERCADOPAGO_WEBHOOK_SECRET": true,
		// Names that look secret but are not.
		"TALLY_MAX_TOKENS": false, "TALLY_RATE_LIMIT_API_KEY": false, "TALLY_RATE_LIMIT_API_KEY_BURST": false,
		"PAYPAL_CLIENT_ID": false, "PAYPAL_WEBHOOK_ID": false, "TALLY_INVOICE_ISSUER_TAX_ID": false,
	}
	suspicious := regexp.MustCompile(`SECRET|TOKEN|KEY|PASSWORD|CREDENTIAL|_ID$`)
	for _, name := range envNames(t) {
		secret, classified := secrets[name]
		if !classified && suspicious.MatchString(name) {
			t.Errorf("%s: add it to this test as a secret or not", name)
			continue
		}
		if got := secretSetting.MatchString(name); got != secret {
			t.Errorf("%s masked %v, want %v", name, got, secret)
		}
	}
}

// TestLocalURL: the start-up line's URL is one a terminal makes clickable
// and a browser on this machine opens.
func TestLocalURL(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"[::]:8080", "http://localhost:8080/"},
		{"0.0.0.0:8080", "http://localhost:8080/"},
		{"127.0.0.1:9000", "http://127.0.0.1:9000/"},
		{"[::1]:8080", "http://[::1]:8080/"},
		{"192.0.2.7:80", "http://192.0.2.7:80/"},
	}
	for _, tc := range tests {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := localURL(addr); got != tc.want {
			t.Errorf("localURL(%s) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}
