package paypal

import (
	"context"
	"net/http"

	sdk "github.com/plutov/paypal/v4"

	"github.com/tallyhq/tally/domain"
)

// refundAmountIssues are the 422 issues of a refund that say the amount is
// wrong (more than is left, a fully refunded capture, another currency).
var refundAmountIssues = map[string]bool{
	"REFUND_AMOUNT_EXCEEDED":     true,
	"CAPTURE_FULLY_REFUNDED":     true,
	"CURRENCY_MISMATCH":          true,
	"DECIMAL_PRECISION":          true,
	"AMOUNT_MISMATCH":            true,
	"REFUND_AMOUNT_TOO_LOW":      true,
	"PARTIAL_REFUND_NOT_ALLOWED": true,
	"INVALID_CURRENCY_CODE":      true,
}

// RefundPayment implements domain.Gateway: it refunds req.Amount of the
// order's capture (POST /v2/payments/captures/{id}/refund, PayPal-Request-Id
// = IdempotencyKey). More than is left to refund, a fully refunded capture
// or another currency is INVALID_INPUT (field amount); an order with
// nothing captured is INVALID_INPUT (field paymentId); other refusals
// (e.g. REFUND_TIME_LIMIT_EXCEEDED) are PAYMENT_FAILED with the issue.
// req.Reason stays in Tally: PayPal would show it to the buyer.
func (g *Gateway) RefundPayment(ctx context.Context, req domain.RefundRequest) (domain.Refund, error) {
	if req.Amount.AmountMinor <= 0 || !req.Amount.Currency.Valid() {
		return domain.Refund{}, domain.InvalidInput("amount", "the refund amount must be positive")
	}
	o, err := g.order(ctx, req.PaymentID)
	if err != nil {
		return domain.Refund{}, err
	}
	capID, refunded := "", false
	for _, pu := range o.PurchaseUnits {
		if pu.Payments == nil {
			continue
		}
		for _, c := range pu.Payments.Captures {
			switch c.Status {
			case captureCompleted, capturePartiallyRefunded:
				capID = c.ID
			case captureRefunded:
				refunded = true
			}
		}
	}
	if capID == "" {
		if refunded {
			return domain.Refund{}, domain.InvalidInput("amount", "the paypal payment is already fully refunded")
		}
		return domain.Refund{}, domain.InvalidInput("paymentId", "the paypal order has no completed capture to refund")
	}
	var res *sdk.RefundResponse
	err = g.call(func(c *sdk.Client) error {
		var err error
		res, err = c.RefundCaptureWithPaypalRequestId(ctx, capID, sdk.RefundCaptureRequest{
			Amount: &sdk.Money{Currency: string(req.Amount.Currency), Value: req.Amount.Decimal()},
		}, requestID(req.IdempotencyKey))
		return err
	})
	if err != nil {
		if a := answerOf(err); a.status == http.StatusUnprocessableEntity && refundAmountIssues[a.issue] {
			return domain.Refund{}, &domain.Error{Code: domain.CodeInvalidInput, Field: "amount", Message: "paypal refused the refund amount: " + a.issue, Err: err}
		}
		return domain.Refund{}, fail("refund the paypal capture", err)
	}
	switch res.Status {
	case refundCompleted, refundPending:
	default:
		return domain.Refund{}, &domain.Error{Code: domain.CodePaymentFailed, Message: "paypal refund " + res.ID + " is " + res.Status}
	}
	r := domain.Refund{ID: res.ID, Amount: req.Amount, Pending: res.Status == refundPending}
	if res.Amount != nil {
		m, err := fromAmount(&amount{CurrencyCode: res.Amount.Currency, Value: res.Amount.Value})
		if err != nil {
			return domain.Refund{}, fail("refund the paypal capture", err)
		}
		r.Amount = m
	}
	return r, nil
}
