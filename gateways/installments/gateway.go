package installments

import (
	"time"

	"github.com/mercadopago/sdk-go/pkg/config"
	"github.com/mercadopago/sdk-go/pkg/customer"
	"github.com/mercadopago/sdk-go/pkg/customercard"
	"github.com/mercadopago/sdk-go/pkg/payment"
	"github.com/mercadopago/sdk-go/pkg/preference"
	"github.com/mercadopago/sdk-go/pkg/refund"

	"github.com/tallyhq/tally/domain"
)

// Name is the gateway's registry name.
const Name = "installments"

// Gateway is the Brazilian installment gateway on Mercado Pago. It is safe
// for concurrent use.
type Gateway struct {
	cfg       Config
	transport *transport
	payments  payment.Client
	refunds   refund.Client
	prefs     preference.Client
	customers customer.Client
	cards     customercard.Client
	now       func() time.Time
}

var _ domain.Gateway = (*Gateway)(nil)

// New builds the gateway from cfg; it makes no call to Mercado Pago.
func New(cfg Config) (*Gateway, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t, err := newTransport(cfg.BaseURL, cfg.HTTPClient)
	if err != nil {
		return nil, err
	}
	sdk, err := config.New(cfg.AccessToken, config.WithHTTPClient(t))
	if err != nil {
		return nil, err
	}
	return &Gateway{
		cfg:       cfg,
		transport: t,
		payments:  payment.NewClient(sdk),
		refunds:   refund.NewClient(sdk),
		prefs:     preference.NewClient(sdk),
		customers: customer.NewClient(sdk),
		cards:     customercard.NewClient(sdk),
		now:       time.Now,
	}, nil
}

// Name returns "installments".
func (g *Gateway) Name() string { return Name }

// Capabilities says the gateway charges cards in BRL for Brazilian orgs, in
// 1 to Config.MaxInstallments installments, refunds all or part of a
// payment, and charges saved cards without the buyer (MethodVault,
// vault.go).
func (g *Gateway) Capabilities() domain.GatewayCapabilities {
	return domain.GatewayCapabilities{
		Countries:       []string{"BR"},
		Currencies:      []domain.Currency{domain.BRL},
		Methods:         []domain.PaymentMethodKind{domain.MethodCard},
		MaxInstallments: g.cfg.MaxInstallments,
		Refunds:         true,
		PartialRefunds:  true,
		SavedCards:      true,
	}
}
