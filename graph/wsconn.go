package graph

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
)

// Close codes Tally sends besides RFC 6455's.
const (
	// closeUnauthorized ends a socket whose token expired (graphql-transport-ws 4401).
	closeUnauthorized = 4401
	// closeForbidden ends a socket whose credentials were revoked or whose
	// member's rights changed (4403).
	closeForbidden = 4403
	// closeInitTimeout ends a socket that sent no connection_init in time (4408).
	closeInitTimeout = 4408
	// closeTooMany ends a socket over its principal's connection cap (4429).
	closeTooMany = 4429
	// closeInvalidPayload ends a socket that sent a text message that is not UTF-8 (RFC 6455: 1007).
	closeInvalidPayload = 1007
)

// wsAccepter accepts websocket connections with coder/websocket for
// gqlgen's transport. Compared with gqlgen's own adapter, its connections
// give every write a deadline (a client that stops reading cannot hold a
// goroutine forever), ping at the protocol level for either subprotocol and
// close when no pong comes, refuse text that is not UTF-8, use
// graphql-transport-ws's close codes, and let a session set the close code
// before it ends the connection.
type wsAccepter struct {
	// writeTimeout bounds each message written.
	writeTimeout time.Duration
	// pingInterval is how often a protocol ping is sent; a pong must come
	// within the same interval.
	pingInterval time.Duration
}

var _ transport.WebsocketImplementation = wsAccepter{}

// Accept upgrades the request. Origins were checked before (cors).
func (a wsAccepter) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	for k, vs := range o.ResponseHeader {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	opts := coderws.AcceptOptions{InsecureSkipVerify: true}
	for _, p := range o.Subprotocols {
		if !slices.Contains(opts.Subprotocols, p) {
			opts.Subprotocols = append(opts.Subprotocols, p)
		}
	}
	var sb *smallBuffers
	if hj, ok := w.(http.Hijacker); ok {
		sb = &smallBuffers{ResponseWriter: w, hj: hj}
		w = sb
	}
	c, err := coderws.Accept(w, r, &opts)
	if err != nil {
		return nil, err
	}
	// gqlgen keeps the request's header for the life of the socket, to
	// hand each operation; nothing in Tally reads it there, and at
	// thousands of idle sockets its parsed copy was about 2 KB each. r
	// is gqlgen's own copy of the request (its ServeHTTP made it).
	r.Header = nil
	conn := &wsConn{c: c, writeTimeout: a.writeTimeout, done: make(chan struct{}), rmu: make(chan struct{}, 1)}
	if sb != nil && sb.src != nil {
		conn.br, conn.src = sb.br, sb.src
	}
	if s := sessionFrom(r.Context()); s != nil {
		s.attach(conn)
	}
	if a.pingInterval > 0 {
		conn.pinger = pingerFor(a.pingInterval)
		conn.pinger.add(conn)
	}
	return conn, nil
}

// closeHandshakeWait is how long a close handshake waits for a read under
// way to end (the library's own wait for its read lock).
const closeHandshakeWait = 5 * time.Second

// wsBufferSize is the size of the buffers a websocket reads and writes
// with. A subscriber's messages are small (subscribe, ping, pong; pushes
// of a few hundred bytes), and larger ones go around the buffer. The
// buffers are pooled, taken when a frame is read or written (frameSource,
// frameWriter): an idle connection holds none, only the library's
// smallest bufio buffers (wsLibraryBufferSize).
const wsBufferSize = 512

// wsLibraryBufferSize is the size of the bufio buffers the websocket
// library keeps for the life of a connection: bufio's smallest. They are
// only a frame header's way to the pooled buffers.
const wsLibraryBufferSize = 16

// smallBuffers hands the websocket library the hijacked connection with
// pooled buffers in place of net/http's: the connection under a
// frameSource and a frameWriter, behind the smallest bufio buffers. It
// keeps the reader for the wsConn.
type smallBuffers struct {
	http.ResponseWriter
	hj http.Hijacker

	br  *bufio.Reader // set by Hijack
	src *frameSource
}

// Hijack takes the connection over; bytes the client sent after the
// upgrade request and net/http already buffered are read first.
func (s *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := s.hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Flush(); err != nil {
		_ = c.Close()
		return nil, nil, err
	}
	src := newFrameSource(c)
	if n := brw.Reader.Buffered(); n > 0 {
		// The websocket library takes what br buffers and then reads
		// src: the bytes come first from src.
		b, _ := brw.Peek(n)
		src.unread(b)
	}
	br := bufio.NewReaderSize(src, wsLibraryBufferSize)
	s.br, s.src = br, src
	// The library reads src through br (which it resets to read what is
	// buffered first, then src), and closes src; it writes through the
	// writer only.
	return src, bufio.NewReadWriter(br, bufio.NewWriterSize(&frameWriter{conn: c}, wsLibraryBufferSize)), nil
}

// wsConn is one accepted connection.
type wsConn struct {
	c            *coderws.Conn
	writeTimeout time.Duration
	done         chan struct{} // closed when the connection is closed
	closeOnce    sync.Once
	pinger       *pinger     // nil: not pinged
	pingSlot     int         // its slot in pinger
	pinging      atomic.Bool // a ping waits for its pong

	// The library's read buffer and the connection under it, when the
	// connection parks on its socket between messages (nil: it does not).
	br  *bufio.Reader
	src *frameSource
	rmu chan struct{} // the read lock: see lockRead

	mu         sync.Mutex
	readTimer  *time.Timer
	code       int    // close code set by a session; 0: gqlgen's own
	reason     string // with code
	closing    bool
	closedDone chan struct{} // the close handshake finished
}

var (
	_ transport.WebsocketConn          = (*wsConn)(nil)
	_ transport.WebsocketReadLimiter   = (*wsConn)(nil)
	_ transport.WebsocketReadDeadliner = (*wsConn)(nil)
)

// NextReader reads the next message; a normal close is ErrWebsocketClosed.
func (c *wsConn) NextReader() (int, io.Reader, error) {
	typ, data, err := c.read()
	if err != nil {
		return 0, nil, err
	}
	return int(typ), bytes.NewReader(data), nil
}

// read reads the next whole message; a normal close is
// ErrWebsocketClosed, and a text message that is not UTF-8 closes the
// connection (1007).
func (c *wsConn) read() (coderws.MessageType, []byte, error) {
	typ, data, err := c.c.Read(context.Background())
	if err != nil {
		switch coderws.CloseStatus(err) {
		case coderws.StatusNormalClosure, coderws.StatusNoStatusRcvd, coderws.StatusGoingAway:
			return 0, nil, transport.ErrWebsocketClosed
		}
		return 0, nil, err
	}
	if c.src != nil && c.src.takeMarked() && typ == coderws.MessageBinary && len(data) == 0 {
		return 0, nil, errNoMessage
	}
	if typ == coderws.MessageText && !utf8.Valid(data) {
		c.end(closeInvalidPayload, "messages must be valid UTF-8")
		return 0, nil, errors.New("websocket: message is not valid UTF-8")
	}
	return typ, data, nil
}

// writeText writes one text message within the write timeout.
func (c *wsConn) writeText(data []byte) error {
	ctx, cancel := c.writeContext()
	defer cancel()
	return c.c.Write(ctx, coderws.MessageText, data)
}

// WriteJSON writes one message within the write timeout; a client too slow
// to take it loses the connection.
func (c *wsConn) WriteJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := c.writeContext()
	defer cancel()
	return c.c.Write(ctx, coderws.MessageText, data)
}

func (c *wsConn) writeContext() (context.Context, context.CancelFunc) {
	if c.writeTimeout <= 0 {
		return context.WithCancel(context.Background())
	}
	return context.WithTimeout(context.Background(), c.writeTimeout)
}

// WriteClose starts the close handshake in the background (coder waits up
// to 5 s for the peer's close frame). A code set by the session replaces
// the normal closure gqlgen sends when the session's context ends; an init
// timeout on graphql-transport-ws is 4408, as that protocol requires.
func (c *wsConn) WriteClose(code int, msg string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopReadTimerLocked()
	if c.closing {
		return nil
	}
	c.closing = true
	switch {
	case c.code != 0:
		code, msg = c.code, c.reason
	case code == transport.WebsocketCloseProtocolError && msg == "connection initialisation timeout" &&
		c.c.Subprotocol() == "graphql-transport-ws":
		code = closeInitTimeout
	}
	done := make(chan struct{})
	c.closedDone = done
	go func() {
		defer close(done)
		// The handshake reads the connection: not while the transport
		// does. A read that goes on (a client that sends half a frame)
		// loses the handshake, as the library's own read lock would.
		if c.lockRead(closeHandshakeWait) {
			_ = c.c.Close(coderws.StatusCode(code), msg)
			c.unlockRead()
		} else {
			_ = c.c.CloseNow()
		}
		c.markDone()
	}()
	return nil
}

// Close closes the connection now, unless a close handshake is under way
// (it closes the connection itself).
func (c *wsConn) Close() error {
	c.mu.Lock()
	c.stopReadTimerLocked()
	handshake := c.closing
	c.mu.Unlock()
	if handshake {
		return nil
	}
	c.markDone()
	return c.c.CloseNow()
}

// closeNow drops the connection whatever its state (a deadline passed).
func (c *wsConn) closeNow() {
	c.markDone()
	_ = c.c.CloseNow()
}

// drop closes the connection when its handler returned, unless a close
// handshake is under way: that finishes (within coder's 5 s) and closes it.
func (c *wsConn) drop() {
	c.mu.Lock()
	c.stopReadTimerLocked()
	handshake := c.closing
	c.mu.Unlock()
	if !handshake {
		c.closeNow()
	}
}

func (c *wsConn) markDone() {
	c.closeOnce.Do(func() {
		close(c.done)
		if c.pinger != nil {
			c.pinger.remove(c)
		}
	})
}

// setClose records the code and reason the connection closes with.
func (c *wsConn) setClose(code int, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.code == 0 {
		c.code, c.reason = code, reason
	}
}

// end closes the connection with code at once (used when nothing else will
// close it, e.g. before gqlgen's run loop started).
func (c *wsConn) end(code int, reason string) {
	c.setClose(code, reason)
	_ = c.WriteClose(code, reason)
}

// Subprotocol is the negotiated subprotocol.
func (c *wsConn) Subprotocol() string { return c.c.Subprotocol() }

// SetReadLimit caps one message's size.
func (c *wsConn) SetReadLimit(limit int64) { c.c.SetReadLimit(limit) }

// SetReadDeadline closes the connection when nothing resets the deadline
// before t (gqlgen's graphql-transport-ws ping/pong); zero clears it.
func (c *wsConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopReadTimerLocked()
	if t.IsZero() {
		return nil
	}
	c.readTimer = time.AfterFunc(time.Until(t), c.closeNow)
	return nil
}

func (c *wsConn) stopReadTimerLocked() {
	if c.readTimer != nil {
		c.readTimer.Stop()
		c.readTimer = nil
	}
}

// pingSlots spreads a pinger's connections over its interval: each tick
// (interval/pingSlots) pings one slot's connections, so pings (and their
// short-lived goroutines) do not all come at once.
const pingSlots = 16

// pinger pings the websockets of one ping interval: one goroutine and one
// ticker for all of them, in place of a goroutine and a ticker each. Every
// connection is pinged once per interval and closed when its pong does
// not arrive within the interval.
type pinger struct {
	interval time.Duration

	mu      sync.Mutex
	slots   [pingSlots]map[*wsConn]struct{}
	n       int  // connections
	next    int  // slot the next connection joins
	running bool // the goroutine runs (while n > 0)
}

var (
	pingersMu sync.Mutex
	pingers   = map[time.Duration]*pinger{}
)

// pingerFor returns the process's pinger of interval.
func pingerFor(interval time.Duration) *pinger {
	pingersMu.Lock()
	defer pingersMu.Unlock()
	p := pingers[interval]
	if p == nil {
		p = &pinger{interval: interval}
		pingers[interval] = p
	}
	return p
}

// add starts pinging c (until remove).
func (p *pinger) add(c *wsConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	slot := p.next
	p.next = (p.next + 1) % pingSlots
	if p.slots[slot] == nil {
		p.slots[slot] = map[*wsConn]struct{}{}
	}
	p.slots[slot][c] = struct{}{}
	c.pingSlot = slot
	p.n++
	if !p.running {
		p.running = true
		go p.run()
	}
}

// remove stops pinging c.
func (p *pinger) remove(c *wsConn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.slots[c.pingSlot][c]; ok {
		delete(p.slots[c.pingSlot], c)
		p.n--
	}
}

// run pings one slot per tick until no connection is left.
func (p *pinger) run() {
	t := time.NewTicker(p.interval / pingSlots)
	defer t.Stop()
	slot := 0
	var due []*wsConn
	for range t.C {
		p.mu.Lock()
		if p.n == 0 {
			p.running = false
			p.mu.Unlock()
			return
		}
		due = due[:0]
		for c := range p.slots[slot] {
			due = append(due, c)
		}
		p.mu.Unlock()
		slot = (slot + 1) % pingSlots
		if len(due) == 0 {
			continue
		}
		// One deadline for the slot's pings: a context (and its timer)
		// per ping was a tenth of a busy server's CPU at 10,000 sockets,
		// in its allocations and the GC work they caused (perf).
		ctx, cancel := context.WithTimeout(context.Background(), p.interval)
		var wg sync.WaitGroup
		for _, c := range due {
			if c.pinging.CompareAndSwap(false, true) {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c.ping(ctx)
				}()
			}
		}
		go func() {
			wg.Wait()
			cancel()
		}()
	}
}

// ping sends one protocol ping and drops the connection when its pong does
// not arrive before ctx's deadline (the ping interval): a vanished client
// frees its connection whichever subprotocol it speaks.
func (c *wsConn) ping(ctx context.Context) {
	defer c.pinging.Store(false)
	if err := c.c.Ping(ctx); err != nil {
		c.closeNow()
	}
}
