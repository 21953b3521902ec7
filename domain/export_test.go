package domain

import "context"

// QueuedSpends reports how many spends of org wait for the transaction in
// flight (tests of the combiner).
func (s *Service) QueuedSpends(orgID string) int {
	return s.combine.queued(orgID)
}

// ChargeMethod exposes chargeMethod to the tests of off-session charges.
func (s *Service) ChargeMethod(ctx context.Context, orgID, methodID string) (PaymentMethod, error) {
	return s.chargeMethod(ctx, s.store, orgID, methodID)
}
