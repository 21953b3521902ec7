package graph_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tallyhq/tally/graph"
)

// TestWebsocketProtocol runs the transport's protocol edge cases on both
// subprotocols: each case sends its messages in order and expects the
// server's answers (a message type and a piece of its JSON) and, when
// closeCode is set, the socket closed with that code.
func TestWebsocketProtocol(t *testing.T) {
	s := newServer(t, func(o *graph.Options) { o.Websockets.Subscriptions = 2 })
	org := s.createOrg()
	init := `{"type":"connection_init","payload":{"authorization":"Bearer ` + s.token + `"}}`
	sub := func(typ, id string) string {
		return `{"type":"` + typ + `","id":"` + id + `","payload":{"query":"subscription($o: ID!) { balanceUpdated(orgId: $o) { balance { total } } }","variables":{"o":"` + org + `"}}}`
	}
	// A subscription's first message is the balance it starts from.
	snapshot := func(id string) string {
		return `{"payload":{"data":{"balanceUpdated":{"balance":{"total":10000}}}},"id":"` + id + `"`
	}
	type step struct {
		control  int    // a control frame to send first (websocket.PingMessage, PongMessage; 0: none)
		binary   bool   // send an empty binary message
		send     string // a message to send ("" for none)
		want     string // the type of the next message ("" for none)
		contains string // a piece of that message's JSON
	}
	ack := step{send: init, want: "connection_ack"}
	cases := []struct {
		name, proto string
		steps       []step
		closeCode   int // 0: the socket is still open at the end
	}{
		{"init is acknowledged", "graphql-transport-ws", []step{ack}, 0},
		{"bad init: not JSON", "graphql-transport-ws", []step{{send: `{"type":`}}, 4400},
		{"bad init: payload not an object", "graphql-transport-ws", []step{{send: `{"type":"connection_init","payload":"x"}`}}, 4400},
		{"bad init: forged token", "graphql-transport-ws", []step{{send: `{"type":"connection_init","payload":{"authorization":"Bearer forged"}}`}}, 4403},
		{"bad init: no init in time", "graphql-transport-ws", nil, 4408},
		{"subscribe before init", "graphql-transport-ws", []step{{send: sub("subscribe", "1")}}, 4401},
		{"init twice", "graphql-transport-ws", []step{ack, {send: init}}, 4429},
		{"unknown type", "graphql-transport-ws", []step{ack, {send: `{"type":"hello"}`}}, 4400},
		{"not JSON after init", "graphql-transport-ws", []step{ack, {send: `[1,2]`}}, 4400},
		{"subscribe without an id", "graphql-transport-ws", []step{ack, {send: sub("subscribe", "")}}, 4400},
		{"duplicate id", "graphql-transport-ws", []step{ack, {send: sub("subscribe", "1")}, {send: sub("subscribe", "1")}}, 4409},
		{"too large", "graphql-transport-ws", []step{ack, {send: `{"type":"ping","payload":{"pad":"` + strings.Repeat("x", 65<<10) + `"}}`}}, 1009},
		{"too many subscriptions", "graphql-transport-ws", []step{ack, {send: sub("subscribe", "1"), want: "next", contains: snapshot("1")},
			{send: sub("subscribe", "2"), want: "next", contains: snapshot("2")},
			{send: sub("subscribe", "3"), want: "next", contains: `"RATE_LIMITED"`}, {want: "complete", contains: `"3"`}}, 0},
		{"complete from client", "graphql-transport-ws", []step{ack, {send: sub("subscribe", "1"), want: "next", contains: snapshot("1")},
			{send: `{"type":"complete","id":"1"}`, want: "complete", contains: `"1"`},
			{send: sub("subscribe", "2"), want: "next", contains: snapshot("2")}, {send: `{"type":"ping"}`, want: "pong"}}, 0},
		{"bad operation", "graphql-transport-ws", []step{ack, {send: `{"type":"subscribe","id":"1","payload":{"query":"subscription {"}}`, want: "error", contains: `"1"`}}, 0},
		{"ping before and after init", "graphql-transport-ws", []step{{send: `{"type":"ping","payload":{"n":1}}`, want: "pong", contains: `"n":1`}, ack,
			{send: `{"type":"ping","payload":{"n":2}}`, want: "pong", contains: `"n":2`}, {send: `{"type":"pong"}`}, {send: `{"type":"ping"}`, want: "pong"}}, 0},

		{"control frames between messages", "graphql-transport-ws", []step{ack, {control: websocket.PongMessage}, {control: websocket.PingMessage},
			{send: sub("subscribe", "1"), want: "next", contains: snapshot("1")}, {control: websocket.PongMessage, send: `{"type":"ping"}`, want: "pong"}, {control: websocket.PingMessage}}, 0},
		{"empty binary message after a pong", "graphql-transport-ws", []step{ack, {control: websocket.PongMessage}, {binary: true}}, 4400},

		{"legacy: init", "graphql-ws", []step{ack, {want: "ka"}}, 0},
		{"legacy: bad init", "graphql-ws", []step{{send: `{"type":`, want: "connection_error"}}, 1002},
		{"legacy: forged token", "graphql-ws", []step{{send: `{"type":"connection_init","payload":{"authorization":"Bearer forged"}}`, want: "connection_error"}}, 4403},
		{"legacy: unknown type", "graphql-ws", []step{ack, {want: "ka"}, {send: `{"type":"ping"}`, want: "connection_error", contains: "unexpected message ping"}}, 1002},
		{"legacy: duplicate id", "graphql-ws", []step{ack, {want: "ka"}, {send: sub("start", "1"), want: "data", contains: snapshot("1")},
			{send: sub("start", "1"), want: "error", contains: "already running"}}, 0},
		{"legacy: stop", "graphql-ws", []step{ack, {want: "ka"}, {send: sub("start", "1"), want: "data", contains: snapshot("1")},
			{send: `{"type":"stop","id":"1"}`, want: "complete", contains: `"1"`}}, 0},
		{"legacy: terminate", "graphql-ws", []step{ack, {want: "ka"}, {send: `{"type":"connection_terminate"}`}}, 1000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := websocket.Dialer{Subprotocols: []string{tc.proto}, HandshakeTimeout: 5 * time.Second}
			c, _, err := d.Dial("ws"+strings.TrimPrefix(s.url, "http"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = c.Close() }()
			for i, st := range tc.steps {
				if st.control != 0 {
					if err := c.WriteControl(st.control, []byte("x"), time.Now().Add(5*time.Second)); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				}
				if st.binary {
					if err := c.WriteMessage(websocket.BinaryMessage, nil); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				}
				if st.send != "" {
					if err := c.WriteMessage(websocket.TextMessage, []byte(st.send)); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				}
				if st.want == "" {
					continue
				}
				_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
				_, raw, err := c.ReadMessage()
				if err != nil {
					t.Fatalf("step %d: waiting for %s: %v", i, st.want, err)
				}
				var m struct{ Type string }
				if err := json.Unmarshal(raw, &m); err != nil || m.Type != st.want || !strings.Contains(string(raw), st.contains) {
					t.Fatalf("step %d: got %s, want %s with %s", i, raw, st.want, st.contains)
				}
			}
			// The end: a close with its code, or an open socket that
			// still answers.
			if tc.closeCode == 0 {
				if tc.proto == "graphql-ws" {
					return // no ping in graphql-ws
				}
				if err := c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping","payload":{"end":true}}`)); err != nil {
					t.Fatal(err)
				}
			}
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			for {
				_, raw, err := c.ReadMessage()
				if err != nil {
					var ce *websocket.CloseError
					if !errors.As(err, &ce) || ce.Code != tc.closeCode {
						t.Fatalf("ended with %v, want close %d", err, tc.closeCode)
					}
					return
				}
				if tc.closeCode == 0 && strings.Contains(string(raw), `"end":true`) {
					return
				}
				if strings.Contains(string(raw), `"ka"`) || tc.closeCode != 0 {
					continue // keep-alives, answers before the close
				}
				t.Fatalf("unexpected %s", raw)
			}
		})
	}
}
