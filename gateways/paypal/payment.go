package paypal

import (
	"context"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/tallyhq/tally/domain"
)

// Orders v2 order statuses.
const (
	orderCreated             = "CREATED"
	orderSaved               = "SAVED"
	orderApproved            = "APPROVED"
	orderVoided              = "VOIDED"
	orderCompleted           = "COMPLETED"
	orderPayerActionRequired = "PAYER_ACTION_REQUIRED"
)

// Payments v2 capture and refund statuses.
const (
	captureCompleted         = "COMPLETED"
	capturePartiallyRefunded = "PARTIALLY_REFUNDED"
	captureRefunded          = "REFUNDED"
	capturePending           = "PENDING"
	refundCompleted          = "COMPLETED"
	refundPending            = "PENDING"
)

// maxText is the longest custom_id, invoice_id or description PayPal takes.
const maxText = 127

// CreatePayment implements domain.Gateway: it creates an order with intent
// CAPTURE (custom_id = OrderID, invoice_id = OrderNumber, PayPal-Request-Id
// = IdempotencyKey) and returns it waiting for the buyer, with a REDIRECT
// to PayPal's approval page. With req.Saved (a wallet saved through
// SaveMethod) it charges the wallet at once with no buyer instead (see
// chargeSaved).
func (g *Gateway) CreatePayment(ctx context.Context, req domain.PaymentRequest) (domain.Payment, error) {
	if err := g.validate(req); err != nil {
		return domain.Payment{}, err
	}
	if req.Saved != nil {
		return g.chargeSaved(ctx, req)
	}
	returnURL := req.ReturnURL
	if returnURL == "" {
		returnURL = g.cfg.ReturnURL
	}
	cancelURL := g.cfg.CancelURL
	if cancelURL == "" {
		cancelURL = returnURL
	}
	body := createOrderRequest{
		Intent: "CAPTURE",
		PurchaseUnits: []purchaseUnitRequest{{
			Amount:      toAmount(req.Amount),
			Description: truncate(req.Description, maxText),
			CustomID:    req.OrderID,
			InvoiceID:   req.OrderNumber,
		}},
	}
	body.PaymentSource.PayPal.ExperienceContext = experienceContext{
		BrandName:          truncate(g.cfg.BrandName, maxText),
		ShippingPreference: "NO_SHIPPING",
		UserAction:         "PAY_NOW",
		ReturnURL:          returnURL,
		CancelURL:          cancelURL,
	}
	var o orderResource
	if err := g.send(ctx, http.MethodPost, "/v2/checkout/orders", body, requestID(req.IdempotencyKey), &o); err != nil {
		return domain.Payment{}, fail("create the paypal order", err)
	}
	p, err := paymentFromOrder(o, req.Amount)
	if err != nil {
		return domain.Payment{}, fail("create the paypal order", err)
	}
	if p.NextAction == nil && (p.Status == domain.PaymentPending || p.Status == domain.PaymentRequiresAction) {
		return domain.Payment{}, &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "create the paypal order: paypal gave no approval link for order " + o.ID}
	}
	return p, nil
}

// CheckPayment implements domain.PaymentChecker: the INVALID_INPUT
// CreatePayment would answer req with before calling PayPal.
func (g *Gateway) CheckPayment(req domain.PaymentRequest) error { return g.validate(req) }

var _ domain.PaymentChecker = (*Gateway)(nil)

// validate refuses what PayPal would, before asking it.
func (g *Gateway) validate(req domain.PaymentRequest) error {
	switch {
	case req.Method != "" && req.Method != domain.MethodPayPal:
		return domain.InvalidInput("method", "paypal takes payment method %s only", domain.MethodPayPal)
	case req.Installments > 1:
		return domain.InvalidInput("installments", "paypal does not split payments into installments")
	case !slices.Contains(g.cfg.Currencies, req.Amount.Currency):
		return domain.InvalidInput("currency", "paypal is not configured for %s", req.Amount.Currency)
	case req.Amount.AmountMinor <= 0:
		return domain.InvalidInput("amount", "the amount must be positive")
	case len(req.OrderID) > maxText:
		return domain.InvalidInput("orderId", "the order id is longer than paypal's %d characters", maxText)
	case len(req.OrderNumber) > maxText:
		return domain.InvalidInput("orderNumber", "the order number is longer than paypal's %d characters", maxText)
	}
	if s := req.Saved; s != nil {
		switch {
		case s.Kind != "" && s.Kind != domain.MethodPayPal:
			return domain.InvalidInput("paymentMethod", "paypal charges saved paypal wallets only")
		case !s.Ready || !idRE.MatchString(s.Ref):
			return domain.InvalidInput("paymentMethod", "the saved paypal wallet is not ready to charge")
		case req.PaymentMethodID != "":
			return domain.InvalidInput("paymentMethodId", "a saved method and a payment method id exclude each other")
		}
	}
	return nil
}

// ConfirmPayment implements domain.Gateway: it captures the order
// (PayPal-Request-Id = idempotencyKey). A completed capture is SUCCEEDED, a
// pending one PROCESSING, a DECLINED one FAILED with the reason. A capture
// PayPal refuses with 422 is PAYMENT_FAILED carrying the issue (e.g.
// INSTRUMENT_DECLINED), returned with the FAILED payment whose
// FailureReason is that issue, except for the issues that say the order is not in
// a state to capture (not approved yet, already captured, voided): then the
// order's current state is returned without error, so an order the buyer
// has not approved yet comes back REQUIRES_ACTION (or PENDING) with its
// approval link and an already captured one SUCCEEDED.
func (g *Gateway) ConfirmPayment(ctx context.Context, paymentID, idempotencyKey string) (domain.Payment, error) {
	path, ok := orderPath(paymentID)
	if !ok {
		return domain.Payment{}, domain.NotFound("paypal order")
	}
	var o orderResource
	err := g.send(ctx, http.MethodPost, path+"/capture", struct{}{}, requestID(idempotencyKey), &o)
	if err != nil {
		a := answerOf(err)
		if a.status == http.StatusUnprocessableEntity && notCapturable[a.issue] {
			return g.GetPayment(ctx, paymentID)
		}
		err = fail("capture the paypal order", err)
		if domain.ErrorCode(err) == domain.CodePaymentFailed && a.issue != "" {
			// The decline comes back with its FAILED payment, the reason
			// PayPal's bare issue code, as the domain records it.
			return domain.Payment{ID: paymentID, Status: domain.PaymentFailed, FailureReason: a.issue}, err
		}
		return domain.Payment{}, err
	}
	p, err := paymentFromOrder(o, domain.Money{})
	if err != nil {
		return domain.Payment{}, fail("capture the paypal order", err)
	}
	return p, nil
}

// notCapturable lists the 422 issues of a capture that describe the
// order's state rather than a decline.
var notCapturable = map[string]bool{
	"ORDER_NOT_APPROVED":        true,
	"PAYER_ACTION_REQUIRED":     true,
	"ORDER_ALREADY_CAPTURED":    true,
	"ORDER_ALREADY_COMPLETED":   true,
	"ORDER_COMPLETED_OR_VOIDED": true,
	"ORDER_EXPIRED":             true,
}

// GetPayment implements domain.Gateway: it fetches the order and maps it
// (see paymentFromOrder).
func (g *Gateway) GetPayment(ctx context.Context, paymentID string) (domain.Payment, error) {
	o, err := g.order(ctx, paymentID)
	if err != nil {
		return domain.Payment{}, err
	}
	p, err := paymentFromOrder(o, domain.Money{})
	if err != nil {
		return domain.Payment{}, fail("read the paypal order", err)
	}
	return p, nil
}

// order fetches an order; an unknown one is NOT_FOUND.
func (g *Gateway) order(ctx context.Context, paymentID string) (orderResource, error) {
	var o orderResource
	path, ok := orderPath(paymentID)
	if !ok {
		return o, domain.NotFound("paypal order")
	}
	if err := g.send(ctx, http.MethodGet, path, nil, "", &o); err != nil {
		return o, fail("read the paypal order", err)
	}
	return o, nil
}

// paymentFromOrder maps an order to a Payment:
//
//	CREATED, SAVED          -> PENDING, REDIRECT to the approve link
//	PAYER_ACTION_REQUIRED   -> REQUIRES_ACTION, REDIRECT to the payer-action link
//	APPROVED                -> PROCESSING (the buyer is done; Tally must capture)
//	VOIDED                  -> CANCELED
//	COMPLETED               -> by its captures: one COMPLETED (or partly or
//	                           wholly refunded) -> SUCCEEDED; one PENDING ->
//	                           PROCESSING; only DECLINED or FAILED -> FAILED
//	                           with the capture's reason
//
// Refunded is the sum of the order's COMPLETED and PENDING refunds (PayPal
// accepted them; FAILED and CANCELLED ones gave nothing back). fallback is
// the amount when the order carries none.
func paymentFromOrder(o orderResource, fallback domain.Money) (domain.Payment, error) {
	p := domain.Payment{ID: o.ID, Amount: fallback}
	var captures []captureResource
	for i, pu := range o.PurchaseUnits {
		if i == 0 && pu.Amount != nil {
			m, err := fromAmount(pu.Amount)
			if err != nil {
				return p, err
			}
			p.Amount = m
		}
		if pu.Payments == nil {
			continue
		}
		captures = append(captures, pu.Payments.Captures...)
		for _, rf := range pu.Payments.Refunds {
			if rf.Status != refundCompleted && rf.Status != refundPending {
				continue
			}
			m, err := fromAmount(rf.Amount)
			if err != nil {
				return p, err
			}
			p.Refunded += m.AmountMinor
		}
	}
	switch o.Status {
	case orderCreated, orderSaved:
		p.Status = domain.PaymentPending
		p.NextAction = redirect(href(o.Links, "approve", "payer-action"))
	case orderPayerActionRequired:
		p.Status = domain.PaymentRequiresAction
		p.NextAction = redirect(href(o.Links, "payer-action", "approve"))
	case orderApproved:
		p.Status = domain.PaymentProcessing
	case orderVoided:
		p.Status = domain.PaymentCanceled
	case orderCompleted:
		p.Status, p.FailureReason = captureStatus(captures)
	default:
		p.Status = domain.PaymentProcessing
	}
	return p, nil
}

// captureStatus sums up an order's captures.
func captureStatus(captures []captureResource) (domain.PaymentStatus, string) {
	pending, reason := false, ""
	for _, c := range captures {
		switch c.Status {
		case captureCompleted, capturePartiallyRefunded, captureRefunded:
			return domain.PaymentSucceeded, ""
		case capturePending:
			pending = true
		default:
			if reason == "" {
				reason = c.Status
				if c.StatusDetails != nil && c.StatusDetails.Reason != "" {
					reason += ": " + c.StatusDetails.Reason
				}
			}
		}
	}
	if pending || reason == "" {
		return domain.PaymentProcessing, ""
	}
	return domain.PaymentFailed, reason
}

// redirect is the REDIRECT next action to url, nil without one.
func redirect(url string) *domain.NextAction {
	if url == "" {
		return nil
	}
	return &domain.NextAction{Kind: domain.NextActionRedirect, URL: url}
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
