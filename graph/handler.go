package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/auth"
	"github.com/tallyhq/tally/graph/generated"
	"github.com/tallyhq/tally/graph/httperror"
	"github.com/tallyhq/tally/graph/model"
	"github.com/tallyhq/tally/graph/ratelimit"
)

// Defaults for zero Options fields.
const (
	DefaultComplexityLimit = 2000
	DefaultDepthLimit      = 12
	DefaultMaxBodyBytes    = 1 << 20
	DefaultInitTimeout     = 10 * time.Second
	keepAliveInterval      = 15 * time.Second
	// queryCacheSize bounds the parsed and validated documents kept.
	queryCacheSize = 1000
	// queryCacheMaxBytes keeps documents whose text is longer out of the
	// cache, so that its memory stays bounded whatever clients send.
	queryCacheMaxBytes = 8 << 10
)

// Options configures the GraphQL handler.
type Options struct {
	// Production disables introspection (and, in cmd, GraphiQL) and field
	// suggestions, and makes an empty AllowedOrigins mean same-origin only.
	Production bool
	// Auth authenticates the websocket connection_init payload.
	Auth *auth.Authenticator
	// AllowedOrigins are the browser origins (scheme://host[:port]) allowed
	// for CORS and websockets; "*" allows any. Empty: same-origin only in
	// production, any origin in development.
	AllowedOrigins []string
	// ComplexityLimit caps an operation's complexity (DefaultComplexityLimit when 0).
	ComplexityLimit int
	// Limits bound the work of one document before it runs; zero fields
	// take DefaultLimits'.
	Limits Limits
	// Websockets bound websocket connections; zero fields take
	// DefaultWebsocketLimits'.
	Websockets WebsocketLimits
	// OperationTimeout bounds a query or mutation (DefaultOperationTimeout when 0).
	OperationTimeout time.Duration
	// MaxBodyBytes caps a request body (DefaultMaxBodyBytes when 0).
	MaxBodyBytes int64
	// InitTimeout closes a websocket that sends no connection_init in time (DefaultInitTimeout when 0).
	InitTimeout time.Duration
	// Logger receives internal errors (slog.Default() when nil).
	Logger *slog.Logger
	// Metrics, when set, records requests, latency, credits and subscriptions.
	Metrics *Metrics
	// RateLimiter, when set, takes each operation started on a websocket
	// from its principal's budget (HTTP requests are limited by its
	// middleware).
	RateLimiter *ratelimit.Limiter
}

func (o Options) withDefaults() Options {
	if o.ComplexityLimit == 0 {
		o.ComplexityLimit = DefaultComplexityLimit
	}
	o.Limits = o.Limits.withDefaults()
	o.Websockets = o.Websockets.withDefaults()
	if o.OperationTimeout == 0 {
		o.OperationTimeout = DefaultOperationTimeout
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

// Handler is the /graphql endpoint: an http.Handler that also watches
// revocations to close websockets whose credentials no longer hold, and
// offers its request checks as a middleware to run before authentication.
type Handler struct {
	http.Handler
	sessions *sessions
	precheck func(http.Handler) http.Handler
}

// Precheck is middleware that bounds a request before anything else looks
// at it, credentials included: a POST body's size and encoding, and the
// limits of its GraphQL document. Put it before authentication; the
// handler runs the same checks itself when nothing did.
func (h *Handler) Precheck(next http.Handler) http.Handler { return h.precheck(next) }

// Watch closes websockets as API keys are revoked and members lose rights,
// on any instance, until ctx ends or the event bus closes.
func (h *Handler) Watch(ctx context.Context) { h.sessions.watch(ctx) }

// NewHandler returns the /graphql handler: POST for queries and mutations,
// websocket upgrade (graphql-transport-ws and graphql-ws) for
// subscriptions, with the limits, error presenter, dataloaders and metrics
// of opts. Call Watch to close websockets on revocations.
func NewHandler(svc *domain.Service, opts Options) *Handler {
	opts = opts.withDefaults()
	cfg := generated.Config{Resolvers: &Resolver{svc: svc, metrics: opts.Metrics}}
	setComplexity(&cfg.Complexity)
	schema := generated.NewExecutableSchema(cfg)
	srv := handler.New(schema)
	ws := newSessions(opts.Websockets, svc, opts.Auth, opts.Logger)

	srv.AddTransport(&wsTransport{
		accepter:    wsAccepter{writeTimeout: opts.Websockets.WriteTimeout, pingInterval: opts.Websockets.PingInterval},
		initFunc:    ws.initFunc(),
		initTimeout: opts.InitTimeout,
		keepAlive:   keepAliveInterval, // graphql-ws "ka"
		readLimit:   opts.MaxBodyBytes,
		hub:         &streamHub{},
		pushes:      newPushCache(),
		metrics:     opts.Metrics,
		logger:      opts.Logger,
	})
	srv.AddTransport(transport.Options{AllowedMethods: []string{http.MethodPost, http.MethodOptions}})
	srv.AddTransport(postTransport{})

	srv.SetQueryCache(sizedCache{max: queryCacheMaxBytes, Cache: lru.New[*ast.QueryDocument](queryCacheSize)})
	srv.SetParserTokenLimit(opts.Limits.Tokens)
	srv.SetDisableSuggestion(opts.Production)
	srv.SetValidationRulesFn(cappedRules(opts.Limits.Errors, !opts.Production))
	srv.SetErrorPresenter(errorPresenter(opts.Logger, opts.Production))
	srv.SetRecoverFunc(recoverPanic)
	// Limits first: nothing is stored, parsed twice or validated before
	// the document is known to be small enough.
	limits := newOperationLimits(schema.Schema(), opts.Limits, extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(limits)
	if opts.Production {
		srv.Use(noIntrospection{})
	} else {
		srv.Use(extension.Introspection{})
	}
	srv.Use(newComplexityLimit(opts.ComplexityLimit, &cfg.Complexity))
	srv.Use(wsOperations{limiter: opts.RateLimiter})
	srv.Use(operationDeadline{timeout: opts.OperationTimeout})
	srv.Use(errorCap{max: opts.Limits.Errors})
	if opts.Metrics != nil {
		opts.Metrics.allowRoots(schema.Schema())
		srv.Use(opts.Metrics)
	}
	srv.AroundOperations(loadersMiddleware(svc))

	precheck := func(next http.Handler) http.Handler { return precheckBody(opts.MaxBodyBytes, limits, next) }
	h := cors(opts, corsGraphQL, onlyPostJSON(precheck(ws.middleware(srv))))
	return &Handler{Handler: h, sessions: ws, precheck: precheck}
}

// onlyPostJSON answers requests gqlgen has no transport for with a coded
// error: GET and other methods 405, a POST that is not JSON 415 (which
// also keeps cross-site form posts out).
func onlyPostJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case IsWebsocket(r) || r.Method == http.MethodOptions:
		case r.Method != http.MethodPost:
			w.Header().Set("Allow", "POST, OPTIONS")
			writeError(w, http.StatusMethodNotAllowed, "use POST (or a websocket for subscriptions)", domain.CodeInvalidInput, "method")
			return
		default:
			if !isJSON(r.Header.Get("Content-Type")) {
				writeError(w, http.StatusUnsupportedMediaType, "Content-Type must be application/json", domain.CodeInvalidInput, "Content-Type")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
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
	c.Org.CreditNotes = page
}

// prechecked marks a request precheckBody checked; its value is a
// *checkedBody.
type prechecked struct{}

// checkedBody is what precheckBody learnt of a request: the response media
// type it chose, the query text whose limits it checked ("" for none) and,
// when the body is one JSON object of parameters, those parameters, decoded
// as postTransport decodes them, for it not to decode the body again.
type checkedBody struct {
	media  string
	query  string
	params *graphql.RawParams // nil: postTransport decodes the body itself
}

// checkedFrom returns what precheckBody learnt of the request of ctx; nil
// when it did not check it.
func checkedFrom(ctx context.Context) *checkedBody {
	c, _ := ctx.Value(prechecked{}).(*checkedBody)
	return c
}

// checkedQuery reports whether precheckBody already checked the limits of
// query for the request of ctx.
func checkedQuery(ctx context.Context, query string) bool {
	c := checkedFrom(ctx)
	return c != nil && c.query != "" && c.query == query
}

// precheckBody chooses the response media type of a POST from its Accept
// header (negotiate; 406 when neither is acceptable), and refuses request
// bodies over max bytes (HTTP 413), bodies that are not UTF-8 (400; JSON
// decoding would silently replace the bad bytes) and GraphQL documents
// over the limits (a validation failure: 200 in application/json, 400 in
// application/graphql-response+json), each with one GraphQL-shaped
// INVALID_INPUT error, before gqlgen reads them. Whatever answers the
// request after it (authentication, rate limits) answers in the chosen
// media type. A request it checked once passes the second time.
func precheckBody(max int64, limits *operationLimits, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Method != http.MethodPost || IsWebsocket(r) || r.Context().Value(prechecked{}) != nil {
			next.ServeHTTP(w, r)
			return
		}
		media, ok := negotiate(r.Header.Get("Accept"))
		if !ok {
			writeNotAcceptable(w)
			return
		}
		w.Header().Set("Content-Type", contentType(media))
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
		if !utf8.Valid(body) {
			writeError(w, http.StatusBadRequest, "request body must be valid UTF-8", domain.CodeInvalidInput, "body")
			return
		}
		checked := &checkedBody{media: media, params: decodeParams(body)}
		if checked.params != nil {
			checked.query = checked.params.Query
		} else {
			var params struct {
				Query string `json:"query"`
			}
			if json.Unmarshal(body, &params) == nil {
				checked.query = params.Query
			}
		}
		if checked.query != "" {
			if err := limits.check(checked.query); err != nil {
				writeError(w, refusedDocumentStatus(media), err.Message, domain.CodeInvalidInput, "query")
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		// The chosen media type, the checked query text (the limits
		// extension need not measure it again: checkedQuery) and the
		// decoded parameters.
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), prechecked{}, checked)))
	})
}

// decodeParams decodes a request body as postTransport does (one JSON
// value, numbers kept as json.Number); nil when that fails or when
// anything but white space follows the value, where json.Unmarshal, which
// precheckBody's query is read with otherwise, would fail.
func decodeParams(body []byte) *graphql.RawParams {
	var p graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if dec.Decode(&p) != nil {
		return nil
	}
	for _, c := range body[dec.InputOffset():] {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return nil
		}
	}
	return &p
}

// writeError answers with one GraphQL-shaped error outside gqlgen:
// {"errors":[{"message":…,"extensions":{"code":…,"field":…}}]}.
func writeError(w http.ResponseWriter, status int, msg string, code domain.Code, field string) {
	httperror.Write(w, status, &domain.Error{Code: code, Message: msg, Field: field})
}

// corsRules is what a cross-origin browser may do with one kind of
// endpoint.
type corsRules struct {
	methods, headers string // answered to a preflight request
	expose           string // response headers scripts may read; "" for none
}

var (
	// corsGraphQL is for /graphql: POST with a credential and a JSON body.
	corsGraphQL = corsRules{methods: "POST, OPTIONS", headers: "Authorization, Content-Type, X-Api-Key"}
	// corsDownload is for invoice PDFs: GET with a credential, and the
	// file name readable.
	corsDownload = corsRules{methods: "GET, HEAD, OPTIONS", headers: "Authorization", expose: "Content-Disposition"}
)

// cors answers preflight requests and sets CORS headers for allowed
// origins, and refuses websocket upgrades from origins that are not
// allowed. Every endpoint a browser calls goes through it.
func cors(opts Options, rules corsRules, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		allowed := originAllowed(opts, origin, r.Host)
		if IsWebsocket(r) {
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
			if rules.expose != "" {
				h.Set("Access-Control-Expose-Headers", rules.expose)
			}
			if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
				h.Set("Access-Control-Allow-Methods", rules.methods)
				h.Set("Access-Control-Allow-Headers", rules.headers)
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

// IsWebsocket reports whether r asks to upgrade to a websocket.
func IsWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// sizedCache is a document cache that keeps only documents whose query text
// is at most max bytes long.
type sizedCache struct {
	graphql.Cache[*ast.QueryDocument]
	max int
}

// Add caches a short enough document.
func (c sizedCache) Add(ctx context.Context, query string, doc *ast.QueryDocument) {
	if len(query) <= c.max {
		c.Cache.Add(ctx, query, doc)
	}
}

// errorCap trims a response to at most max errors, the last saying how
// many more there were.
type errorCap struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = errorCap{}

// ExtensionName names the extension.
func (errorCap) ExtensionName() string { return "ErrorCap" }

// Validate accepts any schema.
func (errorCap) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse trims the errors of each response.
func (c errorCap) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > c.max {
		more := len(resp.Errors) - (c.max - 1)
		resp.Errors = append(resp.Errors[:c.max-1:c.max-1], &gqlerror.Error{
			Message:    fmt.Sprintf("%d more errors not shown", more),
			Extensions: resp.Errors[0].Extensions,
		})
	}
	return resp
}
