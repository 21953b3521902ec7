package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/tallyhq/tally/domain"
)

// Name is the sandbox's registry name.
const Name = "sandbox"

// Errors wrapped by the sandbox's *domain.Error values.
var (
	// ErrDeclined is the cause of every PAYMENT_FAILED.
	ErrDeclined = errors.New("sandbox: card declined")
	// ErrOutage is the cause of GATEWAY_UNAVAILABLE while SetOutage(true).
	ErrOutage = errors.New("sandbox: simulated outage")
)

// Gateway is the sandbox payment gateway; it implements domain.Gateway and
// serves its hosted page through Handler. Close it to stop webhook delivery.
type Gateway struct {
	cfg    Config
	outage atomic.Bool

	// mu guards the maps and closed; a goroutine is added to wg only under
	// mu and while !closed, so Close's wg.Wait sees every one.
	mu       sync.Mutex
	payments map[string]*payment
	byKey    map[string]string // create idempotency key -> payment id
	closed   bool
	// Saved methods (vault.go): setups waiting for 3-D Secure by id,
	// SaveMethod results by idempotency key, refs removed.
	setups   map[string]*setup
	saveKeys map[string]domain.SavedMethod
	removed  map[string]bool

	ctx    context.Context // canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ domain.Gateway = (*Gateway)(nil)

// New returns a sandbox gateway; it fails only on a bad BaseURL.
func New(cfg Config) (*Gateway, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Gateway{
		cfg:      cfg,
		payments: map[string]*payment{},
		byKey:    map[string]string{},
		setups:   map[string]*setup{},
		saveKeys: map[string]domain.SavedMethod{},
		removed:  map[string]bool{},
		ctx:      ctx,
		cancel:   cancel,
	}, nil
}

// Close stops webhook delivery and waits for the delivery goroutines to
// end; undelivered events are dropped. Payments stay readable.
func (g *Gateway) Close() error {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
	g.cancel()
	g.wg.Wait()
	return nil
}

// Name returns "sandbox".
func (g *Gateway) Name() string { return Name }

// Capabilities says the sandbox takes cards and PayPal in every country and
// currency, in up to 12 installments, refunds in full or in part and
// charges saved cards (test card numbers).
func (g *Gateway) Capabilities() domain.GatewayCapabilities {
	return domain.GatewayCapabilities{
		Currencies:      domain.Currencies(),
		Methods:         []domain.PaymentMethodKind{domain.MethodCard, domain.MethodPayPal},
		MaxInstallments: 12,
		Refunds:         true,
		PartialRefunds:  true,
		SavedCards:      true,
	}
}

// SetOutage makes every API call (CreatePayment, ConfirmPayment,
// RefundPayment, GetPayment) fail with GATEWAY_UNAVAILABLE, and the hosted
// page answer 503, until it is called with false. ParseWebhook, which needs
// no provider, and the test controls Approve, Decline and Cancel still work.
func (g *Gateway) SetOutage(on bool) { g.outage.Store(on) }

// available refuses a call during an outage or with a dead context.
func (g *Gateway) available(ctx context.Context) error {
	if g.outage.Load() {
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "the sandbox gateway is unavailable", Err: ErrOutage}
	}
	if err := ctx.Err(); err != nil {
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "the sandbox gateway did not answer in time", Err: err}
	}
	return nil
}

// CreatePayment starts a payment whose outcome depends on the test card in
// req.PaymentMethodID, or charges the saved card req.Saved off session
// (see the package documentation). A declined card is
// PAYMENT_FAILED, returned together with the FAILED payment (which
// GetPayment also finds). A repeated IdempotencyKey returns the payment it
// first made; with a different order, amount or card it is INVALID_INPUT.
// Errors: PAYMENT_FAILED, GATEWAY_UNAVAILABLE, INVALID_INPUT.
func (g *Gateway) CreatePayment(ctx context.Context, req domain.PaymentRequest) (domain.Payment, error) {
	if err := g.available(ctx); err != nil {
		return domain.Payment{}, err
	}
	c, hasCard, err := validate(req)
	if err != nil {
		return domain.Payment{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if req.Saved != nil && g.removed[req.Saved.Ref] {
		return domain.Payment{}, domain.InvalidInput("paymentMethod", "the saved payment method was removed")
	}
	if req.IdempotencyKey != "" {
		if id, ok := g.byKey[req.IdempotencyKey]; ok {
			p := g.payments[id]
			if !p.sameRequest(req, c.number) {
				return domain.Payment{}, domain.InvalidInput("idempotencyKey", "idempotency key reused with a different payment request")
			}
			return g.result(p)
		}
	}
	p := &payment{
		id:           newID("pay"),
		orderID:      req.OrderID,
		orderNumber:  req.OrderNumber,
		description:  req.Description,
		returnURL:    req.ReturnURL,
		amount:       req.Amount,
		installments: max(req.Installments, 1),
		status:       domain.PaymentPending,
		method:       req.Method,
	}
	if p.method == "" {
		p.method = domain.MethodCard
	}
	g.payments[p.id] = p
	if req.IdempotencyKey != "" {
		g.byKey[req.IdempotencyKey] = p.id
	}
	if hasCard {
		ev, later := p.charge(c)
		g.emitLocked(p, ev, g.cfg.DeliveryDelay)
		if later {
			g.settleLater(p.id)
		}
	}
	return g.result(p)
}

// CheckPayment implements domain.PaymentChecker: the INVALID_INPUT
// CreatePayment would answer req with (an unknown test card, an amount,
// method or return URL the sandbox does not take), decided without
// creating a payment.
func (g *Gateway) CheckPayment(req domain.PaymentRequest) error {
	_, _, err := validate(req)
	return err
}

var _ domain.PaymentChecker = (*Gateway)(nil)

// validate checks a payment request and finds its test card.
func validate(req domain.PaymentRequest) (c card, hasCard bool, err error) {
	if req.Amount.AmountMinor <= 0 {
		return c, false, domain.InvalidInput("amount", "the amount must be positive")
	}
	if !req.Amount.Currency.Valid() {
		return c, false, domain.InvalidInput("amount", "the sandbox does not charge in %q", req.Amount.Currency)
	}
	switch req.Method {
	case "", domain.MethodCard, domain.MethodPayPal:
	default:
		return c, false, domain.InvalidInput("method", "the sandbox does not take %q payments", req.Method)
	}
	if req.Installments < 0 || req.Installments > 12 {
		return c, false, domain.InvalidInput("installments", "the sandbox takes 1 to 12 installments")
	}
	if req.ReturnURL != "" {
		// The service sends only return URLs on allowed origins; the page
		// redirects there, so refuse anything a browser could read as
		// another host (userinfo, backslashes, other schemes) all the same.
		if _, err := domain.ReturnURLOrigin(req.ReturnURL); err != nil {
			return c, false, err
		}
	}
	if req.Saved != nil {
		return savedCharge(req)
	}
	if req.PaymentMethodID == "" {
		return c, false, nil
	}
	c, ok := lookupCard(req.PaymentMethodID)
	if !ok {
		return c, false, domain.InvalidInput("paymentMethodId", "unknown sandbox test card; use 4242424242424242 (succeeds), 4000000000000002 (declined) or another number from the sandbox documentation")
	}
	return c, true, nil
}

// ConfirmPayment returns the payment's current state: the buyer acts on the
// hosted page, so there is nothing to capture and confirming is idempotent.
// A payment the buyer has not acted on yet comes back unchanged with its
// next action; a FAILED one comes back together with PAYMENT_FAILED.
// Errors: PAYMENT_FAILED, GATEWAY_UNAVAILABLE, NOT_FOUND.
func (g *Gateway) ConfirmPayment(ctx context.Context, paymentID, _ string) (domain.Payment, error) {
	return withPayment(ctx, g, paymentID, g.result)
}

// GetPayment returns the payment's current state, FAILED ones included.
// Errors: GATEWAY_UNAVAILABLE, NOT_FOUND.
func (g *Gateway) GetPayment(ctx context.Context, paymentID string) (domain.Payment, error) {
	return withPayment(ctx, g, paymentID, func(p *payment) (domain.Payment, error) {
		return p.view(g.pageURL(p.id)), nil
	})
}

// withPayment is how the gateway's calls about one payment start: the
// outage check, then fn on the payment with g.mu held. Errors:
// GATEWAY_UNAVAILABLE, NOT_FOUND and fn's.
func withPayment[T any](ctx context.Context, g *Gateway, paymentID string, fn func(*payment) (T, error)) (T, error) {
	var zero T
	if err := g.available(ctx); err != nil {
		return zero, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.payments[paymentID]
	if !ok {
		return zero, domain.NotFound("payment")
	}
	return fn(p)
}

// RefundPayment gives back req.Amount (all that is left when zero) of a
// SUCCEEDED payment and reports payment.refunded with the new cumulative
// total. A repeated IdempotencyKey returns the refund it first made.
// Errors: GATEWAY_UNAVAILABLE, INVALID_INPUT (not succeeded, wrong
// currency, more than is left), NOT_FOUND.
func (g *Gateway) RefundPayment(ctx context.Context, req domain.RefundRequest) (domain.Refund, error) {
	return withPayment(ctx, g, req.PaymentID, func(p *payment) (domain.Refund, error) {
		return g.refundLocked(p, req)
	})
}

// refundLocked is RefundPayment on its payment, with g.mu held.
func (g *Gateway) refundLocked(p *payment, req domain.RefundRequest) (domain.Refund, error) {
	if r, ok := p.refunds[req.IdempotencyKey]; ok && req.IdempotencyKey != "" {
		if req.Amount.AmountMinor != 0 && req.Amount != r.Amount {
			return domain.Refund{}, domain.InvalidInput("idempotencyKey", "idempotency key reused with a different refund")
		}
		return r, nil
	}
	if p.status != domain.PaymentSucceeded {
		return domain.Refund{}, domain.InvalidInput("paymentId", "only a succeeded payment can be refunded; this one is %s", p.status)
	}
	left := p.amount.AmountMinor - p.refunded
	amount := req.Amount
	if amount.Currency == "" {
		amount.Currency = p.amount.Currency
	}
	if amount.AmountMinor == 0 {
		amount.AmountMinor = left
	}
	switch {
	case amount.Currency != p.amount.Currency:
		return domain.Refund{}, domain.InvalidInput("amount", "the payment is in %s, not %s", p.amount.Currency, amount.Currency)
	case amount.AmountMinor < 0:
		return domain.Refund{}, domain.InvalidInput("amount", "a refund must be positive")
	case left == 0:
		return domain.Refund{}, domain.InvalidInput("amount", "the payment is already fully refunded")
	case amount.AmountMinor > left:
		return domain.Refund{}, domain.InvalidInput("amount", "a refund of %s exceeds the %s left to refund", amount, domain.Money{AmountMinor: left, Currency: amount.Currency})
	}
	p.refunded += amount.AmountMinor
	r := domain.Refund{ID: newID("re"), Amount: amount}
	if req.IdempotencyKey != "" {
		if p.refunds == nil {
			p.refunds = map[string]domain.Refund{}
		}
		p.refunds[req.IdempotencyKey] = r
	}
	g.emitLocked(p, EventRefunded, g.cfg.DeliveryDelay)
	return r, nil
}

// result is what Create and Confirm answer for p: its view, with
// PAYMENT_FAILED when it was declined.
func (g *Gateway) result(p *payment) (domain.Payment, error) {
	v := p.view(g.pageURL(p.id))
	if p.status == domain.PaymentFailed {
		return v, &domain.Error{Code: domain.CodePaymentFailed, Message: declineMessage(p.failureReason), Err: ErrDeclined}
	}
	return v, nil
}

// pageURL is the hosted page of a payment.
func (g *Gateway) pageURL(id string) string {
	return g.cfg.BaseURL + "/sandbox/pay/" + url.PathEscape(id)
}

// newID returns a random identifier with a Stripe-like prefix.
func newID(prefix string) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic("sandbox: crypto/rand failed: " + err.Error())
	}
	return prefix + "_" + hex.EncodeToString(b)
}
