package paypal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sync/atomic"

	sdk "github.com/plutov/paypal/v4"

	"github.com/tallyhq/tally/domain"
)

// Name is the gateway's registry name.
const Name = "paypal"

// Gateway is the PayPal plugin: Orders v2 with intent CAPTURE through
// github.com/plutov/paypal/v4, and saved wallets through Vault v3
// (vault.go).
type Gateway struct {
	cfg  Config
	http *http.Client
	// client is the SDK client; it is replaced by a fresh one (which fetches
	// a new access token) when PayPal rejects the token it holds.
	client atomic.Pointer[sdk.Client]
}

var _ domain.Gateway = (*Gateway)(nil)

// New builds the gateway; it makes no call until the first payment.
func New(cfg Config) (*Gateway, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: cfg.Timeout}
	if cfg.HTTPClient != nil {
		c := *cfg.HTTPClient
		hc = &c
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = transport{base: base}
	g := &Gateway{cfg: cfg, http: hc}
	c, err := g.newClient()
	if err != nil {
		return nil, err
	}
	g.client.Store(c)
	return g, nil
}

// Name implements domain.Gateway.
func (g *Gateway) Name() string { return Name }

// Capabilities implements domain.Gateway: the configured currencies, the
// PayPal wallet, no installments, full and partial refunds, and saved
// wallets charged without the buyer (MethodVault).
func (g *Gateway) Capabilities() domain.GatewayCapabilities {
	return domain.GatewayCapabilities{
		Currencies:      slices.Clone(g.cfg.Currencies),
		Methods:         []domain.PaymentMethodKind{domain.MethodPayPal},
		MaxInstallments: 1,
		Refunds:         true,
		PartialRefunds:  true,
		SavedCards:      true,
	}
}

// newClient makes an SDK client with no token yet. Every call asks for the
// full resource (Prefer: return=representation); this is set once here,
// never per call, because the SDK keeps it in an unguarded field.
func (g *Gateway) newClient() (*sdk.Client, error) {
	c, err := sdk.NewClient(g.cfg.ClientID, g.cfg.Secret, g.cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c.SetHTTPClient(g.http)
	c.SetReturnRepresentation()
	return c, nil
}

// call runs f with the SDK client. The SDK fetches and renews tokens by
// their expiry only, so when PayPal rejects the token anyway (401 on an API
// call), call swaps in a fresh client and tries once more; every call that
// changes state carries a PayPal-Request-Id, so the retry is safe.
func (g *Gateway) call(f func(c *sdk.Client) error) error {
	c := g.client.Load()
	err := f(c)
	if a := answerOf(err); a.status != http.StatusUnauthorized || a.token {
		return err
	}
	fresh, nerr := g.newClient()
	if nerr != nil {
		return err
	}
	if !g.client.CompareAndSwap(c, fresh) {
		fresh = g.client.Load()
	}
	return f(fresh)
}

// send makes one JSON call to path with an optional PayPal-Request-Id and
// decodes the answer into out.
func (g *Gateway) send(ctx context.Context, method, path string, body any, requestID string, out any) error {
	return g.call(func(c *sdk.Client) error {
		req, err := c.NewRequest(ctx, method, g.cfg.BaseURL+path, body)
		if err != nil {
			return err
		}
		if requestID != "" {
			req.Header.Set("PayPal-Request-Id", requestID)
		}
		return c.SendWithAuth(req, out)
	})
}

// maxRequestID is the longest PayPal-Request-Id PayPal accepts.
const maxRequestID = 108

// requestID turns an idempotency key into a PayPal-Request-Id: the key
// itself, or a digest of it when it is too long.
func requestID(key string) string {
	if len(key) <= maxRequestID {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	return "tally-" + hex.EncodeToString(sum[:])
}

// idRE matches the resource ids PayPal hands out (and then some).
var idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// orderPath is the path of an order; ok is false for an id PayPal could
// never have issued.
func orderPath(id string) (string, bool) {
	if !idRE.MatchString(id) {
		return "", false
	}
	return "/v2/checkout/orders/" + url.PathEscape(id), true
}
