package domain

import (
	"context"
	"time"
)

// expireGrants writes off what is left of expired grants, one EXPIRE entry each.
func expireGrants(expired []Grant) change {
	var ch change
	for _, g := range expired {
		amt := g.Remaining
		g.Remaining = 0
		ch.touched = append(ch.touched, g)
		ch.entries = append(ch.entries, LedgerEntry{
			Kind: EntryExpire, Amount: -amt, Reason: "grant expired",
			Allocations: []Allocation{{GrantID: g.ID, Amount: -amt}},
			ActorKind:   ActorSystem,
		})
	}
	return ch
}

// ExpireDue writes off expired grants of up to limit orgs (the background
// expiry job) and returns how many EXPIRE entries it wrote. It is safe to
// run on many instances at once: each org is handled under its balance lock.
func (s *Service) ExpireDue(ctx context.Context, limit int) (int, error) {
	orgs, err := s.store.OrgsWithExpiredGrants(ctx, s.clock.Now(), limit)
	if err != nil {
		return 0, asDomainError(err)
	}
	n := 0
	for _, orgID := range orgs {
		before, err := s.store.GetBalance(ctx, orgID)
		if err != nil {
			return n, asDomainError(err)
		}
		res, err := s.applyCredits(ctx, orgID, nil)
		if err != nil {
			return n, err
		}
		n += int(res.Balance.Version - before.Version)
	}
	return n, nil
}

// grantExpiry is when credits bought under policy v at paidAt expire: never
// for NEVER; one month later for BILLING_CYCLE and RECURRING, the length of
// a monthly cycle that starts with the purchase (until recurring billing
// anchors cycles to a subscription).
func grantExpiry(v ValidityPolicy, paidAt time.Time) *time.Time {
	if v == ValidityNever || v == "" {
		return nil
	}
	t := paidAt.AddDate(0, 1, 0)
	return &t
}
