package stripe

import (
	"context"
	"errors"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
)

var _ domain.MethodVault = (*Gateway)(nil)

// SaveMethod saves the PaymentMethod req.Token (a pm_… the SPA made with
// Stripe Elements) for off-session charges: a SetupIntent on the org's
// customer, confirmed at once with usage off_session. The customer is
// req.CustomerRef, else the org's (found or created as for payments,
// idempotently per org); a customer Stripe no longer knows (deleted in
// the Dashboard) is replaced by the org's current or a new one. A succeeded SetupIntent is Ready with the card's
// brand, last four digits and expiry; one waiting for 3-D Secure
// (requires_action) is not, with its client secret to confirm with Stripe
// Elements (CONFIRM_CLIENT_SECRET) and SetupRef its id. A card refused
// while saving is PAYMENT_FAILED. req.IdempotencyKey keys the SetupIntent.
// Errors: PAYMENT_FAILED, INVALID_INPUT (no token, a PaymentMethod Stripe
// does not know), GATEWAY_UNAVAILABLE.
func (g *Gateway) SaveMethod(ctx context.Context, req domain.SaveMethodRequest) (domain.SavedMethod, error) {
	if req.Token == "" {
		return domain.SavedMethod{}, domain.InvalidInput("token", "stripe saves a PaymentMethod made with Stripe Elements; give its pm_ id")
	}
	if err := setIdempotencyKey(&stripe.Params{}, req.IdempotencyKey); err != nil {
		return domain.SavedMethod{}, err
	}
	customer := req.CustomerRef
	if customer == "" {
		if req.Customer.OrgID == "" {
			return domain.SavedMethod{}, domain.InvalidInput("customer", "a saved payment method needs the org it belongs to")
		}
		var err error
		if customer, err = g.customerID(ctx, req.Customer); err != nil {
			return domain.SavedMethod{}, err
		}
	}
	si, err := g.newSetupIntent(ctx, req, customer)
	var se *stripe.Error
	if errors.As(err, &se) && se.Code == stripe.ErrorCodeResourceMissing && se.Param == "customer" && req.Customer.OrgID != "" {
		// The customer (the org's earlier methods', or the cached one) was
		// deleted in the Dashboard: the org's current one, or a new one.
		g.forgetCustomer(req.Customer.OrgID, customer)
		if customer, err = g.customerID(ctx, req.Customer); err != nil {
			return domain.SavedMethod{}, err
		}
		si, err = g.newSetupIntent(ctx, req, customer)
	}
	if errors.As(err, &se) && se.Code == stripe.ErrorCodeResourceMissing && se.Param == "payment_method" {
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodeInvalidInput, Field: "token", Message: "stripe knows no such payment method", Err: err}
	}
	if err != nil {
		return domain.SavedMethod{}, mapError(err, "customer")
	}
	return savedFromSetup(si, customer)
}

// newSetupIntent creates and confirms the SetupIntent of a save, with the
// PaymentMethod expanded for its card details.
func (g *Gateway) newSetupIntent(ctx context.Context, req domain.SaveMethodRequest, customer string) (*stripe.SetupIntent, error) {
	params := &stripe.SetupIntentParams{
		Customer:           stripe.String(customer),
		PaymentMethod:      stripe.String(req.Token),
		PaymentMethodTypes: []*string{stripe.String("card")},
		Confirm:            stripe.Bool(true),
		Usage:              stripe.String("off_session"),
		Metadata:           map[string]string{orgMetadataKey: req.Customer.OrgID},
	}
	params.Context = ctx
	params.AddExpand("payment_method")
	// The key names the customer: a retry after the customer was replaced
	// is another request.
	key := req.IdempotencyKey
	if key != "" {
		key += "-" + customer
	}
	if err := setIdempotencyKey(&params.Params, key); err != nil {
		return nil, err
	}
	return g.api.SetupIntents.New(params)
}

// savedFromSetup reads a SetupIntent as a saved method:
//
//	succeeded                                  Ready
//	requires_action, requires_confirmation     waiting, CONFIRM_CLIENT_SECRET
//	processing                                 waiting, nothing to do
//	requires_payment_method after a failure    PAYMENT_FAILED (the reason)
//	canceled                                   PAYMENT_FAILED setup_canceled
func savedFromSetup(si *stripe.SetupIntent, customer string) (domain.SavedMethod, error) {
	m := domain.SavedMethod{CustomerRef: customer, SetupRef: si.ID, Kind: domain.MethodCard}
	if si.Customer != nil && si.Customer.ID != "" {
		m.CustomerRef = si.Customer.ID
	}
	if pm := si.PaymentMethod; pm != nil {
		m.Ref = pm.ID
		if pm.Card != nil {
			m.Brand, m.Last4 = string(pm.Card.Brand), pm.Card.Last4
			m.ExpMonth, m.ExpYear = int(pm.Card.ExpMonth), int(pm.Card.ExpYear)
		}
	}
	switch si.Status {
	case stripe.SetupIntentStatusSucceeded:
		m.Ready, m.SetupRef = true, ""
	case stripe.SetupIntentStatusRequiresAction, stripe.SetupIntentStatusRequiresConfirmation:
		m.NextAction = &domain.NextAction{Kind: domain.NextActionConfirmClientSecret, ClientSecret: si.ClientSecret}
	case stripe.SetupIntentStatusProcessing:
	case stripe.SetupIntentStatusCanceled:
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodePaymentFailed, Message: "card declined: setup_canceled"}
	default: // requires_payment_method: the card failed, or the buyer failed 3-D Secure
		reason := failureReason(si.LastSetupError)
		if reason == "" {
			reason = "setup_failed"
		}
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodePaymentFailed, Message: "card declined: " + reason}
	}
	if m.Ref == "" {
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "stripe answered a SetupIntent without its payment method"}
	}
	return m, nil
}

// CompleteSave re-reads the SetupIntent of a save that waited for the
// buyer (3-D Secure confirmed with Stripe Elements) and returns the method
// as savedFromSetup reads it. A method that did not wait is returned as
// it is. Errors: PAYMENT_FAILED, NOT_FOUND (an unknown SetupIntent),
// GATEWAY_UNAVAILABLE.
func (g *Gateway) CompleteSave(ctx context.Context, m domain.SavedMethod) (domain.SavedMethod, error) {
	if m.SetupRef == "" {
		if m.Ready {
			return m, nil
		}
		return domain.SavedMethod{}, domain.NotFound("setup")
	}
	params := &stripe.SetupIntentParams{}
	params.Context = ctx
	params.AddExpand("payment_method")
	si, err := g.api.SetupIntents.Get(m.SetupRef, params)
	if err != nil {
		return domain.SavedMethod{}, mapError(err, "setup")
	}
	return savedFromSetup(si, m.CustomerRef)
}

// RemoveMethod detaches the PaymentMethod from its customer. One Stripe no
// longer knows (resource_missing), or that is attached to no customer any
// more (a detach repeated after a failure, Stripe refusing it as
// invalid), is removed already. Errors: GATEWAY_UNAVAILABLE,
// INVALID_INPUT.
func (g *Gateway) RemoveMethod(ctx context.Context, m domain.SavedMethod) error {
	if m.Ref == "" {
		return nil
	}
	params := &stripe.PaymentMethodDetachParams{}
	params.Context = ctx
	_, err := g.api.PaymentMethods.Detach(m.Ref, params)
	err = mapError(err, "payment method")
	switch domain.ErrorCode(err) {
	case "", domain.CodeNotFound:
		return nil
	case domain.CodeInvalidInput:
		get := &stripe.PaymentMethodParams{}
		get.Context = ctx
		pm, gerr := g.api.PaymentMethods.Get(m.Ref, get)
		if domain.IsCode(mapError(gerr, "payment method"), domain.CodeNotFound) || (gerr == nil && pm.Customer == nil) {
			return nil
		}
	}
	return err
}

// validateSaved checks an off-session charge's saved method.
func validateSaved(req domain.PaymentRequest) error {
	switch s := req.Saved; {
	case s == nil:
		return nil
	case req.PaymentMethodID != "":
		return domain.InvalidInput("paymentMethodId", "a saved payment method is charged without a payment method id")
	case !s.Ready || s.Ref == "":
		return domain.InvalidInput("paymentMethod", "the saved payment method is not ready to be charged")
	case s.CustomerRef == "":
		return domain.InvalidInput("paymentMethod", "a saved stripe payment method needs its customer")
	}
	return nil
}
