package stripe

import (
	"context"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
)

// RefundPayment refunds req.Amount of a PaymentIntent's charge with
// req.IdempotencyKey; the reason travels as metadata. Refunding more than
// is left is Stripe's 400, INVALID_INPUT; an unknown payment is NOT_FOUND.
// A refund Stripe still settles is returned Pending; one that failed at
// once is PAYMENT_FAILED.
func (g *Gateway) RefundPayment(ctx context.Context, req domain.RefundRequest) (domain.Refund, error) {
	if req.PaymentID == "" {
		return domain.Refund{}, domain.NotFound("payment")
	}
	if req.Amount.AmountMinor <= 0 {
		return domain.Refund{}, domain.InvalidInput("amount", "refund amount must be positive")
	}
	params := &stripe.RefundParams{
		PaymentIntent: stripe.String(req.PaymentID),
		Amount:        stripe.Int64(req.Amount.AmountMinor),
	}
	params.Context = ctx
	if req.Reason != "" {
		params.AddMetadata("reason", req.Reason)
	}
	if err := setIdempotencyKey(&params.Params, req.IdempotencyKey); err != nil {
		return domain.Refund{}, err
	}
	r, err := g.api.Refunds.New(params)
	if err != nil {
		return domain.Refund{}, mapError(err, "payment")
	}
	switch r.Status {
	case stripe.RefundStatusFailed, stripe.RefundStatusCanceled:
		return domain.Refund{}, &domain.Error{Code: domain.CodePaymentFailed, Message: "refund " + string(r.Status) + ": " + string(r.FailureReason)}
	}
	return domain.Refund{
		ID:      r.ID,
		Amount:  money(r.Amount, r.Currency),
		Pending: r.Status == stripe.RefundStatusPending || r.Status == stripe.RefundStatusRequiresAction,
	}, nil
}
