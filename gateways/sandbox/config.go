package sandbox

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/internal/gwconfig"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultDeliveryDelay = 200 * time.Millisecond
	DefaultTolerance     = 5 * time.Minute
	DefaultRetryBackoff  = 500 * time.Millisecond
	DefaultMaxAttempts   = 5
	DefaultTimeout       = 10 * time.Second
)

// Config configures the sandbox gateway.
type Config struct {
	// BaseURL is Tally's public URL (e.g. http://localhost:8080); hosted
	// pages are BaseURL+"/sandbox/pay/{id}" and webhooks go to
	// BaseURL+"/webhooks/sandbox". Required.
	BaseURL string
	// WebhookSecret is the HMAC-SHA256 key webhooks are signed and verified
	// with. When empty New picks a random one, which is enough because the
	// same process signs and verifies.
	WebhookSecret []byte
	// HTTPClient delivers webhooks; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Deliver, when set, replaces the HTTP POST of a webhook (tests and
	// in-process use); a non-nil error is retried like a non-2xx answer.
	Deliver func(ctx context.Context, req domain.WebhookRequest) error
	// Clock tells the time for event timestamps and signature checks; nil
	// means time.Now.
	Clock func() time.Time
	// DeliveryDelay is how long after a state change its webhook is sent,
	// and how long a PROCESSING payment takes to settle (default 200 ms).
	DeliveryDelay time.Duration
	// Tolerance is how far a webhook's signed timestamp may be from now
	// (default 5 min).
	Tolerance time.Duration
	// RetryBackoff is the wait before the first retry of a failed delivery;
	// it doubles on each further retry (default 500 ms).
	RetryBackoff time.Duration
	// MaxAttempts is how many times a webhook is tried in all (default 5).
	MaxAttempts int
	// Logger reports deliveries given up on; nil means slog.Default().
	Logger *slog.Logger
}

// withDefaults validates cfg and fills in its zero fields.
func (cfg Config) withDefaults() (Config, error) {
	if !gwconfig.HTTPURL(cfg.BaseURL) {
		return cfg, fmt.Errorf("sandbox: BaseURL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if len(cfg.WebhookSecret) == 0 {
		cfg.WebhookSecret = make([]byte, 32)
		if _, err := rand.Read(cfg.WebhookSecret); err != nil {
			return cfg, fmt.Errorf("sandbox: webhook secret: %w", err)
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: DefaultTimeout}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.DeliveryDelay <= 0 {
		cfg.DeliveryDelay = DefaultDeliveryDelay
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = DefaultTolerance
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}
