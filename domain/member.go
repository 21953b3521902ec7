package domain

import (
	"context"
	"time"
)

// Role is a member's role in an org.
type Role string

// The four member roles (README, Roles).
const (
	RoleOwner   Role = "OWNER"
	RoleAdmin   Role = "ADMIN"
	RoleBilling Role = "BILLING"
	RoleMember  Role = "MEMBER"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleBilling, RoleMember:
		return true
	}
	return false
}

// Membership ties a user to an org with a role.
type Membership struct {
	OrgID     string
	UserID    string
	Role      Role
	CreatedAt time.Time
}

// Members pages an org's members, newest first. Any member may list them;
// API keys may not.
func (s *Service) Members(ctx context.Context, orgID string, p Page) (Connection[Membership], error) {
	if _, err := requireUser(ctx); err != nil {
		return Connection[Membership]{}, err
	}
	if _, err := s.authorize(ctx, orgID, ActionReadOrg); err != nil {
		return Connection[Membership]{}, err
	}
	c, err := s.store.ListMembers(ctx, orgID, p)
	return c, asDomainError(err)
}

// RemoveMember removes a member (OWNER, ADMIN; anyone may remove
// themselves). Only an OWNER removes an OWNER, and the last OWNER stays.
func (s *Service) RemoveMember(ctx context.Context, orgID, userID string) error {
	a, err := requireUser(ctx)
	if err != nil {
		return err
	}
	action := ActionManageMembers
	if userID == a.UserID {
		action = ActionReadOrg // leaving needs only membership
	}
	acc, err := s.authorize(ctx, orgID, action)
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		me, err := s.lockOrgAs(ctx, tx, orgID, acc, action)
		if err != nil {
			return err
		}
		acc.Role = me.Role // as it is under the lock (a transfer may have changed it)
		target, err := tx.MembershipOf(ctx, orgID, userID)
		if err != nil {
			return err
		}
		if err := s.checkOwnerChange(ctx, tx, acc, target, ""); err != nil {
			return err
		}
		return tx.DeleteMembership(ctx, orgID, userID)
	})
	if err != nil {
		return asDomainError(err)
	}
	s.publishMembershipChanged(ctx, userID)
	return nil
}

// SetMemberRole changes a member's role (OWNER, ADMIN). Only an OWNER gives
// or takes the OWNER role, and the last OWNER keeps it.
func (s *Service) SetMemberRole(ctx context.Context, orgID, userID string, role Role) (Membership, error) {
	if !role.Valid() {
		return Membership{}, InvalidInput("role", "unknown role %q", role)
	}
	acc, err := s.authorize(ctx, orgID, ActionManageMembers)
	if err != nil {
		return Membership{}, err
	}
	var out Membership
	err = s.store.InTx(ctx, func(tx Store) error {
		me, err := s.lockOrgAs(ctx, tx, orgID, acc, ActionManageMembers)
		if err != nil {
			return err
		}
		acc.Role = me.Role // as it is under the lock (a transfer may have changed it)
		target, err := tx.MembershipOf(ctx, orgID, userID)
		if err != nil {
			return err
		}
		if role == RoleOwner && acc.Role != RoleOwner {
			return Errorf(CodeForbidden, "only an owner may make an owner")
		}
		if err := s.checkOwnerChange(ctx, tx, acc, target, role); err != nil {
			return err
		}
		if err := tx.UpdateMembershipRole(ctx, orgID, userID, role); err != nil {
			return err
		}
		target.Role = role
		out = target
		return nil
	})
	if err != nil {
		return Membership{}, asDomainError(err)
	}
	s.publishMembershipChanged(ctx, userID)
	return out, nil
}

// checkOwnerChange guards OWNER memberships: only an OWNER may change or
// remove one, and the org keeps at least one OWNER. newRole is "" for a
// removal.
func (s *Service) checkOwnerChange(ctx context.Context, tx MemberStore, acc Access, target Membership, newRole Role) error {
	if target.Role != RoleOwner || newRole == RoleOwner {
		return nil
	}
	if acc.Role != RoleOwner {
		return Errorf(CodeForbidden, "only an owner may change an owner")
	}
	owners, err := tx.CountMembers(ctx, target.OrgID, RoleOwner)
	if err != nil {
		return err
	}
	if owners <= 1 {
		return Errorf(CodeConflict, "the org must keep at least one owner")
	}
	return nil
}
