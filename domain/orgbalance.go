package domain

import (
	"context"
	"time"
)

// OrgWithBalance is Org and Balance in one store read, for the common
// query of an org's balance: the org as Org returns it and, when the
// caller may read it too, the balance as Balance returns it, its open
// grants only withGrants (else Grants is empty; the totals are the same).
// withBalance is false when the caller may read the org but not its
// balance; Balance then says why. Codes: those of Org.
func (s *Service) OrgWithBalance(ctx context.Context, id string, withGrants bool) (o Org, b Balance, withBalance bool, err error) {
	acc, err := s.authorize(ctx, id, ActionReadOrg)
	if err != nil {
		return Org{}, Balance{}, false, err
	}
	var gs []Grant
	now := s.clock.Now()
	withBalance = acc.allows(ActionReadBalance)
	if withBalance {
		o, b, gs, err = s.store.OrgBalance(ctx, id, withGrants, now)
	} else {
		o, err = s.store.OrgByID(ctx, id)
	}
	if err != nil {
		return Org{}, Balance{}, false, asDomainError(err)
	}
	if o.DeletedAt != nil { // a key another instance still caches
		return Org{}, Balance{}, false, NotFound("org")
	}
	if !withBalance {
		return o, Balance{}, false, nil
	}
	open := leaveOutExpired(&b, gs, now)
	if withGrants {
		SortForSpending(open)
		b.Grants = open
	}
	return o, b, true, nil
}

// allows reports whether the access authorize granted also allows action.
func (acc Access) allows(action Action) bool {
	if acc.Actor.IsAPIKey() {
		return apiKeyPolicy[action]
	}
	return RoleAllows(acc.Role, action)
}

// leaveOutExpired takes the grants among gs that are past their expiry at
// now, which the expiry job has not written off yet, out of b's totals,
// and returns the others with credits left.
func leaveOutExpired(b *Balance, gs []Grant, now time.Time) (open []Grant) {
	open, expired := openAt(gs, now)
	for _, g := range expired {
		b.Total -= g.Remaining
		if g.Kind.Paid() {
			b.Paid -= g.Remaining
		} else {
			b.Free -= g.Remaining
		}
	}
	return open
}
