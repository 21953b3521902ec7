package graph

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// An idle subscriber's connection has one goroutine, parked until the
// client sends something. Parked inside the websocket library's Read, that
// goroutine holds the library's whole read path on its stack (about 8 KiB
// each at thousands of idle sockets), so the transport parks it on the
// connection itself instead (frameSource.await: a poll of the socket that
// reads nothing) and reads the message on a short-lived goroutine once
// bytes arrive.
//
// The library's Read returns only with a data message, though, and the
// most frequent thing an idle client sends is the pong to the server's
// ping, a control frame: Read would handle it and then wait for the next
// message, on the short-lived goroutine's deep stack. So when what
// arrived is whole control frames and nothing else, the frameSource ends
// them with a frame of its own, an empty binary message (markFrame), for
// Read to return; the transport drops it (errNoMessage).

// markFrame is the frame a frameSource adds after a batch of control
// frames: a final, masked, empty binary message, as a client sends it.
var markFrame = [...]byte{0x82, 0x80, 0, 0, 0, 0}

// errNoMessage is the read of a batch of control frames: the library
// handled them, and there is no message for the protocol.
var errNoMessage = errors.New("websocket: control frames only")

// frameSource is the hijacked connection under a websocket's read buffer.
// It reads the connection into a pooled buffer (wsBufferSize), which it
// hands back to the pool once the library has read it all. Its fields are
// guarded by the wsConn's read lock (rmu).
type frameSource struct {
	net.Conn
	// raw waits for the client's bytes without reading them (nil: the
	// connection cannot, and the transport reads in place).
	raw syscall.RawConn

	pending *[]byte // read from the connection, not yet by the library (from off)
	off     int

	mark    bool // the next Read, once nothing is pending, returns markFrame (from markOff)
	markOff int
	marked  bool // markFrame was read, and the message it makes not yet seen
}

// readBufs are the pooled read and write buffers of websockets.
var readBufs = sync.Pool{New: func() any {
	b := make([]byte, 0, wsBufferSize)
	return &b
}}

// maxPooledBuffer is the largest buffer given back to readBufs (one that
// grew for a large frame is dropped).
const maxPooledBuffer = 4 * wsBufferSize

func putBuffer(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		*b = (*b)[:0]
		readBufs.Put(b)
	}
}

func newFrameSource(c net.Conn) *frameSource {
	s := &frameSource{Conn: c}
	if sc, ok := c.(syscall.Conn); ok && canAwait {
		if raw, err := sc.SyscallConn(); err == nil {
			s.raw = raw
		}
	}
	return s
}

// unread puts b (copied) before what the connection has to read.
func (s *frameSource) unread(b []byte) {
	p := readBufs.Get().(*[]byte)
	*p = append((*p)[:0], b...)
	s.pending, s.off = p, 0
}

// buffered is how many bytes were read from the connection and not yet
// by the library.
func (s *frameSource) buffered() int {
	if s.pending == nil {
		return 0
	}
	return len(*s.pending) - s.off
}

// Read hands out what is pending, else the mark frame when one is due,
// else reads the connection: into p when it is large, else into a pooled
// buffer.
func (s *frameSource) Read(p []byte) (int, error) {
	if s.pending != nil {
		n := copy(p, (*s.pending)[s.off:])
		s.off += n
		if s.off == len(*s.pending) {
			putBuffer(s.pending)
			s.pending, s.off = nil, 0
		}
		return n, nil
	}
	if s.mark {
		n := copy(p, markFrame[s.markOff:])
		s.markOff += n
		if s.markOff == len(markFrame) {
			s.mark, s.markOff, s.marked = false, 0, true
		}
		return n, nil
	}
	if len(p) >= wsBufferSize {
		return s.Conn.Read(p)
	}
	b := readBufs.Get().(*[]byte)
	n, err := s.Conn.Read((*b)[:wsBufferSize])
	if n == 0 {
		putBuffer(b)
		return 0, err
	}
	// An error with bytes comes again with the next read.
	*b = (*b)[:n]
	s.pending, s.off = b, 0
	return s.Read(p)
}

// reset forgets a mark that was not read (the read ended with an error).
func (s *frameSource) reset() { s.mark, s.markOff, s.marked = false, 0, false }

// takeMarked reports (once) whether the message just read was the mark.
func (s *frameSource) takeMarked() bool {
	m := s.marked
	s.marked = false
	return m
}

// controlFramesOnly reports whether b is one or more whole ping or pong
// frames from a client (final, masked, at most 125 bytes of payload) and
// nothing else. A close frame is not among them: reading it ends the
// connection.
func controlFramesOnly(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for len(b) > 0 {
		if len(b) < 2 {
			return false
		}
		switch b[0] {
		case 0x80 | 0x9, 0x80 | 0xA: // FIN, no RSV bits, ping or pong
		default:
			return false
		}
		if b[1]&0x80 == 0 || b[1]&0x7f > 125 {
			return false
		}
		n := 2 + 4 + int(b[1]&0x7f)
		if len(b) < n {
			return false
		}
		b = b[n:]
	}
	return true
}

// canIdle reports whether the connection parks on its socket between
// messages (see await).
func (c *wsConn) canIdle() bool { return c.src != nil && c.src.raw != nil }

// await waits until the client has sent something (or the connection
// failed), reading nothing: the caller parks with a shallow stack.
func (c *wsConn) await() { awaitReadable(c.src.raw) }

// buffered is how many bytes were read and not yet handled (under the
// read lock): more than none, and the next read needs no wait.
func (c *wsConn) buffered() int { return c.br.Buffered() + c.src.buffered() }

// lockRead takes the read lock, which keeps the transport's reads and the
// library's close handshake (which reads the connection too) apart; false
// when it was not free within d (d <= 0: it waits as long as it takes).
func (c *wsConn) lockRead(d time.Duration) bool {
	select {
	case c.rmu <- struct{}{}:
		return true
	default:
	}
	if d <= 0 {
		c.rmu <- struct{}{}
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case c.rmu <- struct{}{}:
		return true
	case <-t.C:
		return false
	}
}

func (c *wsConn) unlockRead() { <-c.rmu }

// prepareRead, under the read lock and with bytes arrived, has the
// frameSource mark the end of what arrived when it is control frames only,
// so that the next read returns once they are handled.
func (c *wsConn) prepareRead() {
	if _, err := c.br.Peek(1); err != nil {
		return // the read reports it
	}
	b, _ := c.br.Peek(c.br.Buffered())
	if s := c.src; s.pending != nil {
		b = append(bytes.Clone(b), (*s.pending)[s.off:]...)
	}
	if controlFramesOnly(b) {
		c.src.mark = true
	}
}

// endRead, under the read lock, forgets a mark the read did not reach.
func (c *wsConn) endRead() { c.src.reset() }

// frameWriter is what a websocket's bufio writer (of the smallest size)
// flushes into: it collects the frames the library writes, one after the
// other, into a pooled buffer, and writes them to the connection in one
// piece once they are whole, so that a push still costs one write and an
// idle connection holds no write buffer. Only the library writes to it,
// one frame at a time (its write lock).
type frameWriter struct {
	conn    net.Conn
	pending *[]byte // part of a frame (nil: none)
}

func (w *frameWriter) Write(p []byte) (int, error) {
	if w.pending == nil {
		if wholeFrames(p) {
			return w.conn.Write(p)
		}
		w.pending = readBufs.Get().(*[]byte)
	}
	*w.pending = append(*w.pending, p...)
	if !wholeFrames(*w.pending) {
		return len(p), nil
	}
	b := w.pending
	w.pending = nil
	_, err := w.conn.Write(*b)
	putBuffer(b)
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// wholeFrames reports whether b is one or more whole websocket frames and
// nothing else.
func wholeFrames(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for len(b) > 0 {
		if len(b) < 2 {
			return false
		}
		n, hdr := uint64(b[1]&0x7f), 2
		switch n {
		case 126:
			if len(b) < 4 {
				return false
			}
			n, hdr = uint64(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			if len(b) < 10 {
				return false
			}
			n, hdr = binary.BigEndian.Uint64(b[2:]), 10
		}
		if b[1]&0x80 != 0 {
			hdr += 4 // masked
		}
		if len(b) < hdr || uint64(len(b)-hdr) < n {
			return false
		}
		b = b[uint64(hdr)+n:]
	}
	return true
}
