package domain

import (
	"sort"
	"time"
)

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
