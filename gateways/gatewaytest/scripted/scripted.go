// Package scripted is the one test double of domain.Gateway: a gateway
// whose every answer the test decides. The domain's order tests, the
// GraphQL tests and the router's tests all use it; the real providers are
// tested against their emulators in the plugins' own packages.
//
// What CreatePayment does is an Outcome, chosen for all following
// payments with Next or per request with Decide. The test plays the
// provider's part: Settle changes a payment at the provider, Outage makes
// every call to the provider fail, Webhook builds a delivery ParseWebhook
// accepts.
package scripted

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/tallyhq/tally/domain"
)

// paymentSeq numbers payments across every scripted gateway of the test
// process: a provider's payment ids are unique, and tests that make
// several gateways under one name over one database (one per round) must
// not see two payments with one id.
var paymentSeq atomic.Int64

// Outcome is how CreatePayment answers.
type Outcome int

// The outcomes a payment can be scripted to have.
const (
	// Succeed collects the payment at once.
	Succeed Outcome = iota
	// Decline returns the FAILED payment, reason "insufficient_funds", and
	// a PAYMENT_FAILED error, as the Gateway contract has it.
	Decline
	// Redirect waits for the buyer on a hosted page (REQUIRES_ACTION).
	Redirect
	// Pending waits for the buyer on a hosted page (PENDING): the outcome
	// arrives later, by webhook or reconciliation.
	Pending
	// Processing is a payment the buyer is done with and the provider
	// still settles (PROCESSING, nothing for the buyer to do).
	Processing
	// ClientSecret waits for a client-side confirmation (REQUIRES_ACTION
	// with a client secret).
	ClientSecret
	// RefuseInput is the provider refusing the request as malformed
	// (INVALID_INPUT on paymentMethodId), which the gateway could not know
	// before asking.
	RefuseInput
	// Unavailable is the provider failing (GATEWAY_UNAVAILABLE) for this
	// one request.
	Unavailable
	// Lost collects the payment but loses the answer: the provider
	// charged, the caller sees GATEWAY_UNAVAILABLE (a timeout, a crash
	// before the answer was recorded). A retry with the same idempotency
	// key gets the collected payment.
	Lost
	// AuthRequired is a bank asking the buyer to authenticate: a charge
	// made without them (off session) is the FAILED payment, reason
	// domain.FailureAuthRequired, and a PAYMENT_FAILED error; with the
	// buyer present (PaymentRequest.BuyerPresent) it waits for them on
	// the bank's page (REQUIRES_ACTION, redirect).
	AuthRequired
)

// Gateway is a scripted domain.Gateway; make one with New. It is safe for
// concurrent use.
type Gateway struct {
	name string
	caps domain.GatewayCapabilities

	mu       sync.Mutex
	next     Outcome
	decide   func(domain.PaymentRequest) Outcome
	capture  bool
	collect  domain.Money
	outage   bool
	creates  int
	refunds  int
	requests []domain.PaymentRequest
	payments map[string]domain.Payment
	byKey    map[string]string // idempotency key → payment id
}

var (
	_ domain.Gateway        = (*Gateway)(nil)
	_ domain.PaymentChecker = (*Gateway)(nil)
)

// New returns a gateway registered as name with caps whose payments
// succeed at once.
func New(name string, caps domain.GatewayCapabilities) *Gateway {
	return &Gateway{name: name, caps: caps, payments: map[string]domain.Payment{}, byKey: map[string]string{}}
}

// Card returns a gateway registered as name for cards in currencies, in
// one payment, with full and partial refunds.
func Card(name string, currencies ...domain.Currency) *Gateway {
	return New(name, domain.GatewayCapabilities{
		Currencies: currencies, Methods: []domain.PaymentMethodKind{domain.MethodCard},
		MaxInstallments: 1, Refunds: true, PartialRefunds: true,
	})
}

// Next makes the following payments end as o (unless Decide decides).
func (g *Gateway) Next(o Outcome) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next = o
}

// Decide makes each payment end as f says for its request.
func (g *Gateway) Decide(f func(domain.PaymentRequest) Outcome) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.decide = f
}

// ByPaymentMethod is a Decide function: the outcome is named by the
// request's payment method id (for a saved method charged off session, its
// Ref), def for ids it does not list.
func ByPaymentMethod(outcomes map[string]Outcome, def Outcome) func(domain.PaymentRequest) Outcome {
	return func(req domain.PaymentRequest) Outcome {
		id := req.PaymentMethodID
		if req.Saved != nil {
			id = req.Saved.Ref
		}
		if o, ok := outcomes[id]; ok {
			return o
		}
		return def
	}
}

// CaptureOnConfirm makes ConfirmPayment complete a payment waiting for the
// buyer, as a PayPal capture does; otherwise it reports the payment as the
// provider has it.
func (g *Gateway) CaptureOnConfirm() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.capture = true
}

// Collect makes the following payments report m collected instead of the
// amount requested (zero: the amount requested).
func (g *Gateway) Collect(m domain.Money) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.collect = m
}

// Outage makes every call to the provider fail with GATEWAY_UNAVAILABLE
// while on; webhooks are still parsed.
func (g *Gateway) Outage(on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.outage = on
}

// Settle changes payment id at the provider, as a buyer or the provider
// does: its status, and the amount collected when given.
func (g *Gateway) Settle(id string, st domain.PaymentStatus, collected ...domain.Money) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.payments[id]
	p.Status, p.NextAction = st, nil
	if len(collected) > 0 {
		p.Amount = collected[0]
	}
	g.payments[id] = p
}

// Creates returns how many payments the provider was asked to start,
// replays of an idempotency key not counted.
func (g *Gateway) Creates() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.creates
}

// Refunds returns how many refunds the provider made.
func (g *Gateway) Refunds() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refunds
}

// Requests returns every request CreatePayment received, in order.
func (g *Gateway) Requests() []domain.PaymentRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]domain.PaymentRequest(nil), g.requests...)
}

// Name returns the name given to New.
func (g *Gateway) Name() string { return g.name }

// Capabilities returns the capabilities given to New.
func (g *Gateway) Capabilities() domain.GatewayCapabilities { return g.caps }

func (g *Gateway) down() error {
	if g.outage {
		return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "provider answered 503"}
	}
	return nil
}

// CheckPayment refuses what no provider takes, whatever the script: an
// amount that is not positive.
func (g *Gateway) CheckPayment(req domain.PaymentRequest) error {
	if req.Amount.AmountMinor <= 0 {
		return domain.InvalidInput("amount", "the amount must be positive")
	}
	return nil
}

// CreatePayment answers as scripted; a replayed idempotency key gets the
// payment it started.
func (g *Gateway) CreatePayment(_ context.Context, req domain.PaymentRequest) (domain.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests = append(g.requests, req)
	if err := g.CheckPayment(req); err != nil {
		return domain.Payment{}, err
	}
	if err := g.down(); err != nil {
		return domain.Payment{}, err
	}
	if id, ok := g.byKey[req.IdempotencyKey]; ok && req.IdempotencyKey != "" {
		return g.payments[id], nil
	}
	o := g.next
	if g.decide != nil {
		o = g.decide(req)
	}
	g.creates++
	p := domain.Payment{ID: fmt.Sprintf("pay_%d", paymentSeq.Add(1)), Status: domain.PaymentSucceeded, Amount: req.Amount}
	if g.collect != (domain.Money{}) {
		p.Amount = g.collect
	}
	switch o {
	case Succeed:
	case Decline:
		p.Status, p.FailureReason = domain.PaymentFailed, "insufficient_funds"
		g.payments[p.ID] = p
		return p, &domain.Error{Code: domain.CodePaymentFailed, Message: "card declined: insufficient_funds"}
	case Redirect, Pending:
		p.Status = domain.PaymentRequiresAction
		if o == Pending {
			p.Status = domain.PaymentPending
		}
		p.NextAction = &domain.NextAction{Kind: domain.NextActionRedirect, URL: "https://pay.example/" + p.ID}
	case Processing:
		p.Status = domain.PaymentProcessing
	case ClientSecret:
		p.Status = domain.PaymentRequiresAction
		p.NextAction = &domain.NextAction{Kind: domain.NextActionConfirmClientSecret, ClientSecret: p.ID + "_secret"}
	case AuthRequired:
		if req.BuyerPresent { // the buyer authenticates on the bank's page
			p.Status = domain.PaymentRequiresAction
			p.NextAction = &domain.NextAction{Kind: domain.NextActionRedirect, URL: "https://bank.example/3ds/" + p.ID}
			break
		}
		p.Status, p.FailureReason = domain.PaymentFailed, domain.FailureAuthRequired
		g.payments[p.ID] = p
		return p, &domain.Error{Code: domain.CodePaymentFailed, Message: "card declined: " + domain.FailureAuthRequired}
	case Lost:
		g.payments[p.ID] = p
		g.byKey[req.IdempotencyKey] = p.ID
		return domain.Payment{}, &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "provider timed out"}
	case RefuseInput:
		return domain.Payment{}, domain.InvalidInput("paymentMethodId", "the provider knows no such payment method")
	case Unavailable:
		return domain.Payment{}, &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "provider answered 503"}
	}
	g.payments[p.ID] = p
	g.byKey[req.IdempotencyKey] = p.ID
	return p, nil
}

// ConfirmPayment reports the payment as the provider has it or, after
// CaptureOnConfirm, completes it first.
func (g *Gateway) ConfirmPayment(_ context.Context, id, _ string) (domain.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p, err := g.get(id)
	if err != nil || !g.capture {
		return p, err
	}
	p.Status, p.NextAction = domain.PaymentSucceeded, nil
	g.payments[id] = p
	return p, nil
}

// RefundPayment refunds like the providers do: once per idempotency key,
// never more than was paid.
func (g *Gateway) RefundPayment(_ context.Context, req domain.RefundRequest) (domain.Refund, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := g.down(); err != nil {
		return domain.Refund{}, err
	}
	r := domain.Refund{ID: "re_" + req.IdempotencyKey, Amount: req.Amount}
	if _, done := g.byKey[req.IdempotencyKey]; done {
		return r, nil
	}
	p, ok := g.payments[req.PaymentID]
	if !ok {
		return domain.Refund{}, domain.NotFound("payment")
	}
	if p.Refunded+req.Amount.AmountMinor > p.Amount.AmountMinor {
		return domain.Refund{}, domain.InvalidInput("amount", "refund exceeds what is left of the payment")
	}
	p.Refunded += req.Amount.AmountMinor
	g.payments[p.ID] = p
	g.byKey[req.IdempotencyKey] = p.ID
	g.refunds++
	return r, nil
}

// GetPayment reports the payment as the provider has it.
func (g *Gateway) GetPayment(_ context.Context, id string) (domain.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.get(id)
}

func (g *Gateway) get(id string) (domain.Payment, error) {
	if err := g.down(); err != nil {
		return domain.Payment{}, err
	}
	p, ok := g.payments[id]
	if !ok {
		return domain.Payment{}, domain.NotFound("payment")
	}
	return p, nil
}

// Headers of a scripted webhook delivery; the body is the event id.
const (
	headerSignature = "X-Scripted-Signature" // "ok", or the delivery is forged
	headerKind      = "X-Kind"               // the event kind
	headerPayment   = "X-Payment"            // the payment id
	headerRefunded  = "X-Refunded"           // the payment's refunded total
	// HeaderAmount is the amount the event reports, "2975 EUR"; absent,
	// the event reports none.
	HeaderAmount = "X-Amount"
)

// Webhook returns a delivery ParseWebhook accepts: event id about
// paymentID, whose refunded total is refunded.
func Webhook(id string, kind domain.WebhookEventKind, paymentID string, refunded int64) domain.WebhookRequest {
	h := http.Header{headerSignature: {"ok"}, headerKind: {string(kind)}, headerPayment: {paymentID},
		headerRefunded: {fmt.Sprint(refunded)}}
	return domain.WebhookRequest{Header: h, Body: []byte(id)}
}

// WithAmount returns req reporting amount as collected.
func WithAmount(req domain.WebhookRequest, amount domain.Money) domain.WebhookRequest {
	req.Header[HeaderAmount] = []string{fmt.Sprintf("%d %s", amount.AmountMinor, amount.Currency)}
	return req
}

// ParseWebhook reads a delivery made by Webhook; any other is a forgery
// (INVALID_INPUT).
func (g *Gateway) ParseWebhook(_ context.Context, req domain.WebhookRequest) ([]domain.WebhookEvent, error) {
	if req.Header.Get(headerSignature) != "ok" {
		return nil, domain.InvalidInput("signature", "bad signature")
	}
	var refunded int64
	if _, err := fmt.Sscan(req.Header.Get(headerRefunded), &refunded); err != nil {
		return nil, domain.InvalidInput("body", "bad refunded total")
	}
	var amount domain.Money
	if a := req.Header.Get(HeaderAmount); a != "" {
		if _, err := fmt.Sscan(a, &amount.AmountMinor, &amount.Currency); err != nil {
			return nil, domain.InvalidInput("body", "bad amount")
		}
	}
	return []domain.WebhookEvent{{
		ID: string(req.Body), Kind: domain.WebhookEventKind(req.Header.Get(headerKind)),
		PaymentID: req.Header.Get(headerPayment), Refunded: refunded, Amount: amount,
	}}, nil
}
