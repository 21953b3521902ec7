package main

import (
	"errors"
	"time"

	"github.com/tallyhq/tally/graph"
)

// LimitOptions bound what one request, one connection and one client may
// cost the server. Every default is in README's "Running in production".
type LimitOptions struct {
	MaxQueryBytes     int           `name:"max-query-bytes" env:"TALLY_MAX_QUERY_BYTES" default:"32768" help:"Longest accepted GraphQL document text, in bytes."`
	MaxTokens         int           `name:"max-tokens" env:"TALLY_MAX_TOKENS" default:"10000" help:"Most lexical tokens in one GraphQL document (the parser stops there)."`
	DepthLimit        int           `name:"depth-limit" env:"TALLY_DEPTH_LIMIT" default:"12" help:"Deepest accepted GraphQL selection nesting."`
	MaxFields         int           `name:"max-fields" env:"TALLY_MAX_FIELDS" default:"500" help:"Most field selections in one document, fragments expanded."`
	MaxAliases        int           `name:"max-aliases" env:"TALLY_MAX_ALIASES" default:"30" help:"Most aliased fields in one document, fragments expanded."`
	MaxRootFields     int           `name:"max-root-fields" env:"TALLY_MAX_ROOT_FIELDS" default:"20" help:"Most top-level fields in one operation."`
	MaxMoneyMutations int           `name:"max-money-mutations" env:"TALLY_MAX_MONEY_MUTATIONS" default:"5" help:"Most mutations that move money or credits in one request."`
	MaxDirectives     int           `name:"max-directives" env:"TALLY_MAX_DIRECTIVES" default:"50" help:"Most directives in one document."`
	MaxErrors         int           `name:"max-errors" env:"TALLY_MAX_ERRORS" default:"100" help:"Most errors in one response (validation stops collecting there)."`
	OperationTimeout  time.Duration `name:"operation-timeout" env:"TALLY_OPERATION_TIMEOUT" default:"30s" help:"Deadline of one query or mutation."`

	ReadHeaderTimeout time.Duration `name:"read-header-timeout" env:"TALLY_READ_HEADER_TIMEOUT" default:"10s" help:"Time a client has to send a request's headers."`
	ReadTimeout       time.Duration `name:"read-timeout" env:"TALLY_READ_TIMEOUT" default:"30s" help:"Time a client has to send a whole request, body included."`
	WriteTimeout      time.Duration `name:"write-timeout" env:"TALLY_WRITE_TIMEOUT" default:"60s" help:"Time from the end of a request's headers to the end of its response (at least the operation timeout)."`
	IdleTimeout       time.Duration `name:"idle-timeout" env:"TALLY_IDLE_TIMEOUT" default:"120s" help:"How long an idle keep-alive connection stays open."`

	WSMaxConnections   int           `name:"ws-max-connections" env:"TALLY_WS_MAX_CONNECTIONS" default:"10000" help:"Most open websockets on this instance."`
	WSMaxPerPrincipal  int           `name:"ws-max-per-principal" env:"TALLY_WS_MAX_PER_PRINCIPAL" default:"20" help:"Most open websockets of one user, API key or (anonymous) client address on this instance."`
	WSMaxSubscriptions int           `name:"ws-max-subscriptions" env:"TALLY_WS_MAX_SUBSCRIPTIONS" default:"20" help:"Most running subscriptions on one websocket."`
	WSWriteTimeout     time.Duration `name:"ws-write-timeout" env:"TALLY_WS_WRITE_TIMEOUT" default:"10s" help:"Time a websocket client has to take one message before it is disconnected."`
	WSPingInterval     time.Duration `name:"ws-ping-interval" env:"TALLY_WS_PING_INTERVAL" default:"30s" help:"How often websockets are pinged; no pong within the interval disconnects."`
}

// ServerTimeouts are the HTTP server's own timeouts (websockets are exempt
// from read and write timeouts once upgraded).
type ServerTimeouts struct {
	ReadHeader, Read, Write, Idle time.Duration
}

// limits validates the options.
func (l LimitOptions) limits() (graph.Limits, graph.WebsocketLimits, ServerTimeouts, time.Duration, error) {
	checks := []struct {
		ok  bool
		msg string
	}{
		{l.MaxQueryBytes >= 256, "TALLY_MAX_QUERY_BYTES must be at least 256"},
		{l.MaxTokens >= 100, "TALLY_MAX_TOKENS must be at least 100"},
		{l.DepthLimit >= 1, "TALLY_DEPTH_LIMIT must be at least 1"},
		{l.MaxFields >= 10, "TALLY_MAX_FIELDS must be at least 10"},
		{l.MaxAliases >= 1, "TALLY_MAX_ALIASES must be at least 1"},
		{l.MaxRootFields >= 1, "TALLY_MAX_ROOT_FIELDS must be at least 1"},
		{l.MaxMoneyMutations >= 1, "TALLY_MAX_MONEY_MUTATIONS must be at least 1"},
		{l.MaxDirectives >= 1, "TALLY_MAX_DIRECTIVES must be at least 1"},
		{l.MaxErrors >= 1, "TALLY_MAX_ERRORS must be at least 1"},
		{l.OperationTimeout >= time.Second, "TALLY_OPERATION_TIMEOUT must be at least 1s"},
		{l.ReadHeaderTimeout >= time.Second, "TALLY_READ_HEADER_TIMEOUT must be at least 1s"},
		{l.ReadTimeout >= l.ReadHeaderTimeout, "TALLY_READ_TIMEOUT must be at least TALLY_READ_HEADER_TIMEOUT"},
		{l.WriteTimeout >= l.OperationTimeout, "TALLY_WRITE_TIMEOUT must be at least TALLY_OPERATION_TIMEOUT"},
		{l.IdleTimeout >= time.Second, "TALLY_IDLE_TIMEOUT must be at least 1s"},
		{l.WSMaxConnections >= 1, "TALLY_WS_MAX_CONNECTIONS must be at least 1"},
		{l.WSMaxPerPrincipal >= 1, "TALLY_WS_MAX_PER_PRINCIPAL must be at least 1"},
		{l.WSMaxSubscriptions >= 1, "TALLY_WS_MAX_SUBSCRIPTIONS must be at least 1"},
		{l.WSWriteTimeout >= 100*time.Millisecond, "TALLY_WS_WRITE_TIMEOUT must be at least 100ms"},
		{l.WSPingInterval >= time.Second, "TALLY_WS_PING_INTERVAL must be at least 1s"},
	}
	for _, c := range checks {
		if !c.ok {
			return graph.Limits{}, graph.WebsocketLimits{}, ServerTimeouts{}, 0, errors.New(c.msg)
		}
	}
	return graph.Limits{
			QueryBytes: l.MaxQueryBytes, Tokens: l.MaxTokens, Depth: l.DepthLimit, Fields: l.MaxFields,
			Aliases: l.MaxAliases, RootFields: l.MaxRootFields, MoneyMutations: l.MaxMoneyMutations,
			Directives: l.MaxDirectives, Errors: l.MaxErrors,
		}, graph.WebsocketLimits{
			Connections: l.WSMaxConnections, PerPrincipal: l.WSMaxPerPrincipal, Subscriptions: l.WSMaxSubscriptions,
			WriteTimeout: l.WSWriteTimeout, PingInterval: l.WSPingInterval,
		}, ServerTimeouts{
			ReadHeader: l.ReadHeaderTimeout, Read: l.ReadTimeout, Write: l.WriteTimeout, Idle: l.IdleTimeout,
		}, l.OperationTimeout, nil
}
