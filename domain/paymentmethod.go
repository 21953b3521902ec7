package domain

import (
	"context"
	"time"
)

// PaymentMethodStatus says whether a saved payment method can be charged.
type PaymentMethodStatus string

// Saved payment method states.
const (
	// MethodPending: saving needs the buyer (3-D Secure for a Stripe
	// SetupIntent, PayPal approval); NextAction says what to do.
	MethodPending PaymentMethodStatus = "PENDING"
	// MethodActive: saved and chargeable off session.
	MethodActive PaymentMethodStatus = "ACTIVE"
)

// FailureAuthRequired is the FailureReason of an off-session charge the
// buyer's bank wants authenticated (Stripe's authentication_required): the
// buyer must pay on session.
const FailureAuthRequired = "authentication_required"

// PaymentMethod is a payment method an org saved with one gateway, charged
// without the buyer (off session) for renewals and automatic top-ups.
type PaymentMethod struct {
	ID      string
	OrgID   string
	Gateway string
	Kind    PaymentMethodKind
	// Ref is the gateway's reference of the saved method (Stripe pm_…,
	// PayPal vault token, Mercado Pago card id, sandbox card).
	Ref string
	// CustomerRef is the gateway's customer the method is attached to
	// (Stripe cus_…, Mercado Pago customer id); "" where the gateway has
	// none.
	CustomerRef string
	// SetupRef is the gateway's reference of the setup still waiting for
	// the buyer (Stripe SetupIntent, PayPal setup token); "" once active.
	SetupRef   string
	Status     PaymentMethodStatus
	Brand      string // "visa", "mastercard", "paypal", …
	Last4      string // cards only
	ExpMonth   int    // cards only
	ExpYear    int    // cards only
	IsDefault  bool
	NextAction *NextAction // while PENDING
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Saved returns the gateway's view of m, to charge or remove it.
func (m PaymentMethod) Saved() SavedMethod {
	return SavedMethod{
		Ref: m.Ref, CustomerRef: m.CustomerRef, SetupRef: m.SetupRef, Kind: m.Kind,
		Brand: m.Brand, Last4: m.Last4, ExpMonth: m.ExpMonth, ExpYear: m.ExpYear,
		Ready: m.Status == MethodActive, NextAction: m.NextAction,
	}
}

// SaveMethodRequest asks a gateway to store a payment method for charges
// without the buyer.
type SaveMethodRequest struct {
	Customer Customer
	// CustomerRef is the org's customer at this gateway from a method
	// saved before; "" lets the gateway create one when it needs one.
	CustomerRef string
	// Token is what the SPA collected: a Stripe PaymentMethod id, a
	// Mercado Pago card token, a sandbox test card number; "" starts a
	// hosted flow (PayPal approval) where the gateway has one.
	Token string
	// ReturnURL is where a hosted flow sends the buyer back to ("": the
	// gateway's own page), under the same rules as PaymentRequest.ReturnURL.
	ReturnURL      string
	IdempotencyKey string
}

// SavedMethod is a gateway's view of a saved payment method.
type SavedMethod struct {
	Ref         string
	CustomerRef string
	SetupRef    string
	Kind        PaymentMethodKind
	Brand       string
	Last4       string
	ExpMonth    int
	ExpYear     int
	// Ready is true when the method can be charged off session; false
	// while NextAction waits for the buyer.
	Ready      bool
	NextAction *NextAction
}

// MethodVault is a Gateway that can save payment methods and charge them
// without the buyer: CreatePayment with PaymentRequest.Saved set. An
// off-session charge the bank wants authenticated is a FAILED payment
// with FailureReason FailureAuthRequired. Errors as Gateway's.
type MethodVault interface {
	// SaveMethod stores req.Token (or starts the gateway's hosted flow)
	// for later charges. Errors: PAYMENT_FAILED (the card was refused
	// while saving), INVALID_INPUT, GATEWAY_UNAVAILABLE.
	SaveMethod(ctx context.Context, req SaveMethodRequest) (SavedMethod, error)
	// CompleteSave finishes a save that waited for the buyer and returns
	// the method, Ready or still waiting. Errors: PAYMENT_FAILED,
	// NOT_FOUND, GATEWAY_UNAVAILABLE.
	CompleteSave(ctx context.Context, m SavedMethod) (SavedMethod, error)
	// RemoveMethod detaches a saved method at the gateway; a method the
	// gateway no longer knows is removed already (nil). Errors:
	// GATEWAY_UNAVAILABLE.
	RemoveMethod(ctx context.Context, m SavedMethod) error
}

// PaymentMethodStore keeps the payment methods orgs saved.
type PaymentMethodStore interface {
	// CreatePaymentMethod inserts a method; when m.IsDefault, the org's
	// other methods stop being the default in the same write.
	CreatePaymentMethod(ctx context.Context, m PaymentMethod) error
	// PaymentMethodByID returns a method (not removed) or NOT_FOUND.
	PaymentMethodByID(ctx context.Context, id string) (PaymentMethod, error)
	// ListPaymentMethods lists an org's methods, default first, then
	// newest first.
	ListPaymentMethods(ctx context.Context, orgID string) ([]PaymentMethod, error)
	// UpdatePaymentMethod saves status, refs, card details, next action and
	// updated time; NOT_FOUND when absent.
	UpdatePaymentMethod(ctx context.Context, m PaymentMethod) error
	// SetDefaultPaymentMethod makes id the org's only default method;
	// NOT_FOUND when the org has no such method.
	SetDefaultPaymentMethod(ctx context.Context, orgID, id string) error
	// DeletePaymentMethod removes a method; NOT_FOUND when absent.
	DeletePaymentMethod(ctx context.Context, orgID, id string) error
	// CustomerRefOf returns the gateway customer the org's saved methods
	// at gateway use, "" when it has none.
	CustomerRefOf(ctx context.Context, orgID, gateway string) (string, error)
}
