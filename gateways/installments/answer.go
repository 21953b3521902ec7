package installments

import (
	"context"
	"fmt"

	"github.com/mercadopago/sdk-go/pkg/payment"
	"github.com/mercadopago/sdk-go/pkg/preference"
	"github.com/mercadopago/sdk-go/pkg/refund"

	"github.com/tallyhq/tally/domain"
)

// Every 2xx answer of Mercado Pago is checked here before Tally reads it.
// The SDK hands back a nil resource for an empty or null body and a zero
// field for one the body leaves out, so an answer that is not the resource
// asked for would otherwise become a payment with id 0, a status of "", a
// negative amount, or, worse, another payment's state. Anything short of
// the resource is GATEWAY_UNAVAILABLE (see unusable): Mercado Pago's
// answer is at fault, not the caller's input, and a retry (a redelivered
// notification, the next reconciliation, a replayed create) reads it anew.

// knownStatuses are the payment statuses Mercado Pago documents. Any
// other word is refused rather than guessed at.
var knownStatuses = map[string]bool{
	mpApproved: true, mpAuthorized: true, mpPending: true, mpInProcess: true, mpInMediation: true,
	mpRejected: true, mpCancelled: true, mpRefunded: true, mpChargedBack: true,
}

// knownRefundStatuses are the refund statuses RefundPayment understands.
var knownRefundStatuses = map[string]bool{
	mpApproved: true, mpInProcess: true, mpPending: true, mpAuthorized: true, mpRejected: true, mpCancelled: true,
}

// expected is what a payment answer must be about, beyond being one.
type expected struct {
	// id is the payment asked for (GET /v1/payments/{id}); 0 for any.
	id int
	// ref is the order the payment must be for (its external_reference);
	// "" for any.
	ref string
}

// checkPayment returns the state of a payment answer, or refuses it as
// unusable: no payment, no id, a status Mercado Pago does not document, an
// amount no payment has (zero, negative, too large for int64 centavos, or
// refunded beyond itself), a currency Tally does not know, or a payment
// other than the one expected.
func (g *Gateway) checkPayment(ctx context.Context, op string, r *payment.Response, want expected) (paymentState, error) {
	switch {
	case r == nil:
		return paymentState{}, g.unusable(ctx, op, "no payment in the answer")
	case r.ID <= 0:
		return paymentState{}, g.unusable(ctx, op, fmt.Sprintf("a payment without an id (%d)", r.ID))
	case want.id != 0 && r.ID != want.id:
		return paymentState{}, g.unusable(ctx, op, fmt.Sprintf("asked for payment %d, got payment %d", want.id, r.ID),
			"payment", want.id, "answered", r.ID)
	case want.ref != "" && r.ExternalReference != want.ref:
		return paymentState{}, g.unusable(ctx, op,
			fmt.Sprintf("payment %d is for order %q, not %q", r.ID, r.ExternalReference, want.ref),
			"payment", r.ID, "order", want.ref, "answered_order", r.ExternalReference)
	case !knownStatuses[r.Status]:
		return paymentState{}, g.unusable(ctx, op, fmt.Sprintf("payment %d has an unknown status %q", r.ID, r.Status),
			"payment", r.ID, "status", r.Status)
	case !validAmount(r.TransactionAmount) || centavos(r.TransactionAmount) <= 0 ||
		!validAmount(r.TransactionAmountRefunded) || centavos(r.TransactionAmountRefunded) > centavos(r.TransactionAmount):
		return paymentState{}, g.unusable(ctx, op, fmt.Sprintf("payment %d has amount %v refunded %v",
			r.ID, r.TransactionAmount, r.TransactionAmountRefunded), "payment", r.ID)
	}
	if cur := currencyOf(r.CurrencyID); !cur.Valid() {
		return paymentState{}, g.unusable(ctx, op, fmt.Sprintf("payment %d is in %q, a currency Tally does not know", r.ID, r.CurrencyID),
			"payment", r.ID, "currency", r.CurrencyID)
	}
	return stateOf(r), nil
}

// checkSearch returns the payments of a search answer, each checked as a
// payment for order ref.
func (g *Gateway) checkSearch(ctx context.Context, op string, found *payment.SearchResponse, ref string) ([]paymentState, error) {
	if found == nil || found.Results == nil {
		return nil, g.unusable(ctx, op, "no results in the answer")
	}
	states := make([]paymentState, 0, len(found.Results))
	for i := range found.Results {
		s, err := g.checkPayment(ctx, op, &found.Results[i], expected{ref: ref})
		if err != nil {
			return nil, err
		}
		states = append(states, s)
	}
	return states, nil
}

// checkPreference returns the amount of a preference answer in centavos,
// or refuses it as unusable: no preference, no id or another preference
// than wantID (when given), no init_point to send the buyer to, no items,
// an item not in BRL or with an impossible price or quantity, or (when
// wantAmount is positive) a total other than wantAmount.
func (g *Gateway) checkPreference(ctx context.Context, op string, pref *preference.Response, wantID string, wantAmount int64) (int64, error) {
	switch {
	case pref == nil:
		return 0, g.unusable(ctx, op, "no preference in the answer")
	case pref.ID == "":
		return 0, g.unusable(ctx, op, "a preference without an id")
	case wantID != "" && pref.ID != wantID:
		return 0, g.unusable(ctx, op, fmt.Sprintf("asked for preference %q, got %q", wantID, pref.ID),
			"preference", wantID, "answered", pref.ID)
	case pref.InitPoint == "":
		return 0, g.unusable(ctx, op, fmt.Sprintf("preference %s has no init_point", pref.ID), "preference", pref.ID)
	case len(pref.Items) == 0:
		return 0, g.unusable(ctx, op, fmt.Sprintf("preference %s has no items", pref.ID), "preference", pref.ID)
	}
	var total int64
	for _, it := range pref.Items {
		price, qty := centavos(it.UnitPrice), int64(max(it.Quantity, 1))
		if currencyOf(it.CurrencyID) != domain.BRL || it.Quantity < 0 || !validAmount(it.UnitPrice) || price <= 0 || qty > (maxCentavos-total)/price {
			return 0, g.unusable(ctx, op, fmt.Sprintf("preference %s has an item of %d × %v %s",
				pref.ID, it.Quantity, it.UnitPrice, it.CurrencyID), "preference", pref.ID)
		}
		total += price * qty
	}
	if wantAmount > 0 && total != wantAmount {
		return 0, g.unusable(ctx, op, fmt.Sprintf("preference %s is for %d centavos, not %d", pref.ID, total, wantAmount),
			"preference", pref.ID)
	}
	return total, nil
}

// checkRefund refuses a refund answer that is not a refund of amount
// centavos of payment id with a status RefundPayment understands.
func (g *Gateway) checkRefund(ctx context.Context, op string, r *refund.Response, id int, amount int64) error {
	switch {
	case r == nil:
		return g.unusable(ctx, op, "no refund in the answer")
	case r.ID <= 0:
		return g.unusable(ctx, op, fmt.Sprintf("a refund without an id (%d)", r.ID))
	case r.PaymentID != 0 && r.PaymentID != id:
		return g.unusable(ctx, op, fmt.Sprintf("refund %d is of payment %d, not %d", r.ID, r.PaymentID, id),
			"payment", id, "answered", r.PaymentID)
	case !knownRefundStatuses[r.Status]:
		return g.unusable(ctx, op, fmt.Sprintf("refund %d has an unknown status %q", r.ID, r.Status), "refund", r.ID)
	case !validAmount(r.Amount) || centavos(r.Amount) != amount:
		return g.unusable(ctx, op, fmt.Sprintf("refund %d is of %v, not %d centavos", r.ID, r.Amount, amount), "refund", r.ID)
	}
	return nil
}

// unusable is GATEWAY_UNAVAILABLE for a 2xx answer Tally cannot use. It
// is logged (with attrs) as an error: Mercado Pago, or something between
// it and Tally, is misbehaving, and nothing was settled on its word.
func (g *Gateway) unusable(ctx context.Context, op, what string, attrs ...any) error {
	g.cfg.Logger.ErrorContext(ctx, "installments: unusable answer from mercado pago refused",
		append([]any{"op", op, "problem", what}, attrs...)...)
	return unusableErr(fmt.Errorf("mercado pago %s: %s", op, what))
}

func unusableErr(err error) error {
	return &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "mercado pago sent an unusable answer", Err: err}
}
