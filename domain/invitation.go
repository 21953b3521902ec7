package domain

import (
	"context"
	"strings"
	"time"
)

// Invitation offers a seat in an org to an email address. The token is shown
// once to the inviter; only its hash is stored.
type Invitation struct {
	ID         string
	OrgID      string
	Email      string
	Role       Role
	TokenHash  string
	InvitedBy  string // user ID
	ExpiresAt  time.Time
	CreatedAt  time.Time
	AcceptedAt *time.Time
	AcceptedBy string // user ID, when accepted
	RevokedAt  *time.Time
}

// Pending reports whether the invitation can still be accepted at now.
func (i Invitation) Pending(now time.Time) bool {
	return i.AcceptedAt == nil && i.RevokedAt == nil && now.Before(i.ExpiresAt)
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
