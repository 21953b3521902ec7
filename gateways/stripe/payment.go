package stripe

import (
	"context"
	"errors"
	"slices"
	"strings"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
)

// Metadata keys every PaymentIntent carries; Stripe copies them onto the
// charge, so charge events echo the order too.
const (
	orderIDMetadataKey     = "tally_order_id"
	orderNumberMetadataKey = "tally_order_number"
)

// CreatePayment creates a PaymentIntent for the order on the org's
// customer, passing req.IdempotencyKey to Stripe.
//
// Without a PaymentMethodID the intent accepts the payment methods enabled
// in the Dashboard and waits for the buyer: PENDING with the client secret
// to confirm with Stripe Elements. With one (a saved card) it is confirmed
// at once, on session, as a card payment: SUCCEEDED, or REQUIRES_ACTION with
// the client secret when the bank asks for 3-D Secure; a decline is
// PAYMENT_FAILED with the decline code in the message, returned with the
// FAILED payment (declinedPayment). A cached customer that Stripe no
// longer knows is NOT_FOUND once and replaced on the next payment.
//
// With req.Saved (a method saved by SaveMethod) it is charged off session
// on the method's customer: SUCCEEDED, or FAILED with PAYMENT_FAILED; a
// bank that wants the buyer to authenticate is the decline
// authentication_required (domain.FailureAuthRequired).
func (g *Gateway) CreatePayment(ctx context.Context, req domain.PaymentRequest) (domain.Payment, error) {
	var err error
	if err = g.validate(req); err != nil {
		return domain.Payment{}, err
	}
	customer := ""
	if req.Saved != nil {
		customer = req.Saved.CustomerRef // the customer the method is attached to
	} else if customer, err = g.customerID(ctx, req.Customer); err != nil {
		return domain.Payment{}, err
	}
	params := &stripe.PaymentIntentParams{
		Amount:      stripe.Int64(req.Amount.AmountMinor),
		Currency:    stripe.String(strings.ToLower(string(req.Amount.Currency))),
		Description: stripe.String(description(req)),
		Metadata: map[string]string{
			orderIDMetadataKey:     req.OrderID,
			orderNumberMetadataKey: req.OrderNumber,
			orgMetadataKey:         req.Customer.OrgID,
		},
	}
	params.Context = ctx
	params.AddExpand("latest_charge")
	if err := setIdempotencyKey(&params.Params, req.IdempotencyKey); err != nil {
		return domain.Payment{}, err
	}
	if customer != "" {
		params.Customer = stripe.String(customer)
	}
	switch {
	case req.Saved != nil:
		// Off session: the buyer is not there, so a bank that wants 3-D
		// Secure declines with authentication_required (FAILED, reason
		// domain.FailureAuthRequired) instead of waiting for them. With
		// the buyer present (paying a failed renewal again) the bank may
		// ask, and the PaymentIntent waits for them (a client secret).
		params.PaymentMethod = stripe.String(req.Saved.Ref)
		params.PaymentMethodTypes = []*string{stripe.String("card")}
		params.OffSession = stripe.Bool(!req.BuyerPresent)
		params.Confirm = stripe.Bool(true)
	case req.PaymentMethodID == "":
		params.AutomaticPaymentMethods = &stripe.PaymentIntentAutomaticPaymentMethodsParams{Enabled: stripe.Bool(true)}
	default:
		// A card confirmed now, with the buyer present (off_session left
		// false) so the bank may ask for 3-D Secure. Naming the card type
		// keeps redirect-based methods (which need a return_url) out.
		params.PaymentMethod = stripe.String(req.PaymentMethodID)
		params.PaymentMethodTypes = []*string{stripe.String("card")}
		params.Confirm = stripe.Bool(true)
	}
	pi, err := g.api.PaymentIntents.New(params)
	var se *stripe.Error
	if errors.As(err, &se) && se.Code == stripe.ErrorCodeResourceMissing && se.Param == "customer" && req.Saved == nil {
		g.forgetCustomer(req.Customer.OrgID, customer)
		return domain.Payment{}, mapError(err, "customer")
	}
	if err != nil {
		err = mapError(err, "payment")
		return declinedPayment(err), err
	}
	return toPayment(pi), nil
}

// declinedPayment is the FAILED payment a card error (PAYMENT_FAILED)
// reports, returned with it: its PaymentIntent when Stripe sent it along,
// read as GetPayment and the payment_failed webhook read it, so the
// decline's reason takes the same form (the bare decline code) however it
// reaches Tally. Any other error has no payment.
func declinedPayment(err error) domain.Payment {
	var se *stripe.Error
	if domain.ErrorCode(err) != domain.CodePaymentFailed || !errors.As(err, &se) {
		return domain.Payment{}
	}
	p := domain.Payment{}
	if se.PaymentIntent != nil {
		p = toPayment(se.PaymentIntent)
	}
	p.Status, p.NextAction = domain.PaymentFailed, nil
	if p.FailureReason == "" {
		p.FailureReason = errorReason(se)
	}
	return p
}

// maxIdempotencyKey is the longest key Stripe (and stripe-go) accepts.
const maxIdempotencyKey = 255

// setIdempotencyKey passes key to Stripe; "" lets stripe-go make one up,
// which still keeps its own retries of the request idempotent.
func setIdempotencyKey(p *stripe.Params, key string) error {
	if len(key) > maxIdempotencyKey {
		return domain.InvalidInput("idempotencyKey", "idempotency key longer than %d characters", maxIdempotencyKey)
	}
	if key != "" {
		p.SetIdempotencyKey(key)
	}
	return nil
}

// CheckPayment implements domain.PaymentChecker: the INVALID_INPUT
// CreatePayment would answer req with before calling Stripe. A payment
// method Stripe does not know is found out only by asking it.
func (g *Gateway) CheckPayment(req domain.PaymentRequest) error {
	if err := g.validate(req); err != nil {
		return err
	}
	return setIdempotencyKey(&stripe.Params{}, req.IdempotencyKey)
}

var _ domain.PaymentChecker = (*Gateway)(nil)

// validate refuses requests Stripe cannot serve before calling it.
func (g *Gateway) validate(req domain.PaymentRequest) error {
	if req.Amount.AmountMinor <= 0 {
		return domain.InvalidInput("amount", "amount must be positive")
	}
	if !slices.Contains(g.currencies, req.Amount.Currency) {
		return domain.InvalidInput("currency", "stripe is not configured for %s", req.Amount.Currency)
	}
	if req.Installments > 1 {
		return domain.InvalidInput("installments", "stripe does not split payments into installments")
	}
	if req.Method != "" && req.Method != domain.MethodCard {
		return domain.InvalidInput("method", "stripe takes cards, not %s", req.Method)
	}
	return validateSaved(req)
}

// description is what the Dashboard and receipts show for the payment.
func description(req domain.PaymentRequest) string {
	switch {
	case req.Description != "":
		return req.Description
	case req.OrderNumber != "":
		return "Order " + req.OrderNumber
	default:
		return "Order " + req.OrderID
	}
}

// ConfirmPayment re-reads the PaymentIntent and, when it waits for a
// server-side confirmation (requires_confirmation), confirms it with
// idempotencyKey. Any other state, succeeded included, is returned as it is.
func (g *Gateway) ConfirmPayment(ctx context.Context, paymentID, idempotencyKey string) (domain.Payment, error) {
	pi, err := g.retrieve(ctx, paymentID)
	if err != nil {
		return domain.Payment{}, err
	}
	if pi.Status != stripe.PaymentIntentStatusRequiresConfirmation {
		return toPayment(pi), nil
	}
	if pi, err = g.confirm(ctx, paymentID, idempotencyKey); err != nil {
		return declinedPayment(err), err
	}
	return toPayment(pi), nil
}

// confirm confirms a PaymentIntent with its attached payment method.
func (g *Gateway) confirm(ctx context.Context, paymentID, idempotencyKey string) (*stripe.PaymentIntent, error) {
	params := &stripe.PaymentIntentConfirmParams{}
	params.Context = ctx
	params.AddExpand("latest_charge")
	if err := setIdempotencyKey(&params.Params, idempotencyKey); err != nil {
		return nil, err
	}
	pi, err := g.api.PaymentIntents.Confirm(paymentID, params)
	if err != nil {
		return nil, mapError(err, "payment")
	}
	return pi, nil
}

// GetPayment reads a PaymentIntent's current state, its refunded total
// taken from the latest charge.
func (g *Gateway) GetPayment(ctx context.Context, paymentID string) (domain.Payment, error) {
	pi, err := g.retrieve(ctx, paymentID)
	if err != nil {
		return domain.Payment{}, err
	}
	return toPayment(pi), nil
}

// retrieve fetches a PaymentIntent with its latest charge expanded.
func (g *Gateway) retrieve(ctx context.Context, paymentID string) (*stripe.PaymentIntent, error) {
	if paymentID == "" {
		return nil, domain.NotFound("payment")
	}
	params := &stripe.PaymentIntentParams{}
	params.Context = ctx
	params.AddExpand("latest_charge")
	pi, err := g.api.PaymentIntents.Get(paymentID, params)
	if err != nil {
		return nil, mapError(err, "payment")
	}
	return pi, nil
}
