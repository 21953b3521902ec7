package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// SubscribeCmd runs one GraphQL subscription over a websocket
// (graphql-transport-ws) and prints its events: a terminal-sized client
// for trying subscriptions without a browser or a websocket tool.
type SubscribeCmd struct {
	Query     string            `arg:"" help:"The subscription, e.g. 'subscription($org: ID!) { balanceUpdated(orgId: $org) { balance { total } } }'."`
	URL       string            `name:"url" default:"http://localhost:8080/graphql" help:"The server's GraphQL endpoint (http, https, ws or wss)."`
	Token     string            `name:"token" help:"Credential sent in connection_init: a JWT (from tally token) or an API key."`
	Var       map[string]string `name:"var" help:"A string variable, NAME=VALUE; repeat for more."`
	Variables string            `name:"variables" help:"Variables as a JSON object (merged under --var)."`
	Count     int               `name:"count" default:"0" help:"Exit after this many events (0: run until interrupted)."`
}

// wsMessage is one graphql-transport-ws message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Run subscribes and prints each event's payload as one JSON line on
// stdout until the server completes the subscription, --count events
// arrived, or SIGINT/SIGTERM.
func (s SubscribeCmd) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return s.run(ctx, os.Stdout, os.Stderr)
}

// run is Run with its context and outputs.
func (s SubscribeCmd) run(ctx context.Context, stdout, stderr io.Writer) error {
	endpoint, err := websocketURL(s.URL)
	if err != nil {
		return err
	}
	vars, err := s.variables()
	if err != nil {
		return err
	}
	dialCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dialCtx, endpoint, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return fmt.Errorf("cannot open a websocket to %s (%v): is tally serve running there? Point --url at it", endpoint, innermost(err))
	}
	defer func() { _ = conn.CloseNow() }()
	conn.SetReadLimit(16 << 20)

	// connection_init goes out at once: the server closes a socket that
	// stays silent for TALLY_WS_INIT_TIMEOUT.
	init := map[string]string{}
	if s.Token != "" {
		init["authorization"] = "Bearer " + s.Token
	}
	if err := send(ctx, conn, "", "connection_init", init); err != nil {
		return err
	}
	if _, err := s.await(ctx, conn, "connection_ack"); err != nil {
		return err
	}
	if err := send(ctx, conn, "1", "subscribe", map[string]any{"query": s.Query, "variables": vars}); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "subscribed to", endpoint+"; waiting for events (Ctrl-C to stop)")
	for events := 0; s.Count == 0 || events < s.Count; events++ {
		m, err := s.await(ctx, conn, "next")
		if errors.Is(err, errCompleted) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil { // interrupted: a normal end
				_ = send(context.Background(), conn, "1", "complete", nil)
				_ = conn.Close(websocket.StatusNormalClosure, "")
				return nil
			}
			return err
		}
		var result struct {
			Data   json.RawMessage `json:"data"`
			Errors json.RawMessage `json:"errors"`
		}
		if json.Unmarshal(m.Payload, &result) == nil && len(result.Errors) > 0 &&
			(len(result.Data) == 0 || string(result.Data) == "null") {
			return fmt.Errorf("the server refused the subscription: %s", graphqlErrors(result.Errors))
		}
		if _, err := fmt.Fprintf(stdout, "%s\n", m.Payload); err != nil {
			return err
		}
	}
	_ = send(ctx, conn, "1", "complete", nil)
	_ = conn.Close(websocket.StatusNormalClosure, "")
	return nil
}

// errCompleted reports that the server ended the subscription.
var errCompleted = errors.New("subscription completed")

// await reads messages until one of type want arrives, answering pings on
// the way. A server error, a completion or a close is returned as an error.
func (s SubscribeCmd) await(ctx context.Context, conn *websocket.Conn, want string) (wsMessage, error) {
	for {
		var m wsMessage
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			if code := websocket.CloseStatus(err); code != -1 {
				var ce websocket.CloseError
				_ = errors.As(err, &ce)
				return m, fmt.Errorf("the server closed the websocket: %d %s", code, ce.Reason)
			}
			return m, err
		}
		switch m.Type {
		case want:
			return m, nil
		case "ping":
			if err := send(ctx, conn, "", "pong", nil); err != nil {
				return m, err
			}
		case "pong":
		case "complete":
			return m, errCompleted
		case "error":
			return m, fmt.Errorf("the server refused the subscription: %s", graphqlErrors(m.Payload))
		default:
			return m, fmt.Errorf("unexpected %q message while waiting for %q: %s", m.Type, want, m.Payload)
		}
	}
}

// send writes one graphql-transport-ws message.
func send(ctx context.Context, conn *websocket.Conn, id, typ string, payload any) error {
	m := wsMessage{ID: id, Type: typ}
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		m.Payload = b
	}
	return wsjson.Write(ctx, conn, m)
}

// graphqlErrors renders a list of GraphQL errors as "CODE: message; …".
func graphqlErrors(payload json.RawMessage) string {
	var errs []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	}
	if json.Unmarshal(payload, &errs) != nil || len(errs) == 0 {
		return string(payload)
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Message
		if e.Extensions.Code != "" {
			parts[i] = e.Extensions.Code + ": " + e.Message
		}
	}
	return strings.Join(parts, "; ")
}

// variables merges --variables and --var.
func (s SubscribeCmd) variables() (map[string]any, error) {
	vars := map[string]any{}
	if strings.TrimSpace(s.Variables) != "" {
		if err := json.Unmarshal([]byte(s.Variables), &vars); err != nil {
			return nil, fmt.Errorf("--variables is not a JSON object: %w", err)
		}
	}
	for k, v := range s.Var {
		vars[k] = v
	}
	return vars, nil
}

// websocketURL turns an http(s) GraphQL endpoint into its ws(s) URL.
func websocketURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("--url %q is not a URL like http://localhost:8080/graphql", raw)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	case "ws", "wss":
	default:
		return "", fmt.Errorf("--url %q: want http, https, ws or wss", raw)
	}
	return u.String(), nil
}
