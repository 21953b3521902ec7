package domain

import (
	"context"
)

func updateFromEvent(ev WebhookEvent) paymentUpdate {
	u := paymentUpdate{paymentID: ev.PaymentID, failureReason: ev.FailureReason, refunded: ev.Refunded, amount: ev.Amount}
	switch ev.Kind {
	case EventPaymentSucceeded:
		u.status = PaymentSucceeded
	case EventPaymentFailed:
		u.status = PaymentFailed
	case EventPaymentCanceled:
		u.status = PaymentCanceled
	case EventPaymentProcessing:
		u.status = PaymentProcessing
	case EventPaymentRequiresAction:
		u.status = PaymentRequiresAction
	case EventPaymentRefunded:
		// A refund implies the payment had succeeded, whatever order the
		// events arrive in.
		u.status = PaymentSucceeded
	}
	return u
}

// HandleWebhook verifies a gateway's webhook and applies its events, each
// in one transaction with the record of its event id, so a repeated
// delivery is a no-op and a failed one is retried by the provider.
// Codes: NOT_FOUND (no such gateway), INVALID_INPUT (bad signature or
// body), GATEWAY_UNAVAILABLE, INTERNAL.
func (s *Service) HandleWebhook(ctx context.Context, gateway string, req WebhookRequest) error {
	if s.gateways == nil {
		return NotFound("gateway")
	}
	gw, ok := s.gateways.Get(gateway)
	if !ok {
		return NotFound("gateway")
	}
	events, err := gw.ParseWebhook(ctx, req)
	if err != nil {
		return err
	}
	for _, ev := range events {
		if err := s.applyEvent(ctx, gw.Name(), ev); err != nil {
			return err
		}
	}
	return nil
}

// applyEvent applies one event in a transaction with the record of its id.
// A write conflict means a concurrent delivery of the same event (or a
// concurrent change of the order) committed first; after it, the event is
// either on record (a duplicate) or applies cleanly, so it is retried.
func (s *Service) applyEvent(ctx context.Context, gateway string, ev WebhookEvent) error {
	for attempt := 0; attempt < 3; attempt++ {
		err := s.applyEventOnce(ctx, gateway, ev)
		if !IsCode(err, CodeConflict) {
			return err
		}
	}
	return Errorf(CodeConflict, "event %s kept conflicting; the provider will retry", ev.ID)
}

func (s *Service) applyEventOnce(ctx context.Context, gateway string, ev WebhookEvent) error {
	var (
		o               Order
		changed, failed bool
		balanceAt       int64
	)
	err := s.store.InTx(ctx, func(tx Store) error {
		fresh, err := tx.RecordGatewayEvent(ctx, gateway, ev.ID, s.clock.Now())
		if err != nil || !fresh {
			return err
		}
		orderID, err := s.orderOfEvent(ctx, tx, gateway, ev)
		if err != nil || orderID == "" {
			return err
		}
		o, changed, failed, balanceAt, err = s.settleTx(ctx, tx, orderID, updateFromEvent(ev))
		return err
	})
	if err != nil {
		return asDomainError(err)
	}
	s.announce(ctx, o, changed, balanceAt)
	if failed {
		s.countDecline(ctx, o.OrgID)
	}
	return nil
}

// orderOfEvent finds the order an event is about: by the gateway's payment
// id, else by the order id the provider echoed back. "" when the event is
// about a payment Tally did not make (acknowledged and ignored).
func (s *Service) orderOfEvent(ctx context.Context, tx OrderStore, gateway string, ev WebhookEvent) (string, error) {
	if ev.PaymentID != "" {
		o, err := tx.OrderByPayment(ctx, gateway, ev.PaymentID)
		if err == nil {
			return o.ID, nil
		}
		if !IsCode(err, CodeNotFound) {
			return "", err
		}
	}
	if ev.OrderID != "" && ValidID(ev.OrderID) {
		o, err := tx.OrderByID(ctx, ev.OrderID)
		if err == nil && o.Gateway == gateway {
			return o.ID, nil
		}
		if err != nil && !IsCode(err, CodeNotFound) {
			return "", err
		}
	}
	return "", nil
}

// PurgeGatewayEvents forgets up to limit gateway event ids older than
// Config.GatewayEventRetention (a background job) and returns how many.
func (s *Service) PurgeGatewayEvents(ctx context.Context, limit int) (int, error) {
	n, err := s.store.PurgeGatewayEvents(ctx, s.clock.Now().Add(-s.cfg.GatewayEventRetention), limit)
	return n, asDomainError(err)
}
