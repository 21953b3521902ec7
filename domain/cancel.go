package domain

import (
	"context"
)

// CancelOrder cancels an order that is not paid yet. A gateway that later
// reports the payment collected after all still makes it PAID (money is
// never dropped). Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, CONFLICT
// (the order is already paid, failed or canceled, or its collected payment
// is held for review: only an operator's refund closes it).
func (s *Service) CancelOrder(ctx context.Context, orderID string) (Order, error) {
	o, err := s.orderFor(ctx, orderID, s.authorizeOrderChange)
	if err != nil {
		return Order{}, err
	}
	if o.Status == OrderDraft {
		return s.discardDraft(ctx, o)
	}
	if !o.Status.Unpaid() {
		if o.Status == OrderCanceled {
			return o, nil
		}
		return Order{}, Errorf(CodeConflict, "order %s is %s and cannot be canceled", o.Number, o.Status)
	}
	if o.Review != "" {
		return Order{}, Errorf(CodeConflict, "order %s has a collected payment held for review and cannot be canceled", o.Number)
	}
	o, err = s.settle(ctx, o.ID, paymentUpdate{status: PaymentCanceled})
	if err != nil {
		return Order{}, err
	}
	if o.Status != OrderCanceled {
		return Order{}, Errorf(CodeConflict, "order %s is %s and cannot be canceled", o.Number, o.Status)
	}
	return o, nil
}
