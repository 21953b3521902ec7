package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/graph"
)

// Secrets every test server and client share (random: the server warns
// about predictable ones).
const (
	secret        = "faults-9c41d7e02b6fa3857e1c4d9b60f2a8e3d5c7b14f"
	sandboxSecret = "faults-sandbox-5e8a1f3c7d92b0649a2e7c4f"
)

func TestMain(m *testing.M) { tallytest.Main(m) }

// scale is the size of a run: small by default, full with
// TALLY_FAULT_SCALE=full.
type scale struct {
	name    string
	clients int           // concurrent clients
	orgs    int           // orgs they spend on and buy for
	load    time.Duration // how long clients start new operations
	kills   int           // faults injected per scenario (SIGKILL)
}

// sizes are the run sizes by TALLY_FAULT_SCALE.
var sizes = map[string]scale{
	"small": {name: "small", clients: 64, orgs: 4, load: 3 * time.Second, kills: 1},
	"full":  {name: "full", clients: 64, orgs: 16, load: 30 * time.Second, kills: 4},
}

// sizeOf returns the run size TALLY_FAULT_SCALE asks for.
func sizeOf(t *testing.T) scale {
	name := os.Getenv("TALLY_FAULT_SCALE")
	if name == "" {
		name = "small"
	}
	s, ok := sizes[name]
	if !ok {
		t.Fatalf("TALLY_FAULT_SCALE=%q: want small or full", name)
	}
	return s
}

// seedOf returns the run's random seed (TALLY_FAULT_SEED, else the clock)
// and logs it, so that a failing run's choices can be replayed.
func seedOf(t *testing.T) uint64 {
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("TALLY_FAULT_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("TALLY_FAULT_SEED=%q: %v", v, err)
		}
		seed = n
	}
	t.Logf("seed %d (replay with TALLY_FAULT_SEED=%d)", seed, seed)
	return seed
}

// backend makes fresh databases of one kind.
type backend struct {
	name  string
	newDB func(t *testing.T) string // a migrated, empty database URL
}

var (
	postgres = backend{"postgres", func(t *testing.T) string { return dbtest.PostgresURL(t) }}
	sqlite   = backend{"sqlite", func(t *testing.T) string {
		return "sqlite://" + filepath.Join(t.TempDir(), "tally.db")
	}}
)

// serverEnv is the environment of every test server on dbURL: the sandbox
// gateway with a secret the test's provider signs with, no sign-up gift
// (balances are the test's grants), no rate limits (the load comes from
// one address on purpose), emails to a temporary folder.
func serverEnv(t *testing.T, dbURL string, extra ...string) []string {
	return append([]string{
		"DATABASE_URL=" + dbURL,
		"TALLY_JWT_SECRET=" + secret,
		"TALLY_LOG_LEVEL=" + logLevel(),
		"TALLY_RATE_LIMIT=false",
		"TALLY_SANDBOX=on",
		"TALLY_SANDBOX_WEBHOOK_SECRET=" + sandboxSecret,
		"TALLY_SIGNUP_CREDITS=0",
		"TALLY_MAIL_DIR=" + t.TempDir(),
	}, extra...)
}

// seedCatalog loads the default catalog into dbURL.
func seedCatalog(t *testing.T, dbURL string) {
	t.Helper()
	tallytest.Output(t, []string{"DATABASE_URL=" + dbURL, "TALLY_LOG_LEVEL=warn"}, "seed")
}

// token mints a user token the test servers accept.
func token(t *testing.T, email string, admin bool) string {
	t.Helper()
	return tallytest.Token(t, secret, "faults", email, admin)
}

// localID turns a global ID into the store's ID.
func localID(global string) (string, error) {
	_, id, err := graph.DecodeID("id", global)
	return id, err
}

// targets are the servers clients may send to, as a load balancer sees
// them: a killed server leaves, its replacement joins.
type targets struct {
	mu   sync.RWMutex
	urls []string
	next atomic.Uint64
}

// set replaces the live servers.
func (p *targets) set(urls ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.urls = append([]string(nil), urls...)
}

// pick returns a live server round-robin, or "" when none is up.
func (p *targets) pick() string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if len(p.urls) == 0 {
		return ""
	}
	return p.urls[p.next.Add(1)%uint64(len(p.urls))]
}

// gqlError is one GraphQL error as the API reports it.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code string `json:"code"`
	} `json:"extensions"`
}

// reply is one HTTP answer: its status and, for GraphQL, the decoded body.
type reply struct {
	status int
	data   map[string]json.RawMessage
	errs   []gqlError
	raw    []byte
}

// code is the first GraphQL error's code, "" without errors.
func (r reply) code() string {
	if len(r.errs) == 0 {
		return ""
	}
	return r.errs[0].Extensions.Code
}

// httpClient is every test client's: enough idle connections for 64
// clients, and a bound on each attempt.
var httpClient = &http.Client{
	Timeout:   20 * time.Second,
	Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: 30 * time.Second},
}

// post sends body to url with headers and reads the answer; err is a
// transport failure (refused, reset, timed out).
func post(ctx context.Context, url string, headers map[string]string, body []byte) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	r := reply{status: resp.StatusCode, raw: raw}
	var body2 struct {
		Data   map[string]json.RawMessage `json:"data"`
		Errors []gqlError                 `json:"errors"`
	}
	if json.Unmarshal(raw, &body2) == nil {
		r.data, r.errs = body2.Data, body2.Errors
	}
	return r, nil
}

// gqlBody encodes a GraphQL request.
func gqlBody(query string, vars map[string]any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err)
	}
	return b
}

// must runs a query on base that must succeed and decodes data[field]
// into out (setup, before any fault).
func must(t *testing.T, base, authorization, query string, vars map[string]any, field string, out any) {
	t.Helper()
	r, err := post(context.Background(), base+"/graphql", map[string]string{"Authorization": authorization}, gqlBody(query, vars))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.errs) > 0 || r.status != http.StatusOK {
		t.Fatalf("%d %+v\n%s", r.status, r.errs, query)
	}
	if out != nil {
		if err := json.Unmarshal(r.data[field], out); err != nil {
			t.Fatalf("decoding %s: %v", field, err)
		}
	}
}

// decided reports whether an answer settles an operation.
type decided func(reply) bool

// gqlDecided: a GraphQL answer settles an operation unless retryable.
func gqlDecided(r reply) bool { return !retryable(r) }

// hookDecided: a webhook is settled by any answer but 409 (a concurrent
// change of the order) and 5xx, which providers retry.
func hookDecided(r reply) bool { return r.status != http.StatusConflict && r.status < 500 }

// retryable reports whether an answer leaves the operation's outcome
// open, so that the client sends it again with the same key: a coded
// "try again" (UNAVAILABLE, RATE_LIMITED, GATEWAY_UNAVAILABLE, a
// concurrent request with the key finishing first, and INTERNAL, which
// is counted apart) or an answer that is not Tally's JSON.
func retryable(r reply) bool {
	switch r.code() {
	case "UNAVAILABLE", "RATE_LIMITED", "GATEWAY_UNAVAILABLE", "INTERNAL", "CONFLICT":
		return true
	case "":
		return r.data == nil
	}
	return false
}

// tally counts what clients saw.
type tally struct {
	ops, acked, refused, retried, attempts atomic.Int64
	transport, unavailable, internal       atomic.Int64
	undecided                              atomic.Int64 // operations with no definite answer by their deadline
	mu                                     sync.Mutex
	odd                                    []string // answers neither acknowledged nor refused as expected (first 20)
}

// oddity records an unexpected answer.
func (c *tally) oddity(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.odd) < 20 {
		c.odd = append(c.odd, fmt.Sprintf(format, args...))
	}
}

// opDeadline bounds one operation with all its retries: longer than a
// restart and a drain.
const opDeadline = 60 * time.Second

// call sends one operation to a live server, and again (the same body,
// hence the same idempotency key) after every transport error or
// retryable answer, until it gets a definite answer or its deadline
// passes; ok is false then. path is "/graphql" or a webhook path.
// lastFail is when the last attempt before the answer failed (zero when
// the first one answered).
func (c *tally) call(ctx context.Context, rng *rand.Rand, to *targets, path string, headers func() map[string]string, body []byte, done decided) (r reply, ok bool, lastFail time.Time) {
	c.ops.Add(1)
	ctx, cancel := context.WithTimeout(ctx, opDeadline)
	defer cancel()
	for attempt := 1; ; attempt++ {
		c.attempts.Add(1)
		if attempt == 2 {
			c.retried.Add(1)
		}
		if base := to.pick(); base != "" {
			var err error
			r, err = post(ctx, base+path, headers(), body)
			switch {
			case err != nil:
				c.transport.Add(1)
			case r.code() == "INTERNAL":
				c.internal.Add(1)
				c.oddity("INTERNAL from %s: %s", path, r.raw)
			case r.code() == "UNAVAILABLE":
				c.unavailable.Add(1)
			case done(r):
				return r, true, lastFail
			}
		}
		lastFail = time.Now()
		// Back off 10-40 ms: long enough not to spin on a server that is
		// restarting, short enough to find it as soon as it is up.
		select {
		case <-ctx.Done():
			c.undecided.Add(1)
			return reply{}, false, lastFail
		case <-time.After(time.Duration(10+rng.IntN(30)) * time.Millisecond):
		}
	}
}

// logLevel is the test servers' log level: warn, or
// TALLY_FAULT_LOG_LEVEL (info logs every request).
func logLevel() string {
	if l := os.Getenv("TALLY_FAULT_LOG_LEVEL"); l != "" {
		return l
	}
	return "warn"
}
