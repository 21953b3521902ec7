package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The websocket subprotocols wsTransport speaks.
const (
	// protoTransportWS is graphql-ws's graphql-transport-ws.
	protoTransportWS = "graphql-transport-ws"
	// protoLegacyWS is subscriptions-transport-ws's graphql-ws (also
	// spoken when the client names no subprotocol).
	protoLegacyWS = "graphql-ws"
)

// Close codes of graphql-transport-ws besides those in wsconn.go.
const (
	// closeProtocolError ends a socket that broke the protocol (RFC 6455: 1002).
	closeProtocolError = 1002
	// closeBadRequest ends a socket that sent a message the protocol does not know (4400).
	closeBadRequest = 4400
	// closeDuplicateID ends a socket that reused the id of a running operation (4409).
	closeDuplicateID = 4409
	// closeTooManyInits ends a socket that sent connection_init twice (4429).
	closeTooManyInits = 4429
)

// wsTransport is the websocket transport of /graphql: graphql-transport-ws
// and the legacy graphql-ws, with Tally's connection_init authentication.
//
// It is built to keep an idle subscriber cheap: each connection has one
// goroutine, the one that reads it (a new one, with a shallow stack, when
// the request allows it: see Detachment), which parks on the socket
// between messages and reads each on a short-lived goroutine, with pooled
// buffers (wsread.go); writes are made by
// whoever has something to send, under the connection's write lock; pings
// come from the process's shared pinger (wsconn.go); the init timeout, the
// legacy keep-alive and the end of the session's context are timers and
// context callbacks, not goroutines. A subscription whose resolver returns
// a channel has no goroutine either: the stream hub (wsstreams.go) waits
// on many subscriptions' channels at once, or is told of each event by a
// resolver that announces them (balanceUpdated: streamNotify), and hands
// each event to a short-lived goroutine that renders and writes it. An event the resolvers
// share among subscribers is rendered once for all whose result must be
// the same (wsshare.go), and each writes the bytes under its own id.
type wsTransport struct {
	accepter    wsAccepter
	initFunc    wsInitFunc
	initTimeout time.Duration
	// keepAlive is how often a legacy graphql-ws connection gets a "ka".
	keepAlive time.Duration
	// readLimit caps one message's size (0: no cap).
	readLimit int64
	hub       *streamHub
	// pushes shares rendered events among subscribers (nil: no sharing).
	pushes  *pushCache
	metrics *Metrics
	logger  *slog.Logger
}

var _ graphql.Transport = (*wsTransport)(nil)

// Supports reports whether r asks for an upgrade.
func (t *wsTransport) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

// Do upgrades the request and serves the connection until it closes.
func (t *wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ws, err := t.accepter.Accept(w, r, transport.WebsocketAcceptOptions{
		ResponseHeader: http.Header{},
		Subprotocols:   []string{protoLegacyWS, protoTransportWS},
	})
	if err != nil {
		return // the websocket library answered the request
	}
	conn, ok := ws.(*wsConn)
	if !ok {
		_ = ws.Close()
		return
	}
	c := &wsProto{t: t, conn: conn, exec: exec, legacy: conn.Subprotocol() != protoTransportWS}
	if t.readLimit > 0 {
		conn.SetReadLimit(t.readLimit)
	}
	ctx := r.Context()
	if d := DetachmentFrom(ctx); d.Detach() {
		go func() {
			defer d.End()
			defer func() {
				if rec := recover(); rec != nil {
					t.logger.ErrorContext(ctx, "panic serving websocket", "panic", rec)
					conn.closeNow()
				}
			}()
			c.serve(ctx)
		}()
		return
	}
	c.serve(ctx)
}

// wsMessage is one message of either subprotocol.
type wsMessage struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
}

// The message types of both subprotocols.
const (
	msgInit      = "connection_init"
	msgAck       = "connection_ack"
	msgPing      = "ping"
	msgPong      = "pong"
	msgSubscribe = "subscribe" // legacy: start
	msgNext      = "next"      // legacy: data
	msgError     = "error"
	msgComplete  = "complete" // client → server legacy: stop
	// legacy only
	msgStart     = "start"
	msgStop      = "stop"
	msgData      = "data"
	msgKeepAlive = "ka"
	msgConnError = "connection_error"
	msgTerminate = "connection_terminate"
)

// wsProto is one connection's protocol state.
type wsProto struct {
	t      *wsTransport
	conn   *wsConn
	exec   graphql.GraphExecutor
	legacy bool // graphql-ws rather than graphql-transport-ws

	ctx    context.Context // the session's, once connection_init was accepted
	cancel context.CancelFunc

	wmu sync.Mutex // one message written at a time

	mu     sync.Mutex
	closed bool
	active map[string]*wsOp
	ka     *time.Timer // legacy keep-alive
}

// serve runs the connection: connection_init, then operations until the
// connection closes.
func (c *wsProto) serve(ctx context.Context) {
	// Until connection_init is accepted, the request's context ending (a
	// shutdown) or the init timeout closes the socket.
	stop := context.AfterFunc(ctx, func() { c.close(transport.WebsocketCloseNormalClosure, "terminated") })
	var timer *time.Timer
	if c.t.initTimeout > 0 {
		timer = time.AfterFunc(c.t.initTimeout, func() {
			// wsConn turns this into 4408 on graphql-transport-ws.
			c.close(closeProtocolError, "connection initialisation timeout")
		})
	}
	var ok bool
	shallow(func() { ok = c.init(ctx, timer) })
	stop()
	if timer != nil {
		timer.Stop()
	}
	if !ok {
		c.close(closeProtocolError, "terminated")
		return
	}
	// The session's context ending (revocation, expiry, shutdown) closes
	// the socket with the session's code.
	context.AfterFunc(c.ctx, func() { c.close(transport.WebsocketCloseNormalClosure, "terminated") })
	defer c.cancel()
	if c.conn.canIdle() {
		c.idleLoop()
	} else {
		for c.readOne() {
		}
	}
	c.shutdown()
}

// idleLoop handles the client's messages until the connection is done,
// parked on the connection between them: each is read and handled on a
// short-lived goroutine, so that this one keeps a small stack (wsread.go).
func (c *wsProto) idleLoop() {
	more := true
	read := func() {
		c.conn.prepareRead()
		more = c.readOne()
	}
	for more {
		c.conn.lockRead(0)
		if c.conn.buffered() == 0 {
			c.conn.unlockRead()
			c.conn.await()
			c.conn.lockRead(0)
		}
		shallow(read)
		c.conn.endRead()
		c.conn.unlockRead()
	}
}

// init reads connection_init, authenticates it and acknowledges it; false
// when the connection is to close.
func (c *wsProto) init(ctx context.Context, timer *time.Timer) bool {
	for {
		m, err := c.readMessage()
		if err != nil {
			c.refuse(err)
			return false
		}
		switch m.Type {
		case msgInit:
			if timer != nil && !timer.Stop() {
				return false // timed out: closed already
			}
		case msgPing:
			if !c.legacy { // graphql-transport-ws allows pings at any time
				c.send(wsMessage{Type: msgPong, Payload: m.Payload})
				continue
			}
			c.unexpected(m.Type)
			return false
		case msgTerminate:
			if c.legacy {
				c.close(transport.WebsocketCloseNormalClosure, "terminated")
				return false
			}
			c.unexpected(m.Type)
			return false
		case msgSubscribe:
			if !c.legacy {
				c.close(closeUnauthorized, "Unauthorized")
				return false
			}
			c.unexpected(m.Type)
			return false
		default:
			c.unexpected(m.Type)
			return false
		}
		var payload transport.InitPayload
		if len(m.Payload) > 0 && !bytes.Equal(m.Payload, []byte("null")) {
			if err := json.Unmarshal(m.Payload, &payload); err != nil {
				c.connectionError("invalid connection_init payload")
				c.close(c.badRequestCode(), "invalid connection_init payload")
				return false
			}
		}
		if payload == nil {
			payload = transport.InitPayload{}
		}
		sessCtx, cancel, err := c.t.initFunc(ctx, payload)
		if err != nil {
			c.connectionError(err.Error())
			code, reason := transport.WebsocketCloseNormalClosure, "terminated"
			if ie, ok := errors.AsType[*wsInitError](err); ok {
				code, reason = ie.code, ie.reason
			}
			c.close(code, reason)
			return false
		}
		if cancel == nil {
			sessCtx, cancel = context.WithCancel(sessCtx)
		}
		c.mu.Lock()
		c.ctx, c.cancel = sessCtx, cancel
		c.active = map[string]*wsOp{}
		c.mu.Unlock()
		c.send(wsMessage{Type: msgAck})
		if c.legacy {
			c.send(wsMessage{Type: msgKeepAlive})
			if c.t.keepAlive > 0 {
				c.mu.Lock()
				if !c.closed {
					c.ka = time.AfterFunc(c.t.keepAlive, c.keepAliveTick)
				}
				c.mu.Unlock()
			}
		}
		return true
	}
}

// wsInitFunc accepts connection_init's payload and returns the session's
// context and what cancels it (nil: the transport makes its own), or
// refuses it with an error (a *wsInitError names the close code and
// reason). The transport cancels the context when the connection ends.
type wsInitFunc func(ctx context.Context, p transport.InitPayload) (context.Context, context.CancelFunc, error)

// wsInitError refuses a connection_init: the socket closes with code and
// reason; msg is the legacy connection_error's text.
type wsInitError struct {
	code        int
	reason, msg string
}

func (e *wsInitError) Error() string { return e.msg }

// errBadMessage is a message that is not one of the protocol's JSON objects.
var errBadMessage = errors.New("websocket: message is not a protocol message")

// readMessage reads and decodes the next message.
func (c *wsProto) readMessage() (wsMessage, error) {
	_, data, err := c.conn.read()
	if err != nil {
		return wsMessage{}, err
	}
	var m wsMessage
	if err := json.Unmarshal(data, &m); err != nil || m.Type == "" {
		return wsMessage{}, errBadMessage
	}
	return m, nil
}

// refuse closes the connection after a read that failed: a message that is
// not the protocol's is answered, a connection that is gone is not.
func (c *wsProto) refuse(err error) {
	if errors.Is(err, errBadMessage) {
		c.connectionError("invalid json")
		c.close(c.badRequestCode(), "invalid message")
	}
}

// badRequestCode is the close code of an invalid message: graphql-transport-ws's
// 4400, or a protocol error on the legacy subprotocol.
func (c *wsProto) badRequestCode() int {
	if c.legacy {
		return closeProtocolError
	}
	return closeBadRequest
}

// unexpected closes the connection after a message the protocol does not
// allow here.
func (c *wsProto) unexpected(typ string) {
	c.connectionError("unexpected message " + typ)
	c.close(c.badRequestCode(), "unexpected message")
}

// readOne reads and handles one message after connection_init; false when
// the connection is done.
func (c *wsProto) readOne() bool {
	m, err := c.readMessage()
	if errors.Is(err, errNoMessage) {
		return true // control frames, handled by the library
	}
	if err != nil {
		c.refuse(err)
		return false
	}
	start := graphql.Now()
	switch {
	case m.Type == msgSubscribe && !c.legacy, m.Type == msgStart && c.legacy:
		var more bool
		shallow(func() { more = c.subscribe(start, m) })
		return more
	case m.Type == msgComplete && !c.legacy, m.Type == msgStop && c.legacy:
		c.mu.Lock()
		op := c.active[m.ID]
		c.mu.Unlock()
		if op != nil {
			op.finish(true)
		}
	case m.Type == msgPing && !c.legacy:
		c.send(wsMessage{Type: msgPong, Payload: m.Payload})
	case m.Type == msgPong && !c.legacy:
	case m.Type == msgTerminate && c.legacy:
		c.close(transport.WebsocketCloseNormalClosure, "terminated")
		return false
	case m.Type == msgInit && !c.legacy:
		c.close(closeTooManyInits, "Too many initialisation requests")
		return false
	default:
		c.unexpected(m.Type)
		return false
	}
	return true
}

// subscribe starts an operation; false when the connection is to close.
func (c *wsProto) subscribe(start time.Time, m wsMessage) bool {
	if m.ID == "" {
		c.connectionError("an operation needs an id")
		c.close(c.badRequestCode(), "operation without an id")
		return false
	}
	c.mu.Lock()
	_, dup := c.active[m.ID]
	c.mu.Unlock()
	if dup {
		if !c.legacy {
			c.close(closeDuplicateID, "Subscriber for "+m.ID+" already exists")
			return false
		}
		c.sendError(m.ID, &gqlerror.Error{Message: "an operation with id " + m.ID + " is already running"})
		return true
	}

	ctx := graphql.StartOperationTrace(c.ctx)
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(m.Payload))
	dec.UseNumber()
	if err := dec.Decode(params); err != nil {
		c.fail(m.ID, &gqlerror.Error{Message: "invalid json"})
		return true
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	rc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			c.fail(m.ID, resp.Errors...)
		} else {
			c.sendResponse(m.ID, &graphql.Response{Errors: errs})
			c.complete(m.ID)
		}
		return true
	}

	op := &wsOp{c: c, id: m.ID, rc: rc}
	// The subscription's channel, caught on its way from the resolver to
	// gqlgen: the hub waits on it in place of a goroutine of the
	// operation's own.
	var stream *streamEntry
	notify := &streamNotify{}
	inner := rc.ResolverMiddleware
	rc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) {
		res, err := inner(ctx, next)
		if err != nil || stream != nil || res == nil {
			return res, err
		}
		if v := reflect.ValueOf(res); v.Kind() == reflect.Chan && v.Type().ChanDir()&reflect.RecvDir != 0 {
			stream = c.t.hub.entry(v, op.deliver)
			notify.bind(stream)
			return stream.out, nil
		}
		return res, err
	}
	ctx, op.cancel = context.WithCancel(graphql.WithOperationContext(ctx, rc))
	ctx = context.WithValue(ctx, streamNotifyKey{}, notify)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		op.cancel()
		return false
	}
	c.active[m.ID] = op
	c.mu.Unlock()

	var next graphql.ResponseHandler
	func() {
		defer func() {
			if r := recover(); r != nil {
				op.panicked(ctx, r)
			}
		}()
		next, ctx = c.exec.DispatchOperation(ctx, rc)
	}()
	if next == nil {
		op.finish(false)
		return true
	}
	op.ctx, op.next = ctx, next
	if stream != nil {
		if c.t.pushes != nil {
			op.shape, op.shares = shapeOf(sessionFrom(c.ctx), rc)
		}
		c.mu.Lock()
		op.stream = stream
		c.mu.Unlock()
		// An operation that ended meanwhile removed the entry, and the
		// hub does not watch a removed entry.
		c.t.hub.watch(stream)
		// The operation's end (a client's complete, the connection's
		// close) unregisters the channel.
		context.AfterFunc(ctx, func() { op.finish(false) })
		return true
	}
	// No channel (an error answered at once, another kind of stream): the
	// operation's responses are read on a goroutine until they end.
	go func() {
		for op.step() {
		}
	}()
	return true
}

// wsOp is one running operation of a connection.
type wsOp struct {
	c      *wsProto
	id     string
	rc     *graphql.OperationContext
	ctx    context.Context
	cancel context.CancelFunc
	next   graphql.ResponseHandler
	stream *streamEntry // nil: read on a goroutine (guarded by c.mu)
	ended  bool         // finish ran (guarded by c.mu)
	once   sync.Once
	failed bool // an error message ended it: no complete
	// shape says what the operation renders from a shared event; shares
	// false: it renders every event itself.
	shape  pushShape
	shares bool
}

// render runs the operation on its next event: the marshalled response
// (nil when there is none to send) and whether it is free of errors; more
// is false once the operation finished.
func (op *wsOp) render() (payload []byte, clean, more bool) {
	defer func() {
		if r := recover(); r != nil {
			op.panicked(op.ctx, r)
			payload, clean, more = nil, false, false
		}
	}()
	resp := op.next(op.ctx)
	if resp == nil {
		op.finish(true)
		return nil, false, false
	}
	op.c.t.metrics.subscriptionRendered()
	b, err := json.Marshal(resp)
	if err != nil {
		return nil, false, true
	}
	return b, len(resp.Errors) == 0, true
}

// step renders and sends the operation's next response; false (the
// operation finished) once there is none.
func (op *wsOp) step() bool {
	payload, _, more := op.render()
	if payload != nil {
		op.c.sendNext(op.id, payload)
	}
	return more
}

// stepShared sends ev, rendered once for every operation of op's shape:
// the first renders (and shares the bytes if the render has no errors),
// the others send those bytes, consuming the event gqlgen would have
// read, or render their own when there are none.
func (op *wsOp) stepShared(ev any) bool {
	slot, first := op.c.t.pushes.slot(pushKey{event: ev, shape: op.shape})
	if first {
		var payload []byte
		var more bool
		func() {
			var shared []byte
			defer func() { slot.publish(shared) }() // also when render panics
			var clean bool
			payload, clean, more = op.render()
			if clean && more {
				shared = payload
			}
		}()
		if payload != nil {
			op.c.sendNext(op.id, payload)
		}
		return more
	}
	<-slot.done
	if slot.payload == nil {
		return op.step()
	}
	op.c.mu.Lock()
	stream := op.stream
	op.c.mu.Unlock()
	if stream != nil {
		stream.dst.TryRecv()
	}
	if op.ctx.Err() != nil {
		return false // ended meanwhile: its end unregisters it
	}
	op.c.sendNext(op.id, slot.payload)
	return true
}

// deliver is the hub's callback when the operation's channel has an
// event ev (or closed: ev nil): it runs on a short-lived goroutine.
func (op *wsOp) deliver(ev any) {
	var more bool
	if op.shares && sharedEvent(ev) {
		more = op.stepShared(ev)
	} else {
		more = op.step()
	}
	if more {
		op.c.mu.Lock()
		stream := op.stream
		op.c.mu.Unlock()
		if stream != nil {
			op.c.t.hub.rearm(stream)
		}
	}
}

// panicked answers a panic while running the operation with an error.
func (op *wsOp) panicked(ctx context.Context, r any) {
	err := op.rc.Recover(ctx, r)
	var gqlErr *gqlerror.Error
	if !errors.As(err, &gqlErr) {
		gqlErr = &gqlerror.Error{Message: "internal error"}
	}
	op.failed = true
	op.c.sendError(op.id, gqlErr)
	op.finish(false)
}

// finish ends the operation once: it is forgotten, its context cancelled
// and its channel unregistered; complete is sent when asked for, unless
// an error ended it or the connection is closing.
func (op *wsOp) finish(complete bool) {
	op.once.Do(func() {
		c := op.c
		c.mu.Lock()
		if c.active[op.id] == op {
			delete(c.active, op.id)
		}
		closed := c.closed
		op.ended = true
		stream := op.stream
		c.mu.Unlock()
		if op.cancel != nil {
			op.cancel()
		}
		if stream != nil {
			c.t.hub.remove(stream)
		}
		if complete && !op.failed && !closed && c.ctx.Err() == nil {
			c.complete(op.id)
		}
	})
}

// keepAliveTick sends a legacy "ka" and arms the next.
func (c *wsProto) keepAliveTick() {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return
	}
	c.send(wsMessage{Type: msgKeepAlive})
	c.mu.Lock()
	if !c.closed {
		c.ka.Reset(c.t.keepAlive)
	}
	c.mu.Unlock()
}

// send writes one message; nothing once the connection is closing.
func (c *wsProto) send(m wsMessage) {
	if c.legacy {
		switch m.Type {
		case msgNext:
			m.Type = msgData
		case msgPing, msgPong:
			return
		}
	} else if m.Type == msgKeepAlive || m.Type == msgConnError {
		return
	}
	data, err := json.Marshal(m)
	if err != nil {
		return
	}
	c.write(data)
}

// sendNext sends a response already marshalled (shared bytes, perhaps):
// the message around it is written without re-encoding it.
func (c *wsProto) sendNext(id string, payload []byte) {
	c.t.metrics.subscriptionPushed()
	typ := `,"type":"` + msgNext + `"}`
	if c.legacy {
		typ = `,"type":"` + msgData + `"}`
	}
	quoted, err := json.Marshal(id)
	if err != nil {
		return
	}
	data := make([]byte, 0, len(`{"payload":,"id":`)+len(payload)+len(quoted)+len(typ))
	data = append(data, `{"payload":`...)
	data = append(data, payload...)
	data = append(data, `,"id":`...)
	data = append(data, quoted...)
	data = append(data, typ...)
	c.write(data)
}

// write writes one message; nothing once the connection is closing.
func (c *wsProto) write(data []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return
	}
	_ = c.conn.writeText(data)
}

func (c *wsProto) sendResponse(id string, resp *graphql.Response) {
	b, err := json.Marshal(resp)
	if err != nil {
		return
	}
	c.send(wsMessage{Type: msgNext, ID: id, Payload: b})
}

func (c *wsProto) sendError(id string, errs ...*gqlerror.Error) {
	b, err := json.Marshal(errs)
	if err != nil {
		return
	}
	c.send(wsMessage{Type: msgError, ID: id, Payload: b})
}

// fail answers an operation that cannot run with an error message, which
// ends it on graphql-transport-ws; the legacy protocol also completes it.
func (c *wsProto) fail(id string, errs ...*gqlerror.Error) {
	c.sendError(id, errs...)
	if c.legacy {
		c.complete(id)
	}
}

func (c *wsProto) complete(id string) { c.send(wsMessage{Type: msgComplete, ID: id}) }

// connectionError sends a legacy connection_error (graphql-transport-ws
// has none: its close reason says it).
func (c *wsProto) connectionError(msg string) {
	b, err := json.Marshal(&gqlerror.Error{Message: msg})
	if err != nil {
		return
	}
	c.send(wsMessage{Type: msgConnError, Payload: b})
}

// close starts the close handshake with code (unless the session set its
// own) and ends every operation; later calls do nothing.
func (c *wsProto) close(code int, reason string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	if c.ka != nil {
		c.ka.Stop()
	}
	c.mu.Unlock()
	_ = c.conn.WriteClose(code, reason)
	c.shutdown()
}

// shutdown ends every operation of a connection that is done.
func (c *wsProto) shutdown() {
	c.mu.Lock()
	c.closed = true
	if c.ka != nil {
		c.ka.Stop()
	}
	ops := make([]*wsOp, 0, len(c.active))
	for _, op := range c.active {
		ops = append(ops, op)
	}
	cancel := c.cancel
	c.mu.Unlock()
	for _, op := range ops {
		op.finish(false)
	}
	if cancel != nil {
		cancel()
	}
}
