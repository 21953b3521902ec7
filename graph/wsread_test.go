package graph

import "testing"

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
