package installments

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// RefundPayment refunds req.Amount of a payment (POST
// /v1/payments/{id}/refunds with {"amount"} and req.IdempotencyKey as
// X-Idempotency-Key). Mercado Pago refuses more than is left with a 400:
// INVALID_INPUT (field amount). A "pref:<id>" payment refunds the
// preference's collected payment. A refund Mercado Pago rejects is
// PAYMENT_FAILED; one it has not finished is Pending. An answer that is not
// a refund of that amount of that payment (see checkRefund) is
// GATEWAY_UNAVAILABLE: the refund may have been made, and a retry with the
// same IdempotencyKey reads it again without refunding twice.
func (g *Gateway) RefundPayment(ctx context.Context, req domain.RefundRequest) (domain.Refund, error) {
	if req.Amount.Currency != domain.BRL {
		return domain.Refund{}, domain.InvalidInput("currency", "the installments gateway refunds BRL only, not %q", req.Amount.Currency)
	}
	if req.Amount.AmountMinor <= 0 {
		return domain.Refund{}, domain.InvalidInput("amount", "the refund amount must be positive")
	}
	if req.Amount.AmountMinor > maxCentavos {
		return domain.Refund{}, tooLarge()
	}
	id, err := g.refundTarget(ctx, req.PaymentID)
	if err != nil {
		return domain.Refund{}, err
	}
	r, err := g.refunds.CreatePartialRefund(withIdempotencyKey(ctx, req.IdempotencyKey), id, decimalBRL(req.Amount.AmountMinor))
	if err != nil {
		return domain.Refund{}, providerError("refund payment", "amount", err)
	}
	if err := g.checkRefund(ctx, "refund payment", r, id, req.Amount.AmountMinor); err != nil {
		return domain.Refund{}, err
	}
	out := domain.Refund{
		ID:      strconv.Itoa(r.ID),
		Amount:  domain.Money{AmountMinor: centavos(r.Amount), Currency: domain.BRL},
		Pending: r.Status != mpApproved,
	}
	if r.Status == mpRejected || r.Status == mpCancelled {
		return out, &domain.Error{
			Code:    domain.CodePaymentFailed,
			Message: "mercado pago refused the refund",
			Err:     fmt.Errorf("mercado pago refund %d of payment %d is %s", r.ID, id, r.Status),
		}
	}
	return out, nil
}

// refundTarget is the Mercado Pago payment id a Tally payment id refunds.
func (g *Gateway) refundTarget(ctx context.Context, paymentID string) (int, error) {
	if prefID, ok := strings.CutPrefix(paymentID, prefPrefix); ok {
		p, id, err := g.checkoutPayment(ctx, prefID)
		if err != nil {
			return 0, err
		}
		if id == 0 || p.Status != domain.PaymentSucceeded {
			return 0, domain.InvalidInput("paymentId", "checkout %s has no collected payment to refund", prefID)
		}
		return id, nil
	}
	id, ok := parsePaymentID(paymentID)
	if !ok {
		return 0, domain.NotFound("mercado pago payment")
	}
	return id, nil
}
