package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kong"

	"github.com/tallyhq/tally/db/jobs"
	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
	"github.com/tallyhq/tally/graph/auth"
)

// DevJWTSecret signs development tokens when TALLY_JWT_SECRET is unset
// outside production. It is public, so a server using it trusts anyone.
const DevJWTSecret = "tally-development-secret-not-for-production"

// Environments accepted by TALLY_ENV.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// CLI is the tally command line: the subcommands, each with the options it
// uses (a command's --help lists only those).
type CLI struct {
	VersionFlag kong.VersionFlag `name:"version" help:"Print the version and exit."`

	Serve     ServeCmd     `cmd:"" help:"Run the GraphQL API server."`
	Config    ConfigCmd    `cmd:"" help:"Print the settings tally serve would run with here (secrets masked) and check them."`
	Migrate   MigrateCmd   `cmd:"" help:"Apply pending database migrations to DATABASE_URL and exit."`
	Seed      SeedCmd      `cmd:"" help:"Load a catalog file (default: the embedded catalog) into the store."`
	Token     TokenCmd     `cmd:"" help:"Print one signed development JWT on stdout."`
	Subscribe SubscribeCmd `cmd:"" help:"Run a GraphQL subscription on a running server and print each event as a JSON line."`
	Bench     BenchCmd     `cmd:"" help:"Load benchmark: servers from this binary on PostgreSQL and SQLite, one table of figures and ratios (make bench)."`
	Reconcile ReconcileCmd `cmd:"" help:"Re-check unpaid orders with their gateways now and settle them."`
	Jobs      JobsCmd      `cmd:"" help:"List background jobs that failed: waiting for a retry or given up, with their errors."`
	Audit     AuditCmd     `cmd:"" help:"Check the store's invariants read-only (ledger, grants, orders, invoices, credit notes, idempotency records); exit 1 on a discrepancy."`
	Version   VersionCmd   `cmd:"" help:"Print the version and exit."`
	Help      HelpCmd      `cmd:"" help:"Show help for tally or one of its commands."`
}

// StoreOptions choose the database.
type StoreOptions struct {
	DatabaseURL string `name:"database-url" env:"DATABASE_URL" default:"sqlite://tally.db" help:"Store: postgres://… or sqlite://PATH."`
	DBMaxConns  int    `name:"db-max-conns" env:"TALLY_DB_MAX_CONNS" default:"0" help:"Maximum open database connections (0: PostgreSQL 20, SQLite 8)."`
}

// EnvOptions say which environment the binary runs in and how much it logs.
type EnvOptions struct {
	Env      string `name:"env" env:"TALLY_ENV" enum:"development,production" default:"development" help:"development or production."`
	LogLevel string `name:"log-level" env:"TALLY_LOG_LEVEL" enum:"debug,info,warn,error" default:"info" help:"debug, info, warn or error."`
}

// SecretOptions are the HS256 token settings shared by serve and token.
type SecretOptions struct {
	JWTSecret string        `name:"jwt-secret" env:"TALLY_JWT_SECRET" help:"HS256 secret for tokens (default outside production: a public development secret)."`
	JWTMaxTTL time.Duration `name:"jwt-max-ttl" env:"TALLY_JWT_MAX_TTL" default:"24h" help:"Longest token lifetime accepted (exp - iat); tally token refuses a longer --ttl."`
}

// Globals are the options most commands share; each command embeds the
// groups it uses and validates them with Common.
type Globals struct {
	StoreOptions  `embed:""`
	EnvOptions    `embed:""`
	SecretOptions `embed:""`
}

// ServeCmd runs the server; its fields are the server's options.
type ServeCmd struct {
	Globals `embed:""`

	Addr             string          `name:"addr" env:"TALLY_ADDR" default:":8080" help:"Listen address."`
	Migrate          bool            `name:"migrate" help:"Apply pending migrations before serving (SQLite always does)."`
	JWKSURL          string          `name:"jwks-url" env:"TALLY_JWKS_URL" help:"JWKS of the identity provider (RS256/ES256 tokens)."`
	JWTIssuer        string          `name:"jwt-issuer" env:"TALLY_JWT_ISSUER" help:"Required iss claim, when set."`
	JWTAudience      string          `name:"jwt-audience" env:"TALLY_JWT_AUDIENCE" help:"Required aud claim, when set."`
	AllowedOrigins   []string        `name:"allowed-origins" env:"TALLY_ALLOWED_ORIGINS" sep:"," help:"Browser origins allowed for CORS and websockets (comma-separated)."`
	SignupCredits    int64           `name:"signup-credits" env:"TALLY_SIGNUP_CREDITS" default:"10000" help:"FREE credits every new org receives (0: none)."`
	SignupCreditsTTL time.Duration   `name:"signup-credits-ttl" env:"TALLY_SIGNUP_CREDITS_TTL" default:"720h" help:"How long sign-up credits last (0: never expire)."`
	FreeSeats        int             `name:"free-seats" env:"TALLY_FREE_SEATS" default:"5" help:"Seats of an org on the Free plan."`
	InvitationTTL    time.Duration   `name:"invitation-ttl" env:"TALLY_INVITATION_TTL" default:"168h" help:"How long an invitation can be accepted."`
	ExpiryInterval   time.Duration   `name:"expiry-interval" env:"TALLY_EXPIRY_INTERVAL" default:"1m" help:"How often expired credit grants are written off and old idempotency keys purged."`
	AuditInterval    time.Duration   `name:"audit-interval" env:"TALLY_AUDIT_INTERVAL" default:"24h" help:"How often the store is audited (tally audit's checks) and tally_audit_* metrics updated (0: never)."`
	IdempotencyTTL   time.Duration   `name:"idempotency-retention" env:"TALLY_IDEMPOTENCY_RETENTION" default:"168h" help:"How long an idempotency key replays its first result."`
	MaxBodyBytes     int64           `name:"max-body-bytes" env:"TALLY_MAX_BODY_BYTES" default:"1048576" help:"Largest accepted request body."`
	ComplexityLimit  int             `name:"complexity-limit" env:"TALLY_COMPLEXITY_LIMIT" default:"2000" help:"Largest accepted GraphQL query complexity."`
	WSInitTimeout    time.Duration   `name:"ws-init-timeout" env:"TALLY_WS_INIT_TIMEOUT" default:"10s" help:"Time a websocket client has to send connection_init."`
	ShutdownTimeout  time.Duration   `name:"shutdown-timeout" env:"TALLY_SHUTDOWN_TIMEOUT" default:"15s" help:"Time in-flight requests get to finish on SIGINT/SIGTERM."`
	JobRescueAfter   time.Duration   `name:"job-rescue-after" env:"TALLY_JOB_RESCUE_AFTER" default:"15m" help:"A background job still running this long after it started (its instance died) is run again by another instance; jobs without a timeout of their own stop after two thirds of it, at most 10m."`
	SpendBatch       int             `name:"spend-batch" env:"TALLY_SPEND_BATCH" default:"64" help:"Most concurrent spends, of one org or of many, committed in one transaction (1: one each)."`
	DunningRetries   []time.Duration `name:"dunning-retries" env:"TALLY_DUNNING_RETRIES" sep:"," default:"24h,48h" help:"When a failed renewal is charged again off session, after its first failure (comma-separated, increasing)."`
	DunningGrace     time.Duration   `name:"dunning-grace" env:"TALLY_DUNNING_GRACE" default:"72h" help:"How long a PAST_DUE org keeps spending before it is SUSPENDED."`
	DunningRetention time.Duration   `name:"dunning-retention" env:"TALLY_DUNNING_RETENTION" default:"720h" help:"How long a SUSPENDED org is kept before it is CLOSED."`
	RechargeLimit    int64           `name:"auto-recharge-default-limit" env:"TALLY_AUTO_RECHARGE_DEFAULT_LIMIT" default:"5000" help:"Default auto-recharge spending limit per billing period, in minor units of the org's currency."`
	OverageUnit      int64           `name:"auto-recharge-overage-unit" env:"TALLY_AUTO_RECHARGE_OVERAGE_UNIT" default:"10000" help:"Credits one automatic overage purchase buys."`
	OverageSurcharge int64           `name:"auto-recharge-overage-surcharge-bp" env:"TALLY_AUTO_RECHARGE_OVERAGE_SURCHARGE_BP" default:"3000" help:"Surcharge of automatic overage purchases, in basis points of their price."`
	TestClock        bool            `name:"test-clock" env:"TALLY_TEST_CLOCK" help:"Development and tests only: run on a clock platform admins move with the advanceTestClock mutation (production refuses it)."`

	PaymentOptions   `embed:""`
	LimitOptions     `embed:""`
	MetricsOptions   `embed:""`
	RateLimitOptions `embed:""`
	NotifyOptions    `embed:""`
	UsageOptions     `embed:""`
	WebhookOptions   `embed:""`
}

// Common is the validated form of Globals.
type Common struct {
	Production  bool
	DatabaseURL string
	DBMaxConns  int
	LogLevel    slog.Level
	// JWTSecret is nil in production when only a JWKS is configured.
	JWTSecret []byte
	// DevSecret reports that JWTSecret is the public DevJWTSecret.
	DevSecret bool
	// JWTMaxTTL is the longest token lifetime accepted and minted.
	JWTMaxTTL time.Duration
	// Warnings are configuration weaknesses tolerated outside production
	// (weak secrets, a wildcard origin); the commands print or log them.
	Warnings []string
}

// Config is the validated configuration of `tally serve`.
type Config struct {
	Common
	Addr           string
	Migrate        bool
	JWKSURL        string
	JWTIssuer      string
	JWTAudience    string
	AllowedOrigins []string
	Domain         domain.Config
	ExpiryInterval time.Duration
	// AuditInterval is how often the store is audited; 0: never.
	AuditInterval    time.Duration
	MaxBodyBytes     int64
	ComplexityLimit  int
	Limits           graph.Limits
	Websockets       graph.WebsocketLimits
	Timeouts         ServerTimeouts
	OperationTimeout time.Duration
	Metrics          MetricsOptions
	WSInitTimeout    time.Duration
	ShutdownTimeout  time.Duration
	// JobRescueAfter is when a job left running by a dead instance is run
	// again elsewhere (jobs.Options.RescueAfter).
	JobRescueAfter time.Duration
	Payments       PaymentOptions
	PublicURL      string
	RateLimits     RateLimitOptions
	// Notify is where notification emails go.
	Notify notifySettings
	// Webhooks is how outbound webhooks are sent.
	Webhooks webhookSettings
	// TestClock runs the service on a domain.ManualClock that
	// advanceTestClock moves (never in production).
	TestClock bool
	// Usage bounds usage metering and its endpoint.
	Usage UsageOptions
}

// Common validates the global options. jwks tells whether a JWKS URL is
// configured, which makes TALLY_JWT_SECRET optional in production.
func (g Globals) Common(jwks bool) (Common, error) {
	var c Common
	if err := g.EnvOptions.apply(&c); err != nil {
		return Common{}, err
	}
	if err := g.StoreOptions.apply(&c); err != nil {
		return Common{}, err
	}
	if err := g.SecretOptions.apply(&c, jwks); err != nil {
		return Common{}, err
	}
	return c, nil
}

// apply validates the environment and log level into c.
func (o EnvOptions) apply(c *Common) error {
	c.Production = o.Env == EnvProduction
	if err := c.LogLevel.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return fmt.Errorf("TALLY_LOG_LEVEL: %w", err)
	}
	return nil
}

// apply validates the database settings into c.
func (o StoreOptions) apply(c *Common) error {
	c.DatabaseURL, c.DBMaxConns = strings.TrimSpace(o.DatabaseURL), o.DBMaxConns
	switch {
	case strings.HasPrefix(c.DatabaseURL, "postgres://"), strings.HasPrefix(c.DatabaseURL, "postgresql://"):
	case strings.HasPrefix(c.DatabaseURL, "sqlite://") && len(c.DatabaseURL) > len("sqlite://"):
	default:
		return fmt.Errorf("DATABASE_URL must be postgres://… or sqlite://PATH, got %q", redactURL(c.DatabaseURL))
	}
	if c.DBMaxConns < 0 {
		return errors.New("TALLY_DB_MAX_CONNS must not be negative (0: the default)")
	}
	return nil
}

// apply validates the token settings into c, after EnvOptions.apply
// (production is stricter). jwks tells whether a JWKS URL is configured,
// which makes TALLY_JWT_SECRET optional in production.
func (o SecretOptions) apply(c *Common, jwks bool) error {
	switch {
	case o.JWTSecret != "" && c.Production && o.JWTSecret == DevJWTSecret:
		return errors.New("TALLY_ENV=production refuses the public development TALLY_JWT_SECRET")
	case o.JWTSecret != "" && len(o.JWTSecret) < auth.MinSecretLen:
		return fmt.Errorf("TALLY_JWT_SECRET must be at least %d bytes", auth.MinSecretLen)
	case o.JWTSecret != "":
		c.JWTSecret = []byte(o.JWTSecret)
		c.DevSecret = o.JWTSecret == DevJWTSecret
	case c.Production && !jwks:
		return errors.New("TALLY_ENV=production needs TALLY_JWT_SECRET or TALLY_JWKS_URL")
	case !c.Production:
		c.JWTSecret = []byte(DevJWTSecret)
		c.DevSecret = true
	}
	if o.JWTSecret != "" && !c.DevSecret {
		warning, err := checkSecret("TALLY_JWT_SECRET", o.JWTSecret, c.Production)
		if err != nil {
			return err
		}
		c.warn(warning)
	}
	c.JWTMaxTTL = o.JWTMaxTTL
	if c.JWTMaxTTL < time.Minute || c.JWTMaxTTL > maxJWTMaxTTL {
		return fmt.Errorf("TALLY_JWT_MAX_TTL must be between 1m and %s", maxJWTMaxTTL)
	}
	return nil
}

// maxJWTMaxTTL caps TALLY_JWT_MAX_TTL: a bound of more than 30 days
// would bound nothing a leaked token could do.
const maxJWTMaxTTL = 30 * 24 * time.Hour

// warn records a configuration warning; "" records nothing.
func (c *Common) warn(w string) {
	if w != "" {
		c.Warnings = append(c.Warnings, w)
	}
}

// Config validates the serve options together with the globals.
func (s ServeCmd) Config() (Config, error) {
	jwks := strings.TrimSpace(s.JWKSURL)
	common, err := s.Common(jwks != "")
	if err != nil {
		return Config{}, err
	}
	c := Config{
		Common:          common,
		Addr:            s.Addr,
		Migrate:         s.Migrate,
		JWKSURL:         jwks,
		JWTIssuer:       strings.TrimSpace(s.JWTIssuer),
		JWTAudience:     strings.TrimSpace(s.JWTAudience),
		ExpiryInterval:  s.ExpiryInterval,
		AuditInterval:   s.AuditInterval,
		MaxBodyBytes:    s.MaxBodyBytes,
		ComplexityLimit: s.ComplexityLimit,
		Metrics:         s.MetricsOptions,
		WSInitTimeout:   s.WSInitTimeout,
		ShutdownTimeout: s.ShutdownTimeout,
		JobRescueAfter:  s.JobRescueAfter,
		Domain: domain.Config{
			SignupGrant:          s.SignupCredits,
			SignupGrantDisabled:  s.SignupCredits == 0,
			SignupGrantTTL:       s.SignupCreditsTTL,
			FreeSeats:            s.FreeSeats,
			InvitationTTL:        s.InvitationTTL,
			IdempotencyRetention: s.IdempotencyTTL,
			SpendBatch:           s.SpendBatch,
			Dunning: domain.DunningConfig{
				Retries: append([]time.Duration{}, s.DunningRetries...), Grace: s.DunningGrace, Retention: s.DunningRetention,
			},
			AutoRecharge: domain.AutoRechargeConfig{
				DefaultLimitMinor: s.RechargeLimit, OverageUnit: s.OverageUnit, OverageSurchargeBP: s.OverageSurcharge,
			},
		},
		Payments:   s.PaymentOptions,
		PublicURL:  strings.TrimRight(strings.TrimSpace(s.PublicURL), "/"),
		RateLimits: s.normalized(),
		TestClock:  s.TestClock,
	}
	if c.TestClock && c.Production {
		return Config{}, errors.New("TALLY_ENV=production refuses TALLY_TEST_CLOCK: a movable clock would let an admin expire anyone's credits")
	}
	if c.PublicURL == "" {
		c.PublicURL = defaultPublicURL(s.Addr)
	}
	if err := validPublicURL(c.PublicURL); err != nil {
		return Config{}, err
	}
	c.Domain.PublicURL = c.PublicURL
	if c.Limits, c.Websockets, c.Timeouts, c.OperationTimeout, err = s.limits(); err != nil {
		return Config{}, err
	}
	if err := c.Metrics.validate(); err != nil {
		return Config{}, err
	}
	if err := s.applyUsage(&c); err != nil {
		return Config{}, err
	}
	pricing, err := s.pricing()
	if err != nil {
		return Config{}, err
	}
	c.Domain.Pricing = pricing
	if jwks != "" {
		u, err := url.Parse(jwks)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return Config{}, fmt.Errorf("TALLY_JWKS_URL must be an http(s) URL, got %q", jwks)
		}
		if c.Production && u.Scheme != "https" {
			return Config{}, errors.New("TALLY_ENV=production needs an https TALLY_JWKS_URL")
		}
		// In every environment: development is the default, so a
		// deployment that forgot TALLY_ENV must not accept every token
		// its identity provider signs for other applications.
		if c.JWTIssuer == "" || c.JWTAudience == "" {
			return Config{}, errors.New("TALLY_JWKS_URL needs TALLY_JWT_ISSUER and TALLY_JWT_AUDIENCE: " +
				"without them any token the identity provider signs, for any application, would be accepted")
		}
	}
	for _, o := range s.AllowedOrigins {
		o = strings.TrimSuffix(strings.TrimSpace(o), "/")
		if o == "" {
			continue
		}
		if err := validOrigin(o); err != nil {
			return Config{}, err
		}
		c.AllowedOrigins = append(c.AllowedOrigins, o)
	}
	if err := c.returnOrigins(); err != nil {
		return Config{}, err
	}
	if s.SandboxWebhookSecret != "" {
		warning, err := checkSecret("TALLY_SANDBOX_WEBHOOK_SECRET", s.SandboxWebhookSecret, c.Production)
		if err != nil {
			return Config{}, err
		}
		c.warn(warning)
	}
	checks := []struct {
		ok  bool
		msg string
	}{
		{s.SignupCredits >= 0 && s.SignupCredits <= domain.MaxCredits, "TALLY_SIGNUP_CREDITS must be between 0 and 2^53-1"},
		{s.SignupCreditsTTL >= 0, "TALLY_SIGNUP_CREDITS_TTL must not be negative (0: never expire)"},
		{s.FreeSeats >= 1, "TALLY_FREE_SEATS must be at least 1"},
		{s.InvitationTTL > 0, "TALLY_INVITATION_TTL must be positive"},
		{s.IdempotencyTTL >= time.Hour, "TALLY_IDEMPOTENCY_RETENTION must be at least 1h"},
		{s.ExpiryInterval >= time.Second, "TALLY_EXPIRY_INTERVAL must be at least 1s"},
		{s.AuditInterval == 0 || s.AuditInterval >= time.Minute, "TALLY_AUDIT_INTERVAL must be 0 (off) or at least 1m"},
		{s.MaxBodyBytes >= 1024, "TALLY_MAX_BODY_BYTES must be at least 1024"},
		{s.ComplexityLimit >= 1, "TALLY_COMPLEXITY_LIMIT must be at least 1"},
		{s.WSInitTimeout > 0, "TALLY_WS_INIT_TIMEOUT must be positive"},
		{s.ShutdownTimeout > 0, "TALLY_SHUTDOWN_TIMEOUT must be positive"},
		{s.JobRescueAfter >= jobs.MinRescueAfter && s.JobRescueAfter <= 24*time.Hour, "TALLY_JOB_RESCUE_AFTER must be between 15s and 24h"},
		{s.SpendBatch >= 1 && s.SpendBatch <= 1000, "TALLY_SPEND_BATCH must be between 1 and 1000"},
		{s.RechargeLimit >= 1 && s.RechargeLimit <= 1<<53, "TALLY_AUTO_RECHARGE_DEFAULT_LIMIT must be a positive amount in minor units"},
		{s.OverageUnit >= 1 && s.OverageUnit <= domain.MaxCredits, "TALLY_AUTO_RECHARGE_OVERAGE_UNIT must be between 1 and 2^53-1"},
		{s.OverageSurcharge >= 1 && s.OverageSurcharge <= 100_000, "TALLY_AUTO_RECHARGE_OVERAGE_SURCHARGE_BP must be between 1 and 100000"},
		{s.ReconcileInterval >= time.Second, "TALLY_RECONCILE_INTERVAL must be at least 1s"},
		{s.ReconcileAfter >= time.Second, "TALLY_RECONCILE_AFTER must be at least 1s"},
		{increasing(s.DunningRetries), "TALLY_DUNNING_RETRIES must be positive durations in increasing order"},
		{s.DunningGrace >= time.Minute, "TALLY_DUNNING_GRACE must be at least 1m"},
		{s.DunningRetention >= time.Minute, "TALLY_DUNNING_RETENTION must be at least 1m"},
	}
	for _, ch := range checks {
		if !ch.ok {
			return Config{}, errors.New(ch.msg)
		}
	}
	if err := s.RateLimitOptions.validate(); err != nil {
		return Config{}, err
	}
	if err := s.NotifyOptions.validate(&c); err != nil {
		return Config{}, err
	}
	if err := s.WebhookOptions.validate(&c); err != nil {
		return Config{}, err
	}
	return c, nil
}

// returnOrigins sets the origins a purchase's returnUrl may point to: the
// explicit TALLY_ALLOWED_ORIGINS (the domain adds TALLY_PUBLIC_URL's). "*"
// opens CORS and websockets to any origin, which bearer tokens make
// tolerable, but never return URLs: that would make hosted payment pages an
// open redirect. Production refuses "*" outright, so a deployment names
// its front ends and the two lists cannot silently differ.
func (c *Config) returnOrigins() error {
	for _, o := range c.AllowedOrigins {
		if o != "*" {
			c.Domain.ReturnOrigins = append(c.Domain.ReturnOrigins, o)
			continue
		}
		if c.Production {
			return errors.New(`TALLY_ENV=production refuses TALLY_ALLOWED_ORIGINS="*": list the front ends' origins ` +
				"(they are also the only places a purchase's returnUrl may send buyers back to)")
		}
		c.warn(`TALLY_ALLOWED_ORIGINS="*" lets any web page call this API from a browser; ` +
			"purchase return URLs are still limited to the listed origins and TALLY_PUBLIC_URL; TALLY_ENV=production refuses it")
	}
	return nil
}

// validOrigin accepts a browser origin, scheme://host[:port] with no path,
// or "*" for any origin (credentials are bearer tokens, never cookies).
func validOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.User != nil {
		return fmt.Errorf("TALLY_ALLOWED_ORIGINS: %q is not an origin like https://app.example.com", o)
	}
	return nil
}

// redactURL hides a password in a database URL for messages and logs.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}

// dropEmptyEnv unsets empty TALLY_* and DATABASE_URL variables, so that
// `export TALLY_ADDR=` means "use the default" rather than an invalid value.
func dropEmptyEnv() {
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if v == "" && (strings.HasPrefix(k, "TALLY_") || k == "DATABASE_URL") {
			_ = os.Unsetenv(k)
		}
	}
}

// increasing reports whether every duration is positive and longer than
// the one before.
func increasing(ds []time.Duration) bool {
	var last time.Duration
	for _, d := range ds {
		if d <= last {
			return false
		}
		last = d
	}
	return true
}
