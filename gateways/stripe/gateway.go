package stripe

import (
	"sync"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/tallyhq/tally/domain"
)

// Name is the registry name of this gateway.
const Name = "stripe"

// Gateway is the Stripe payment plugin. It is safe for concurrent use.
type Gateway struct {
	api           *client.API
	webhookSecret string
	tolerance     time.Duration
	currencies    []domain.Currency

	mu        sync.Mutex
	customers map[string]string // Tally org id -> Stripe customer id
	vanished  map[string]string // Tally org id -> its customer Stripe no longer knows
}

var _ domain.Gateway = (*Gateway)(nil)

// New builds a gateway with its own stripe-go backend (base URL, HTTP
// client, retries); it does not touch stripe.Key or the package's default
// backends.
func New(cfg Config) (*Gateway, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	backend := stripe.GetBackendWithConfig(stripe.APIBackend, &stripe.BackendConfig{
		URL:               stripe.String(cfg.BaseURL),
		HTTPClient:        cfg.HTTPClient,
		MaxNetworkRetries: stripe.Int64(int64(cfg.MaxNetworkRetries)),
		// Errors are returned, mapped and logged by the caller; the SDK's
		// own log lines would repeat them (with client secrets) on stderr.
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})
	// Only the API backend is used; Connect and Uploads share it so no call
	// can fall back to the package's global backends.
	api := client.New(cfg.SecretKey, &stripe.Backends{API: backend, Connect: backend, Uploads: backend})
	return &Gateway{
		api:           api,
		webhookSecret: cfg.WebhookSecret,
		tolerance:     cfg.WebhookTolerance,
		currencies:    cfg.Currencies,
		customers:     map[string]string{},
		vanished:      map[string]string{},
	}, nil
}

// Name returns "stripe".
func (g *Gateway) Name() string { return Name }

// Capabilities says Stripe charges cards in the configured currencies,
// anywhere, in one payment, refunds in full or in part, and charges saved
// cards.
func (g *Gateway) Capabilities() domain.GatewayCapabilities {
	return domain.GatewayCapabilities{
		Currencies:      append([]domain.Currency(nil), g.currencies...),
		Methods:         []domain.PaymentMethodKind{domain.MethodCard},
		MaxInstallments: 1,
		Refunds:         true,
		PartialRefunds:  true,
		SavedCards:      true,
	}
}
