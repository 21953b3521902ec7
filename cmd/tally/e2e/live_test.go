package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/tallyhq/tally/cmd/tally/internal/scrape"
)

// wsClient speaks one of the two GraphQL websocket subprotocols.
type wsClient struct {
	t     *testing.T
	conn  *websocket.Conn
	proto string // "graphql-transport-ws" or "graphql-ws"
}

// dialWS opens /graphql as a websocket with proto, sends connection_init
// carrying authorization and waits for the ack.
func dialWS(t *testing.T, s *server, proto, authorization string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{proto},
		HTTPHeader:   http.Header{"Origin": {"http://app.example"}},
	})
	if err != nil {
		t.Fatalf("dial %s: %v (%v)", proto, err, resp)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	c := &wsClient{t: t, conn: conn, proto: proto}
	c.send(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": authorization}})
	if msg := c.next(ctx, "connection_ack"); msg["type"] != "connection_ack" {
		t.Fatalf("no ack: %v", msg)
	}
	return c
}

func (c *wsClient) send(msg map[string]any) {
	c.t.Helper()
	if err := wsjson.Write(context.Background(), c.conn, msg); err != nil {
		c.t.Fatalf("ws write: %v", err)
	}
}

// next returns the next message of type want, skipping keep-alives.
func (c *wsClient) next(ctx context.Context, want string) map[string]any {
	c.t.Helper()
	for {
		var msg map[string]any
		if err := wsjson.Read(ctx, c.conn, &msg); err != nil {
			c.t.Fatalf("ws read (waiting for %s): %v", want, err)
		}
		switch msg["type"] {
		case "ka", "ping", "pong":
			continue
		case want:
			return msg
		default:
			c.t.Fatalf("got %v while waiting for %s", msg, want)
		}
	}
}

// subscribe starts a subscription with id "1".
func (c *wsClient) subscribe(query string, vars map[string]any) {
	typ := "subscribe"
	if c.proto == "graphql-ws" {
		typ = "start"
	}
	c.send(map[string]any{"id": "1", "type": typ, "payload": map[string]any{"query": query, "variables": vars}})
}

// balanceEvent waits for the next balanceUpdated event and returns its total.
func (c *wsClient) balanceEvent(timeout time.Duration) (total int64, entryAmount int64) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	typ := "next"
	if c.proto == "graphql-ws" {
		typ = "data"
	}
	msg := c.next(ctx, typ)
	raw, _ := json.Marshal(msg["payload"])
	var p struct {
		Data struct {
			BalanceUpdated struct {
				Balance struct{ Total int64 }
				Entry   *struct{ Amount int64 }
			}
		}
		Errors []gqlError
	}
	if err := json.Unmarshal(raw, &p); err != nil || len(p.Errors) > 0 {
		c.t.Fatalf("event %s: %v %+v", raw, err, p.Errors)
	}
	if p.Data.BalanceUpdated.Entry != nil {
		entryAmount = p.Data.BalanceUpdated.Entry.Amount
	}
	return p.Data.BalanceUpdated.Balance.Total, entryAmount
}

const balanceSubscription = `subscription($org: ID!) { balanceUpdated(orgId: $org) { balance { total } entry { amount } } }`

// TestSubscriptionProtocols: over both subprotocols, on both stores, a
// subscriber first gets the balance as it is (no entry), then sees every
// committed spend; spends racing the subscription's start are never lost
// nor followed by an older balance.
func TestSubscriptionProtocols(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		s := startServer(t, b.newDB(t), "TALLY_SIGNUP_CREDITS=1000")
		alice := s.user(t, "alice@example.com")
		org := alice.createOrg(t, "Live", "DE", "EUR")
		balance := int64(1000)
		spend := func(t *testing.T, amount int64, key string) {
			t.Helper()
			if r, err := alice.consume(context.Background(), org, amount, key); err != nil || r.code() != "" {
				t.Fatalf("spend: %v %+v", err, r.Errors)
			}
			balance -= amount
		}
		for i, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
			t.Run(proto, func(t *testing.T) {
				ws := dialWS(t, s, proto, "Bearer "+token(t, "alice@example.com", false))
				ws.subscribe(balanceSubscription, map[string]any{"org": org})
				if total, amount := ws.balanceEvent(5 * time.Second); total != balance || amount != 0 {
					t.Fatalf("first message total %d entry %d, want %d and no entry", total, amount, balance)
				}
				spend(t, 100, fmt.Sprint("live-", i))
				total, amount := ws.balanceEvent(5 * time.Second)
				if total != balance || amount != -100 {
					t.Fatalf("event total %d entry %d, want %d and -100", total, amount, balance)
				}

				// Spends right after subscribing, before its first message.
				for j := range 3 {
					racer := dialWS(t, s, proto, "Bearer "+token(t, "alice@example.com", false))
					racer.subscribe(balanceSubscription, map[string]any{"org": org})
					for k := range j + 1 {
						spend(t, 1, fmt.Sprintf("race-%d-%d-%d", i, j, k))
					}
					last, amount := racer.balanceEvent(5 * time.Second)
					if amount != 0 {
						t.Fatalf("race %d: the first message has an entry of %d", j, amount)
					}
					for last != balance {
						next, _ := racer.balanceEvent(5 * time.Second)
						if next >= last {
							t.Fatalf("race %d: total %d after %d", j, next, last)
						}
						last = next
					}
					_ = racer.conn.CloseNow()
				}
			})
		}
	})
}

// TestTwoInstances: two servers share one PostgreSQL; a subscriber on the
// first sees a spend made through the second (LISTEN/NOTIFY), and only
// members may subscribe.
func TestTwoInstances(t *testing.T) {
	url := backends[0].newDB(t) // postgres
	one := startServer(t, url, "TALLY_SIGNUP_CREDITS=1000")
	two := startServer(t, url, "TALLY_SIGNUP_CREDITS=1000")
	org := one.user(t, "alice@example.com").createOrg(t, "Scaled", "DE", "EUR")

	ws := dialWS(t, one, "graphql-transport-ws", "Bearer "+token(t, "alice@example.com", false))
	ws.subscribe(balanceSubscription, map[string]any{"org": org})
	if total, _ := ws.balanceEvent(5 * time.Second); total != 1000 {
		t.Fatalf("subscriber's first message shows %d, want 1000", total)
	}
	for i, want := range []int64{993, 986} {
		r, err := two.user(t, "alice@example.com").consume(context.Background(), org, 7, fmt.Sprint("k", i))
		if err != nil || r.code() != "" {
			t.Fatalf("spend on the second instance: %v %+v", err, r.Errors)
		}
		if total, _ := ws.balanceEvent(5 * time.Second); total != want {
			t.Fatalf("subscriber on the first instance saw %d, want %d", total, want)
		}
	}

	// An outsider's subscription to the org fails with NOT_FOUND.
	spy := dialWS(t, one, "graphql-transport-ws", "Bearer "+token(t, "mallory@example.com", false))
	spy.subscribe(balanceSubscription, map[string]any{"org": org})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var msg map[string]any
	for msg == nil || msg["type"] == "ka" || msg["type"] == "ping" {
		msg = nil
		if err := wsjson.Read(ctx, spy.conn, &msg); err != nil {
			t.Fatalf("outsider subscription: %v", err)
		}
	}
	// A resolver error arrives as "error" or as "next" carrying errors; never data.
	raw, _ := json.Marshal(msg["payload"])
	if (msg["type"] != "error" && msg["type"] != "next") || !strings.Contains(string(raw), `"NOT_FOUND"`) || strings.Contains(string(raw), "balance\":{") {
		t.Fatalf("outsider subscription answered %v", msg)
	}
}

// TestRevokedKeyRefusedOnEveryInstance: instance two has the key cached
// from a spend; revoking it on instance one makes two refuse it at once
// (the revocation travels on the bus), not when its cache entry expires.
func TestRevokedKeyRefusedOnEveryInstance(t *testing.T) {
	url := backends[0].newDB(t) // postgres
	one := startServer(t, url, "TALLY_SIGNUP_CREDITS=1000")
	two := startServer(t, url, "TALLY_SIGNUP_CREDITS=1000")
	owner := one.user(t, "alice@example.com")
	org := owner.createOrg(t, "Keys", "DE", "EUR")
	id, secret := owner.createKey(t, org, "backend")
	backend := two.as("Bearer " + secret)
	if r, err := backend.consume(context.Background(), org, 1, "before"); err != nil || r.code() != "" {
		t.Fatalf("spend with a live key: %v %+v", err, r.Errors)
	}
	owner.revokeKey(t, id)
	deadline := time.Now().Add(2 * time.Second)
	for {
		r, err := backend.consume(context.Background(), org, 1, fmt.Sprint("after-", time.Now().UnixNano()))
		if err != nil {
			t.Fatal(err)
		}
		if r.Status == http.StatusUnauthorized && r.code() == "UNAUTHENTICATED" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance two still accepts the revoked key after 2s: %d %+v", r.Status, r.Errors)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitSubscriptions waits until the server counts n open subscriptions.
func (s *server) waitSubscriptions(t *testing.T, n int) {
	t.Helper()
	scrape.WaitForGauge(t, s.URL, scrape.Subscriptions, n, 10*time.Second)
}
