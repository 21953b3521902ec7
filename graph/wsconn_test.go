package graph_test

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
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
