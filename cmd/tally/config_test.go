package main

import (
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph"
)

// envNames lists every environment variable the command line reads.
func envNames(t *testing.T) []string {
	t.Helper()
	var cli CLI
	p, err := kong.New(&cli)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		for _, f := range n.Flags {
			names = append(names, f.Tag.Envs...)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(p.Model.Node)
	slices.Sort(names)
	return slices.Compact(names)
}

// parseCLI parses the command line args with exactly env set.
func parseCLI(t *testing.T, args []string, env map[string]string) (*CLI, error) {
	t.Helper()
	for _, k := range envNames(t) {
		t.Setenv(k, "") // restored after the test
		_ = os.Unsetenv(k)
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	var cli CLI
	p, err := kong.New(&cli, kong.Name("tally"), kong.Exit(func(int) { t.Fatal("kong tried to exit") }))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Parse(args)
	return &cli, err
}

// parseServe parses serve's args with exactly env set and returns its config.
func parseServe(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	cli, err := parseCLI(t, append([]string{"serve"}, args...), env)
	if err != nil {
		return Config{}, err
	}
	return cli.Serve.Config()
}

// longSecret is a strong secret (openssl rand -hex 32).
const longSecret = hexSecret32

// idp is a JWKS deployment's token settings.
var idp = map[string]string{
	"TALLY_JWKS_URL": "https://id.example.com/.well-known/jwks.json", "TALLY_JWT_ISSUER": "https://id.example.com/", "TALLY_JWT_AUDIENCE": "tally",
}

// with returns env plus more.
func with(env map[string]string, more ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(more); i += 2 {
		out[more[i]] = more[i+1]
	}
	return out
}

// hasWarning reports whether one of c's warnings contains s.
func hasWarning(c Common, s string) bool {
	for _, w := range c.Warnings {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

func TestServeConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			want := Config{
				Common: Common{DatabaseURL: "sqlite://tally.db", DBMaxConns: 0, LogLevel: slog.LevelInfo,
					JWTSecret: []byte(DevJWTSecret), DevSecret: true, JWTMaxTTL: 24 * time.Hour},
				// The GraphQL limits default to the graph package's own defaults.
				Addr: ":8080", ExpiryInterval: time.Minute, AuditInterval: 24 * time.Hour, MaxBodyBytes: graph.DefaultMaxBodyBytes,
				ComplexityLimit: graph.DefaultComplexityLimit, Limits: graph.DefaultLimits(),
				Websockets: graph.DefaultWebsocketLimits(), OperationTimeout: graph.DefaultOperationTimeout,
				Timeouts:      ServerTimeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: time.Minute, Idle: 2 * time.Minute},
				WSInitTimeout: graph.DefaultInitTimeout, ShutdownTimeout: 15 * time.Second,
			}
			want.Domain.SignupGrant = 10_000
			want.Domain.SignupGrantTTL = 30 * 24 * time.Hour
			want.Domain.FreeSeats = 5
			want.Domain.InvitationTTL = 7 * 24 * time.Hour
			want.Domain.IdempotencyRetention = 7 * 24 * time.Hour
			want.Domain.SpendBatch = 64
			want.Domain.Dunning = domain.DunningConfig{Retries: []time.Duration{24 * time.Hour, 48 * time.Hour},
				Grace: 72 * time.Hour, Retention: 30 * 24 * time.Hour}
			want.Domain.AutoRecharge = domain.AutoRechargeConfig{DefaultLimitMinor: 5000, OverageUnit: 10_000, OverageSurchargeBP: 3000}
			want.Domain.PublicURL = "http://localhost:8080"
			want.Domain.Pricing = domain.DefaultPricing()
			want.PublicURL = "http://localhost:8080"
			want.Payments = PaymentOptions{Sandbox: "auto", MaxInstallments: 12, ReconcileInterval: time.Minute, ReconcileAfter: 10 * time.Minute}
			want.RateLimits = defaultRateLimits()
			want.Domain.Notify = domain.NotifyConfig{ProductName: "Tally"}
			want.Notify = notifySettings{from: "billing@localhost", dir: "mail", interval: 5 * time.Second}
			want.Domain.Usage = domain.UsageConfig{WarningAt: 0.8, ExceededAt: 1, BatchMax: 1000}
			want.Usage = UsageOptions{UsageWarningAt: 0.8, UsageExceededAt: 1, UsageBatchMax: 1000, UsageMaxBodyBytes: 1 << 20}
			want.Domain.Webhooks = domain.WebhookConfig{DisableAfter: 5 * 24 * time.Hour, Lease: 25 * time.Second}
			want.Webhooks = webhookSettings{interval: time.Second, allowPrivate: true, timeout: 10 * time.Second}
			want.JobRescueAfter = 15 * time.Minute
			if !equalConfig(c, want) {
				t.Errorf("config = %+v\nwant     %+v", c, want)
			}
		}},
		{name: "environment", env: map[string]string{
			"TALLY_ADDR": "127.0.0.1:9000", "DATABASE_URL": "postgres://tally:pw@db:5432/tally",
			"TALLY_SIGNUP_CREDITS": "0", "TALLY_SIGNUP_CREDITS_TTL": "0s", "TALLY_FREE_SEATS": "3",
			"TALLY_INVITATION_TTL": "48h", "TALLY_EXPIRY_INTERVAL": "30s", "TALLY_AUDIT_INTERVAL": "0", "TALLY_LOG_LEVEL": "debug",
			"TALLY_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:5173/",
			"TALLY_MAX_BODY_BYTES":  "65536", "TALLY_COMPLEXITY_LIMIT": "200", "TALLY_DEPTH_LIMIT": "8",
			"TALLY_WS_INIT_TIMEOUT": "3s", "TALLY_SHUTDOWN_TIMEOUT": "5s", "TALLY_JWT_SECRET": longSecret,
			"TALLY_JWT_ISSUER": "https://id.example.com/", "TALLY_JWT_AUDIENCE": "tally", "TALLY_DB_MAX_CONNS": "4",
		}, check: func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:9000" || c.DatabaseURL != "postgres://tally:pw@db:5432/tally" || c.DBMaxConns != 4 {
				t.Errorf("addr/db = %q %q %d", c.Addr, c.DatabaseURL, c.DBMaxConns)
			}
			if !c.Domain.SignupGrantDisabled || c.Domain.SignupGrant != 0 || c.Domain.SignupGrantTTL != 0 ||
				c.Domain.FreeSeats != 3 || c.Domain.InvitationTTL != 48*time.Hour {
				t.Errorf("domain = %+v", c.Domain)
			}
			if c.LogLevel != slog.LevelDebug || c.ExpiryInterval != 30*time.Second || c.AuditInterval != 0 || c.MaxBodyBytes != 65536 ||
				c.ComplexityLimit != 200 || c.Limits.Depth != 8 || c.WSInitTimeout != 3*time.Second || c.ShutdownTimeout != 5*time.Second {
				t.Errorf("limits = %+v", c)
			}
			if !slices.Equal(c.AllowedOrigins, []string{"https://app.example.com", "http://localhost:5173"}) {
				t.Errorf("origins = %q", c.AllowedOrigins)
			}
			if string(c.JWTSecret) != longSecret || c.DevSecret || c.JWTIssuer != "https://id.example.com/" || c.JWTAudience != "tally" {
				t.Errorf("jwt = %q %v %q %q", c.JWTSecret, c.DevSecret, c.JWTIssuer, c.JWTAudience)
			}
		}},
		{name: "flags beat environment", args: []string{"--addr", ":2", "--free-seats", "9", "--migrate"},
			env: map[string]string{"TALLY_ADDR": ":1", "TALLY_FREE_SEATS": "2"},
			check: func(t *testing.T, c Config) {
				if c.Addr != ":2" || c.Domain.FreeSeats != 9 || !c.Migrate {
					t.Errorf("addr %q seats %d migrate %v", c.Addr, c.Domain.FreeSeats, c.Migrate)
				}
			}},
		{name: "production with a secret", env: map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": longSecret},
			check: func(t *testing.T, c Config) {
				if !c.Production || c.DevSecret || string(c.JWTSecret) != longSecret {
					t.Errorf("production %v dev %v", c.Production, c.DevSecret)
				}
				if c.Webhooks.allowPrivate || !c.Domain.Webhooks.RequireHTTPS {
					t.Errorf("production webhooks: private %v, https %v", c.Webhooks.allowPrivate, c.Domain.Webhooks.RequireHTTPS)
				}
			}},
		{name: "production allowing private webhook addresses", env: map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": longSecret, "TALLY_WEBHOOK_ALLOW_PRIVATE": "true"},
			check: func(t *testing.T, c Config) {
				if !c.Webhooks.allowPrivate || len(c.Warnings) == 0 {
					t.Errorf("private %v, warnings %v", c.Webhooks.allowPrivate, c.Warnings)
				}
			}},
		{name: "development refusing private webhook addresses", env: map[string]string{"TALLY_WEBHOOK_ALLOW_PRIVATE": "false"},
			check: func(t *testing.T, c Config) {
				if c.Webhooks.allowPrivate {
					t.Error("private addresses allowed")
				}
			}},
		{name: "webhook interval too short", env: map[string]string{"TALLY_WEBHOOK_INTERVAL": "500ms"}, wantErr: "TALLY_WEBHOOK_INTERVAL"},
		{name: "webhook disable-after too short", env: map[string]string{"TALLY_WEBHOOK_DISABLE_AFTER": "10m"}, wantErr: "TALLY_WEBHOOK_DISABLE_AFTER"},
		{name: "webhook disable-after too long", env: map[string]string{"TALLY_WEBHOOK_DISABLE_AFTER": "1000h"}, wantErr: "TALLY_WEBHOOK_DISABLE_AFTER"},
		{name: "webhook timeout too long", env: map[string]string{"TALLY_WEBHOOK_TIMEOUT": "1m"}, wantErr: "TALLY_WEBHOOK_TIMEOUT"},
		{name: "production with a JWKS only", env: with(idp, "TALLY_ENV", "production"),
			check: func(t *testing.T, c Config) {
				if c.JWTSecret != nil || c.DevSecret || c.JWKSURL == "" || c.JWTIssuer == "" || c.JWTAudience == "" {
					t.Errorf("secret %q dev %v jwks %q iss %q aud %q", c.JWTSecret, c.DevSecret, c.JWKSURL, c.JWTIssuer, c.JWTAudience)
				}
			}},
		{name: "production JWKS without an issuer", env: with(idp, "TALLY_ENV", "production", "TALLY_JWT_ISSUER", ""),
			wantErr: "TALLY_JWKS_URL needs TALLY_JWT_ISSUER and TALLY_JWT_AUDIENCE"},
		{name: "production JWKS without an audience", env: with(idp, "TALLY_ENV", "production", "TALLY_JWT_AUDIENCE", ""),
			wantErr: "TALLY_JWKS_URL needs TALLY_JWT_ISSUER and TALLY_JWT_AUDIENCE"},
		{name: "development JWKS without issuer and audience", env: with(idp, "TALLY_JWT_ISSUER", "", "TALLY_JWT_AUDIENCE", ""),
			wantErr: "TALLY_JWKS_URL needs TALLY_JWT_ISSUER and TALLY_JWT_AUDIENCE"},
		{name: "development JWKS with issuer and audience", env: idp,
			check: func(t *testing.T, c Config) {
				if c.JWKSURL == "" || c.JWTIssuer != "https://id.example.com/" || c.JWTAudience != "tally" {
					t.Errorf("jwks %q iss %q aud %q", c.JWKSURL, c.JWTIssuer, c.JWTAudience)
				}
			}},
		{name: "dunning schedule", env: map[string]string{"TALLY_DUNNING_RETRIES": "1h,6h,2d", "TALLY_DUNNING_GRACE": "96h", "TALLY_DUNNING_RETENTION": "240h"},
			wantErr: "TALLY_DUNNING_RETRIES"}, // kong's durations have no "d"
		{name: "dunning schedule in hours", env: map[string]string{"TALLY_DUNNING_RETRIES": "1h,6h,48h", "TALLY_DUNNING_GRACE": "96h", "TALLY_DUNNING_RETENTION": "240h"},
			check: func(t *testing.T, c Config) {
				d := c.Domain.Dunning
				if !reflect.DeepEqual(d.Retries, []time.Duration{time.Hour, 6 * time.Hour, 48 * time.Hour}) || d.Grace != 96*time.Hour || d.Retention != 240*time.Hour {
					t.Errorf("dunning %+v", d)
				}
			}},
		{name: "dunning retries out of order", env: map[string]string{"TALLY_DUNNING_RETRIES": "48h,24h"},
			wantErr: "TALLY_DUNNING_RETRIES must be positive durations in increasing order"},
		{name: "dunning without a grace", env: map[string]string{"TALLY_DUNNING_GRACE": "0s"},
			wantErr: "TALLY_DUNNING_GRACE must be at least 1m"},
		{name: "dunning without a retention", env: map[string]string{"TALLY_DUNNING_RETENTION": "1s"},
			wantErr: "TALLY_DUNNING_RETENTION must be at least 1m"},
		{name: "production refuses a predictable secret", env: map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": sequentialHex},
			wantErr: "production refuses a weak TALLY_JWT_SECRET"},
		{name: "production refuses one character repeated", env: map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": strings.Repeat("x", 64)},
			wantErr: "production refuses a weak TALLY_JWT_SECRET"},
		{name: "development warns about a weak secret", env: map[string]string{"TALLY_JWT_SECRET": sequentialHex},
			check: func(t *testing.T, c Config) {
				if string(c.JWTSecret) != sequentialHex || !hasWarning(c.Common, "TALLY_JWT_SECRET is weak") {
					t.Errorf("secret %q warnings %q", c.JWTSecret, c.Warnings)
				}
			}},
		{name: "no warning for a strong secret", env: map[string]string{"TALLY_JWT_SECRET": longSecret, "TALLY_SANDBOX_WEBHOOK_SECRET": base64Secret},
			check: func(t *testing.T, c Config) {
				if len(c.Warnings) != 0 {
					t.Errorf("warnings %q", c.Warnings)
				}
			}},
		{name: "production refuses the test clock", env: map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": longSecret, "TALLY_TEST_CLOCK": "1"},
			wantErr: "TALLY_ENV=production refuses TALLY_TEST_CLOCK"},
		{name: "development runs on the test clock", env: map[string]string{"TALLY_TEST_CLOCK": "1"},
			check: func(t *testing.T, c Config) {
				if !c.TestClock {
					t.Error("TALLY_TEST_CLOCK=1 did not turn the test clock on")
				}
			}},
		{name: "production refuses a weak sandbox webhook secret",
			env:     map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": longSecret, "TALLY_SANDBOX_WEBHOOK_SECRET": "whsec_sandbox_whsec_sandbox_whsec"},
			wantErr: "production refuses a weak TALLY_SANDBOX_WEBHOOK_SECRET"},
		{name: "production refuses a short sandbox webhook secret",
			env:     map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": longSecret, "TALLY_SANDBOX_WEBHOOK_SECRET": shortHex},
			wantErr: "production refuses a weak TALLY_SANDBOX_WEBHOOK_SECRET"},
		{name: "development warns about a weak sandbox webhook secret", env: map[string]string{"TALLY_SANDBOX_WEBHOOK_SECRET": "secret"},
			check: func(t *testing.T, c Config) {
				if c.Payments.SandboxWebhookSecret != "secret" || !hasWarning(c.Common, "TALLY_SANDBOX_WEBHOOK_SECRET is weak") {
					t.Errorf("warnings %q", c.Warnings)
				}
			}},
		{name: "token lifetime maximum", env: map[string]string{"TALLY_JWT_MAX_TTL": "2h"},
			check: func(t *testing.T, c Config) {
				if c.JWTMaxTTL != 2*time.Hour {
					t.Errorf("max TTL %v", c.JWTMaxTTL)
				}
			}},
		{name: "zero token lifetime maximum", env: map[string]string{"TALLY_JWT_MAX_TTL": "0s"}, wantErr: "TALLY_JWT_MAX_TTL"},
		{name: "token lifetime maximum over 30 days", env: map[string]string{"TALLY_JWT_MAX_TTL": "721h"}, wantErr: "TALLY_JWT_MAX_TTL"},
		{name: "production needs a secret", env: map[string]string{"TALLY_ENV": "production"},
			wantErr: "production needs TALLY_JWT_SECRET or TALLY_JWKS_URL"},
		{name: "production refuses the dev secret", env: map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": DevJWTSecret},
			wantErr: "refuses the public development"},
		{name: "production refuses a short secret", env: map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": "short"},
			wantErr: "at least 32 bytes"},
		{name: "development refuses a short secret too", env: map[string]string{"TALLY_JWT_SECRET": "short"},
			wantErr: "at least 32 bytes"},
		{name: "production refuses a plain-http JWKS", env: map[string]string{"TALLY_ENV": "production", "TALLY_JWKS_URL": "http://id.example.com/jwks"},
			wantErr: "https TALLY_JWKS_URL"},
		{name: "unknown environment", env: map[string]string{"TALLY_ENV": "staging"}, wantErr: "must be one of"},
		{name: "unknown log level", env: map[string]string{"TALLY_LOG_LEVEL": "loud"}, wantErr: "must be one of"},
		{name: "bad duration", env: map[string]string{"TALLY_SHUTDOWN_TIMEOUT": "soon"}, wantErr: "TALLY_SHUTDOWN_TIMEOUT"},
		{name: "bad database URL", env: map[string]string{"DATABASE_URL": "mysql://x:secret@h/db"}, wantErr: "DATABASE_URL must be"},
		{name: "database URL password is not echoed", env: map[string]string{"DATABASE_URL": "mysql://x:secret@h/db"}, wantErr: "x:xxxxx@h"},
		{name: "empty sqlite path", env: map[string]string{"DATABASE_URL": "sqlite://"}, wantErr: "DATABASE_URL must be"},
		{name: "bad JWKS URL", env: map[string]string{"TALLY_JWKS_URL": "ftp://x"}, wantErr: "TALLY_JWKS_URL must be"},
		{name: "origin with a path", env: map[string]string{"TALLY_ALLOWED_ORIGINS": "https://app.example.com/app"}, wantErr: "TALLY_ALLOWED_ORIGINS"},
		{name: "wildcard origin", env: map[string]string{"TALLY_ALLOWED_ORIGINS": "*"},
			check: func(t *testing.T, c Config) {
				if !slices.Equal(c.AllowedOrigins, []string{"*"}) {
					t.Errorf("origins = %q", c.AllowedOrigins)
				}
				// CORS is open; return URLs are not.
				if len(c.Domain.ReturnOrigins) != 0 || !hasWarning(c.Common, `TALLY_ALLOWED_ORIGINS="*"`) {
					t.Errorf("return origins %q warnings %q", c.Domain.ReturnOrigins, c.Warnings)
				}
			}},
		{name: "wildcard beside named origins", env: map[string]string{"TALLY_ALLOWED_ORIGINS": "https://app.example.com,*"},
			check: func(t *testing.T, c Config) {
				if !slices.Equal(c.Domain.ReturnOrigins, []string{"https://app.example.com"}) {
					t.Errorf("return origins %q", c.Domain.ReturnOrigins)
				}
			}},
		{name: "production refuses the wildcard origin",
			env:     map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": longSecret, "TALLY_ALLOWED_ORIGINS": "https://app.example.com,*"},
			wantErr: `refuses TALLY_ALLOWED_ORIGINS="*"`},
		{name: "return URLs may go to the allowed origins", env: map[string]string{"TALLY_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:5173/", "TALLY_PUBLIC_URL": "https://api.example.com"},
			check: func(t *testing.T, c Config) {
				if !slices.Equal(c.Domain.ReturnOrigins, []string{"https://app.example.com", "http://localhost:5173"}) || c.Domain.PublicURL != "https://api.example.com" {
					t.Errorf("return origins %q public %q", c.Domain.ReturnOrigins, c.Domain.PublicURL)
				}
			}},
		{name: "origin without a scheme", env: map[string]string{"TALLY_ALLOWED_ORIGINS": "app.example.com"}, wantErr: "TALLY_ALLOWED_ORIGINS"},
		{name: "negative sign-up credits", args: []string{"--signup-credits=-1"}, wantErr: "TALLY_SIGNUP_CREDITS"},
		{name: "no free seats", env: map[string]string{"TALLY_FREE_SEATS": "0"}, wantErr: "TALLY_FREE_SEATS"},
		{name: "expiry too often", env: map[string]string{"TALLY_EXPIRY_INTERVAL": "10ms"}, wantErr: "TALLY_EXPIRY_INTERVAL"},
		{name: "audit too often", env: map[string]string{"TALLY_AUDIT_INTERVAL": "30s"}, wantErr: "TALLY_AUDIT_INTERVAL"},
		{name: "zero shutdown timeout", env: map[string]string{"TALLY_SHUTDOWN_TIMEOUT": "0s"}, wantErr: "TALLY_SHUTDOWN_TIMEOUT"},
		{name: "job rescue too soon", env: map[string]string{"TALLY_JOB_RESCUE_AFTER": "10s"}, wantErr: "TALLY_JOB_RESCUE_AFTER"},
		{name: "job rescue too late", env: map[string]string{"TALLY_JOB_RESCUE_AFTER": "25h"}, wantErr: "TALLY_JOB_RESCUE_AFTER"},
		{name: "job rescue", env: map[string]string{"TALLY_JOB_RESCUE_AFTER": "2m"}, check: func(t *testing.T, c Config) {
			if c.JobRescueAfter != 2*time.Minute {
				t.Errorf("job rescue after %s, want 2m", c.JobRescueAfter)
			}
		}},
		{name: "zero depth limit", env: map[string]string{"TALLY_DEPTH_LIMIT": "0"}, wantErr: "TALLY_DEPTH_LIMIT"},
		{name: "tiny body limit", env: map[string]string{"TALLY_MAX_BODY_BYTES": "10"}, wantErr: "TALLY_MAX_BODY_BYTES"},
		{name: "negative db connections", env: map[string]string{"TALLY_DB_MAX_CONNS": "-1"}, wantErr: "TALLY_DB_MAX_CONNS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseServe(t, tt.args, tt.env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			tt.check(t, c)
		})
	}
}

func equalConfig(a, b Config) bool { return reflect.DeepEqual(a, b) }

func TestTokenNeedsSecretInProduction(t *testing.T) {
	tests := []struct {
		env     map[string]string
		wantErr string
		dev     bool
	}{
		{env: map[string]string{}, dev: true},
		{env: map[string]string{"TALLY_JWT_SECRET": longSecret}},
		{env: map[string]string{"TALLY_JWT_SECRET": "abc"}, wantErr: "at least 32 bytes"},
		{env: map[string]string{"TALLY_ENV": "production"}, wantErr: "production needs"},
		{env: map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": longSecret}},
		{env: map[string]string{"TALLY_ENV": "production", "TALLY_JWT_SECRET": sequentialHex}, wantErr: "refuses a weak TALLY_JWT_SECRET"},
	}
	for _, tt := range tests {
		cli, err := parseCLI(t, []string{"serve"}, tt.env)
		if err != nil {
			t.Fatal(err)
		}
		c, err := cli.Serve.Common(false)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error = %v, want %q", tt.env, err, tt.wantErr)
			}
			continue
		}
		if err != nil || c.DevSecret != tt.dev || len(c.JWTSecret) == 0 {
			t.Errorf("%v: common = %+v, %v", tt.env, c, err)
		}
	}
}

// TestREADMEListsEveryVariable keeps the README's configuration table honest.
func TestREADMEListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range envNames(t) {
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("README.md does not document %s", name)
		}
	}
}

// TestTokenTTL: `tally token` refuses a lifetime the server would refuse.
func TestTokenTTL(t *testing.T) {
	tests := []struct {
		env     map[string]string
		args    []string
		wantErr string
	}{
		{args: []string{"--ttl", "24h"}},
		{args: []string{"--ttl", "25h"}, wantErr: "longer than TALLY_JWT_MAX_TTL"},
		{env: map[string]string{"TALLY_JWT_MAX_TTL": "1h"}, args: []string{"--ttl", "2h"}, wantErr: "longer than TALLY_JWT_MAX_TTL"},
		{env: map[string]string{"TALLY_JWT_MAX_TTL": "48h"}, args: []string{"--ttl", "25h"}},
		{args: []string{"--ttl", "0s"}, wantErr: "--ttl must be positive"},
	}
	for _, tt := range tests {
		cli, err := parseCLI(t, append([]string{"token", "--email", "a@example.com"}, tt.args...), tt.env)
		if err != nil {
			t.Fatal(err)
		}
		stdout := os.Stdout
		os.Stdout, _ = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		err = cli.Token.Run()
		os.Stdout.Close()
		os.Stdout = stdout
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%v %v: err = %v, want %q", tt.env, tt.args, err, tt.wantErr)
		}
	}
}
