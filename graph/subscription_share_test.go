package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// rawSocket is a subscriber that keeps each push's payload as the bytes
// the server wrote.
type rawSocket struct {
	c    *websocket.Conn
	msgs chan rawMessage
}

type rawMessage struct {
	ID      string
	Type    string
	Payload json.RawMessage
}

// subscribeRaw signs in as srv's caller over subprotocol and starts query
// with vars as operation "1".
func subscribeRaw(t *testing.T, srv *shopServer, subprotocol, query string, vars map[string]any) *rawSocket {
	t.Helper()
	d := websocket.Dialer{Subprotocols: []string{subprotocol}, HandshakeTimeout: 5 * time.Second}
	c, _, err := d.Dial("ws"+strings.TrimPrefix(srv.url, "http"), http.Header{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	rs := &rawSocket{c: c, msgs: make(chan rawMessage, 64)}
	go func() {
		defer close(rs.msgs)
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				return
			}
			var m rawMessage
			if json.Unmarshal(data, &m) != nil {
				return
			}
			if m.Type == "ping" {
				_ = c.WriteJSON(map[string]any{"type": "pong"})
				continue
			}
			if m.Type != "ka" {
				rs.msgs <- m
			}
		}
	}()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.WriteJSON(map[string]any{"type": "connection_init", "payload": map[string]any{"authorization": "Bearer " + srv.token}}))
	if m := rs.next(t, 5*time.Second); m == nil || m.Type != "connection_ack" {
		t.Fatalf("connection_init answered %v", m)
	}
	start := "subscribe"
	if subprotocol == "graphql-ws" {
		start = "start"
	}
	must(c.WriteJSON(map[string]any{"id": "1", "type": start, "payload": map[string]any{"query": query, "variables": vars}}))
	return rs
}

// next returns the next message, or nil after timeout or the socket's end.
func (rs *rawSocket) next(t *testing.T, timeout time.Duration) *rawMessage {
	t.Helper()
	select {
	case m, ok := <-rs.msgs:
		if !ok {
			return nil
		}
		return &m
	case <-time.After(timeout):
		return nil
	}
}

// pushOf returns the next push that shows total, skipping older ones; nil
// when none comes in time.
func (rs *rawSocket) pushOf(t *testing.T, total int64, next string) json.RawMessage {
	t.Helper()
	for {
		m := rs.next(t, 2*time.Second)
		if m == nil {
			return nil
		}
		if m.Type != next || m.ID != "1" {
			t.Fatalf("got %s %s %s", m.Type, m.ID, m.Payload)
		}
		var p struct {
			Data struct {
				BalanceUpdated struct{ Balance struct{ Total int64 } }
			}
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.Data.BalanceUpdated.Balance.Total == total {
			return m.Payload
		}
	}
}

// TestBalanceUpdatedSharedRenders: subscribers of one org whose pushes
// must be identical (the same principal, document and variables) get the
// same bytes from one render per event, on either subprotocol; another
// principal (owner, MEMBER, API key), document or variables gets a render
// of its own, with what its role may see.
func TestBalanceUpdatedSharedRenders(t *testing.T) {
	s := newShopServer(t, false)
	member := s.member("share-member@example.com", "MEMBER")
	var key struct {
		CreateApiKey struct{ Secret string }
	}
	s.must(`mutation($o: ID!) { createApiKey(orgId: $o, name: "backend") { secret } }`, map[string]any{"o": s.orgID}, &key)
	apiKey := s.as(key.CreateApiKey.Secret)

	const full = `subscription($o: ID!) { balanceUpdated(orgId: $o) { balance { total grants { id reason } } entry { id reason } } }`
	const chosen = `subscription Chosen($o: ID!, $x: Boolean!) { balanceUpdated(orgId: $o) { balance { total } entry @include(if: $x) { id reason } } }`
	type subscriber struct {
		group string
		ws    *rawSocket
		next  string // the push's message type
	}
	var subs []subscriber
	groups := map[string]bool{}
	add := func(group string, n int, srv *shopServer, subprotocol, query string, vars map[string]any) {
		groups[group] = true
		next := "next"
		if subprotocol == "graphql-ws" {
			next = "data"
		}
		for range n {
			subs = append(subs, subscriber{group, subscribeRaw(t, srv, subprotocol, query, vars), next})
		}
	}
	vars := map[string]any{"o": s.orgID}
	add("owner", 3, s, "graphql-transport-ws", full, vars)
	add("owner", 1, s, "graphql-ws", full, vars) // the same render, framed as "data"
	add("member", 2, member, "graphql-transport-ws", full, vars)
	add("key", 2, apiKey, "graphql-transport-ws", full, vars)
	add("owner+entry", 1, s, "graphql-transport-ws", chosen, map[string]any{"o": s.orgID, "x": true})
	add("owner-entry", 1, s, "graphql-transport-ws", chosen, map[string]any{"o": s.orgID, "x": false})

	spend := func(i int) int64 {
		var res struct {
			ConsumeCredits struct{ Balance struct{ Total int64 } }
		}
		s.must(`mutation($in: ConsumeCreditsInput!) { consumeCredits(input: $in) { balance { total } } }`,
			map[string]any{"in": map[string]any{"orgId": s.orgID, "amount": 5,
				"idempotencyKey": fmt.Sprintf("share-%d", i), "reason": "owner's secret"}}, &res)
		return res.ConsumeCredits.Balance.Total
	}
	// The subscriptions start asynchronously: spend until all see it.
	live := false
	for i := 1; !live && i <= 10; i++ {
		total := spend(i)
		live = true
		for _, sub := range subs {
			if sub.ws.pushOf(t, total, sub.next) == nil {
				live = false
			}
		}
	}
	if !live {
		t.Fatal("the subscriptions never all saw a spend")
	}

	renders0 := counterValue(t, s.reg, "tally_graphql_subscription_renders_total")
	pushes0 := counterValue(t, s.reg, "tally_graphql_subscription_pushes_total")
	total := spend(100)
	got := map[string][]json.RawMessage{}
	for i, sub := range subs {
		p := sub.ws.pushOf(t, total, sub.next)
		if p == nil {
			t.Fatalf("subscriber %d (%s) got no push of the spend", i, sub.group)
		}
		got[sub.group] = append(got[sub.group], p)
	}
	if d := counterValue(t, s.reg, "tally_graphql_subscription_pushes_total") - pushes0; d != float64(len(subs)) {
		t.Errorf("%v pushes for %d subscribers", d, len(subs))
	}
	if d := counterValue(t, s.reg, "tally_graphql_subscription_renders_total") - renders0; d != float64(len(groups)) {
		t.Errorf("%v renders of one event for %d kinds of subscriber, want one each", d, len(groups))
	}
	for group, payloads := range got {
		for _, p := range payloads[1:] {
			if !bytes.Equal(p, payloads[0]) {
				t.Errorf("%s: payloads differ:\n%s\n%s", group, payloads[0], p)
			}
		}
	}

	type push struct {
		Data struct {
			BalanceUpdated struct {
				Balance struct {
					Total  int64
					Grants []struct{ Reason string }
				}
				Entry *struct{ ID, Reason string }
			}
		}
	}
	decode := func(group string) push {
		var p push
		if err := json.Unmarshal(got[group][0], &p); err != nil {
			t.Fatal(err)
		}
		if p.Data.BalanceUpdated.Balance.Total != total {
			t.Errorf("%s: total %d, want %d", group, p.Data.BalanceUpdated.Balance.Total, total)
		}
		return p
	}
	if e := decode("owner").Data.BalanceUpdated.Entry; e == nil || e.Reason != "owner's secret" {
		t.Errorf("owner: entry %+v, want the spend", e)
	}
	m := decode("member").Data.BalanceUpdated
	if m.Entry != nil {
		t.Errorf("MEMBER: entry %+v, want null", m.Entry)
	}
	for _, g := range m.Balance.Grants {
		if g.Reason != "" {
			t.Errorf("MEMBER: grant reason %q, want none", g.Reason)
		}
	}
	decode("key")
	if e := decode("owner+entry").Data.BalanceUpdated.Entry; e == nil || e.Reason != "owner's secret" {
		t.Errorf("owner with entry: entry %+v, want the spend", e)
	}
	if bytes.Contains(got["owner-entry"][0], []byte(`"entry"`)) {
		t.Errorf("owner without entry: %s", got["owner-entry"][0])
	}
}
