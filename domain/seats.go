package domain

import (
	"context"
)

// Seats summarizes an org's seat usage.
type Seats struct {
	Total     int
	Used      int // members
	Available int // Total - Used - pending invitations, never below zero
	Pending   int // pending invitations (they reserve a seat)
}

// Seats returns the org's seat usage; pending invitations hold a seat.
func (s *Service) Seats(ctx context.Context, orgID string) (Seats, error) {
	if _, err := s.authorize(ctx, orgID, ActionReadOrg); err != nil {
		return Seats{}, err
	}
	return s.seats(ctx, s.store, orgID)
}

// seatStore is what counting an org's seats reads.
type seatStore interface {
	OrgStore
	MemberStore
	InvitationStore
	SubscriptionStore
}

func (s *Service) seats(ctx context.Context, st seatStore, orgID string) (Seats, error) {
	o, err := st.OrgByID(ctx, orgID)
	if err != nil {
		return Seats{}, asDomainError(err)
	}
	used, err := st.CountMembers(ctx, orgID, "")
	if err != nil {
		return Seats{}, asDomainError(err)
	}
	inv, err := st.ListInvitations(ctx, orgID, s.clock.Now())
	if err != nil {
		return Seats{}, asDomainError(err)
	}
	// A seat removal scheduled for the renewal already limits who can join:
	// the seats must still cover every member when it takes effect.
	limit := o.Seats
	if sub, err := st.LiveSubscription(ctx, orgID); err == nil && sub.Pending != nil {
		limit = min(limit, sub.Pending.Seats)
	} else if err != nil && !IsCode(err, CodeNotFound) {
		return Seats{}, asDomainError(err)
	}
	return Seats{Total: o.Seats, Used: used, Pending: len(inv), Available: max(0, limit-used-len(inv))}, nil
}
