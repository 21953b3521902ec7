package domain

import (
	"context"
	"fmt"
	"strconv"
)

// LowBalanceAlert is an org's low balance alert: a LOW_BALANCE event (and
// email) when the balance falls below Threshold, once per crossing.
type LowBalanceAlert struct {
	// Threshold is the balance, in credits, below which the alert goes
	// out; 0 turns the alert off.
	Threshold int64
	// Alerted reports that the balance is below Threshold and the alert
	// went out; it is cleared (re-armed) once the balance is back at or
	// above Threshold.
	Alerted bool
}

// LowBalanceStore keeps the low balance alert of each org
// (orgs.low_balance_below and low_balance_alerted).
type LowBalanceStore interface {
	// LowBalanceAlertOf returns the org's alert; NOT_FOUND for an unknown org.
	LowBalanceAlertOf(ctx context.Context, orgID string) (LowBalanceAlert, error)
	// SaveLowBalanceAlert saves the org's threshold and alerted flag;
	// NOT_FOUND for an unknown org.
	SaveLowBalanceAlert(ctx context.Context, orgID string, a LowBalanceAlert) error
	// OrgsToCheckLowBalance lists up to limit orgs, not deleted or closed,
	// whose alert disagrees with their balance: below the threshold and
	// not alerted, or at or above it and still alerted.
	OrgsToCheckLowBalance(ctx context.Context, limit int) ([]string, error)
}

// LowBalanceAlertInput is what SetLowBalanceAlert takes.
type LowBalanceAlertInput struct {
	OrgID string
	// Threshold in credits, 0 to MaxCredits; 0 turns the alert off.
	Threshold      int64
	IdempotencyKey string
}

// opSetLowBalanceAlert names the mutation in idempotency records.
const opSetLowBalanceAlert = "setLowBalanceAlert"

// SetLowBalanceAlert sets the org's low balance alert threshold (OWNER,
// BILLING; 0 turns it off), idempotently per key. A new threshold re-arms
// the alert; when the balance is already below it, the alert goes out at
// once. Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_INPUT
// (threshold, idempotencyKey), CONFLICT (a key reused with other input).
func (s *Service) SetLowBalanceAlert(ctx context.Context, in LowBalanceAlertInput) (LowBalanceAlert, error) {
	if err := validateKey(in.IdempotencyKey); err != nil {
		return LowBalanceAlert{}, err
	}
	if in.Threshold < 0 || in.Threshold > MaxCredits {
		return LowBalanceAlert{}, InvalidInput("threshold", "must be between 0 (off) and %d credits", MaxCredits)
	}
	if _, err := s.authorize(ctx, in.OrgID, ActionBilling); err != nil {
		return LowBalanceAlert{}, err
	}
	k := idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: opSetLowBalanceAlert,
		hash: requestHash(opSetLowBalanceAlert, in.OrgID, in.Threshold)}
	replay := func(ctx context.Context, _ IdempotencyRecord) (LowBalanceAlert, error) {
		a, err := s.store.LowBalanceAlertOf(ctx, in.OrgID)
		return a, asDomainError(err)
	}
	return once(ctx, s, k, replay, func(ctx context.Context, record recordFunc) (LowBalanceAlert, error) {
		err := s.store.InTx(ctx, func(tx Store) error {
			// The balance lock orders this with spends and checks.
			if _, _, err := tx.LockBalance(ctx, in.OrgID); err != nil {
				return err
			}
			a, err := tx.LowBalanceAlertOf(ctx, in.OrgID)
			if err != nil {
				return err
			}
			if a.Threshold != in.Threshold {
				a = LowBalanceAlert{Threshold: in.Threshold}
				if err := tx.SaveLowBalanceAlert(ctx, in.OrgID, a); err != nil {
					return err
				}
			}
			return record(ctx, tx, nil)
		})
		if err != nil {
			return LowBalanceAlert{}, asDomainError(err)
		}
		if err := s.checkLowBalance(ctx, in.OrgID); err != nil {
			// The sweep checks again.
			s.log.WarnContext(ctx, "low balance check after setting the alert", "org", in.OrgID, "error", err)
		}
		a, err := s.store.LowBalanceAlertOf(ctx, in.OrgID)
		return a, asDomainError(err)
	})
}

// LowBalanceAlert returns the org's low balance alert (OWNER, BILLING).
// Codes: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (s *Service) LowBalanceAlert(ctx context.Context, orgID string) (LowBalanceAlert, error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return LowBalanceAlert{}, err
	}
	a, err := s.store.LowBalanceAlertOf(ctx, orgID)
	return a, asDomainError(err)
}

// checkLowBalance records a LOW_BALANCE event when the org's balance is
// below its alert threshold and the alert has not gone out since it last
// was above, and re-arms the alert when the balance is back at or above
// it: one event per crossing, never one per spend. It runs under the
// org's balance lock, so concurrent spends and checks see one crossing
// once. The event's key carries the ledger version and the threshold of
// the crossing, so the next crossing (a later version) is a new event and
// a repeated check of the same one records nothing. Called after a spend
// whose committed balance is below Balance.LowBalanceBelow, after a
// threshold is set, and by the periodic sweep (CheckLowBalances), which
// catches a call lost in a crash and balances that rose by a grant.
func (s *Service) checkLowBalance(ctx context.Context, orgID string) error {
	recorded := false
	err := s.store.InTx(ctx, func(tx Store) error {
		recorded = false
		b, _, err := tx.LockBalance(ctx, orgID)
		if err != nil {
			return err
		}
		if b.OrgStatus == OrgClosed {
			return nil
		}
		a, err := tx.LowBalanceAlertOf(ctx, orgID)
		if err != nil {
			return err
		}
		below := a.Threshold > 0 && b.Total < a.Threshold
		switch {
		case below && !a.Alerted:
			if err := tx.SaveLowBalanceAlert(ctx, orgID, LowBalanceAlert{Threshold: a.Threshold, Alerted: true}); err != nil {
				return err
			}
			key := fmt.Sprintf("low_balance:%s:%d:%d", orgID, b.Version, a.Threshold)
			detail := map[string]string{
				"balance":   strconv.FormatInt(b.Total, 10),
				"threshold": strconv.FormatInt(a.Threshold, 10),
			}
			recorded = true
			return s.recordEventTx(ctx, tx, orgID, OrgEventLowBalance, key, detail, s.clock.Now())
		case !below && a.Alerted:
			return tx.SaveLowBalanceAlert(ctx, orgID, LowBalanceAlert{Threshold: a.Threshold})
		}
		return nil
	})
	if err != nil {
		return asDomainError(err)
	}
	if recorded {
		s.publishOrgEvent(ctx, orgID)
	}
	return nil
}

// CheckLowBalances runs checkLowBalance on up to limit orgs whose alert
// disagrees with their balance and returns how many it checked: the
// periodic sweep behind the check after each spend.
func (s *Service) CheckLowBalances(ctx context.Context, limit int) (int, error) {
	ids, err := s.store.OrgsToCheckLowBalance(ctx, limit)
	if err != nil {
		return 0, asDomainError(err)
	}
	for i, id := range ids {
		if err := s.checkLowBalance(ctx, id); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}
