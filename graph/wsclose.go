package graph

import (
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// closeInitTimeout is the graphql-transport-ws close code for a client that
// did not send connection_init in time.
const closeInitTimeout = 4408

// protocolCodes wraps a websocket implementation so that close codes follow
// the negotiated subprotocol: gqlgen closes every init timeout with 1002,
// while graphql-transport-ws requires 4408.
type protocolCodes struct {
	transport.WebsocketImplementation
}

// Accept accepts the connection and wraps it.
func (p protocolCodes) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := p.WebsocketImplementation.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	return protocolConn{c}, nil
}

// protocolConn rewrites close codes and forwards the optional interfaces
// gqlgen probes for (read limit, read deadline).
type protocolConn struct{ transport.WebsocketConn }

// WriteClose sends the close frame with the subprotocol's code.
func (c protocolConn) WriteClose(code int, msg string) error {
	if code == transport.WebsocketCloseProtocolError && msg == "connection initialisation timeout" &&
		c.Subprotocol() == "graphql-transport-ws" {
		code = closeInitTimeout
	}
	return c.WebsocketConn.WriteClose(code, msg)
}

// SetReadLimit forwards to the wrapped connection when it supports it.
func (c protocolConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

// SetReadDeadline forwards to the wrapped connection when it supports it.
func (c protocolConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
