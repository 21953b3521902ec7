package installments

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tallyhq/tally/gateways/internal/gwconfig"
)

// Defaults applied by New to a zero Config field.
const (
	// DefaultBaseURL is Mercado Pago's API root.
	DefaultBaseURL = "https://api.mercadopago.com"
	// DefaultTimeout bounds each call to Mercado Pago when Config.HTTPClient
	// is nil.
	DefaultTimeout = 15 * time.Second
	// DefaultMaxInstallments is the most installments offered in Brazil.
	DefaultMaxInstallments = 12
	// DefaultWebhookTolerance is how old (or how far in the future) a
	// notification's signed timestamp may be.
	DefaultWebhookTolerance = 10 * time.Minute
)

// Config configures the Mercado Pago installments gateway.
type Config struct {
	// AccessToken is the seller's Mercado Pago access token (APP_USR-… in
	// production, TEST-… for test credentials). Required.
	AccessToken string
	// WebhookSecret is the application's Webhooks "secret signature", the
	// HMAC key of the x-signature header. Required.
	WebhookSecret string
	// BaseURL is the API root; DefaultBaseURL when empty. Point it at an
	// emulator in tests.
	BaseURL string
	// HTTPClient makes the calls; a client with Timeout when nil.
	HTTPClient *http.Client
	// Timeout bounds each call when HTTPClient is nil; DefaultTimeout when 0.
	Timeout time.Duration
	// MaxInstallments is the largest installment count accepted and offered
	// (1 to 12); DefaultMaxInstallments when 0.
	MaxInstallments int
	// WebhookTolerance is how far a notification's signed ts may be from
	// now; DefaultWebhookTolerance when 0.
	WebhookTolerance time.Duration
	// NotificationURL is Tally's public webhook endpoint
	// (https://…/webhooks/installments), sent as notification_url with every
	// payment and preference; "" relies on the URL configured in the
	// Mercado Pago application.
	NotificationURL string
	// Logger reports the answers of Mercado Pago that are refused as
	// unusable (a payment in a currency Tally does not know, a payment
	// other than the one asked for, …); nil means slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.AccessToken == "" {
		return c, errors.New("installments: an access token is required")
	}
	if c.WebhookSecret == "" {
		return c, errors.New("installments: a webhook secret is required")
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if !gwconfig.HTTPURL(c.BaseURL) {
		return c, fmt.Errorf("installments: base URL %q is not an http(s) URL", c.BaseURL)
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.Timeout}
	}
	if c.MaxInstallments == 0 {
		c.MaxInstallments = DefaultMaxInstallments
	}
	if c.MaxInstallments < 1 || c.MaxInstallments > DefaultMaxInstallments {
		return c, fmt.Errorf("installments: max installments %d is outside 1..%d", c.MaxInstallments, DefaultMaxInstallments)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.WebhookTolerance == 0 {
		c.WebhookTolerance = DefaultWebhookTolerance
	}
	if c.WebhookTolerance < 0 {
		return c, errors.New("installments: webhook tolerance must be positive")
	}
	return c, nil
}
