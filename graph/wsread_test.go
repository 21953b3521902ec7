package graph

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"testing"
)

func TestControlFramesOnly(t *testing.T) {
	pong := []byte{0x8A, 0x81, 1, 2, 3, 4, 'x'} // FIN, pong, masked, 1 byte
	ping := []byte{0x89, 0x80, 1, 2, 3, 4}      // FIN, ping, masked, empty
	text := []byte{0x81, 0x81, 1, 2, 3, 4, 'x'}
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	cases := []struct {
		name string
		b    []byte
		want bool
	}{
		{"nothing", nil, false},
		{"a pong", pong, true},
		{"a ping", ping, true},
		{"pongs and pings", cat(pong, ping, pong), true},
		{"a text frame", text, false},
		{"a pong, then a text frame", cat(pong, text), false},
		{"a text frame, then a pong", cat(text, pong), false},
		{"half a pong", pong[:4], false},
		{"a pong and half another", cat(pong, pong[:1]), false},
		{"a pong and a byte too many", cat(pong, []byte{0}), false},
		{"a close frame", []byte{0x88, 0x80, 1, 2, 3, 4}, false},
		{"an unmasked pong", []byte{0x8A, 0x00}, false},
		{"a fragmented pong", []byte{0x0A, 0x80, 1, 2, 3, 4}, false},
		{"a pong with RSV bits", []byte{0xCA, 0x80, 1, 2, 3, 4}, false},
		{"a pong longer than 125 bytes", []byte{0x8A, 0x80 | 126, 0, 200}, false},
		{"the mark frame itself", markFrame[:], false},
	}
	for _, tc := range cases {
		if got := controlFramesOnly(tc.b); got != tc.want {
			t.Errorf("%s: controlFramesOnly(% x) = %v, want %v", tc.name, tc.b, got, tc.want)
		}
	}
}

// TestFrameSourceMark: a marked frameSource reads the mark frame (whatever
// the size of the reads) before the connection, once.
func TestFrameSourceMark(t *testing.T) {
	for _, size := range []int{1, 4, 6, 512} {
		s := &frameSource{mark: true}
		var got []byte
		for len(got) < len(markFrame) {
			p := make([]byte, size)
			n, err := s.Read(p)
			if err != nil || n == 0 {
				t.Fatalf("size %d: Read = %d, %v", size, n, err)
			}
			got = append(got, p[:n]...)
		}
		if string(got) != string(markFrame[:]) || s.mark {
			t.Fatalf("size %d: read % x (mark still due: %v)", size, got, s.mark)
		}
		if !s.takeMarked() || s.takeMarked() {
			t.Fatalf("size %d: the mark is to be taken once", size)
		}
	}
}

func TestWholeFrames(t *testing.T) {
	small := []byte{0x81, 3, 'a', 'b', 'c'}
	medium := append([]byte{0x81, 126, 0, 200}, make([]byte, 200)...)
	large := append([]byte{0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0}, make([]byte, 65536)...)
	masked := []byte{0x81, 0x81, 1, 2, 3, 4, 'x'}
	cases := []struct {
		name string
		b    []byte
		want bool
	}{
		{"nothing", nil, false},
		{"a small frame", small, true},
		{"a 126-length frame", medium, true},
		{"a 127-length frame", large, true},
		{"a masked frame", masked, true},
		{"two frames", append(append([]byte{}, small...), medium...), true},
		{"a header only", small[:2], false},
		{"a byte", small[:1], false},
		{"half an extended length", medium[:3], false},
		{"half a payload", medium[:100], false},
		{"half a mask key", masked[:4], false},
		{"a frame and a byte", append(append([]byte{}, small...), 0x81), false},
	}
	for _, tc := range cases {
		if got := wholeFrames(tc.b); got != tc.want {
			t.Errorf("%s: wholeFrames = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// fakeConn records writes and serves reads from in.
type fakeConn struct {
	net.Conn
	in     []byte
	writes [][]byte
}

func (c *fakeConn) Read(p []byte) (int, error) {
	if len(c.in) == 0 {
		return 0, io.EOF
	}
	n := copy(p, c.in)
	c.in = c.in[n:]
	return n, nil
}

func (c *fakeConn) Write(p []byte) (int, error) {
	c.writes = append(c.writes, bytes.Clone(p))
	return len(p), nil
}

// TestFrameWriter: frames written through bufio's smallest writer reach
// the connection whole, one write each, whatever their size.
func TestFrameWriter(t *testing.T) {
	conn := &fakeConn{}
	bw := bufio.NewWriterSize(&frameWriter{conn: conn}, wsLibraryBufferSize)
	var want [][]byte
	for _, n := range []int{0, 3, 14, 100, 300, 5000, 70000} {
		frame := []byte{0x81}
		switch {
		case n < 126:
			frame = append(frame, byte(n))
		case n < 1<<16:
			frame = binary.BigEndian.AppendUint16(append(frame, 126), uint16(n))
		default:
			frame = binary.BigEndian.AppendUint64(append(frame, 127), uint64(n))
		}
		payload := bytes.Repeat([]byte{'x'}, n)
		// As the library writes a frame: the header, the payload, a flush.
		if _, err := bw.Write(frame); err != nil {
			t.Fatal(err)
		}
		if _, err := bw.Write(payload); err != nil {
			t.Fatal(err)
		}
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
		want = append(want, append(frame, payload...))
	}
	if len(conn.writes) != len(want) {
		t.Fatalf("%d writes, want %d (one a frame)", len(conn.writes), len(want))
	}
	for i := range want {
		if !bytes.Equal(conn.writes[i], want[i]) {
			t.Fatalf("write %d: % x…, want % x…", i, conn.writes[i][:min(8, len(conn.writes[i]))], want[i][:8])
		}
	}
}

// TestFrameSourceBuffers: bytes read ahead (unread) come first, then the
// connection's, through bufio's smallest reader, in order and whole.
func TestFrameSourceBuffers(t *testing.T) {
	in := bytes.Repeat([]byte("0123456789"), 200)
	s := &frameSource{Conn: &fakeConn{in: in[300:]}}
	s.unread(in[:300])
	got, err := io.ReadAll(bufio.NewReaderSize(s, wsLibraryBufferSize))
	if err != nil || !bytes.Equal(got, in) {
		t.Fatalf("read %d bytes (%v), want the %d sent", len(got), err, len(in))
	}
	if s.pending != nil {
		t.Fatal("a buffer is still held once all was read")
	}
}
