package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/auth"
)

var testSecret = []byte("graph-smoke-test-secret-0123456789abcdef")

// server is a real Tally GraphQL stack over SQLite behind an httptest server.
type server struct {
	t       *testing.T
	url     string
	token   string
	metrics *graph.Metrics
	reg     *prometheus.Registry
}

func newServer(t *testing.T, configure ...func(*graph.Options)) *server {
	t.Helper()
	ctx := context.Background()
	b := bus.NewLocal()
	t.Cleanup(func() { _ = b.Close() })
	svc := domain.NewService(dbtest.SQLite(t), domain.Config{}, domain.WithBus(b))
	a, err := auth.New(ctx, auth.Config{HS256Secret: testSecret}, svc)
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m := graph.NewMetrics(reg)
	opts := graph.Options{
		Auth: a, Metrics: m, InitTimeout: 300 * time.Millisecond, MaxBodyBytes: 64 << 10, Limits: graph.Limits{Depth: 10},
		ComplexityLimit: 500, AllowedOrigins: []string{"https://app.example.com"},
	}
	for _, c := range configure {
		c(&opts)
	}
	gql := graph.NewHandler(svc, opts)
	watchCtx, stopWatch := context.WithCancel(ctx)
	t.Cleanup(stopWatch)
	go gql.Watch(watchCtx)
	h := a.Middleware(gql)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	token, err := auth.Mint(testSecret, auth.Claims{Email: "owner@example.com", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	return &server{t: t, url: ts.URL, token: token, metrics: m, reg: reg}
}

// gqlResponse is a GraphQL response with raw data.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// post sends one GraphQL request and decodes the response.
func (s *server) post(query string, vars map[string]any) (int, gqlResponse) {
	s.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return s.postRaw(body)
}

func (s *server) postRaw(body []byte) (int, gqlResponse) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out gqlResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		s.t.Fatalf("response %d is not JSON: %s", res.StatusCode, raw)
	}
	return res.StatusCode, out
}

// must runs a request that has to succeed and decodes its data into v.
func (s *server) must(query string, vars map[string]any, v any) {
	s.t.Helper()
	_, res := s.post(query, vars)
	if len(res.Errors) > 0 {
		s.t.Fatalf("errors: %+v", res.Errors)
	}
	if err := json.Unmarshal(res.Data, v); err != nil {
		s.t.Fatal(err)
	}
}

// createOrg returns the global ID of a new EUR org.
func (s *server) createOrg() string {
	var out struct {
		CreateOrg struct{ Org struct{ ID string } }
	}
	s.must(`mutation { createOrg(input: {name: "Acme", country: "DE", currency: EUR}) { org { id name } } }`, nil, &out)
	return out.CreateOrg.Org.ID
}

// wsConn is a graphql-transport-ws (or graphql-ws) client whose messages
// a reader goroutine delivers on a channel.
type wsConn struct {
	t    *testing.T
	c    *websocket.Conn
	msgs chan map[string]any
	err  chan error
}

func (s *server) dial(subprotocol string, header http.Header) (*wsConn, *http.Response, error) {
	d := websocket.Dialer{Subprotocols: []string{subprotocol}, HandshakeTimeout: 5 * time.Second}
	c, res, err := d.Dial("ws"+strings.TrimPrefix(s.url, "http"), header)
	if err != nil {
		return nil, res, err
	}
	s.t.Cleanup(func() { _ = c.Close() })
	w := &wsConn{t: s.t, c: c, msgs: make(chan map[string]any, 16), err: make(chan error, 1)}
	go w.read()
	return w, res, nil
}

// signedInSocket dials the server's websocket with subprotocol and header,
// signs in as the smoke user with connection_init and waits for the ack.
func (s *server) signedInSocket(t *testing.T, subprotocol string, header http.Header) *wsConn {
	t.Helper()
	ws, _, err := s.dial(subprotocol, header)
	if err != nil {
		t.Fatal(err)
	}
	ws.send(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + s.token}})
	if m, err := ws.next(5 * time.Second); err != nil || m["type"] != "connection_ack" {
		t.Fatalf("connection_init answered %v, %v", m, err)
	}
	return ws
}

func (w *wsConn) read() {
	for {
		var m map[string]any
		if err := w.c.ReadJSON(&m); err != nil {
			w.err <- err
			return
		}
		switch m["type"] {
		case "ping":
			_ = w.c.WriteJSON(map[string]any{"type": "pong"})
		case "pong", "ka":
		default:
			w.msgs <- m
		}
	}
}

func (w *wsConn) send(msg map[string]any) {
	w.t.Helper()
	if err := w.c.WriteJSON(msg); err != nil {
		w.t.Fatal(err)
	}
}

// errTimeout is what next returns when no message came in time.
var errTimeout = fmt.Errorf("no message in time")

// next returns the next message that is not a keep-alive, the read error
// that ended the connection, or errTimeout.
func (w *wsConn) next(timeout time.Duration) (map[string]any, error) {
	select {
	case m := <-w.msgs:
		return m, nil
	case err := <-w.err:
		w.err <- err
		return nil, err
	case <-time.After(timeout):
		return nil, errTimeout
	}
}

// TestSmoke runs createOrg → org{balance} → consumeCredits → balanceUpdated
// over HTTP and a graphql-transport-ws websocket.
func TestSmoke(t *testing.T) {
	s := newServer(t)
	orgID := s.createOrg()

	var org struct {
		Org struct {
			Name    string
			Balance struct {
				Total, Free, Paid int64
				Grants            []struct {
					Kind      string
					Remaining int64
				}
			}
			Seats struct{ Total, Used, Available int }
		}
	}
	s.must(`query($id: ID!) { org(id: $id) { name balance { total free paid grants { kind remaining } } seats { total used available } } }`,
		map[string]any{"id": orgID}, &org)
	signup := domain.DefaultConfig().SignupGrant
	if b := org.Org.Balance; b.Total != signup || b.Free != signup || b.Paid != 0 || len(b.Grants) != 1 || b.Grants[0].Kind != "FREE" {
		t.Fatalf("balance after createOrg = %+v, want %d free credits in one FREE grant", b, signup)
	}
	if org.Org.Seats.Used != 1 {
		t.Fatalf("seats = %+v, want the owner in one seat", org.Org.Seats)
	}

	ws := s.signedInSocket(t, "graphql-transport-ws", nil)
	ws.send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
		"query":     `subscription($o: ID!) { balanceUpdated(orgId: $o) { balance { total } entry { kind amount balanceAfter grant { kind } allocations { amount grant { kind } } } } }`,
		"variables": map[string]any{"o": orgID},
	}})

	const amount = 250
	consume := `mutation($in: ConsumeCreditsInput!) { consumeCredits(input: $in) { entry { kind amount balanceAfter } balance { total } } }`
	// The first message is the balance the subscription starts from.
	first, err := ws.next(5 * time.Second)
	if err != nil {
		t.Fatalf("no first balanceUpdated message: %v", err)
	}
	if raw, _ := json.Marshal(first); first["type"] != "next" ||
		!strings.Contains(string(raw), fmt.Sprintf(`"balanceUpdated":{"balance":{"total":%d},"entry":null}`, signup)) {
		t.Fatalf("first message %s, want the balance of %d and no entry", raw, signup)
	}
	var event map[string]any
	for i := 1; event == nil && i <= 1; i++ {
		var res struct {
			ConsumeCredits struct {
				Entry struct {
					Kind                 string
					Amount, BalanceAfter int64
				}
				Balance struct{ Total int64 }
			}
		}
		s.must(consume, map[string]any{"in": map[string]any{
			"orgId": orgID, "amount": amount, "idempotencyKey": fmt.Sprintf("smoke-%d", i),
			"reason": "smoke", "metadata": map[string]any{"run": i},
		}}, &res)
		if got, want := res.ConsumeCredits.Balance.Total, signup-int64(i*amount); got != want || res.ConsumeCredits.Entry.Amount != -amount {
			t.Fatalf("consume %d: %+v, want total %d", i, res.ConsumeCredits, want)
		}
		m, err := ws.next(5 * time.Second)
		if err == nil {
			event = m
		} else if err != errTimeout {
			t.Fatalf("reading the subscription: %v", err)
		}
	}
	if event == nil || event["type"] != "next" || event["id"] != "1" {
		t.Fatalf("no balanceUpdated event, last message %v", event)
	}
	var payload struct {
		Data struct {
			BalanceUpdated struct {
				Balance struct{ Total int64 }
				Entry   struct {
					Kind         string
					Amount       int64
					BalanceAfter int64
					Grant        struct{ Kind string }
					Allocations  []struct {
						Amount int64
						Grant  struct{ Kind string }
					}
				}
			}
		}
		Errors []any
	}
	raw, _ := json.Marshal(event["payload"])
	if err := json.Unmarshal(raw, &payload); err != nil || len(payload.Errors) > 0 {
		t.Fatalf("event payload %s: %v", raw, err)
	}
	ev := payload.Data.BalanceUpdated
	if ev.Entry.Kind != "CONSUME" || ev.Entry.Amount != -amount || ev.Balance.Total != ev.Entry.BalanceAfter ||
		ev.Entry.Grant.Kind != "FREE" || len(ev.Entry.Allocations) != 1 || ev.Entry.Allocations[0].Amount != -amount {
		t.Fatalf("event = %+v", ev)
	}
	if got := counterValue(t, s.reg, "tally_credits_consumed_total"); got < amount {
		t.Fatalf("credits consumed metric = %v", got)
	}
	if got := counterValue(t, s.reg, "tally_graphql_requests_total"); got < 1 {
		t.Fatalf("requests metric = %v", got)
	}
}

// counterValue reads a registered counter by name.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) > 0 {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

// TestRequestErrors checks the error shape of bad requests end to end.
func TestRequestErrors(t *testing.T) {
	s := newServer(t)
	orgID := s.createOrg()
	unknownOrg := graph.EncodeID("Org", "0190b3a0-0000-7000-8000-000000000000")
	consume := `mutation($in: ConsumeCreditsInput!) { consumeCredits(input: $in) { balance { total } } }`
	consumeWith := func(amount any) map[string]any {
		return map[string]any{"in": map[string]any{"orgId": orgID, "amount": amount, "idempotencyKey": "k"}}
	}
	deep := "query { viewer { memberships { org { ledger { edges { node { grant { order { invoice { lines { unitPrice { amount } } } } } } } } } } } }"
	tests := []struct {
		name      string
		query     string
		vars      map[string]any
		code      string
		field     string
		wantField bool
	}{
		{"malformed id", `{ org(id: "not-base64!") { id } }`, nil, "INVALID_INPUT", "id", true},
		{"unknown id type", `query($id: ID!) { org(id: $id) { id } }`, map[string]any{"id": "Rm9vOjE="}, "INVALID_INPUT", "id", true},
		{"id of another type", `query($id: ID!) { org(id: $id) { id } }`, map[string]any{"id": graph.EncodeID("User", "x")}, "INVALID_INPUT", "id", true},
		{"org of nobody's", `query($id: ID!) { org(id: $id) { id } }`, map[string]any{"id": unknownOrg}, "NOT_FOUND", "", false},
		{"node of nobody's", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": unknownOrg}, "NOT_FOUND", "", false},
		{"fractional credits", consume, consumeWith(1.5), "INVALID_INPUT", "amount", true},
		{"credits as a string", consume, consumeWith("12"), "INVALID_INPUT", "amount", true},
		{"credits above 2^53-1", consume, consumeWith(int64(1) << 53), "INVALID_INPUT", "amount", true},
		{"zero credits", consume, consumeWith(0), "INVALID_INPUT", "amount", true},
		{"too many credits", consume, map[string]any{"in": map[string]any{"orgId": orgID, "amount": 1 << 40, "idempotencyKey": "big"}}, "INSUFFICIENT_CREDITS", "", false},
		{"syntax error", `{ viewer { `, nil, "INVALID_INPUT", "query", true},
		{"unknown field", `{ viewer { nope } }`, nil, "INVALID_INPUT", "query", true},
		{"too deep", deep, nil, "INVALID_INPUT", "query", true},
		{"too complex", `query($id: ID!) { org(id: $id) { ledger(first: 100) { edges { node { id kind amount reason } } } } }`, map[string]any{"id": orgID}, "INVALID_INPUT", "query", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, res := s.post(tc.query, tc.vars)
			if len(res.Errors) == 0 {
				t.Fatalf("no error; data %s", res.Data)
			}
			e := res.Errors[0]
			if e.Extensions["code"] != tc.code {
				t.Fatalf("code = %v, want %s (%s)", e.Extensions["code"], tc.code, e.Message)
			}
			if f, ok := e.Extensions["field"]; ok != tc.wantField || (tc.wantField && f != tc.field) {
				t.Fatalf("field = %v, want %q (%s)", f, tc.field, e.Message)
			}
		})
	}

	t.Run("introspection off in production", func(t *testing.T) {
		prod := newServer(t, func(o *graph.Options) { o.Production = true })
		_, res := prod.post(`query { ...F } fragment F on Query { __schema { types { name } } }`, nil)
		if len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "FORBIDDEN" {
			t.Fatalf("errors %+v", res.Errors)
		}
		_, res = s.post(`{ __schema { queryType { name } } }`, nil)
		if len(res.Errors) != 0 {
			t.Fatalf("development introspection: %+v", res.Errors)
		}
	})

	t.Run("CORS preflight", func(t *testing.T) {
		for origin, want := range map[string]string{"https://app.example.com": "https://app.example.com", "https://evil.example.com": ""} {
			req, _ := http.NewRequest(http.MethodOptions, s.url, nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != want {
				t.Errorf("origin %s: Access-Control-Allow-Origin = %q, want %q", origin, got, want)
			}
		}
	})

	t.Run("GET refused", func(t *testing.T) {
		res, err := http.Get(s.url + "?query=%7Bviewer%7Buser%7Bid%7D%7D%7D")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body gqlResponse
		_ = json.NewDecoder(res.Body).Decode(&body)
		if res.StatusCode != http.StatusMethodNotAllowed || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "INVALID_INPUT" {
			t.Fatalf("status %d, errors %+v", res.StatusCode, body.Errors)
		}
	})

	t.Run("form post refused", func(t *testing.T) {
		res, err := http.Post(s.url, "application/x-www-form-urlencoded", strings.NewReader("query=%7Bviewer%7D"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnsupportedMediaType {
			t.Fatalf("status %d", res.StatusCode)
		}
	})

	t.Run("body too large", func(t *testing.T) {
		body := []byte(`{"query": "{ viewer { user { id } } }", "variables": {"pad": "` + strings.Repeat("x", 70<<10) + `"}}`)
		status, res := s.postRaw(body)
		if status != http.StatusRequestEntityTooLarge || len(res.Errors) != 1 || res.Errors[0].Extensions["code"] != "INVALID_INPUT" {
			t.Fatalf("status %d, errors %+v", status, res.Errors)
		}
	})
}

// TestWebsocketHandshake checks the legacy subprotocol from an allowed
// origin, and that queries and mutations are refused over the socket. How
// a socket with a bad token, no connection_init or a foreign origin ends is
// a matter of the wire and of the server's settings: e2e's TestBadInput
// ("websocket") tests it against the binary.
func TestWebsocketHandshake(t *testing.T) {
	s := newServer(t)

	t.Run("allowed origin and legacy graphql-ws", func(t *testing.T) {
		ws := s.signedInSocket(t, "graphql-ws", http.Header{"Origin": {"https://app.example.com"}})
		// Queries and mutations belong on POST: over the socket they are refused.
		ws.send(map[string]any{"id": "1", "type": "start", "payload": map[string]any{"query": "{ viewer { user { email } } }"}})
		m, err := ws.next(5 * time.Second)
		if raw, _ := json.Marshal(m["payload"]); err != nil || m["type"] != "data" || !strings.Contains(string(raw), `"code":"INVALID_INPUT"`) {
			t.Fatalf("query over the socket: got %v %s, %v", m["type"], raw, err)
		}
		if m, err := ws.next(5 * time.Second); err != nil || m["type"] != "complete" {
			t.Fatalf("got %v, %v; want complete", m, err)
		}
		orgID := s.createOrg()
		ws.send(map[string]any{"id": "2", "type": "start", "payload": map[string]any{
			"query":     `subscription($org: ID!) { balanceUpdated(orgId: $org) { balance { total } } }`,
			"variables": map[string]any{"org": orgID},
		}})
		// First the balance the subscription starts from, then the spend.
		m, err = ws.next(5 * time.Second)
		if raw, _ := json.Marshal(m["payload"]); err != nil || m["type"] != "data" || !strings.Contains(string(raw), `"total":10000`) {
			t.Fatalf("subscription's first message: got %v %s, %v", m["type"], raw, err)
		}
		s.must(`mutation($org: ID!) { consumeCredits(input: {orgId: $org, amount: 5, idempotencyKey: "ws-1"}) { balance { total } } }`,
			map[string]any{"org": orgID}, &struct{}{})
		m, err = ws.next(5 * time.Second)
		if raw, _ := json.Marshal(m["payload"]); err != nil || m["type"] != "data" || !strings.Contains(string(raw), `"total":9995`) {
			t.Fatalf("subscription event: got %v %s, %v", m["type"], raw, err)
		}
	})
}
