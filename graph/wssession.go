package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/auth"
	"github.com/tallyhq/tally/graph/ratelimit"
)

// WebsocketLimits bound the websockets of one server instance.
type WebsocketLimits struct {
	// Connections caps open websockets in all.
	Connections int
	// PerPrincipal caps the open websockets of one user, one API key, or
	// (anonymous) one client address.
	PerPrincipal int
	// Subscriptions caps the running subscriptions of one websocket.
	Subscriptions int
	// WriteTimeout bounds the writing of one message to a client.
	WriteTimeout time.Duration
	// PingInterval is how often a client is pinged; no pong within it
	// closes the connection.
	PingInterval time.Duration
}

// DefaultWebsocketLimits are the websocket limits of an unconfigured server.
func DefaultWebsocketLimits() WebsocketLimits {
	return WebsocketLimits{
		Connections:   10_000,
		PerPrincipal:  20,
		Subscriptions: 20,
		WriteTimeout:  10 * time.Second,
		PingInterval:  30 * time.Second,
	}
}

func (l WebsocketLimits) withDefaults() WebsocketLimits {
	d := DefaultWebsocketLimits()
	if l.Connections <= 0 {
		l.Connections = d.Connections
	}
	if l.PerPrincipal <= 0 {
		l.PerPrincipal = d.PerPrincipal
	}
	if l.Subscriptions <= 0 {
		l.Subscriptions = d.Subscriptions
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	if l.PingInterval <= 0 {
		l.PingInterval = d.PingInterval
	}
	return l
}

// sessionService is what websocket sessions need from the domain.
type sessionService interface {
	WatchRevocations(ctx context.Context) <-chan domain.Revocation
	CheckAPIKey(ctx context.Context, id string) error
}

// sessions tracks this instance's websockets: how many there are, whose
// they are, and which to close when a credential expires or is revoked, or
// a member's rights change, on any instance.
type sessions struct {
	limits WebsocketLimits
	svc    sessionService
	auth   *auth.Authenticator
	logger *slog.Logger
	now    func() time.Time

	mu          sync.Mutex
	total       int
	byPrincipal map[string]map[*session]struct{}
}

func newSessions(l WebsocketLimits, svc sessionService, a *auth.Authenticator, logger *slog.Logger) *sessions {
	return &sessions{
		limits: l.withDefaults(), svc: svc, auth: a, logger: logger, now: time.Now,
		byPrincipal: map[string]map[*session]struct{}{},
	}
}

// watch closes sessions as revocations arrive, until ctx ends or the bus
// closes.
func (ss *sessions) watch(ctx context.Context) {
	for r := range ss.svc.WatchRevocations(ctx) {
		switch {
		case r.APIKeyID != "":
			ss.endAll(principalOfKey(r.APIKeyID), closeForbidden, "API key revoked")
		case r.UserID != "":
			ss.endAll(principalOfUser(r.UserID), closeForbidden, "membership changed")
		case r.Resync:
			ss.recheckKeys(ctx)
		}
	}
}

// endAll closes every session of a principal.
func (ss *sessions) endAll(principal string, code int, reason string) {
	ss.mu.Lock()
	list := make([]*session, 0, len(ss.byPrincipal[principal]))
	for s := range ss.byPrincipal[principal] {
		list = append(list, s)
	}
	ss.mu.Unlock()
	for _, s := range list {
		s.end(code, reason)
	}
}

// recheckKeys re-checks every API key session after revocations may have
// been missed. (User sessions need no check: subscriptions authorize each
// event, and their tokens are checked on every operation.)
func (ss *sessions) recheckKeys(ctx context.Context) {
	ss.mu.Lock()
	var list []*session
	for _, set := range ss.byPrincipal {
		for s := range set {
			if s.actor.IsAPIKey() {
				list = append(list, s)
			}
		}
	}
	ss.mu.Unlock()
	for _, s := range list {
		if err := ss.svc.CheckAPIKey(ctx, s.actor.APIKeyID); domain.IsCode(err, domain.CodeUnauthenticated) {
			s.end(closeForbidden, "API key revoked")
		}
	}
}

// middleware admits websocket upgrades under the instance cap and gives each
// a session that ends with the handler. Websockets are exempt from the
// server's read and write timeouts: they have their own ping and
// per-message write deadlines.
func (ss *sessions) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !IsWebsocket(r) {
			next.ServeHTTP(w, r)
			return
		}
		ss.mu.Lock()
		full := ss.total >= ss.limits.Connections
		if !full {
			ss.total++
		}
		ss.mu.Unlock()
		if full {
			w.Header().Set("Retry-After", "30")
			writeError(w, http.StatusServiceUnavailable, "too many websocket connections; try again later", domain.CodeRateLimited, "")
			return
		}
		s := &session{sessions: ss, ip: remoteIP(r)}
		defer DetachmentFrom(r.Context()).After(s.release)
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, s)))
	})
}

// initFunc authenticates connection_init's payload.authorization (or keeps
// the upgrade request's credential), binds the session to its principal
// under the per-principal cap, and arms its expiry.
func (ss *sessions) initFunc() wsInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, context.CancelFunc, error) {
		reject := func(code int, reason, msg string) (context.Context, context.CancelFunc, error) {
			return ctx, nil, &wsInitError{code: code, reason: reason, msg: msg}
		}
		cred, _ := auth.CredentialFrom(ctx)
		if authz := p.Authorization(); authz != "" {
			if ss.auth == nil {
				return reject(closeForbidden, "Forbidden", "authentication is not configured")
			}
			c, err := ss.auth.Verify(ctx, authz)
			if err != nil {
				var de *domain.Error
				if errors.As(err, &de) && de.Code != domain.CodeInternal {
					return reject(closeForbidden, "Forbidden", de.Message)
				}
				return reject(closeForbidden, "Forbidden", "authentication failed")
			}
			cred = c
		}
		s := sessionFrom(ctx)
		if s == nil {
			return ctx, nil, nil // not through the middleware (cannot happen in NewHandler)
		}
		if !s.bind(cred) {
			return reject(closeTooMany, "Too many connections", "too many open websockets for this principal")
		}
		ctx, cancel := context.WithCancel(ctx)
		if !s.setCancel(cancel) {
			cancel()
			return reject(closeUnauthorized, "Unauthorized", "the credential expired")
		}
		if cred.Actor.UserID != "" || cred.Actor.APIKeyID != "" {
			ctx = domain.WithActor(ctx, cred.Actor)
		}
		// The session's context is the connection's: the transport
		// cancels it when the connection ends.
		return ctx, cancel, nil
	}
}

type sessionKey struct{}

// sessionFrom returns the websocket session of ctx, or nil over HTTP.
func sessionFrom(ctx context.Context) *session {
	s, _ := ctx.Value(sessionKey{}).(*session)
	return s
}

// session is one websocket connection.
type session struct {
	sessions *sessions
	ip       string

	mu        sync.Mutex
	conn      *wsConn
	principal string // "" until connection_init
	actor     domain.Actor
	expires   time.Time
	timer     *time.Timer
	cancel    context.CancelFunc
	subs      int
	ended     bool
}

// attach records the accepted connection.
func (s *session) attach(c *wsConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conn = c
}

// bind registers the session under its principal, unless the principal is
// at its cap, and arms the credential's expiry.
func (s *session) bind(c auth.Credential) bool {
	principal := "ip:" + s.ip
	switch {
	case c.Actor.APIKeyID != "":
		principal = principalOfKey(c.Actor.APIKeyID)
	case c.Actor.UserID != "":
		principal = principalOfUser(c.Actor.UserID)
	}
	ss := s.sessions
	ss.mu.Lock()
	set := ss.byPrincipal[principal]
	if len(set) >= ss.limits.PerPrincipal {
		ss.mu.Unlock()
		return false
	}
	if set == nil {
		set = map[*session]struct{}{}
		ss.byPrincipal[principal] = set
	}
	set[s] = struct{}{}
	ss.mu.Unlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	s.principal, s.actor, s.expires = principal, c.Actor, c.Expires
	if !c.Expires.IsZero() {
		s.timer = time.AfterFunc(c.Expires.Sub(ss.now()), func() { s.end(closeUnauthorized, "token expired") })
	}
	return true
}

// setCancel records how to end the session's context; false when the
// session already ended.
func (s *session) setCancel(cancel context.CancelFunc) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cancel = cancel
	return !s.ended
}

// end closes the connection with code: the session's context ends, gqlgen
// stops its subscriptions and closes, and the connection substitutes code.
func (s *session) end(code int, reason string) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	conn, cancel := s.conn, s.cancel
	s.mu.Unlock()
	if conn != nil {
		conn.setClose(code, reason)
	}
	if cancel != nil {
		cancel()
	} else if conn != nil {
		conn.end(code, reason)
	}
}

// release unregisters the session when its handler returns and drops the
// connection if gqlgen left it open (it does after a read error).
func (s *session) release() {
	ss := s.sessions
	s.mu.Lock()
	s.ended = true
	if s.timer != nil {
		s.timer.Stop()
	}
	principal, conn := s.principal, s.conn
	s.mu.Unlock()
	ss.mu.Lock()
	ss.total--
	if set := ss.byPrincipal[principal]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(ss.byPrincipal, principal)
		}
	}
	ss.mu.Unlock()
	if conn != nil {
		conn.drop()
	}
}

// check re-verifies the session's credential before an operation starts:
// an expired token closes the socket (4401), a revoked API key too (4403).
func (s *session) check(ctx context.Context) *gqlerror.Error {
	s.mu.Lock()
	actor, expires := s.actor, s.expires
	s.mu.Unlock()
	if !expires.IsZero() && !s.sessions.now().Before(expires) {
		s.end(closeUnauthorized, "token expired")
		return codedError(domain.CodeUnauthenticated, "token has expired")
	}
	if actor.IsAPIKey() {
		if err := s.sessions.svc.CheckAPIKey(ctx, actor.APIKeyID); err != nil {
			if domain.IsCode(err, domain.CodeUnauthenticated) {
				s.end(closeForbidden, "API key revoked")
				return codedError(domain.CodeUnauthenticated, "API key was revoked")
			}
			return codedError(domain.CodeInternal, "internal error")
		}
	}
	return nil
}

// acquire takes one of the session's subscription slots.
func (s *session) acquire() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs >= s.sessions.limits.Subscriptions {
		return false
	}
	s.subs++
	return true
}

func (s *session) releaseSub() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs--
}

func principalOfKey(id string) string  { return "key:" + id }
func principalOfUser(id string) string { return "user:" + id }

// remoteIP is the client's address: as the rate limiter's ClientIP
// middleware found it (through trusted proxies), else the peer's.
func remoteIP(r *http.Request) string {
	if ip, ok := ratelimit.ClientIPFrom(r.Context()); ok {
		return ip.String()
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// wsOperations is the gqlgen extension for operations started over a
// websocket: it re-checks the session's credential before each, takes each
// from the principal's rate budget (as an HTTP request would), accepts only
// subscriptions (queries and mutations go over HTTP, where each request is
// authenticated, rate-limited and logged on its own), and caps the
// subscriptions of one socket.
type wsOperations struct {
	limiter *ratelimit.Limiter // nil: no rate limits
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.OperationInterceptor
} = wsOperations{}

// ExtensionName names the extension.
func (wsOperations) ExtensionName() string { return "WebsocketOperations" }

// Validate accepts any schema.
func (wsOperations) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses what a socket may not run.
func (o wsOperations) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	s := sessionFrom(ctx)
	if s == nil || oc.Operation == nil {
		return nil
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	if ok, wait := o.limiter.AllowContext(ctx); !ok {
		err := codedError(domain.CodeRateLimited, "too many requests; retry after extensions.retryAfter seconds")
		err.Extensions["retryAfter"] = ratelimit.Error(wait).RetryAfterSeconds()
		return err
	}
	if oc.Operation.Operation != ast.Subscription {
		err := codedError(domain.CodeInvalidInput, "only subscriptions run over a websocket; send queries and mutations with POST /graphql")
		err.Extensions["field"] = "query"
		return err
	}
	return nil
}

// InterceptOperation holds a subscription slot while a subscription runs.
func (wsOperations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	s := sessionFrom(ctx)
	if s == nil || graphql.GetOperationContext(ctx).Operation.Operation != ast.Subscription {
		return next(ctx)
	}
	if !s.acquire() {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{codedError(domain.CodeRateLimited,
			fmt.Sprintf("too many subscriptions on this websocket (at most %d)", s.sessions.limits.Subscriptions))}})
	}
	context.AfterFunc(ctx, s.releaseSub)
	return next(ctx)
}

// codedError is a pre-execution error with an API code.
func codedError(code domain.Code, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": string(code)}}
}
