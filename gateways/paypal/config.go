package paypal

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/internal/gwconfig"
)

// API roots of PayPal's two environments.
const (
	SandboxBaseURL = "https://api-m.sandbox.paypal.com"
	LiveBaseURL    = "https://api-m.paypal.com"
)

// Defaults New applies to zero Config fields.
const (
	DefaultTimeout       = 15 * time.Second
	DefaultWebhookMaxAge = 72 * time.Hour
)

// Config configures the PayPal gateway.
type Config struct {
	// ClientID and Secret are the REST app's credentials (required).
	ClientID string
	Secret   string
	// WebhookID is the id of the webhook PayPal delivers to Tally, as shown
	// in the developer dashboard; deliveries are verified against it.
	// Without it ParseWebhook refuses every delivery.
	WebhookID string
	// Live selects the live API root instead of the sandbox when BaseURL is
	// empty.
	Live bool
	// BaseURL overrides the API root (an emulator in tests).
	BaseURL string
	// HTTPClient makes the calls; nil means a client with Timeout. A given
	// client is copied, not changed.
	HTTPClient *http.Client
	// Timeout bounds each call when HTTPClient is nil (default 15 s).
	Timeout time.Duration
	// ReturnURL and CancelURL are where PayPal sends the buyer after
	// approving or canceling, when the PaymentRequest has no ReturnURL.
	// CancelURL defaults to the return URL.
	ReturnURL string
	CancelURL string
	// BrandName is shown to the buyer on PayPal's pages ("" for the
	// account's business name).
	BrandName string
	// Currencies the gateway charges in (default EUR and USD).
	Currencies []domain.Currency
	// WebhookMaxAge is how old a delivery's signed transmission time may be
	// (default 72 h, the span over which PayPal retries); negative turns
	// the check off.
	WebhookMaxAge time.Duration
	// Clock tells the time for the webhook age check; nil means time.Now.
	Clock func() time.Time
}

// withDefaults validates cfg and fills in its zero fields.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.ClientID == "" || cfg.Secret == "" {
		return cfg, errors.New("paypal: ClientID and Secret are required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = SandboxBaseURL
		if cfg.Live {
			cfg.BaseURL = LiveBaseURL
		}
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	cur, err := gwconfig.Currencies("paypal", cfg.Currencies, []domain.Currency{domain.EUR, domain.USD})
	if err != nil {
		return cfg, err
	}
	cfg.Currencies = cur
	if cfg.WebhookMaxAge == 0 {
		cfg.WebhookMaxAge = DefaultWebhookMaxAge
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	return cfg, nil
}
