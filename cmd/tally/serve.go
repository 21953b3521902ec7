package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tallyhq/tally/cmd/tally/web"
	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/bus"
	"github.com/tallyhq/tally/db/jobs"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/sandbox"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/auth"
	"github.com/tallyhq/tally/graph/graphiql"
	"github.com/tallyhq/tally/graph/ratelimit"
)

// Run validates the configuration and serves until SIGINT or SIGTERM.
func (s ServeCmd) Run() error {
	cfg, err := s.Config()
	if err != nil {
		return err
	}
	logger := newLogger(os.Stderr, cfg.Production, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, restore the default handling: a second
	// Ctrl-C kills the process instead of waiting for the drain.
	context.AfterFunc(ctx, stop)
	if err := serve(ctx, cfg, logger); err != nil {
		if cfg.Production { // one JSON line for the log collector, not a plain one
			logger.Error("tally serve stopped", "err", err)
			return loggedError{err}
		}
		return err
	}
	return nil
}

// serve wires the store, bus, service, authenticator and GraphQL handler,
// listens on cfg.Addr and shuts down gracefully when ctx ends.
func serve(ctx context.Context, cfg Config, logger *slog.Logger) error {
	env := EnvDevelopment
	if cfg.Production {
		env = EnvProduction
	}
	logger.Info("starting tally", "version", version, "env", env, "database", redactURL(cfg.DatabaseURL))
	setGCPercent()
	if cfg.DevSecret {
		logger.Warn("TALLY_JWT_SECRET is not set: using the PUBLIC development secret, so anyone can mint tokens for this server; " +
			"set TALLY_JWT_SECRET or TALLY_JWKS_URL, and TALLY_ENV=production, before exposing it")
	}
	for _, w := range cfg.Warnings {
		logger.Warn(w)
	}

	// Listen first: a busy port is reported before the database is
	// touched. Connections wait in the backlog until Serve starts.
	ln, err := listen("TALLY_ADDR", cfg.Addr)
	if err != nil {
		return err
	}
	defer func() { _ = ln.Close() }()

	// runCtx outlives the signal: the bus and JWKS refresh must keep
	// working while in-flight requests drain.
	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRun()

	store, err := openStore(ctx, cfg.Common, cfg.Migrate, logger)
	if err != nil {
		return err
	}
	defer closeLogged(logger, "database", store.Close)

	var b interface {
		domain.Bus
		Close() error
	}
	if store.Dialect() == "postgres" {
		if b, err = bus.NewPostgres(runCtx, cfg.DatabaseURL, logger); err != nil {
			return fmt.Errorf("start the PostgreSQL event bus: %w", err)
		}
	} else {
		b = bus.NewLocal()
	}
	defer closeLogged(logger, "event bus", b.Close)

	// The sandbox hands its signed webhooks, in process, to the same
	// HandleWebhook (verification, dedup, settle) that POST
	// /webhooks/{gateway} calls; the service needs the gateways first, so
	// it is bound late.
	var svc *domain.Service
	pay, err := buildGateways(cfg.Payments, cfg.PublicURL, cfg.Production, sandboxSecret(cfg.Payments.SandboxWebhookSecret, cfg.JWTSecret), logger,
		func(ctx context.Context, req domain.WebhookRequest) error {
			return svc.HandleWebhook(ctx, sandbox.Name, req)
		})
	if err != nil {
		return err
	}
	defer closeLogged(logger, "payment gateways", pay.Close)
	logger.Info("payment gateways", "enabled", pay.names)
	if cfg.Production && strings.TrimSpace(cfg.Payments.IssuerName) == "" {
		logger.Warn("TALLY_INVOICE_ISSUER_NAME is not set: invoices carry placeholder seller details")
	}

	limits, err := newRateLimits(cfg.RateLimits, store, logger)
	if err != nil {
		return err
	}
	mail, err := newMailer(cfg.Notify, cfg.Production, logger)
	if err != nil {
		return err
	}
	svcOpts := []domain.Option{domain.WithBus(b), domain.WithGateways(pay.registry), domain.WithLogger(logger),
		domain.WithMailer(mail, invoiceRenderer(cfg.Payments.issuer())), webhookSender(cfg.Webhooks, logger)}
	if limits.throttle != nil {
		svcOpts = append(svcOpts, limits.throttle)
	}
	// The sweeps need the service and moving the test clock runs some of
	// them, so the clock's work is bound once both exist.
	var due domain.DueWork
	if cfg.TestClock {
		clock := domain.NewManualClock(time.Now())
		svcOpts = append(svcOpts, domain.WithTestClock(clock, func(ctx context.Context) error {
			if due == nil { // not before the queue is open, when nothing is served yet
				return nil
			}
			return due(ctx)
		}))
		logger.Warn("TALLY_TEST_CLOCK is on: the service runs on a test clock that platform admins move with advanceTestClock", "now", clock.Now())
	}
	svc = domain.NewService(store, cfg.Domain, svcOpts...)
	// Before the gateways and the database close: the background check
	// in progress (an automatic top-up) finishes first.
	defer svc.Close()
	sw := sweeps(svc, sweepOptions{
		expiryEvery: cfg.ExpiryInterval, reconcileEvery: cfg.Payments.ReconcileInterval,
		reconcileAfter: cfg.Payments.ReconcileAfter, notifyEvery: cfg.Notify.interval, purgeWindows: limits.http.Purge,
		webhookEvery: cfg.Webhooks.interval,
	}, logger)
	if store.Dialect() == "sqlite" {
		if err := seedIfEmpty(ctx, svc, logger); err != nil {
			return err
		}
	}
	authCfg := auth.Config{
		HS256Secret: cfg.JWTSecret, JWKSURL: cfg.JWKSURL, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience,
		MaxTTL: cfg.JWTMaxTTL, Logger: logger,
	}
	if limits.http != nil {
		authCfg.Guard = limits.http.AuthGuard()
	}
	authn, err := auth.New(runCtx, authCfg, svc)
	if err != nil {
		return fmt.Errorf("configure authentication: %w", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	jobsPeriodic := periodic(sw)
	if cfg.AuditInterval > 0 {
		jobsPeriodic = append(jobsPeriodic, auditSweep(store, newAuditMetrics(reg), cfg.AuditInterval, logger).Periodic)
	}
	queue, err := openJobs(ctx, cfg.Common, cfg.Migrate, logger, jobs.Options{Registerer: reg, Periodic: jobsPeriodic, RescueAfter: cfg.JobRescueAfter,
		Workers: []jobs.Worker{advanceWorker(svc), dunningWorker(svc), notificationWorker(svc), webhookWorker(svc)}})
	if err != nil {
		return err
	}
	defer closeLogged(logger, "job queue", queue.Close)
	due = dueWork(sw, queue)
	ready := &readiness{store: store, logger: logger}
	ws := newStreams(logger)
	gqlOpts := graph.Options{
		Production:       cfg.Production,
		Auth:             authn,
		AllowedOrigins:   cfg.AllowedOrigins,
		ComplexityLimit:  cfg.ComplexityLimit,
		Limits:           cfg.Limits,
		Websockets:       cfg.Websockets,
		OperationTimeout: cfg.OperationTimeout,
		MaxBodyBytes:     cfg.MaxBodyBytes,
		InitTimeout:      cfg.WSInitTimeout,
		Logger:           logger,
		Metrics:          graph.NewMetrics(reg),
		RateLimiter:      limits.http,
	}
	gql := graph.NewHandler(svc, gqlOpts)
	go gql.Watch(runCtx)
	metricsHandler := promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	apiMetrics, metricsOnAPI := cfg.Metrics.onAPI(cfg.Production, metricsHandler)
	if cfg.Production && !metricsOnAPI && cfg.Metrics.MetricsAddr == "" {
		logger.Warn("/metrics is not served: set TALLY_METRICS_ADDR (a separate listener) or TALLY_METRICS_TOKEN")
	}
	handler := router(routes{
		graphql: gql, auth: authn.Middleware, streams: ws, ready: ready,
		metrics:  apiMetrics,
		graphiql: !cfg.Production, logger: logger,
		webhooks: webhookHandler(svc, logger),
		invoices: graph.InvoicePDF(svc, cfg.Payments.issuer(), gqlOpts),
		usage: graph.UsageEvents(svc, graph.UsageEventsOptions{
			MaxBodyBytes: cfg.Usage.UsageMaxBodyBytes, MaxEvents: cfg.Usage.UsageBatchMax, Options: gqlOpts,
		}),
		sandbox:  pay.sandboxPages(),
		billing:  web.Handler(),
		devToken: devTokens(cfg, logger),
		hsts:     strings.HasPrefix(cfg.PublicURL, "https://"),
		deadline: cfg.Timeouts.Write,
		limits:   limits.http,
		draining: ready.shuttingDown.Load,
	})

	baseCtx, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.Timeouts.ReadHeader,
		ReadTimeout:       cfg.Timeouts.Read,
		WriteTimeout:      cfg.Timeouts.Write,
		IdleTimeout:       cfg.Timeouts.Idle,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if cfg.Metrics.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.Metrics.MetricsAddr, metricsHandler, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	if cfg.Metrics.PprofAddr != "" {
		stopPprof, err := servePprof(cfg.Metrics.PprofAddr, logger)
		if err != nil {
			return err
		}
		defer stopPprof()
	}

	// Periodic sweeps and queued jobs: River elects one instance to
	// enqueue the sweeps, and every instance works jobs.
	if err := queue.Start(runCtx); err != nil {
		return fmt.Errorf("start the job queue: %w", err)
	}
	logger.Info("listening", "url", localURL(ln.Addr()), "graphiql", !cfg.Production, "public_url", cfg.PublicURL)

	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down: draining requests", "timeout", cfg.ShutdownTimeout)
	case serveErr = <-served: // returned below, reported once by the caller
	}
	ready.shuttingDown.Store(true)
	ws.Close()
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	// Running jobs get the drain's time to finish, then are cancelled; an
	// interrupted sweep runs again (they are idempotent).
	jobsStopped := make(chan error, 1)
	go func() { jobsStopped <- queue.Stop(shutdownCtx) }()
	var errs []error
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		errs = append(errs, serveErr)
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		cancelBase()
		_ = srv.Close()
		errs = append(errs, fmt.Errorf("requests still running after %s were cut off: %w", cfg.ShutdownTimeout, err))
	}
	if err := ws.Wait(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("websockets still open after %s: %w", cfg.ShutdownTimeout, err))
	}
	cancelBase()
	if err := <-jobsStopped; err != nil {
		logger.Warn("jobs still running at shutdown were cancelled; they run again later", "err", err)
	}
	if len(errs) == 0 {
		logger.Info("shutdown complete")
	}
	return errors.Join(errs...)
}

// routes are the parts the HTTP router mounts.
type routes struct {
	graphql  *graph.Handler
	auth     func(http.Handler) http.Handler
	streams  *streams
	ready    http.Handler
	metrics  http.Handler
	graphiql bool
	logger   *slog.Logger
	webhooks http.Handler
	invoices http.Handler       // invoice and credit note PDFs
	sandbox  http.Handler       // the sandbox's hosted pages; nil when it is off
	hsts     bool               // clients reach the server over https: send Strict-Transport-Security
	deadline time.Duration      // of every request but websockets; 0: none
	limits   *ratelimit.Limiter // nil: no rate limits
	usage    http.Handler       // POST /v1/usage/events; nil: not mounted
	billing  http.Handler       // the billing page under /billing; nil: not mounted
	devToken http.Handler       // POST /billing/dev/token (development only); nil: not mounted
	draining func() bool        // true once shutdown began; nil: never
}

// router mounts GraphQL (HTTP and websocket), the probes, metrics (when
// served here) and, outside production, GraphiQL, behind request IDs,
// logging, panic recovery and security headers.
func router(rt routes) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, requestLogger(rt.logger), recoverer(rt.logger), securityHeaders(rt.hsts), refuseWhileDraining(rt.draining))
	if rt.deadline > 0 {
		r.Use(requestDeadline(rt.deadline))
	}
	r.Get("/healthz", healthz)
	r.Get("/readyz", rt.ready.ServeHTTP)
	if rt.metrics != nil {
		r.Get("/metrics", rt.metrics.ServeHTTP)
	}
	// The client's address first, then what bounds a request whoever sends
	// it (body, document limits), then who sends it, then their rate.
	r.With(rt.streams.Middleware, rt.limits.ClientIP, rt.graphql.Precheck, rt.auth, rt.limits.Requests).Handle("/graphql", rt.graphql)
	if rt.webhooks != nil {
		r.Post("/webhooks/{gateway}", rt.webhooks.ServeHTTP)
	}
	if rt.invoices != nil {
		// Invoices and credit notes: one handler, the same limits and
		// authorization.
		docs := r.With(rt.limits.ClientIP, rt.auth, rt.limits.Requests)
		docs.Handle("/invoices/*", rt.invoices)
		docs.Handle("/credit-notes/*", rt.invoices)
	}
	if rt.usage != nil {
		// Usage events: the same client address, authentication and rate
		// limits as /graphql; the handler bounds its own body.
		r.With(rt.limits.ClientIP, rt.auth, rt.limits.Requests).Handle("/v1/usage/events", rt.usage)
	}
	if rt.sandbox != nil {
		r.Handle("/sandbox/*", rt.sandbox)
	}
	if rt.billing != nil {
		r.Get(web.Prefix, rt.billing.ServeHTTP)
		r.Head(web.Prefix, rt.billing.ServeHTTP)
		r.Get(web.Prefix+"/*", rt.billing.ServeHTTP)
		r.Head(web.Prefix+"/*", rt.billing.ServeHTTP)
	}
	if rt.devToken != nil {
		r.With(rt.limits.ClientIP, rt.limits.Requests).Post(devTokenPath, rt.devToken.ServeHTTP)
	}
	if rt.graphiql {
		r.Get("/", graphiql.Page("/graphql").ServeHTTP)
		r.Get(graphiql.AssetPath+"*", graphiql.Assets().ServeHTTP)
	}
	return r
}

// closeLogged closes a resource at shutdown and logs a failure.
func closeLogged(logger *slog.Logger, what string, closeFn func() error) {
	if err := closeFn(); err != nil {
		logger.Warn("closing "+what+" failed", "err", err)
	}
}

// Pin that the store the server wires satisfies the domain's contract.
var _ domain.Store = (*db.DB)(nil)
