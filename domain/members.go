package domain

import (
	"context"
	"strings"
)

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

// Invitations lists an org's pending invitations (OWNER, ADMIN).
func (s *Service) Invitations(ctx context.Context, orgID string) ([]Invitation, error) {
	if _, err := s.authorize(ctx, orgID, ActionManageMembers); err != nil {
		return nil, err
	}
	inv, err := s.store.ListInvitations(ctx, orgID, s.clock.Now())
	return inv, asDomainError(err)
}

// InviteMember invites an email address to the org with a role and returns
// the invitation and its token (shown only now). A pending invitation to the
// same address is replaced. Only an OWNER may invite an OWNER. Codes:
// INVALID_INPUT, NOT_FOUND, FORBIDDEN, CONFLICT (no free seat).
func (s *Service) InviteMember(ctx context.Context, orgID, email string, role Role) (Invitation, string, error) {
	email, err := parseEmail("email", email)
	if err != nil {
		return Invitation{}, "", err
	}
	if !role.Valid() {
		return Invitation{}, "", InvalidInput("role", "unknown role %q", role)
	}
	acc, err := s.authorize(ctx, orgID, ActionManageMembers)
	if err != nil {
		return Invitation{}, "", err
	}
	if role == RoleOwner && acc.Role != RoleOwner {
		return Invitation{}, "", Errorf(CodeForbidden, "only an owner may invite an owner")
	}
	token, hash := newSecret("tlyinv_")
	now := s.clock.Now()
	inv := Invitation{
		ID: newID(), OrgID: orgID, Email: email, Role: role, TokenHash: hash,
		InvitedBy: acc.Actor.UserID, ExpiresAt: now.Add(s.cfg.InvitationTTL), CreatedAt: now,
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		if _, _, err := tx.LockBalance(ctx, orgID, ""); err != nil { // the org's lock: seats change one at a time
			return err
		}
		pending, err := tx.ListInvitations(ctx, orgID, now)
		if err != nil {
			return err
		}
		replaced := 0
		for _, p := range pending {
			if p.Email == email {
				p.RevokedAt = &now
				if err := tx.UpdateInvitation(ctx, p); err != nil {
					return err
				}
				replaced++
			}
		}
		seats, err := s.seats(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if seats.Available+replaced <= 0 {
			return Errorf(CodeConflict, "no free seat: %d of %d seats are taken or reserved", seats.Used+seats.Pending, seats.Total)
		}
		return tx.CreateInvitation(ctx, inv)
	})
	if err != nil {
		return Invitation{}, "", asDomainError(err)
	}
	return inv, token, nil
}

// AcceptInvitation makes the signed-in user a member with the invited role.
// The invitation must be pending and addressed to the user's email, which
// the identity provider must have verified (Actor.EmailVerified): otherwise
// anyone who signs up at the provider with the invited address, without
// owning it, would join the org. Codes: UNAUTHENTICATED, NOT_FOUND,
// INVALID_INPUT (expired or used), FORBIDDEN (another email, or the email
// is not verified), CONFLICT (already a member, or no free seat).
func (s *Service) AcceptInvitation(ctx context.Context, token string) (Membership, error) {
	a, err := requireUser(ctx)
	if err != nil {
		return Membership{}, err
	}
	if !strings.HasPrefix(token, "tlyinv_") {
		return Membership{}, NotFound("invitation")
	}
	inv, err := s.store.InvitationByTokenHash(ctx, hashSecret(token))
	if err != nil {
		return Membership{}, asDomainError(err)
	}
	now := s.clock.Now()
	if !inv.Pending(now) {
		return Membership{}, InvalidInput("token", "invitation has expired or was already used")
	}
	if !a.EmailVerified {
		return Membership{}, Errorf(CodeForbidden, "verify your email address with your identity provider before accepting an invitation")
	}
	if normalizeEmail(a.Email) != inv.Email {
		return Membership{}, Errorf(CodeForbidden, "this invitation was sent to another email address")
	}
	m := Membership{OrgID: inv.OrgID, UserID: a.UserID, Role: inv.Role, CreatedAt: now}
	err = s.store.InTx(ctx, func(tx Store) error {
		if _, _, err := tx.LockBalance(ctx, inv.OrgID, ""); err != nil {
			return err
		}
		cur, err := tx.InvitationByID(ctx, inv.ID)
		if err != nil {
			return err
		}
		if !cur.Pending(now) {
			return InvalidInput("token", "invitation has expired or was already used")
		}
		org, err := tx.OrgByID(ctx, inv.OrgID)
		if err != nil {
			return err
		}
		used, err := tx.CountMembers(ctx, inv.OrgID, "")
		if err != nil {
			return err
		}
		if used >= org.Seats { // this invitation's own reserved seat is among the free ones
			return Errorf(CodeConflict, "no free seat in the org")
		}
		if err := tx.AddMembership(ctx, m); err != nil {
			if IsCode(err, CodeConflict) {
				return Errorf(CodeConflict, "already a member of this org")
			}
			return err
		}
		cur.AcceptedAt, cur.AcceptedBy = &now, a.UserID
		return tx.UpdateInvitation(ctx, cur)
	})
	if err != nil {
		return Membership{}, asDomainError(err)
	}
	return m, nil
}

// RevokeInvitation withdraws a pending invitation (OWNER, ADMIN).
func (s *Service) RevokeInvitation(ctx context.Context, id string) (Invitation, error) {
	inv, err := s.Invitation(ctx, id)
	if err != nil {
		return Invitation{}, err
	}
	now := s.clock.Now()
	if !inv.Pending(now) {
		return inv, nil
	}
	inv.RevokedAt = &now
	return inv, asDomainError(s.store.UpdateInvitation(ctx, inv))
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
		if _, _, err := tx.LockBalance(ctx, orgID, ""); err != nil {
			return err
		}
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
		if _, _, err := tx.LockBalance(ctx, orgID, ""); err != nil {
			return err
		}
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

// Invitation returns one invitation of an org whose invitations the caller
// may manage (OWNER, ADMIN): FORBIDDEN for other members of its org,
// NOT_FOUND for everyone else.
func (s *Service) Invitation(ctx context.Context, id string) (Invitation, error) {
	if !ValidID(id) {
		return Invitation{}, NotFound("invitation")
	}
	inv, err := s.store.InvitationByID(ctx, id)
	if err != nil {
		return Invitation{}, asDomainError(err)
	}
	if _, err := s.authorize(ctx, inv.OrgID, ActionManageMembers); err != nil {
		return Invitation{}, memberOrNotFound(err, "invitation")
	}
	return inv, nil
}
