package graph

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/auth"
	"github.com/tallyhq/tally/graph/generated"
	"github.com/tallyhq/tally/graph/httperror"
	"github.com/tallyhq/tally/graph/model"
)

// Defaults for zero Options fields.
const (
	DefaultComplexityLimit = 2000
	DefaultDepthLimit      = 12
	DefaultMaxBodyBytes    = 1 << 20
	DefaultInitTimeout     = 10 * time.Second
	keepAliveInterval      = 15 * time.Second
)

// Options configures the GraphQL handler.
type Options struct {
	// Production disables introspection (and, in cmd, GraphiQL) and makes an
	// empty AllowedOrigins mean same-origin only.
	Production bool
	// Auth authenticates the websocket connection_init payload.
	Auth *auth.Authenticator
	// AllowedOrigins are the browser origins (scheme://host[:port]) allowed
	// for CORS and websockets; "*" allows any. Empty: same-origin only in
	// production, any origin in development.
	AllowedOrigins []string
	// ComplexityLimit caps an operation's complexity (DefaultComplexityLimit when 0).
	ComplexityLimit int
	// DepthLimit caps selection nesting (DefaultDepthLimit when 0).
	DepthLimit int
	// MaxBodyBytes caps a request body (DefaultMaxBodyBytes when 0).
	MaxBodyBytes int64
	// InitTimeout closes a websocket that sends no connection_init in time (DefaultInitTimeout when 0).
	InitTimeout time.Duration
	// Logger receives internal errors (slog.Default() when nil).
	Logger *slog.Logger
	// Metrics, when set, records requests, latency, credits and subscriptions.
	Metrics *Metrics
}

func (o Options) withDefaults() Options {
	if o.ComplexityLimit == 0 {
		o.ComplexityLimit = DefaultComplexityLimit
	}
	if o.DepthLimit == 0 {
		o.DepthLimit = DefaultDepthLimit
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.InitTimeout == 0 {
		o.InitTimeout = DefaultInitTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// NewHandler returns the /graphql handler: POST for queries and mutations,
// websocket upgrade (graphql-transport-ws and graphql-ws) for
// subscriptions, with the limits, error presenter, dataloaders and metrics
// of opts.
func NewHandler(svc *domain.Service, opts Options) http.Handler {
	opts = opts.withDefaults()
	cfg := generated.Config{Resolvers: &Resolver{svc: svc, metrics: opts.Metrics}}
	setComplexity(&cfg.Complexity)
	srv := handler.New(generated.NewExecutableSchema(cfg))

	srv.AddTransport(transport.Websocket{
		Implementation: protocolCodes{transport.CoderWebsocketImplementation{
			// Origins are checked before the upgrade (originAllowed).
			AcceptOptions: coderws.AcceptOptions{InsecureSkipVerify: true},
		}},
		InitFunc:              websocketInit(opts.Auth),
		InitTimeout:           opts.InitTimeout,
		KeepAlivePingInterval: keepAliveInterval, // graphql-ws "ka"
		PingPongInterval:      keepAliveInterval, // graphql-transport-ws ping; no pong in two intervals closes
		PayloadReadLimit:      &opts.MaxBodyBytes,
	})
	srv.AddTransport(transport.Options{AllowedMethods: []string{http.MethodPost, http.MethodOptions}})
	srv.AddTransport(transport.POST{})

	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.SetErrorPresenter(errorPresenter(opts.Logger))
	srv.SetRecoverFunc(recoverPanic)
	if opts.Production {
		srv.Use(noIntrospection{})
	} else {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(extension.FixedComplexityLimit(opts.ComplexityLimit))
	srv.Use(DepthLimit{Limit: opts.DepthLimit})
	if opts.Metrics != nil {
		srv.Use(opts.Metrics)
	}
	srv.AroundOperations(loadersMiddleware(svc))

	return cors(opts, onlyPostJSON(limitBody(opts.MaxBodyBytes, srv)))
}

// onlyPostJSON answers requests gqlgen has no transport for with a coded
// error: GET and other methods 405, a POST that is not JSON 415 (which
// also keeps cross-site form posts out).
func onlyPostJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case isWebsocket(r) || r.Method == http.MethodOptions:
		case r.Method != http.MethodPost:
			w.Header().Set("Allow", "POST, OPTIONS")
			writeError(w, http.StatusMethodNotAllowed, "use POST (or a websocket for subscriptions)", domain.CodeInvalidInput, "method")
			return
		default:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json", domain.CodeInvalidInput, "Content-Type")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// websocketInit authenticates connection_init's payload.authorization
// ("Bearer …") and puts the actor in the connection's context; a bad
// credential closes the connection (4403). Without one the connection stays
// as the upgrade request left it (anonymous unless a header authenticated it).
func websocketInit(a *auth.Authenticator) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		authz := p.Authorization()
		if authz == "" {
			return ctx, nil, nil
		}
		reject := func(msg string) (context.Context, *transport.InitPayload, error) {
			ctx = transport.WithWebsocketCloseCode(ctx, 4403)
			ctx = transport.AppendCloseReason(ctx, "Forbidden")
			return ctx, nil, errors.New(msg)
		}
		if a == nil {
			return reject("authentication is not configured")
		}
		actor, err := a.Authenticate(ctx, authz)
		if err != nil {
			var de *domain.Error
			if errors.As(err, &de) && de.Code != domain.CodeInternal {
				return reject(de.Message)
			}
			return reject("authentication failed")
		}
		return domain.WithActor(ctx, actor), nil, nil
	}
}

// setComplexity makes a connection field cost its page size times its
// items' complexity, so a wide page counts like many fields.
func setComplexity(c *generated.ComplexityRoot) {
	page := func(child int, first *int, _ *string) int {
		n := domain.DefaultPageSize
		if first != nil && *first > 0 {
			n = min(*first, domain.MaxPageSize)
		}
		return 1 + child*n
	}
	c.Org.Members = page
	c.Org.Ledger = page
	c.Org.Orders = func(child int, first *int, after *string, _ []model.OrderStatus) int {
		return page(child, first, after)
	}
	c.Org.Invoices = page
}

// limitBody refuses request bodies over max bytes with a GraphQL-shaped
// INVALID_INPUT error (HTTP 413) before gqlgen reads them.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
		if err != nil {
			var tooLarge *http.MaxBytesError
			status, msg := http.StatusBadRequest, "request body could not be read"
			if errors.As(err, &tooLarge) {
				status, msg = http.StatusRequestEntityTooLarge, "request body is too large"
			}
			writeError(w, status, msg, domain.CodeInvalidInput, "body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// writeError answers with one GraphQL error outside gqlgen.
func writeError(w http.ResponseWriter, status int, msg string, code domain.Code, field string) {
	httperror.Write(w, status, &domain.Error{Code: code, Message: msg, Field: field})
}

// cors answers preflight requests and sets CORS headers for allowed
// origins, and refuses websocket upgrades from origins that are not allowed.
func cors(opts Options, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		allowed := originAllowed(opts, origin, r.Host)
		if isWebsocket(r) {
			if !allowed {
				writeError(w, http.StatusForbidden, "origin not allowed", domain.CodeForbidden, "")
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Add("Vary", "Origin")
		if allowed {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Api-Key")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// originAllowed reports whether a browser origin may call the API.
func originAllowed(opts Options, origin, host string) bool {
	if len(opts.AllowedOrigins) == 0 {
		if !opts.Production {
			return true
		}
		u, err := url.Parse(origin)
		return err == nil && strings.EqualFold(u.Host, host)
	}
	return slices.ContainsFunc(opts.AllowedOrigins, func(o string) bool {
		return o == "*" || strings.EqualFold(strings.TrimSuffix(o, "/"), origin)
	})
}

func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// Playground returns the GraphiQL page for endpoint.
func Playground(endpoint string) http.Handler {
	return playground.Handler("Tally GraphQL", endpoint)
}
