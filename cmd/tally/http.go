package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
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
// duration; probes and scrapes are logged at debug level only. A
// websocket's line comes when it closes (its duration is the socket's),
// though its handler returned at the upgrade.
func requestLogger(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			ws := graph.IsWebsocket(r)
			// A websocket served past its handler (streams) detaches
			// it: the line waits for its end.
			var end *graph.Detachment
			if ws {
				end = &graph.Detachment{}
				r = r.WithContext(context.WithValue(r.Context(), logEndKey{}, end))
			}
			next.ServeHTTP(ww, r)
			level := slog.LevelInfo
			switch {
			case ww.Status() >= 500:
				level = slog.LevelError
			case r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics":
				level = slog.LevelDebug
			}
			// What the line needs, not the writer: a detached websocket
			// must not keep net/http's response.
			ctx, status, size := r.Context(), ww.Status(), ww.BytesWritten()
			method, path, remote := r.Method, r.URL.Path, r.RemoteAddr
			log := func() {
				logger.LogAttrs(ctx, level, "request",
					slog.String("request_id", middleware.GetReqID(ctx)),
					slog.String("method", method),
					slog.String("path", path),
					slog.Int("status", status),
					slog.Int("bytes", size),
					slog.Duration("duration", time.Since(start)),
					slog.Bool("websocket", ws),
					slog.String("remote", remote),
				)
			}
			end.After(log)
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

// streams runs websocket requests. Once a websocket's connection is
// hijacked, its session goes on on a goroutine of its own and the net/http
// handler returns: net/http's serving goroutine, its buffers and its
// response are freed then, not when the websocket closes, which at
// thousands of idle subscribers is most of what each costs.
//
// http.Server.Shutdown neither waits for nor closes hijacked connections,
// so at shutdown Close cancels the sessions' contexts (ending
// subscriptions; gqlgen then sends a close frame) and Wait lets them
// finish before the bus and database close.
type streams struct {
	logger *slog.Logger
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

func newStreams(logger *slog.Logger) *streams {
	ctx, cancel := context.WithCancel(context.Background())
	return &streams{logger: logger, ctx: ctx, cancel: cancel}
}

// Middleware runs websocket requests on a goroutine of their own, bound to
// the streams' lifetime, and returns as soon as the connection is
// hijacked (or the request is answered without an upgrade). A panic
// before the hijack is raised again here, for the recoverer to answer; a
// panic after it is logged and ends the connection.
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
		// net/http cancels the request's context when the handler returns,
		// and chi reuses its route context for another request: the
		// session keeps neither.
		ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
		ctx = context.WithValue(ctx, chi.RouteCtxKey, nil)
		// The websocket transport may serve the connection on a goroutine
		// of its own and return: what ends the request then waits for
		// the connection's end (det.After).
		ctx, det := graph.WithDetachment(ctx)
		stop := context.AfterFunc(s.ctx, cancel)
		dw := &detachWriter{w: w, hijacked: make(chan struct{})}
		// The request log's, which waits for the session's end once the
		// handler returned.
		end, _ := r.Context().Value(logEndKey{}).(*graph.Detachment)
		finished := make(chan any, 1) // the panic, if any
		// The goroutine keeps neither r nor w: the session holds only
		// what it needs.
		path := r.URL.Path
		go func(r *http.Request) {
			defer det.After(func() {
				stop()
				cancel()
				end.End()
				s.wg.Done()
			})
			defer func() {
				rec := recover()
				if rec == nil || !dw.detached() {
					finished <- rec
					return
				}
				if err, ok := rec.(error); !ok || !errors.Is(err, http.ErrAbortHandler) {
					s.logger.ErrorContext(ctx, "panic serving websocket",
						"request_id", middleware.GetReqID(ctx), "panic", rec, "path", path)
				}
			}()
			next.ServeHTTP(dw, r)
		}(r.WithContext(ctx))
		select {
		case <-dw.hijacked:
			end.Detach()
		case rec := <-finished:
			if rec != nil {
				panic(rec)
			}
		}
	})
}

// detachWriter is a websocket request's ResponseWriter: once the
// connection is hijacked, it forgets net/http's writer (so that what the
// session keeps does not keep it) and tells the handler it may return.
type detachWriter struct {
	mu       sync.Mutex
	w        http.ResponseWriter // nil once hijacked
	header   http.Header         // the response's header, kept at the hijack
	hijacked chan struct{}       // closed once hijacked
}

func (d *detachWriter) writer() http.ResponseWriter {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.w
}

func (d *detachWriter) detached() bool {
	select {
	case <-d.hijacked:
		return true
	default:
		return false
	}
}

// Header is the response's header. The websocket library reads the
// negotiated subprotocol back from it after the hijack.
func (d *detachWriter) Header() http.Header {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w != nil {
		return d.w.Header()
	}
	return d.header
}

// Write writes to the response; http.ErrHijacked once hijacked.
func (d *detachWriter) Write(b []byte) (int, error) {
	if w := d.writer(); w != nil {
		return w.Write(b)
	}
	return 0, http.ErrHijacked
}

// WriteHeader sends the status (nothing once hijacked).
func (d *detachWriter) WriteHeader(code int) {
	if w := d.writer(); w != nil {
		w.WriteHeader(code)
	}
}

// Unwrap is for http.ResponseController (nil once hijacked).
func (d *detachWriter) Unwrap() http.ResponseWriter { return d.writer() }

// Hijack takes the connection over and lets the net/http handler return.
func (d *detachWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w == nil {
		return nil, nil, http.ErrHijacked
	}
	c, brw, err := http.NewResponseController(d.w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	d.header, d.w = d.w.Header(), nil
	close(d.hijacked)
	return c, brw, nil
}

// logEndKey carries the request log's Detachment (requestLogger). It has
// a key of its own: the websocket transport detaches on the innermost
// graph.WithDetachment, which only streams sets, as only streams lets a
// request's context outlive its handler.
type logEndKey struct{}

// Close refuses new websockets and ends the open ones.
func (s *streams) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
}

// Wait waits until every websocket session ended, or ctx ends.
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
			// h.Set(k, v) for each, with keys already canonical and
			// values allocated once: a handler that sets or adds one of
			// them replaces or copies the value (each has no room to
			// append in place), none writes into it.
			h := w.Header()
			h["X-Content-Type-Options"] = nosniff
			h["Cache-Control"] = noStore
			h["X-Frame-Options"] = denyFraming
			h["Referrer-Policy"] = noReferrer
			if hsts {
				h["Strict-Transport-Security"] = hstsValue
			}
			next.ServeHTTP(w, r)
		})
	}
}

// The values securityHeaders sets, full to capacity.
var (
	nosniff     = []string{"nosniff"}[:1:1]
	noStore     = []string{"no-store"}[:1:1]
	denyFraming = []string{"DENY"}[:1:1]
	noReferrer  = []string{"no-referrer"}[:1:1]
	hstsValue   = []string{"max-age=63072000; includeSubDomains"}[:1:1]
)

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

// servePprof serves Go's runtime profiles (heap, goroutines, CPU, …) alone
// on addr until the returned stop is called. It has no write timeout: a CPU
// profile or trace takes as long as the client asks.
func servePprof(addr string, logger *slog.Logger) (stop func(), err error) {
	ln, err := listen("TALLY_PPROF_ADDR", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{
		Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go func() { _ = srv.Serve(ln) }()
	logger.Warn("profiles listening: keep this address private", "addr", ln.Addr().String())
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
