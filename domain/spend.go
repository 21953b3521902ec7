package domain

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// ConsumeInput is a request to spend credits.
type ConsumeInput struct {
	OrgID          string
	Amount         int64
	IdempotencyKey string
	Reason         string
	Metadata       json.RawMessage
}

// spendRank orders grant kinds for spending: the Free chip first, then the
// subscription's included credit, then everything bought or adjusted.
func spendRank(k GrantKind) int {
	switch k {
	case GrantFree, GrantPromo:
		return 0
	case GrantSubscription:
		return 1
	}
	return 2
}

// SortForSpending orders grants in the spending order: free credit
// (soonest expiry first), then subscription credit, then purchased credit
// (soonest expiry first, never-expiring last). Ties go to the oldest grant.
func SortForSpending(gs []Grant) {
	sort.SliceStable(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		if ra, rb := spendRank(a.Kind), spendRank(b.Kind); ra != rb {
			return ra < rb
		}
		switch {
		case a.ExpiresAt != nil && b.ExpiresAt == nil:
			return true
		case a.ExpiresAt == nil && b.ExpiresAt != nil:
			return false
		case a.ExpiresAt != nil && !a.ExpiresAt.Equal(*b.ExpiresAt):
			return a.ExpiresAt.Before(*b.ExpiresAt)
		}
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
}

// Allocate draws amount from grants, which must be in spending order and
// unexpired at the time of the spend. It returns the (negative) allocations
// and leaves grants untouched; INSUFFICIENT_CREDITS when they hold less than
// amount.
func Allocate(grants []Grant, amount int64) ([]Allocation, error) {
	var out []Allocation
	left := amount
	for _, g := range grants {
		if left == 0 {
			break
		}
		if g.Remaining <= 0 {
			continue
		}
		take := min(g.Remaining, left)
		out = append(out, Allocation{GrantID: g.ID, Amount: -take})
		left -= take
	}
	if left > 0 {
		return nil, Errorf(CodeInsufficientCredits, "balance is %d credits, %d requested", amount-left, amount)
	}
	return out, nil
}

// openAt splits grants into those still spendable at now and those expired
// with credits left.
func openAt(gs []Grant, now time.Time) (open, expired []Grant) {
	for _, g := range gs {
		if g.Remaining <= 0 {
			continue
		}
		if g.Expired(now) {
			expired = append(expired, g)
		} else {
			open = append(open, g)
		}
	}
	return open, expired
}

// Consume spends credits from an org's balance in the spending order. It
// returns INVALID_INPUT for a bad amount, key, reason or metadata; NOT_FOUND
// for an org the caller cannot see; FORBIDDEN for a caller without the
// right; ORG_SUSPENDED when the org may not spend; INSUFFICIENT_CREDITS when
// the balance is too small (nothing is spent); CONFLICT when the
// idempotency key was used for a different request.
func (s *Service) Consume(ctx context.Context, in ConsumeInput) (CreditResult, error) {
	if err := validateAmount("amount", in.Amount); err != nil {
		return CreditResult{}, err
	}
	if err := validateKey(in.IdempotencyKey); err != nil {
		return CreditResult{}, err
	}
	reason, err := validateReason(in.Reason)
	if err != nil {
		return CreditResult{}, err
	}
	meta, err := canonicalMetadata(in.Metadata)
	if err != nil {
		return CreditResult{}, err
	}
	acc, err := s.authorize(ctx, in.OrgID, ActionSpend)
	if err != nil {
		return CreditResult{}, err
	}
	hash := requestHash("consumeCredits", in.OrgID, in.Amount, reason, string(meta))
	return s.combined(ctx, in.OrgID, creditOp{key: idemKey{orgID: in.OrgID, key: in.IdempotencyKey, op: "consumeCredits", hash: hash}, by: acc,
		fn: func(b *Balance, open []Grant, _ time.Time) (change, error) {
			if !b.OrgStatus.CanSpend() {
				return change{}, Errorf(CodeOrgSuspended, "org is %s: spending is paused until payment", strings.ToLower(string(b.OrgStatus)))
			}
			allocs, err := Allocate(open, in.Amount)
			if err != nil {
				return change{}, err
			}
			var ch change
			byID := map[string]Grant{}
			for _, g := range open {
				byID[g.ID] = g
			}
			for _, a := range allocs {
				g := byID[a.GrantID]
				g.Remaining += a.Amount
				ch.touched = append(ch.touched, g)
			}
			ch.entries = []LedgerEntry{{
				Kind: EntryConsume, Amount: -in.Amount, Allocations: allocs,
				Reason: reason, Metadata: meta, ActorKind: acc.Actor.Kind(), ActorID: acc.Actor.ID(),
			}}
			return ch, nil
		}})
}
