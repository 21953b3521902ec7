package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/domain/invoicepdf"
	"github.com/tallyhq/tally/gateways"
	"github.com/tallyhq/tally/gateways/installments"
	"github.com/tallyhq/tally/gateways/paypal"
	"github.com/tallyhq/tally/gateways/sandbox"
	"github.com/tallyhq/tally/gateways/stripe"
	"github.com/tallyhq/tally/graph/httperror"
)

// PaymentOptions configure the payment gateways, pricing and
// reconciliation. A gateway is enabled by its credentials; the sandbox is
// on when no other gateway is configured (outside production) or when
// TALLY_SANDBOX says so.
type PaymentOptions struct {
	GatewayOptions `embed:""`

	Sandbox              string `name:"sandbox" env:"TALLY_SANDBOX" enum:"auto,on,off" default:"auto" help:"Built-in sandbox gateway: auto (on when no other gateway is configured, never in production), on, off."`
	SandboxWebhookSecret string `name:"sandbox-webhook-secret" env:"TALLY_SANDBOX_WEBHOOK_SECRET" help:"HMAC key of the sandbox's webhooks (default: derived from TALLY_JWT_SECRET, so every instance shares it)."`

	TaxRates              string        `name:"tax-rates" env:"TALLY_TAX_RATES" help:"Tax per org country in percent, e.g. DE=19,FR=20 (default: a built-in EU VAT table; other countries 0)."`
	InstallmentCommission string        `name:"installment-commission" env:"TALLY_INSTALLMENT_COMMISSION" help:"Commission per installment count in percent, e.g. 7=4.99,12=9.99 (default 7..12: 4.99 to 9.99)."`
	MaxInstallments       int           `name:"max-installments" env:"TALLY_MAX_INSTALLMENTS" default:"12" help:"Most installments a card payment may be split into, where installments are offered (1 turns them off)."`
	IssuerName            string        `name:"invoice-issuer-name" env:"TALLY_INVOICE_ISSUER_NAME" help:"Seller's legal name printed on invoices (default: a placeholder, fine for development only)."`
	IssuerAddress         string        `name:"invoice-issuer-address" env:"TALLY_INVOICE_ISSUER_ADDRESS" help:"Seller's postal address on invoices; write \\n (backslash n) between its lines."`
	IssuerCountry         string        `name:"invoice-issuer-country" env:"TALLY_INVOICE_ISSUER_COUNTRY" help:"Seller's country on invoices."`
	IssuerTaxID           string        `name:"invoice-issuer-tax-id" env:"TALLY_INVOICE_ISSUER_TAX_ID" help:"Seller's VAT or tax number on invoices."`
	IssuerEmail           string        `name:"invoice-issuer-email" env:"TALLY_INVOICE_ISSUER_EMAIL" help:"Billing contact on invoices."`
	ReconcileInterval     time.Duration `name:"reconcile-interval" env:"TALLY_RECONCILE_INTERVAL" default:"1m" help:"How often unpaid orders are re-checked with their gateway."`
	ReconcileAfter        time.Duration `name:"reconcile-after" env:"TALLY_RECONCILE_AFTER" default:"10m" help:"How long an order may stay PENDING/REQUIRES_ACTION/PROCESSING before reconciliation asks its gateway."`
}

// GatewayOptions are the payment providers' credentials and routing:
// what serve and reconcile need to talk to them.
type GatewayOptions struct {
	PublicURL string `name:"public-url" env:"TALLY_PUBLIC_URL" help:"Where buyers reach this server (hosted payment pages, webhook URLs); default http://localhost:PORT."`

	StripeSecretKey     string `name:"stripe-secret-key" env:"STRIPE_SECRET_KEY" help:"Stripe secret key; enables the stripe gateway."`
	StripeWebhookSecret string `name:"stripe-webhook-secret" env:"STRIPE_WEBHOOK_SECRET" help:"Stripe webhook endpoint secret (whsec_…) for POST /webhooks/stripe."`
	StripeAPIBase       string `name:"stripe-api-base" env:"STRIPE_API_BASE" help:"Stripe API root (tests: stripe-mock); default Stripe's."`

	PayPalClientID  string `name:"paypal-client-id" env:"PAYPAL_CLIENT_ID" help:"PayPal REST client id; enables the paypal gateway."`
	PayPalSecret    string `name:"paypal-secret" env:"PAYPAL_SECRET" help:"PayPal REST secret."`
	PayPalWebhookID string `name:"paypal-webhook-id" env:"PAYPAL_WEBHOOK_ID" help:"PayPal webhook id, for signature verification of POST /webhooks/paypal."`
	PayPalLive      bool   `name:"paypal-live" env:"PAYPAL_LIVE" help:"Use PayPal's live API instead of its sandbox."`
	PayPalAPIBase   string `name:"paypal-api-base" env:"PAYPAL_API_BASE" help:"PayPal API root (tests: the emulator); overrides --paypal-live."`

	MercadoPagoToken         string `name:"mercadopago-access-token" env:"MERCADOPAGO_ACCESS_TOKEN" help:"Mercado Pago access token; enables the installments gateway (Brazil, BRL, 1-12 installments)."`
	MercadoPagoWebhookSecret string `name:"mercadopago-webhook-secret" env:"MERCADOPAGO_WEBHOOK_SECRET" help:"Mercado Pago webhook secret signature for POST /webhooks/installments."`
	MercadoPagoAPIBase       string `name:"mercadopago-api-base" env:"MERCADOPAGO_API_BASE" help:"Mercado Pago API root (tests: the emulator); default Mercado Pago's."`

	GatewayRules string `name:"gateway-rules" env:"TALLY_GATEWAY_RULES" help:"Routing rules, first match first: 'country=BR currency=BRL installments=2+ -> installments; method=PAYPAL -> paypal; * -> stripe, sandbox' (default: every gateway, in the order installments, stripe, paypal, sandbox, first that can take the purchase)."`
}

// webhookBodyLimit bounds a webhook body; providers send a few kilobytes.
const webhookBodyLimit = 256 << 10

// pricing builds the pricing configuration from the options.
func (p PaymentOptions) pricing() (domain.PricingConfig, error) {
	cfg := domain.DefaultPricing()
	if p.MaxInstallments != 0 {
		if p.MaxInstallments < 1 || p.MaxInstallments > 60 {
			return cfg, fmt.Errorf("TALLY_MAX_INSTALLMENTS: %d is not from 1 to 60", p.MaxInstallments)
		}
		cfg.MaxInstallments = p.MaxInstallments
	}
	if strings.TrimSpace(p.TaxRates) != "" {
		rates, err := parseRates(p.TaxRates, "TALLY_TAX_RATES", func(k string) (string, error) {
			k = strings.ToUpper(k)
			if len(k) != 2 || k[0] < 'A' || k[0] > 'Z' || k[1] < 'A' || k[1] > 'Z' {
				return "", fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country", k)
			}
			return k, nil
		})
		if err != nil {
			return cfg, err
		}
		cfg.TaxRates = rates
	}
	if strings.TrimSpace(p.InstallmentCommission) != "" {
		rates, err := parseRates(p.InstallmentCommission, "TALLY_INSTALLMENT_COMMISSION", func(k string) (int, error) {
			n, err := strconv.Atoi(k)
			if err != nil || n < 2 || n > cfg.MaxInstallments {
				return 0, fmt.Errorf("%q is not an installment count from 2 to %d (TALLY_MAX_INSTALLMENTS)", k, cfg.MaxInstallments)
			}
			return n, nil
		})
		if err != nil {
			return cfg, err
		}
		cfg.InstallmentCommission = rates
	}
	return cfg, nil
}

// parseRates reads "KEY=PERCENT,…" into basis points by key.
func parseRates[K comparable](s, env string, key func(string) (K, error)) (map[K]int, error) {
	out := map[K]int{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%s: %q is not KEY=PERCENT", env, part)
		}
		kk, err := key(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", env, err)
		}
		bp, err := percentToBP(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", env, k, err)
		}
		out[kk] = bp
	}
	return out, nil
}

// percentToBP parses a percentage with up to two decimals ("19", "4.99")
// into basis points without floating point.
func percentToBP(s string) (int, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has more than two decimals", s)
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err1 := strconv.Atoi(whole)
	f, err2 := strconv.Atoi(frac)
	if err1 != nil || err2 != nil || w < 0 || w > 100 || (w == 100 && f > 0) {
		return 0, fmt.Errorf("%q is not a percentage from 0 to 100", s)
	}
	return w*100 + f, nil
}

// issuer is the seller printed on invoices: the configured details, or
// the development placeholder when no name is set.
func (p PaymentOptions) issuer() invoicepdf.Issuer {
	if strings.TrimSpace(p.IssuerName) == "" {
		return invoicepdf.DefaultIssuer()
	}
	return invoicepdf.Issuer{
		Name: strings.TrimSpace(p.IssuerName), Address: strings.ReplaceAll(p.IssuerAddress, `\n`, "\n"),
		Country: p.IssuerCountry, TaxID: p.IssuerTaxID, Email: p.IssuerEmail,
	}
}

// paymentSetup is the wired payment side of a server or command.
type paymentSetup struct {
	registry *gateways.Registry
	sandbox  *sandbox.Gateway // nil when off
	names    []string
}

// sandboxPages is the sandbox's hosted payment pages, nil when it is off.
func (p *paymentSetup) sandboxPages() http.Handler {
	if p.sandbox == nil {
		return nil
	}
	return p.sandbox.Handler()
}

// Close stops the sandbox's deliveries.
func (p *paymentSetup) Close() error {
	if p.sandbox != nil {
		return p.sandbox.Close()
	}
	return nil
}

// buildGateways configures every gateway whose credentials are set, plus the
// sandbox when enabled. deliver, when set, receives the sandbox's webhooks
// in process (the server passes its own webhook handler).
func buildGateways(p PaymentOptions, publicURL string, production bool, sandboxSecret []byte, logger *slog.Logger,
	deliver func(context.Context, domain.WebhookRequest) error) (*paymentSetup, error) {
	var gws []domain.Gateway
	if p.MercadoPagoToken != "" {
		g, err := installments.New(installments.Config{
			AccessToken: p.MercadoPagoToken, WebhookSecret: p.MercadoPagoWebhookSecret, BaseURL: p.MercadoPagoAPIBase,
			NotificationURL: publicURL + "/webhooks/installments", Logger: logger,
		})
		if err != nil {
			return nil, fmt.Errorf("installments gateway: %w", err)
		}
		gws = append(gws, g)
	}
	if p.StripeSecretKey != "" {
		g, err := stripe.New(stripe.Config{SecretKey: p.StripeSecretKey, WebhookSecret: p.StripeWebhookSecret, BaseURL: p.StripeAPIBase})
		if err != nil {
			return nil, fmt.Errorf("stripe gateway: %w", err)
		}
		gws = append(gws, g)
	}
	if p.PayPalClientID != "" {
		g, err := paypal.New(paypal.Config{
			ClientID: p.PayPalClientID, Secret: p.PayPalSecret, WebhookID: p.PayPalWebhookID, Live: p.PayPalLive,
			BaseURL: p.PayPalAPIBase, ReturnURL: publicURL + "/", CancelURL: publicURL + "/",
		})
		if err != nil {
			return nil, fmt.Errorf("paypal gateway: %w", err)
		}
		gws = append(gws, g)
	}
	setup := &paymentSetup{}
	useSandbox := p.Sandbox == "on" || (p.Sandbox == "auto" && len(gws) == 0 && !production)
	if useSandbox {
		if production {
			logger.Warn("TALLY_SANDBOX=on in production: test cards buy real credits; use only for staging")
		}
		g, err := sandbox.New(sandbox.Config{BaseURL: publicURL, WebhookSecret: sandboxSecret, Deliver: deliver, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("sandbox gateway: %w", err)
		}
		setup.sandbox = g
		gws = append(gws, g)
	}
	rules, err := gateways.ParseRules(p.GatewayRules)
	if err != nil {
		return nil, fmt.Errorf("TALLY_GATEWAY_RULES: %w", err)
	}
	reg, err := gateways.New(rules, gws...)
	if err != nil {
		return nil, fmt.Errorf("TALLY_GATEWAY_RULES: %w", err)
	}
	setup.registry = reg
	setup.names = reg.Names()
	return setup, nil
}

// sandboxSecret is the sandbox's webhook key: the configured one, or one
// derived from the JWT secret, so that every instance of a deployment
// verifies the others' deliveries.
func sandboxSecret(configured string, jwtSecret []byte) []byte {
	if configured != "" {
		return []byte(configured)
	}
	if len(jwtSecret) == 0 {
		return nil // random per process
	}
	m := hmac.New(sha256.New, jwtSecret)
	m.Write([]byte("tally sandbox webhooks"))
	return m.Sum(nil)
}

// defaultPublicURL is http://localhost:PORT for a listen address.
func defaultPublicURL(addr string) string {
	port := "8080"
	if i := strings.LastIndex(addr, ":"); i >= 0 && addr[i+1:] != "" {
		port = addr[i+1:]
	}
	return "http://localhost:" + port
}

func validPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("TALLY_PUBLIC_URL must be an absolute http(s) URL, got %q", s)
	}
	return nil
}

// webhookHandler serves POST /webhooks/{gateway}: it verifies and applies
// the delivery through the domain and answers 200 when it is applied or a
// duplicate, and otherwise the status of the error's code (httperror.Status):
// 400 for a bad signature or body (nothing changes), 404 for an unknown
// gateway, 409 for an order changed concurrently, 503 when the gateway must
// be asked and cannot be, 500 for anything else. Every provider retries a
// delivery that is not answered 2xx.
func webhookHandler(svc *domain.Service, logger *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := chi.URLParam(r, "gateway")
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, webhookBodyLimit))
		if err != nil {
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		err = svc.HandleWebhook(r.Context(), name, domain.WebhookRequest{Header: r.Header.Clone(), Body: body})
		if err == nil {
			_, _ = io.WriteString(w, "ok\n")
			return
		}
		status := httperror.Status(domain.ErrorCode(err))
		logger.Warn("webhook refused", "gateway", name, "status", status, "err", err)
		msg := http.StatusText(status)
		var de *domain.Error
		if errors.As(err, &de) && de.Code != domain.CodeInternal {
			msg = de.Message
		}
		http.Error(w, msg, status)
	}
}

// reconciler is the part of *domain.Service payment reconciliation uses.
type reconciler interface {
	Reconcile(ctx context.Context, olderThan time.Duration, limit int) (domain.ReconcileReport, error)
}

// reconcileBatch is how many orders one reconciliation pass checks.
const reconcileBatch = 100

// ReconcileCmd settles stale unpaid orders once, on demand.
type ReconcileCmd struct {
	StoreOptions   `embed:""`
	EnvOptions     `embed:""`
	GatewayOptions `embed:""`
	OlderThan      time.Duration `name:"older-than" default:"10m" help:"Check orders unpaid for longer than this."`
	Limit          int           `name:"limit" default:"1000" help:"Most orders to check."`
}

// Run checks stale orders with their gateways, settles them and prints
// what changed. The sandbox keeps its payments in the serving process, so
// sandbox orders can only be reconciled by the server's own loop.
func (rc ReconcileCmd) Run() error {
	var c Common
	if err := rc.EnvOptions.apply(&c); err != nil {
		return err
	}
	if err := rc.StoreOptions.apply(&c); err != nil {
		return err
	}
	if rc.Limit < 1 || rc.OlderThan < 0 {
		return errors.New("--limit must be at least 1 and --older-than not negative")
	}
	logger := newLogger(os.Stderr, c.Production, c.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := openStore(ctx, c, false, logger)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	opts := PaymentOptions{GatewayOptions: rc.GatewayOptions, Sandbox: "off"}
	publicURL := strings.TrimRight(opts.PublicURL, "/")
	if publicURL == "" {
		publicURL = defaultPublicURL(":8080")
	}
	pay, err := buildGateways(opts, publicURL, c.Production, nil, logger, nil)
	if err != nil {
		return err
	}
	defer func() { _ = pay.Close() }()
	svc := domain.NewService(d, domain.Config{PublicURL: publicURL}, domain.WithGateways(pay.registry), domain.WithLogger(logger))
	rep, err := svc.Reconcile(ctx, rc.OlderThan, rc.Limit)
	if err != nil {
		return err
	}
	fmt.Printf("checked %d orders, settled %d, could not check %d\n", rep.Checked, len(rep.Changed), len(rep.Errors))
	for _, ch := range rep.Changed {
		fmt.Printf("  %s: %s -> %s\n", ch.OrderNumber, ch.From, ch.To)
	}
	for _, e := range rep.Errors {
		fmt.Printf("  not checked: %s\n", e)
	}
	return nil
}
