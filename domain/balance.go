package domain

import (
	"context"
	"time"
)

// Balance is an org's current credit balance: the stored counters plus the
// grants that make it up.
type Balance struct {
	OrgID     string
	Total     int64
	Free      int64 // FREE + PROMO grants
	Paid      int64 // every other kind
	Version   int64 // Seq of the last ledger entry
	UpdatedAt time.Time
	OrgStatus OrgStatus // the org's status, read with the counters
	// RechargeBelow is the auto-recharge threshold while auto-recharge is
	// enabled and not paused, LowBalanceBelow the low-balance alert's; 0
	// when off. Read with the counters, so that a spend can tell after it
	// committed whether either needs a look, without another read.
	RechargeBelow   int64
	LowBalanceBelow int64
	// LowBalanceAlerted says the low-balance alert went out for the
	// current crossing (and is re-armed once the balance is back up).
	LowBalanceAlerted bool
	Grants            []Grant // grants with credits remaining, in spending order
}

// Balance returns an org's balance with its open grants in spending order.
// Grants past their expiry that the expiry job has not written off yet are
// left out of the grants and the totals. Codes: UNAUTHENTICATED, NOT_FOUND.
func (s *Service) Balance(ctx context.Context, orgID string) (Balance, error) {
	if _, err := s.authorize(ctx, orgID, ActionReadBalance); err != nil {
		return Balance{}, err
	}
	return s.balanceOf(ctx, orgID)
}

func (s *Service) balanceOf(ctx context.Context, orgID string) (Balance, error) {
	b, err := s.store.GetBalance(ctx, orgID)
	if err != nil {
		return Balance{}, asDomainError(err)
	}
	gs, err := s.store.OpenGrants(ctx, orgID)
	if err != nil {
		return Balance{}, asDomainError(err)
	}
	open := leaveOutExpired(&b, gs, s.clock.Now())
	SortForSpending(open)
	b.Grants = open
	return b, nil
}

func (s *Service) publish(ctx context.Context, ev Event) {
	if s.bus != nil {
		s.bus.Publish(context.WithoutCancel(ctx), ev)
	}
}
