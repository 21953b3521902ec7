package domain

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ReconcileChange is one order reconciliation settled.
type ReconcileChange struct {
	OrderID     string
	OrderNumber string
	From, To    OrderStatus
}

// ReconcileReport is what one reconciliation pass did.
type ReconcileReport struct {
	Checked int
	Changed []ReconcileChange
	// Errors are orders that could not be checked (gateway still down).
	Errors []string
}

// Reconcile re-checks with their gateways up to limit orders left PENDING,
// REQUIRES_ACTION or PROCESSING for longer than olderThan, completes
// payments the buyer approved (ConfirmPayment), and settles them as the
// gateway reports. An order whose payment never started (the
// gateway was down) is started again with the same gateway idempotency
// key. Safe to run on many instances at once.
func (s *Service) Reconcile(ctx context.Context, olderThan time.Duration, limit int) (ReconcileReport, error) {
	var rep ReconcileReport
	if s.gateways == nil {
		return rep, nil
	}
	orders, err := s.store.OrdersToReconcile(ctx,
		[]OrderStatus{OrderPending, OrderRequiresAction, OrderProcessing}, s.clock.Now().Add(-olderThan), limit)
	if err != nil {
		return rep, asDomainError(err)
	}
	for _, o := range orders {
		rep.Checked++
		after, err := s.reconcileOne(ctx, o)
		if err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s: %v", o.Number, err))
			continue
		}
		if after.Status != o.Status {
			rep.Changed = append(rep.Changed, ReconcileChange{OrderID: o.ID, OrderNumber: o.Number, From: o.Status, To: after.Status})
		}
	}
	return rep, nil
}

func (s *Service) reconcileOne(ctx context.Context, o Order) (Order, error) {
	gw, ok := s.gateways.Get(o.Gateway)
	if !ok {
		return o, Errorf(CodeGatewayUnavailable, "gateway %s is not configured", o.Gateway)
	}
	if o.PaymentID == "" && o.AutoRecharge != "" {
		// An automatic top-up is charged with the org's saved card, under
		// its settings' lock (checkAutoRecharge), never without it.
		if _, err := s.checkAutoRecharge(ctx, o.OrgID); err != nil {
			return o, err
		}
		return s.store.OrderByID(ctx, o.ID)
	}
	if o.PaymentID == "" {
		c, err := s.startPayment(ctx, o, "", "")
		if IsCode(err, CodePaymentFailed) || errors.Is(err, errCreditCeiling) {
			return s.store.OrderByID(ctx, o.ID)
		}
		return c.Order, err
	}
	// Confirm, not just read: a buyer who approved (PayPal) and left before
	// the SPA called confirmOrder still gets the payment completed, under
	// the same gateway idempotency key confirmOrder uses.
	p, err := gw.ConfirmPayment(ctx, o.PaymentID, "confirm-"+o.ID)
	if IsCode(err, CodePaymentFailed) {
		return s.settleDecline(ctx, o.ID, p, err)
	}
	if err != nil {
		return o, err
	}
	after, err := s.settle(ctx, o.ID, updateFromPayment(p))
	if err != nil {
		return o, err
	}
	if after.Version == o.Version {
		// Still waiting on the buyer or the provider: touch it so the next
		// pass checks other orders first.
		err = s.store.InTx(ctx, func(tx Store) error {
			cur, err := tx.LockOrder(ctx, o.ID)
			if err != nil || cur.Version != o.Version {
				return err
			}
			cur.UpdatedAt = s.clock.Now()
			cur.Version++
			return tx.UpdateOrder(ctx, cur)
		})
	}
	return after, asDomainError(err)
}
