package stripe

import (
	"errors"
	"net/http"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/internal/gwconfig"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultBaseURL is Stripe's API root.
	DefaultBaseURL = "https://api.stripe.com"
	// DefaultTimeout bounds one HTTP request when Config.HTTPClient is nil.
	DefaultTimeout = 15 * time.Second
	// DefaultMaxNetworkRetries is how often stripe-go retries a request that
	// failed in a way Stripe documents as safe to retry; POSTs carry the
	// same idempotency key on every attempt, so a retry never pays twice.
	DefaultMaxNetworkRetries = 2
	// DefaultWebhookTolerance is how old a signed webhook may be (Stripe's
	// own default).
	DefaultWebhookTolerance = 5 * time.Minute
)

// Config configures one Stripe gateway. Each Gateway has its own backend,
// key and webhook secret; New touches no package-level stripe-go state, so
// several gateways (two Stripe accounts, or tests) can run side by side.
type Config struct {
	// SecretKey is the account's secret API key (sk_live_… or sk_test_…).
	// Required.
	SecretKey string
	// WebhookSecret is the webhook endpoint's signing secret (whsec_…).
	// Required.
	WebhookSecret string
	// BaseURL is the API root without /v1; DefaultBaseURL when empty.
	// Tests point it at an emulator or stripe-mock.
	BaseURL string
	// HTTPClient makes the API calls; when nil a client with Timeout is used.
	HTTPClient *http.Client
	// Timeout bounds each HTTP request of the default client; DefaultTimeout
	// when zero. Ignored when HTTPClient is set.
	Timeout time.Duration
	// MaxNetworkRetries is DefaultMaxNetworkRetries when zero; negative
	// turns retries off.
	MaxNetworkRetries int
	// WebhookTolerance is how old a webhook's signed timestamp may be;
	// DefaultWebhookTolerance when zero.
	WebhookTolerance time.Duration
	// Currencies the gateway charges in; EUR, USD and BRL when empty.
	Currencies []domain.Currency
}

// withDefaults validates c and fills its zero fields.
func (c Config) withDefaults() (Config, error) {
	if c.SecretKey == "" {
		return c, errors.New("stripe: SecretKey is required")
	}
	if c.WebhookSecret == "" {
		return c, errors.New("stripe: WebhookSecret is required")
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.Timeout}
	}
	switch {
	case c.MaxNetworkRetries == 0:
		c.MaxNetworkRetries = DefaultMaxNetworkRetries
	case c.MaxNetworkRetries < 0:
		c.MaxNetworkRetries = 0
	}
	if c.WebhookTolerance <= 0 {
		c.WebhookTolerance = DefaultWebhookTolerance
	}
	cur, err := gwconfig.Currencies("stripe", c.Currencies, domain.Currencies())
	if err != nil {
		return c, err
	}
	c.Currencies = cur
	return c, nil
}
