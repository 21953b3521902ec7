package domain

import (
	"context"
	"errors"
	"time"
)

// The Free plan's monthly credits.
//
// An org with no paid subscription is on the Free plan: each month it
// receives the Free plan's IncludedCreditsPerSeat × its seats as FREE
// credit expiring at the next monthly reset, so unused credit does not
// carry over. The Free plan is the active catalog plan priced 0 in the
// org's currency (a monthly one first; "free-monthly" in the default
// catalog); without one nothing is granted.
//
// The resets follow a schedule anchored at the org's creation (the
// creation time plus whole months, the day clamped to the month's end as
// for subscriptions): FreeResetAt is when the next grant is due, a month
// after its creation for a new org, whose first month the sign-up grant
// stands for (so a new org's balance is the sign-up grant alone, whenever
// the sweep runs). While the org has a paid subscription (ACTIVE or PAST_DUE) the
// sweep grants nothing and only moves the schedule on; when the
// subscription ends the org is due at once, and the grant it gets then
// expires at the schedule's next reset.

// FreeCreditStore keeps each org's schedule of monthly Free plan credits.
type FreeCreditStore interface {
	// OrgsDueFreeCredits lists up to limit orgs, not deleted, whose next
	// monthly Free grant is due at now, soonest first.
	OrgsDueFreeCredits(ctx context.Context, now time.Time, limit int) ([]string, error)
	// FreeResetAt returns when the org's next monthly Free grant is due,
	// nil when it is off the schedule (deleted). NOT_FOUND for an unknown
	// org.
	FreeResetAt(ctx context.Context, orgID string) (*time.Time, error)
	// SetFreeResetAt sets it; nil takes the org off the schedule.
	// NOT_FOUND for an unknown org.
	SetFreeResetAt(ctx context.Context, orgID string, at *time.Time) error
}

// errFreeNotDue says another instance handled the org's reset first.
var errFreeNotDue = errors.New("the free reset is not due")

// FreePlan returns the Free plan of orgs paying in currency: the active
// catalog plan priced 0 in it, a monthly one first, then by catalog
// position; ok is false when the catalog has none.
func FreePlan(plans []Plan, currency Currency) (Plan, bool) {
	var out Plan
	found := false
	for _, p := range plans {
		pr, ok := p.PriceIn(currency)
		if !ok || pr.AmountMinor != 0 || !p.Active {
			continue
		}
		if !found || (out.Interval != Monthly && p.Interval == Monthly) {
			out, found = p, true
		}
	}
	return out, found
}

// ResetFreeCredits handles up to limit orgs whose monthly Free plan grant
// is due at the clock's now (the free-credits job): an org with no paid
// subscription gets the Free plan's included credits per seat × its seats
// as FREE credit expiring at its next monthly reset; every due org's
// schedule moves on to that reset. It returns how many orgs it handled.
// Safe on many instances at once: each org is handled under its balance
// lock, its schedule is re-read and moved on in the same transaction, so
// a month is granted once.
func (s *Service) ResetFreeCredits(ctx context.Context, limit int) (int, error) {
	now := s.clock.Now()
	ids, err := s.store.OrgsDueFreeCredits(ctx, now, limit)
	if err != nil || len(ids) == 0 {
		return 0, asDomainError(err)
	}
	plans, err := s.store.ListPlans(ctx)
	if err != nil {
		return 0, asDomainError(err)
	}
	n := 0
	var errs []error
	for _, id := range ids {
		done, err := s.resetFreeCredits(ctx, id, plans, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if done {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// resetFreeCredits grants one org's monthly Free credits if still due.
func (s *Service) resetFreeCredits(ctx context.Context, orgID string, plans []Plan, now time.Time) (bool, error) {
	var v int64
	err := s.store.InTx(ctx, func(tx Store) error {
		// The balance lock serializes this org's resets across instances;
		// what is read after it is what the previous one committed.
		if _, _, err := tx.LockBalance(ctx, orgID); err != nil {
			return err
		}
		due, err := tx.FreeResetAt(ctx, orgID)
		if err != nil {
			return err
		}
		if due == nil || due.After(now) {
			return errFreeNotDue
		}
		org, err := tx.OrgByID(ctx, orgID)
		if err != nil {
			return err
		}
		if org.Status == OrgClosed || org.DeletedAt != nil {
			return tx.SetFreeResetAt(ctx, orgID, nil)
		}
		next := NextReset(org.CreatedAt, now)
		if err := tx.SetFreeResetAt(ctx, orgID, &next); err != nil {
			return err
		}
		sub, err := tx.LiveSubscription(ctx, orgID)
		if err != nil && !IsCode(err, CodeNotFound) {
			return err
		}
		if err == nil && sub.Status != SubIncomplete {
			return nil // on a paid plan: its included credits instead
		}
		plan, ok := FreePlan(plans, org.Currency)
		credits := plan.IncludedCreditsPerSeat * int64(org.Seats)
		if !ok || credits <= 0 {
			return nil
		}
		res, err := s.applyCreditsTx(ctx, tx, orgID, func(b *Balance, _ []Grant, now time.Time) (change, error) {
			amount := min(credits, MaxCredits-b.Total)
			if amount <= 0 {
				return change{}, nil
			}
			return grantChange(orgID, GrantFree, amount, &next, "",
				"Free plan credits, month from "+due.Format(time.DateOnly), Actor{}, now), nil
		})
		v = res.Balance.Version
		return err
	})
	if errors.Is(err, errFreeNotDue) {
		return false, nil
	}
	if err != nil {
		return false, asDomainError(err)
	}
	if v > 0 {
		s.publish(ctx, Event{Kind: EventBalance, OrgID: orgID, Version: v})
	}
	return true, nil
}
