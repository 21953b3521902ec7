package domain

import "context"

// TransferOwnershipInput is what transferOwnership takes: the org and the
// member who becomes its OWNER.
type TransferOwnershipInput struct {
	OrgID  string
	UserID string
}

// OwnershipTransfer is the outcome of a transfer: the org, the new OWNER's
// membership and the caller's, now ADMIN.
type OwnershipTransfer struct {
	Org           Org
	Owner         Membership
	PreviousOwner Membership
}

// TransferOwnership makes another member of the org its OWNER; the caller,
// its OWNER, becomes ADMIN. Both role changes commit together under the
// org's lock, the same lock every other role change and removal takes
// (SetMemberRole, RemoveMember, AcceptInvitation), and the caller's role is
// read again under it: a transfer never adds or removes an OWNER, so an org
// with one OWNER keeps exactly one whatever runs beside it (a second
// transfer by the same owner finds them ADMIN and is refused).
// Codes: UNAUTHENTICATED; NOT_FOUND for a non-member caller or a target
// who is not a member; FORBIDDEN for other roles and API keys;
// INVALID_INPUT (field userId) when the target is the caller or already an
// OWNER.
func (s *Service) TransferOwnership(ctx context.Context, in TransferOwnershipInput) (OwnershipTransfer, error) {
	acc, err := s.authorize(ctx, in.OrgID, ActionOwn)
	if err != nil {
		return OwnershipTransfer{}, err
	}
	if in.UserID == acc.Actor.UserID {
		return OwnershipTransfer{}, InvalidInput("userId", "you already own this org: name the member who should take it over")
	}
	if !ValidID(in.UserID) {
		return OwnershipTransfer{}, NotFound("member")
	}
	var out OwnershipTransfer
	err = s.store.InTx(ctx, func(tx Store) error {
		me, err := s.lockOrgAs(ctx, tx, in.OrgID, acc, ActionOwn)
		if err != nil {
			return err
		}
		target, err := tx.MembershipOf(ctx, in.OrgID, in.UserID)
		if IsCode(err, CodeNotFound) {
			return NotFound("member")
		}
		if err != nil {
			return err
		}
		if target.Role == RoleOwner {
			return InvalidInput("userId", "this member is already an OWNER of the org")
		}
		if err := tx.UpdateMembershipRole(ctx, in.OrgID, target.UserID, RoleOwner); err != nil {
			return err
		}
		if err := tx.UpdateMembershipRole(ctx, in.OrgID, me.UserID, RoleAdmin); err != nil {
			return err
		}
		org, err := tx.OrgByID(ctx, in.OrgID)
		if err != nil {
			return err
		}
		target.Role, me.Role = RoleOwner, RoleAdmin
		out = OwnershipTransfer{Org: org, Owner: target, PreviousOwner: me}
		return nil
	})
	if err != nil {
		return OwnershipTransfer{}, asDomainError(err)
	}
	s.publishMembershipChanged(ctx, out.Owner.UserID)
	s.publishMembershipChanged(ctx, out.PreviousOwner.UserID)
	return out, nil
}

// lockOrgAs takes the org's lock (its balance row: member changes,
// ownership and the org's deletion serialize on it) and then reads the
// signed-in caller's membership again, checking action against the role it
// finds, so that a decision made under the lock rests on the caller's role
// as it is now, not as authorize saw it before the lock: a concurrent
// transfer may have made the caller ADMIN, a removal may have made them a
// stranger. Codes as authorize: NOT_FOUND when no longer a member,
// FORBIDDEN when the role no longer allows action.
func (s *Service) lockOrgAs(ctx context.Context, tx interface {
	LedgerStore
	MemberStore
}, orgID string, acc Access, action Action) (Membership, error) {
	if _, _, err := tx.LockBalance(ctx, orgID, ""); err != nil {
		return Membership{}, err
	}
	m, err := tx.MembershipOf(ctx, orgID, acc.Actor.UserID)
	if IsCode(err, CodeNotFound) {
		return Membership{}, NotFound("org")
	}
	if err != nil {
		return Membership{}, err
	}
	if !RoleAllows(m.Role, action) {
		return Membership{}, roleDenied(m.Role, action)
	}
	return m, nil
}
