package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/httperror"
)

// readiness answers /readyz: ready while the server is not shutting down,
// the database answers and its migrations are current.
type readiness struct {
	shuttingDown atomic.Bool
	store        interface {
		Ping(ctx context.Context) error
		MigrationsCurrent(ctx context.Context) (bool, error)
	}
	logger *slog.Logger
}

// ServeHTTP implements /readyz: 200 {"status":"ready"}, else 503 with a reason.
func (rd *readiness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rd.shuttingDown.Load() {
		writeStatus(w, http.StatusServiceUnavailable, "shutting down")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := rd.store.Ping(ctx); err != nil {
		rd.logger.Warn("readiness: database unreachable", "err", err)
		writeStatus(w, http.StatusServiceUnavailable, "database unreachable")
		return
	}
	current, err := rd.store.MigrationsCurrent(ctx)
	if err != nil {
		rd.logger.Warn("readiness: cannot read migration state", "err", err)
		writeStatus(w, http.StatusServiceUnavailable, "cannot read migration state")
		return
	}
	if !current {
		writeStatus(w, http.StatusServiceUnavailable, "database migrations are not current")
		return
	}
	writeStatus(w, http.StatusOK, "")
}

// healthz answers /healthz: the process is up.
func healthz(w http.ResponseWriter, _ *http.Request) { writeStatus(w, http.StatusOK, "") }

func writeStatus(w http.ResponseWriter, code int, reason string) {
	body := map[string]string{"status": "ok"}
	if code != http.StatusOK {
		body = map[string]string{"status": "unavailable", "reason": reason}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}

// requestLogger logs one line per request with its ID, status, size and
// duration; probes and scrapes are logged at debug level only.
func requestLogger(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			level := slog.LevelInfo
			switch {
			case ww.Status() >= 500:
				level = slog.LevelError
			case r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics":
				level = slog.LevelDebug
			}
			logger.LogAttrs(r.Context(), level, "request",
				slog.String("request_id", middleware.GetReqID(r.Context())),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", ww.Status()),
				slog.Int("bytes", ww.BytesWritten()),
				slog.Duration("duration", time.Since(start)),
				slog.Bool("websocket", graph.IsWebsocket(r)),
				slog.String("remote", r.RemoteAddr),
			)
		})
	}
}

// recoverer turns a handler panic into a logged 500 with a GraphQL-shaped
// INTERNAL error, never showing the panic to the client.
func recoverer(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				rec := recover()
				if rec == nil {
					return
				}
				if err, ok := rec.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(rec) // net/http's way to abort a response; it logs nothing
				}
				logger.ErrorContext(r.Context(), "panic serving request",
					"request_id", middleware.GetReqID(r.Context()), "panic", rec, "path", r.URL.Path)
				if graph.IsWebsocket(r) {
					return // hijacked: nothing can be written
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}` + "\n"))
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// streams tracks websocket requests. http.Server.Shutdown neither waits for
// nor closes hijacked connections, so at shutdown Close cancels their
// contexts (ending subscriptions; gqlgen then sends a close frame) and Wait
// lets their handlers return before the bus and database close.
type streams struct {
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func newStreams() *streams {
	ctx, cancel := context.WithCancel(context.Background())
	return &streams{ctx: ctx, cancel: cancel}
}

// Middleware binds websocket requests to the streams' lifetime.
func (s *streams) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !graph.IsWebsocket(r) {
			next.ServeHTTP(w, r)
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			writeStatus(w, http.StatusServiceUnavailable, "shutting down")
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(s.ctx, cancel)
		defer stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Close refuses new websockets and ends the open ones.
func (s *streams) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
}

// Wait waits until every websocket handler returned, or ctx ends.
func (s *streams) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drainRetryAfter is the Retry-After of a request refused while draining:
// another instance, or this one restarted, takes it.
const drainRetryAfter = time.Second

// refuseWhileDraining answers every request that starts once draining()
// is true (shutdown began) 503 UNAVAILABLE with Retry-After and closes its
// connection, except the probes (/healthz, /readyz, /metrics): new work goes
// elsewhere while requests already running finish. Shutdown closes the
// listener and idle connections at once, but a client may still send a new
// request on a kept-alive connection between two of its sweeps; without
// this the draining server would take that request on, and could be cut
// off with it at TALLY_SHUTDOWN_TIMEOUT. Nil draining refuses nothing.
func refuseWhileDraining(draining func() bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if draining == nil {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/healthz", "/readyz", "/metrics":
			default:
				if draining() {
					w.Header().Set("Connection", "close")
					httperror.Write(w, http.StatusServiceUnavailable,
						domain.Unavailable(drainRetryAfter, errors.New("the server is shutting down")))
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// securityHeaders sets the headers every answer carries: no MIME sniffing,
// no caching (answers are per caller), no framing (the sandbox's payment
// pages must not be clickjacked), no referrer, and HSTS when clients reach
// the server over https.
func securityHeaders(hsts bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Cache-Control", "no-store")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "no-referrer")
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// serveMetrics serves /metrics alone on addr until the returned stop is called.
func serveMetrics(addr string, metrics http.Handler, logger *slog.Logger) (stop func(), err error) {
	ln, err := listen("TALLY_METRICS_ADDR", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	srv := &http.Server{
		Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() { _ = srv.Serve(ln) }()
	logger.Info("metrics listening", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}

// requestDeadline ends the context of every request but websocket upgrades
// after d, so no handler (webhooks, invoice PDFs, GraphQL) runs on after
// its response could no longer be written.
func requestDeadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if graph.IsWebsocket(r) {
				next.ServeHTTP(w, r)
				return
			}
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
