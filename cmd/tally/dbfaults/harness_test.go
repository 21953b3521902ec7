package dbfaults

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
)

// secret is the HS256 secret the test servers and tokens share.
const secret = "dbfaults-5b0d7f6e9c2a41d3b8e7a1f04c6d2e9b7a3c5f18" // random: never a predictable one

func TestMain(m *testing.M) { tallytest.Main(m) }

const (
	// clients is how many clients spend at once (the 64).
	clients = 64
	// clientDeadline is each request's deadline on the client side.
	clientDeadline = 10 * time.Second
	// operationTimeout is the server's deadline of one operation.
	operationTimeout = 5 * time.Second
	// keyDeadline bounds how long one key is retried once the faults have
	// ended before the test calls it lost. While faults go on a key may
	// fail every attempt (on a saturated machine an attempt can take
	// longer than the pause between two rounds of terminations), so the
	// clock starts when they end.
	keyDeadline = 60 * time.Second
	// retryPause is how long a client waits before retrying a key.
	retryPause = 100 * time.Millisecond
	// startCredits is the org's balance: more than any run spends.
	startCredits = 10_000_000
)

// scale is the size of a run: TALLY_FAULT_SCALE=small (default) or full.
type scale struct {
	name string
	load time.Duration // spending time of the terminate test
	// every is the pause between two pg_terminate_backend rounds.
	every time.Duration
	// restarts and crashes are the restart test's fast restarts and
	// immediate (crash) shutdowns.
	restarts, crashes int
	// between is the load time around each restart or crash.
	between time.Duration
}

func faultScale(t *testing.T) scale {
	t.Helper()
	switch v := os.Getenv("TALLY_FAULT_SCALE"); v {
	case "", "small":
		return scale{name: "small", load: 3 * time.Second, every: 500 * time.Millisecond, restarts: 1, crashes: 1, between: time.Second}
	case "full":
		return scale{name: "full", load: 60 * time.Second, every: 250 * time.Millisecond, restarts: 5, crashes: 5, between: 4 * time.Second}
	default:
		t.Fatalf("TALLY_FAULT_SCALE=%q: want small or full", v)
		return scale{}
	}
}

// startServer runs `tally serve --migrate` on dbURL and waits until it
// is ready.
func startServer(t *testing.T, dbURL string, env ...string) *tallytest.Server {
	t.Helper()
	base := []string{
		"DATABASE_URL=" + dbURL,
		"TALLY_JWT_SECRET=" + secret,
		"TALLY_LOG_LEVEL=warn",
		"TALLY_ALLOWED_ORIGINS=http://app.example",
		"TALLY_SIGNUP_CREDITS=0",
		"TALLY_OPERATION_TIMEOUT=" + operationTimeout.String(),
		"TALLY_RATE_LIMIT_ANONYMOUS=100000", "TALLY_RATE_LIMIT_ANONYMOUS_BURST=100000",
		"TALLY_RATE_LIMIT_USER=100000", "TALLY_RATE_LIMIT_USER_BURST=100000",
		"TALLY_RATE_LIMIT_AUTH_FAILURES=100000",
	}
	return tallytest.StartReady(t, append(base, env...), "--migrate")
}

// token mints a user token the test servers accept.
func token(t *testing.T, email string, admin bool) string {
	t.Helper()
	return tallytest.Token(t, secret, "dbfaults", email, admin)
}

// gqlError is one GraphQL error as the API reports it.
type gqlError struct {
	Message    string `json:"message"`
	Extensions struct {
		Code       string `json:"code"`
		RetryAfter int    `json:"retryAfter"`
	} `json:"extensions"`
}

// result is one GraphQL answer.
type result struct {
	Status int
	Data   map[string]json.RawMessage
	Errors []gqlError
}

func (r result) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	if r.Errors[0].Extensions.Code == "" {
		return "(no code)"
	}
	return r.Errors[0].Extensions.Code
}

// httpClient is shared by every test client: enough idle connections
// for all of them.
var httpClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * clients}}

// client calls one server's /graphql with a bearer token.
type client struct {
	url, auth string
}

func newClient(t *testing.T, s *tallytest.Server, email string, admin bool) *client {
	return &client{url: s.URL, auth: "Bearer " + token(t, email, admin)}
}

// try posts one query under ctx.
func (c *client) try(ctx context.Context, query string, vars map[string]any) (result, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return result{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", c.auth)
	resp, err := httpClient.Do(req)
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
func (c *client) must(t *testing.T, query string, vars map[string]any, field string, out any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientDeadline)
	defer cancel()
	r, err := c.try(ctx, query, vars)
	if err != nil || len(r.Errors) > 0 {
		t.Fatalf("%s: %v %+v", field, err, r.Errors)
	}
	if out != nil {
		if err := json.Unmarshal(r.Data[field], out); err != nil {
			t.Fatalf("decoding %s: %v", field, err)
		}
	}
}

// setupOrg creates an org owned by alice with startCredits and returns
// alice's client and the org's global ID.
func setupOrg(t *testing.T, s *tallytest.Server) (*client, string) {
	t.Helper()
	alice := newClient(t, s, "alice@example.com", false)
	var created struct{ Org struct{ ID string } }
	alice.must(t, `mutation($in: CreateOrgInput!) { createOrg(input: $in) { org { id } } }`,
		map[string]any{"in": map[string]any{"name": "Faulted", "country": "DE", "currency": "EUR"}}, "createOrg", &created)
	admin := newClient(t, s, "root@example.com", true)
	admin.must(t, `mutation($in: GrantCreditsInput!) { grantCredits(input: $in) { balance { total } } }`,
		map[string]any{"in": map[string]any{"orgId": created.Org.ID, "amount": startCredits, "kind": "PURCHASED", "idempotencyKey": "seed"}},
		"grantCredits", nil)
	return alice, created.Org.ID
}

const spendMutation = `mutation($in: ConsumeCreditsInput!) { consumeCredits(input: $in) { entry { id } balance { total } } }`

// load is 64 clients spending one credit per key and counting what they
// see.
type load struct {
	c   *client
	org string

	ops      atomic.Int64 // requests sent
	retries  atomic.Int64 // requests that repeated a key
	maxFail  atomic.Int64 // slowest failed request, in nanoseconds
	maxOK    atomic.Int64 // slowest successful request, in nanoseconds
	maxKey   atomic.Int64 // longest a key took to a definite answer, in nanoseconds
	calmAt   atomic.Int64 // when the faults ended (UnixNano), 0 while they go on
	mu       sync.Mutex
	codes    map[string]int    // error answers per code
	acked    map[string]string // idempotency key → ledger entry ID (local)
	problems []string          // anything the server must never do (first 20)
}

func newLoad(c *client, org string) *load {
	return &load{c: c, org: org, codes: map[string]int{}, acked: map[string]string{}}
}

func (l *load) problem(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.problems) < 20 {
		l.problems = append(l.problems, fmt.Sprintf(format, args...))
	}
}

func (l *load) count(code string) {
	l.mu.Lock()
	l.codes[code]++
	l.mu.Unlock()
}

func storeMax(m *atomic.Int64, d time.Duration) {
	for {
		old := m.Load()
		if int64(d) <= old || m.CompareAndSwap(old, int64(d)) {
			return
		}
	}
}

// spend sends one attempt of key and returns its answer's code ("" on
// success), checking that it came in time and is one a client may see.
func (l *load) spend(key string) (code string, retryable bool) {
	ctx, cancel := context.WithTimeout(context.Background(), clientDeadline)
	defer cancel()
	began := time.Now()
	r, err := l.c.try(ctx, spendMutation, map[string]any{"in": map[string]any{"orgId": l.org, "amount": 1, "idempotencyKey": key}})
	took := time.Since(began)
	l.ops.Add(1)
	switch {
	case err != nil:
		l.count("transport error")
		l.problem("%s: no answer after %v: %v", key, took.Round(time.Millisecond), err)
		return "transport error", true
	case len(r.Errors) == 0:
		storeMax(&l.maxOK, took)
		var out struct{ Entry struct{ ID string } }
		if err := json.Unmarshal(r.Data["consumeCredits"], &out); err != nil || out.Entry.ID == "" {
			l.problem("%s: success without an entry: %s", key, r.Data["consumeCredits"])
			return "", false
		}
		_, id, err := graph.DecodeID("id", out.Entry.ID)
		if err != nil {
			l.problem("%s: entry ID %q: %v", key, out.Entry.ID, err)
			return "", false
		}
		l.mu.Lock()
		if prev, ok := l.acked[key]; ok && prev != id {
			l.problems = append(l.problems, fmt.Sprintf("%s acknowledged twice, as %s and %s", key, prev, id))
		}
		l.acked[key] = id
		l.mu.Unlock()
		return "", false
	}
	code = r.code()
	storeMax(&l.maxFail, took)
	l.count(code)
	if took > clientDeadline {
		l.problem("%s: %s after %v, past the %v deadline", key, code, took, clientDeadline)
	}
	if !domain.Code(code).Retryable() || code == string(domain.CodeGatewayUnavailable) {
		l.problem("%s: answered %s (%s, HTTP %d)", key, code, r.Errors[0].Message, r.Status)
		return code, false
	}
	return code, true
}

// calm records that the faults have ended: from now on every key has
// keyDeadline to become definite.
func (l *load) calm() { l.calmAt.CompareAndSwap(0, time.Now().UnixNano()) }

// overdue reports a key first sent at began that is still not definite
// keyDeadline after the later of began and the end of the faults.
func (l *load) overdue(began time.Time) bool {
	c := l.calmAt.Load()
	if c == 0 {
		return false
	}
	from := time.Unix(0, c)
	if began.After(from) {
		from = began
	}
	return time.Since(from) > keyDeadline
}

// spendUntilDefinite retries key until the answer is definite.
func (l *load) spendUntilDefinite(key string) {
	began := time.Now()
	defer func() { storeMax(&l.maxKey, time.Since(began)) }()
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			l.retries.Add(1)
			time.Sleep(retryPause/2 + rand.N(retryPause))
		}
		if _, again := l.spend(key); !again {
			return
		}
		if l.overdue(began) {
			l.problem("%s: still not definite %v after the faults ended", key, keyDeadline)
			return
		}
	}
}

// run has the clients spend new keys until stop is closed, each key to a
// definite answer, and returns when they all have.
func (l *load) run(stop <-chan struct{}) {
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				l.spendUntilDefinite(fmt.Sprintf("c%02d-%06d", w, i))
			}
		})
	}
	wg.Wait()
}

// report logs a run's figures.
func (l *load) report(t *testing.T, what string, faults string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	codes := make([]string, 0, len(l.codes))
	for c, n := range l.codes {
		codes = append(codes, fmt.Sprintf("%s=%d", c, n))
	}
	sort.Strings(codes)
	t.Logf("%s: %d requests (%d retries), %d acknowledged debits; %s; errors by code: [%s]; slowest failed answer %v, slowest success %v (client deadline %v, server operation timeout %v); longest a key took to a definite answer %v",
		what, l.ops.Load(), l.retries.Load(), len(l.acked), faults, strings.Join(codes, " "),
		time.Duration(l.maxFail.Load()).Round(time.Millisecond), time.Duration(l.maxOK.Load()).Round(time.Millisecond),
		clientDeadline, operationTimeout, time.Duration(l.maxKey.Load()).Round(time.Millisecond))
}

// checkAnswers fails the test on anything the server must never answer.
func (l *load) checkAnswers(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range l.problems {
		t.Error(p)
	}
	if len(l.acked) == 0 {
		t.Error("no debit was acknowledged")
	}
}

// checkConsistent checks the store at dbURL after a run: every
// acknowledged debit is in the ledger exactly once, there is no debit
// nobody was told of (a retried key applied twice), the balance is the
// start less the debits, the ledger sums to the balance and the open
// grants hold it. It logs lost and duplicate counts.
func checkConsistent(t *testing.T, dbURL, orgGlobalID string, start int64, acked map[string]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, orgID, err := graph.DecodeID("id", orgGlobalID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, dbURL, db.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d.Close() }()

	type debit struct {
		ID     string
		Amount int64
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	rows, _ := conn.Query(ctx, `SELECT id, amount FROM ledger_entries WHERE org_id = $1 AND kind = $2`, orgID, string(domain.EntryConsume))
	consumes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[debit])
	if err != nil {
		t.Fatal(err)
	}
	inLedger := map[string]int{}
	for _, e := range consumes {
		inLedger[e.ID]++
	}
	ackedIDs := map[string]bool{}
	lost := 0
	for key, id := range acked {
		ackedIDs[id] = true
		if inLedger[id] != 1 {
			lost++
			if lost <= 10 {
				t.Errorf("acknowledged debit %s (key %s) is in the ledger %d times", id, key, inLedger[id])
			}
		}
	}
	dup := 0
	for _, e := range consumes {
		if !ackedIDs[e.ID] {
			dup++
			if dup <= 10 {
				t.Errorf("debit %s (%d) in the ledger was never acknowledged: a retried key applied twice", e.ID, e.Amount)
			}
		}
	}
	if len(ackedIDs) != len(acked) {
		t.Errorf("%d keys acknowledged with %d distinct entries", len(acked), len(ackedIDs))
	}
	b, err := d.GetBalance(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if want := start - int64(len(acked)); b.Total != want {
		t.Errorf("balance %d, want %d - %d acknowledged = %d", b.Total, start, len(acked), want)
	}
	sum, err := d.SumLedger(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	if sum != b.Total {
		t.Errorf("ledger sums to %d, balance is %d", sum, b.Total)
	}
	gs, err := d.OpenGrants(ctx, orgID)
	if err != nil {
		t.Fatal(err)
	}
	var held int64
	for _, g := range gs {
		held += g.Remaining
	}
	if held != b.Total {
		t.Errorf("grants hold %d, balance is %d", held, b.Total)
	}
	t.Logf("consistency: %d acknowledged debits, %d in the ledger, lost %d, duplicates %d, balance %d", len(acked), len(consumes), lost, dup, b.Total)
	t.Logf("tally audit: clean, checked %v", tallytest.AuditClean(t, dbURL))
}

// readyStatus is /readyz's status code now, 0 when the server does not
// answer within a second.
func readyStatus(url string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/readyz", nil)
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// waitReady polls /readyz until it answers want, within limit; it returns
// how long that took.
func waitReady(t *testing.T, url string, want int, limit time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	last := 0
	for time.Since(began) < limit {
		if last = readyStatus(url); last == want {
			return time.Since(began)
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("/readyz did not answer %d within %v (last %d)", want, limit, last)
	return 0
}

// errNotRunning: the server process has exited.
var errNotRunning = errors.New("server not running")

// alive checks that the server still answers /healthz.
func alive(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errNotRunning, err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("/healthz answered %d", resp.StatusCode)
	}
	return nil
}
