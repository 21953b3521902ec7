package graph_test

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/tallyhq/tally/graph"
)

// maskedTextFrame is a client's text frame (clients must mask) carrying v.
func maskedTextFrame(t *testing.T, v any) []byte {
	t.Helper()
	payload, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	key := [4]byte{1, 2, 3, 4}
	frame := []byte{0x81} // FIN, text
	switch n := len(payload); {
	case n < 126:
		frame = append(frame, 0x80|byte(n))
	default:
		frame = append(frame, 0x80|126)
		frame = binary.BigEndian.AppendUint16(frame, uint16(n))
	}
	frame = append(frame, key[:]...)
	for i, b := range payload {
		frame = append(frame, b^key[i%4])
	}
	return frame
}

// TestWebsocketBytesSentWithTheUpgrade: a client that sends its
// connection_init in the same write as the upgrade request (before the
// 101 arrives) is served: the bytes the HTTP server read ahead reach the
// websocket, in order, with the connection's small buffers.
func TestWebsocketBytesSentWithTheUpgrade(t *testing.T) {
	s := newServer(t)
	for _, size := range []int{0, 2000} { // a long init spans more than one buffer
		init := map[string]any{"type": "connection_init", "payload": map[string]any{
			"authorization": "Bearer " + s.token, "pad": strings.Repeat("x", size)}}
		ping := map[string]any{"type": "ping"}
		c, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		req := "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
			"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
		msg := append([]byte(req), maskedTextFrame(t, init)...)
		msg = append(msg, maskedTextFrame(t, ping)...)
		if _, err := c.Write(msg); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(c)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode != http.StatusSwitchingProtocols {
			t.Fatalf("upgrade: %s", res.Status)
		}
		for _, want := range []string{"connection_ack", "pong"} {
			var hdr [2]byte
			if _, err := br.Read(hdr[:1]); err != nil {
				t.Fatalf("size %d: waiting for %s: %v", size, want, err)
			}
			if _, err := br.Read(hdr[1:]); err != nil {
				t.Fatal(err)
			}
			if hdr[0] != 0x81 {
				t.Fatalf("size %d: frame %#x, want a text frame with %s", size, hdr[0], want)
			}
			n := int(hdr[1] & 0x7f)
			if n == 126 {
				var ext [2]byte
				if _, err := readFull(br, ext[:]); err != nil {
					t.Fatal(err)
				}
				n = int(binary.BigEndian.Uint16(ext[:]))
			}
			body := make([]byte, n)
			if _, err := readFull(br, body); err != nil {
				t.Fatal(err)
			}
			var m struct{ Type string }
			if err := json.Unmarshal(body, &m); err != nil || m.Type != want {
				t.Fatalf("size %d: got %s, want %s", size, body, want)
			}
		}
		_ = c.Close()
	}
}

func readFull(r *bufio.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := r.Read(p[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// TestWebsocketPingsAnswered: a client that answers the server's protocol
// pings stays connected and served, and once its pongs were handled no
// goroutine of the server waits in the websocket library's Read: between
// messages the connection's goroutine parks on the socket (wsread.go).
func TestWebsocketPingsAnswered(t *testing.T) {
	s := newServer(t, func(o *graph.Options) { o.Websockets.PingInterval = 400 * time.Millisecond })
	d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
	c, _, err := d.Dial("ws"+strings.TrimPrefix(s.url, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	var pings atomic.Int32
	c.SetPingHandler(func(data string) error {
		pings.Add(1)
		return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	// gorilla answers pings only while reading: read on another goroutine.
	msgs := make(chan string, 8)
	go func() {
		defer close(msgs)
		for {
			_, raw, err := c.ReadMessage()
			if err != nil {
				return
			}
			msgs <- string(raw)
		}
	}()
	next := func(want string) {
		t.Helper()
		select {
		case m, ok := <-msgs:
			if !ok || !strings.Contains(m, want) {
				t.Fatalf("got %q (open: %v), want %s", m, ok, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s within 5s", want)
		}
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"type":"connection_init","payload":{"authorization":"Bearer `+s.token+`"}}`)); err != nil {
		t.Fatal(err)
	}
	next("connection_ack")
	deadline := time.Now().Add(10 * time.Second)
	for pings.Load() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d pings within 10s, want 3 (one per 400ms)", pings.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"type":"ping","payload":{"n":7}}`)); err != nil {
		t.Fatal(err)
	}
	next(`"n":7`)
	// Pongs since that message handled, nothing waits in the library's Read.
	deadline = time.Now().Add(10 * time.Second)
	for n := pings.Load(); pings.Load() < n+2; {
		if time.Now().After(deadline) {
			t.Fatal("no more pings")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		if !strings.Contains(stacks, "coder/websocket.(*Conn).Read(") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a goroutine waits in the websocket library's Read:\n%s", stacks)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebsocketSilentClientDropped: a client that never answers the
// server's protocol pings loses its connection once a ping's interval
// passed without a pong, while one that answers stays (the pings of one
// slot share their deadline).
func TestWebsocketSilentClientDropped(t *testing.T) {
	s := newServer(t, func(o *graph.Options) { o.Websockets.PingInterval = 300 * time.Millisecond })
	dial := func(answer bool) (*websocket.Conn, <-chan error) {
		d := websocket.Dialer{Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 5 * time.Second}
		c, _, err := d.Dial("ws"+strings.TrimPrefix(s.url, "http"), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		if !answer {
			c.SetPingHandler(func(string) error { return nil })
		}
		if err := c.WriteMessage(websocket.TextMessage, []byte(`{"type":"connection_init","payload":{"authorization":"Bearer `+s.token+`"}}`)); err != nil {
			t.Fatal(err)
		}
		ended := make(chan error, 1)
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					ended <- err
					return
				}
			}
		}()
		return c, ended
	}
	_, silentEnded := dial(false)
	_, answeringEnded := dial(true)
	select {
	case err := <-silentEnded:
		t.Logf("the silent client's connection ended: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("a client that never answered a ping is still connected after 10s")
	}
	select {
	case err := <-answeringEnded:
		t.Fatalf("a client that answers pings lost its connection: %v", err)
	case <-time.After(time.Second):
	}
}
