package conformance

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
)

// secret is the HS256 secret of the test server and its tokens.
const secret = "conformance-5f0c8e1d2a7b4c6e9f3a1b8d7c2e4f6a0b9c8d7e" // random: not a predictable secret

// origin is the browser origin the SPA check claims, and the server allows.
const origin = "http://app.example"

// nodeTimeout bounds one node script: a hung client fails the test with
// the script's output instead of waiting for go test's own timeout.
const nodeTimeout = 3 * time.Minute

func TestMain(m *testing.M) { tallytest.Main(m) }

// requireNode returns the node binary once node and the npm packages of
// package-lock.json are installed. Without them the test fails in CI (CI
// set: a CI that cannot run the check must not pass) and skips elsewhere,
// saying what to install.
func requireNode(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		msg := what + "; install Node.js 20 or newer and run `npm ci` in cmd/tally/conformance (.ci/run does)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (this fails instead of skipping when CI is set)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	for _, pkg := range []string{"graphql-http", "graphql-ws", "@apollo/client", "graphql", "ws", "rxjs"} {
		if _, err := os.Stat(filepath.Join("node_modules", pkg, "package.json")); err != nil {
			missing("the npm package " + pkg + " is not installed in cmd/tally/conformance/node_modules")
		}
	}
	return node
}

// startServer runs `tally serve` in development (so /metrics is open to
// the SPA check) on a fresh SQLite database.
func startServer(t *testing.T) *tallytest.Server {
	t.Helper()
	return tallytest.StartReady(t, []string{
		"DATABASE_URL=sqlite://" + filepath.Join(t.TempDir(), "tally.db"),
		"TALLY_JWT_SECRET=" + secret,
		"TALLY_LOG_LEVEL=warn",
		"TALLY_ALLOWED_ORIGINS=" + origin,
		// The audit sends its ~60 requests at once, more than the default
		// burst of one user's requests.
		"TALLY_RATE_LIMIT_USER_BURST=1000",
	})
}

// runNode runs `node script` here with env added and returns its output,
// failing the test with the output when it exits non-zero.
func runNode(t *testing.T, node, script string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	t.Logf("node %s:\n%s", script, out.String())
	if err != nil {
		t.Fatalf("node %s: %v", script, err)
	}
	return out.String()
}

// TestGraphQLOverHTTPAudit runs the GraphQL over HTTP audit against the
// binary with a bearer token: every MUST and SHOULD item passes. The MAY
// items about GET fail on purpose (no operations over GET: CSRF), and no
// other may.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	node := requireNode(t)
	s := startServer(t)
	out := runNode(t, node, "audit.mjs",
		"TALLY_URL="+s.URL, "TALLY_TOKEN="+tallytest.Token(t, secret, "conformance", "audit@example.com", false))
	if !strings.Contains(out, `summary {"ok":`) {
		t.Fatalf("no summary in the audit's output")
	}
	// GET is declined on purpose; any other MAY item that fails is news.
	mayFail := regexp.MustCompile(`(?m)^FAIL  \S+ MAY (.*)$`)
	for _, m := range mayFail.FindAllStringSubmatch(out, -1) {
		if !strings.Contains(m[1], "GET") {
			t.Errorf("MAY item failed: %s", m[1])
		}
	}
}

// TestSPAClients: Apollo Client (HttpLink and GraphQLWsLink) and the
// graphql-ws client run a mutation and a query over HTTP and receive a
// live balanceUpdated after a spend, from an allowed browser origin.
func TestSPAClients(t *testing.T) {
	node := requireNode(t)
	s := startServer(t)
	out := runNode(t, node, "spa.mjs",
		"TALLY_URL="+s.URL, "TALLY_ORIGIN="+origin,
		"TALLY_TOKEN="+tallytest.Token(t, secret, "conformance", "spa@example.com", false))
	for _, want := range []string{"Apollo GraphQLWsLink: balanceUpdated pushed", "graphql-ws client: balanceUpdated pushed"} {
		if !strings.Contains(out, "ok    "+want) {
			t.Errorf("no %q in the output", want)
		}
	}
}
