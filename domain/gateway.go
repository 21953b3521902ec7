package domain

import (
	"context"
	"net/http"
	"time"
)

// PaymentMethodKind is how a buyer pays.
type PaymentMethodKind string

// Payment methods a gateway may offer.
const (
	MethodCard   PaymentMethodKind = "CARD"
	MethodPayPal PaymentMethodKind = "PAYPAL"
)

// GatewayCapabilities says what a gateway can do; the router matches orders
// against it.
type GatewayCapabilities struct {
	// Countries the gateway serves (ISO 3166-1 alpha-2); empty means all.
	Countries []string
	// Currencies it charges in.
	Currencies []Currency
	// Methods it offers.
	Methods []PaymentMethodKind
	// MaxInstallments is the largest installment count (1 when the gateway
	// does not split payments).
	MaxInstallments int
	// Refunds and PartialRefunds say whether money can be given back, all
	// of it or part of it.
	Refunds        bool
	PartialRefunds bool
	// SavedCards says whether a stored payment method can be charged.
	SavedCards bool
}

// Customer identifies the paying org to a gateway.
type Customer struct {
	OrgID   string
	Name    string
	Email   string
	Country string
}

// PaymentRequest asks a gateway to start collecting an order's total.
type PaymentRequest struct {
	OrderID     string
	OrderNumber string
	Customer    Customer
	Amount      Money
	// Installments is the number of monthly installments (1: pay at once).
	Installments int
	// Method is the payment method kind the buyer chose.
	Method PaymentMethodKind
	// PaymentMethodID is a gateway-side payment method (a saved card, a
	// card token, a sandbox test card number); "" lets the buyer choose on
	// the gateway's own page or widget.
	PaymentMethodID string
	Description     string
	// Saved, when set, is a method saved through MethodVault, charged off
	// session (the buyer is not there: renewals, automatic top-ups);
	// PaymentMethodID is "" then.
	Saved *SavedMethod
	// BuyerPresent says the buyer is at the SPA and can authenticate a
	// charge of Saved (3-D Secure as a NextAction): a saved method charged
	// for a buyer's own request. False for charges Tally makes by itself
	// (renewals, automatic top-ups), which a bank's demand for
	// authentication fails with FailureAuthRequired.
	BuyerPresent bool
	// IdempotencyKey is passed to the provider so a retried create never
	// makes a second payment.
	IdempotencyKey string
	// ReturnURL is where a hosted flow sends the buyer back to. The service
	// sets it only to a URL CheckReturnURL accepted for an allowed origin;
	// "" when the purchase named none, and the gateway ends the flow on its
	// own result page or on the return URL it was configured with. Gateways
	// never take a return URL from elsewhere.
	ReturnURL string
}

// NextActionKind says what the SPA must do to finish a payment.
type NextActionKind string

// Next actions.
const (
	// NextActionNone: nothing; the payment completes on its own.
	NextActionNone NextActionKind = "NONE"
	// NextActionRedirect: send the buyer to URL (PayPal approval, 3-D
	// Secure, a hosted page).
	NextActionRedirect NextActionKind = "REDIRECT"
	// NextActionConfirmClientSecret: confirm ClientSecret with the
	// provider's client library (Stripe Elements).
	NextActionConfirmClientSecret NextActionKind = "CONFIRM_CLIENT_SECRET"
)

// NextAction is what the SPA must do after purchasePack.
type NextAction struct {
	Kind         NextActionKind
	URL          string
	ClientSecret string
}

// PaymentStatus is a gateway payment's state, normalized across providers.
type PaymentStatus string

// Payment states.
const (
	// PaymentPending: created, waiting for the buyer.
	PaymentPending PaymentStatus = "PENDING"
	// PaymentRequiresAction: the buyer must authenticate or approve.
	PaymentRequiresAction PaymentStatus = "REQUIRES_ACTION"
	// PaymentProcessing: the buyer is done; the provider is settling.
	PaymentProcessing PaymentStatus = "PROCESSING"
	// PaymentSucceeded: the money is collected.
	PaymentSucceeded PaymentStatus = "SUCCEEDED"
	// PaymentFailed: declined or errored for good.
	PaymentFailed PaymentStatus = "FAILED"
	// PaymentCanceled: abandoned or voided before collection.
	PaymentCanceled PaymentStatus = "CANCELED"
)

// Payment is a gateway's view of one payment.
type Payment struct {
	// ID is the provider's reference (PaymentIntent id, PayPal order id, …).
	ID     string
	Status PaymentStatus
	Amount Money
	// Refunded is the total refunded so far, in minor units.
	Refunded int64
	// NextAction is set while Status is PENDING or REQUIRES_ACTION.
	NextAction *NextAction
	// FailureReason explains a FAILED payment: the provider's own reason
	// (a decline code such as "generic_decline"), in the same form whether
	// the payment was declined at once, later on the provider's page or in a
	// webhook event, with no wording of Tally's around it.
	FailureReason string
	// Method is how the buyer pays, when the gateway knows it ("" when it
	// does not say, or the buyer has not chosen yet): it completes an order
	// whose buyer named no method.
	Method PaymentMethodKind
}

// RefundRequest asks a gateway to give back part or all of a payment.
type RefundRequest struct {
	PaymentID      string
	Amount         Money
	Reason         string
	IdempotencyKey string
}

// Refund is a gateway's answer to a refund.
type Refund struct {
	ID     string
	Amount Money
	// Pending is true when the provider has accepted the refund but not yet
	// completed it.
	Pending bool
}

// WebhookRequest is an incoming webhook call as received.
type WebhookRequest struct {
	Header http.Header
	Body   []byte
}

// WebhookEventKind is a normalized gateway event.
type WebhookEventKind string

// Webhook event kinds.
const (
	EventPaymentSucceeded      WebhookEventKind = "PAYMENT_SUCCEEDED"
	EventPaymentFailed         WebhookEventKind = "PAYMENT_FAILED"
	EventPaymentCanceled       WebhookEventKind = "PAYMENT_CANCELED"
	EventPaymentProcessing     WebhookEventKind = "PAYMENT_PROCESSING"
	EventPaymentRequiresAction WebhookEventKind = "PAYMENT_REQUIRES_ACTION"
	EventPaymentRefunded       WebhookEventKind = "PAYMENT_REFUNDED"
)

// WebhookEvent is one provider event, normalized. Ignored provider events
// are not returned at all.
type WebhookEvent struct {
	// ID is the provider's event id; a repeated id is a duplicate delivery.
	ID   string
	Kind WebhookEventKind
	// PaymentID is the provider payment the event is about.
	PaymentID string
	// OrderID is Tally's order id when the provider echoes it back
	// (metadata, custom id, external reference); "" otherwise.
	OrderID string
	// Amount is the payment's amount (for PAYMENT_SUCCEEDED) when known.
	Amount Money
	// Refunded is the payment's cumulative refunded total after the event,
	// in minor units (PAYMENT_REFUNDED). Cumulative totals make refund
	// events safe to apply in any order.
	Refunded int64
	// FailureReason explains PAYMENT_FAILED.
	FailureReason string
	// OccurredAt is when the provider says the event happened.
	OccurredAt time.Time
}

// Gateway is a payment provider plugin (package gateways/<name>).
// Errors are *Error: PAYMENT_FAILED (declines, with the provider's reason
// in the message; CreatePayment and ConfirmPayment return the FAILED
// Payment with it, whose FailureReason is that reason as GetPayment and
// webhook events give it), GATEWAY_UNAVAILABLE (timeouts, 5xx, network),
// INVALID_INPUT (a request the provider refuses as malformed) and NOT_FOUND
// (an unknown payment); the provider's error is wrapped.
type Gateway interface {
	// Name is the registry name, e.g. "stripe".
	Name() string
	// Capabilities lists what the gateway supports.
	Capabilities() GatewayCapabilities
	// CreatePayment starts collecting req.Amount and says what the buyer
	// must do next. Errors: PAYMENT_FAILED, GATEWAY_UNAVAILABLE, INVALID_INPUT.
	CreatePayment(ctx context.Context, req PaymentRequest) (Payment, error)
	// ConfirmPayment completes a payment after the buyer approved it
	// (PayPal capture); a payment already complete is returned as it is.
	// Errors: PAYMENT_FAILED, GATEWAY_UNAVAILABLE, NOT_FOUND.
	ConfirmPayment(ctx context.Context, paymentID, idempotencyKey string) (Payment, error)
	// RefundPayment gives back req.Amount of a succeeded payment.
	// Errors: PAYMENT_FAILED, GATEWAY_UNAVAILABLE, INVALID_INPUT, NOT_FOUND.
	RefundPayment(ctx context.Context, req RefundRequest) (Refund, error)
	// GetPayment fetches a payment's current state (reconciliation).
	// Errors: GATEWAY_UNAVAILABLE, NOT_FOUND.
	GetPayment(ctx context.Context, paymentID string) (Payment, error)
	// ParseWebhook verifies a webhook's signature and returns its events.
	// A forged, stale or malformed call is INVALID_INPUT; a verification the
	// provider must be asked about and cannot be is GATEWAY_UNAVAILABLE.
	ParseWebhook(ctx context.Context, req WebhookRequest) ([]WebhookEvent, error)
}

// PaymentChecker is a Gateway that can tell, without asking its provider,
// whether CreatePayment would refuse a request as malformed. PurchasePack
// asks it before the order is written, so refused input leaves nothing
// behind; what only the provider can refuse is undone after the fact.
type PaymentChecker interface {
	// CheckPayment returns the INVALID_INPUT error CreatePayment would
	// return for req before calling the provider, or nil. req is complete
	// but for its OrderNumber, which is not taken yet.
	CheckPayment(req PaymentRequest) error
}

// RouteRequest describes a purchase for the router.
type RouteRequest struct {
	Country      string
	Currency     Currency
	Method       PaymentMethodKind // "" when the buyer did not say
	Installments int
	// Gateway is the buyer's explicit choice, "" when none.
	Gateway string
}

// Gateways is the set of configured gateways and the rules that pick one;
// package gateways implements it.
type Gateways interface {
	// Route picks the gateway for a purchase. An explicit Gateway the rules
	// or its capabilities do not allow is INVALID_INPUT (field "gateway").
	Route(req RouteRequest) (Gateway, error)
	// Get returns a configured gateway by name.
	Get(name string) (Gateway, bool)
}
