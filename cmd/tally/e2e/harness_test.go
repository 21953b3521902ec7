package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/db/dbtest"
)

// secret is the HS256 secret every test server and token shares.
const secret = "e2e-39c3b22880df7e133f90160d45a9cedda0f54eae783afb02" // random: production refuses predictable secrets

func TestMain(m *testing.M) { tallytest.Main(m) }

// backend makes fresh databases of one kind.
type backend struct {
	name  string
	newDB func(t *testing.T) string // a migrated, empty database URL
}

var backends = []backend{
	{"postgres", func(t *testing.T) string { return dbtest.PostgresURL(t) }},
	{"sqlite", func(t *testing.T) string {
		return "sqlite://" + filepath.Join(t.TempDir(), "tally.db")
	}},
}

// forEachBackend runs fn as a subtest per database kind.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

// server is one running `tally serve` process.
type server struct {
	URL   string // http://127.0.0.1:PORT
	DBURL string
	cmd   *exec.Cmd
	log   *tallytest.Log
	proc  *tallytest.Server
}

// stop stops the server now, as cleanup would, so that its log is final.
func (s *server) stop(t *testing.T) { s.proc.Stop(t) }

// startServer runs `tally serve` on dbURL with extra environment and waits
// until it is ready. It is stopped with SIGTERM at cleanup, and must then
// exit 0.
func startServer(t *testing.T, dbURL string, env ...string) *server {
	t.Helper()
	base := []string{
		"DATABASE_URL=" + dbURL,
		"TALLY_JWT_SECRET=" + secret,
		"TALLY_LOG_LEVEL=warn",
		"TALLY_ALLOWED_ORIGINS=http://app.example",
	}
	// Rate limits stay on but far away: every test client is 127.0.0.1,
	// and tests hammer one user or org on purpose. ratelimit_test.go sets
	// its own (a later value of a variable wins).
	base = append(base, generousLimits...)
	p := tallytest.StartReady(t, append(base, env...))
	return &server{URL: p.URL, DBURL: dbURL, cmd: p.Cmd, log: p.Log, proc: p}
}

// token mints a user token the test servers accept.
func token(t *testing.T, email string, admin bool) string {
	t.Helper()
	return tallytest.Token(t, secret, "e2e", email, admin)
}

// gqlError is one GraphQL error as the API reports it.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code       string `json:"code"`
		Field      string `json:"field"`
		RetryAfter int    `json:"retryAfter"`
	} `json:"extensions"`
}

// result is a GraphQL response.
type result struct {
	Status int
	Data   map[string]json.RawMessage
	Errors []gqlError
}

// code returns the first error's code, or "".
func (r result) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].Extensions.Code
}

// requestIDKey marks a context whose requests carry an X-Request-Id, so
// that the server's log lines for them can be found.
type requestIDKey struct{}

// withRequestID returns ctx whose requests send X-Request-Id: id.
func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// client calls one server's GraphQL endpoint with a credential.
type client struct {
	s    *server
	auth string // Authorization header value, "" for anonymous
	http *http.Client
}

func (s *server) as(authorization string) *client {
	return &client{s: s, auth: authorization, http: &http.Client{Timeout: 30 * time.Second}}
}

// user is a client signed in as email.
func (s *server) user(t *testing.T, email string) *client {
	return s.as("Bearer " + token(t, email, false))
}

// do posts a query and decodes the answer; transport failures fail the test.
func (c *client) do(t testing.TB, query string, vars map[string]any) result {
	t.Helper()
	r, err := c.try(context.Background(), query, vars)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// try is do without a test, for goroutines.
func (c *client) try(ctx context.Context, query string, vars map[string]any) (result, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return result{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	if id, ok := ctx.Value(requestIDKey{}).(string); ok {
		req.Header.Set("X-Request-Id", id)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return result{}, err
	}
	r := result{Status: resp.StatusCode}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("status %d, undecodable body %q: %w", resp.StatusCode, raw, err)
	}
	return r, nil
}

// must runs a query that must succeed and decodes data[field] into out.
func (c *client) must(t testing.TB, query string, vars map[string]any, field string, out any) {
	t.Helper()
	r := c.do(t, query, vars)
	if len(r.Errors) > 0 {
		t.Fatalf("query failed: %+v\n%s", r.Errors, query)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data[field], out); err != nil {
			t.Fatalf("decoding %s: %v", field, err)
		}
	}
}

// createOrg creates an org as c and returns its global ID.
func (c *client) createOrg(t testing.TB, name, country, currency string) string {
	t.Helper()
	var out struct{ Org struct{ ID string } }
	c.must(t, `mutation($in: CreateOrgInput!) { createOrg(input: $in) { org { id } } }`,
		map[string]any{"in": map[string]any{"name": name, "country": country, "currency": currency}}, "createOrg", &out)
	return out.Org.ID
}

// balance reads an org's total balance.
func (c *client) balance(t testing.TB, orgID string) int64 {
	t.Helper()
	var out struct{ Balance struct{ Total int64 } }
	c.must(t, `query($id: ID!) { org(id: $id) { balance { total } } }`, map[string]any{"id": orgID}, "org", &out)
	return out.Balance.Total
}

const consumeMutation = `mutation($in: ConsumeCreditsInput!) {
  consumeCredits(input: $in) { entry { id amount balanceAfter } balance { total } }
}`

// consume spends amount with key and returns the raw result.
func (c *client) consume(ctx context.Context, orgID string, amount int64, key string) (result, error) {
	return c.try(ctx, consumeMutation, map[string]any{"in": map[string]any{
		"orgId": orgID, "amount": amount, "idempotencyKey": key, "reason": "e2e",
	}})
}

// invite invites email with role as c (an OWNER or ADMIN) and returns the token.
func (c *client) invite(t testing.TB, orgID, email, role string) string {
	t.Helper()
	var out struct{ Token string }
	c.must(t, `mutation($org: ID!, $email: String!, $role: Role!) { inviteMember(orgId: $org, email: $email, role: $role) { token } }`,
		map[string]any{"org": orgID, "email": email, "role": role}, "inviteMember", &out)
	if !strings.HasPrefix(out.Token, "tlyinv_") {
		t.Fatalf("invitation token %q", out.Token)
	}
	return out.Token
}
