package domain

import (
	"context"
	"fmt"
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

// BalanceEvent is pushed to balanceUpdated subscribers after a committed
// change: the balance then, and the newest ledger entry when the
// subscriber may see it (mayReadEntry), nil otherwise.
type BalanceEvent struct {
	Balance Balance
	Entry   *LedgerEntry
}

// WatchBalance streams an org's balance after every committed change, on
// whichever instance made it, until ctx ends. It is authorized like Balance,
// and again before each event, so a removed member stops receiving; the
// event's entry is shown as that re-check's access allows (a member whose
// role changed sees entries as the new role does).
func (s *Service) WatchBalance(ctx context.Context, orgID string) (<-chan BalanceEvent, error) {
	if _, err := s.authorize(ctx, orgID, ActionReadBalance); err != nil {
		return nil, err
	}
	if s.bus == nil {
		return nil, Internal(fmt.Errorf("no event bus configured"))
	}
	in := s.bus.Subscribe(ctx, orgID)
	// Events of changes committed before the subscription may still be in
	// flight; only versions after this one are news.
	start, err := s.store.GetBalance(ctx, orgID)
	if err != nil {
		return nil, asDomainError(err)
	}
	out := make(chan BalanceEvent, 1)
	go func() {
		defer close(out)
		last := start.Version
		for ev := range in {
			if ev.Kind != EventBalance && ev.Kind != EventResync {
				continue
			}
			acc, err := s.authorize(ctx, orgID, ActionReadBalance)
			if err != nil {
				if ErrorCode(err).Retryable() {
					// The database is briefly unreachable: the next
					// event, or the bus's resync once it is back,
					// catches up.
					continue
				}
				return
			}
			b, err := s.balanceOf(ctx, orgID)
			if err != nil || b.Version <= last {
				continue
			}
			last = b.Version
			be := BalanceEvent{Balance: b}
			if e, err := s.store.LedgerEntryBySeq(ctx, orgID, b.Version); err == nil && mayReadEntry(acc, e) {
				be.Entry = &e
			}
			select {
			case out <- be:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

func (s *Service) publish(ctx context.Context, ev Event) {
	if s.bus != nil {
		s.bus.Publish(context.WithoutCancel(ctx), ev)
	}
}
