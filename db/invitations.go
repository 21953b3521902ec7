package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// invitationRow is a row of invitations.
type invitationRow struct {
	ID         string `gorm:"primaryKey"`
	OrgID      string
	Email      string
	Role       string
	TokenHash  string
	InvitedBy  string
	ExpiresAt  time.Time
	CreatedAt  time.Time
	AcceptedAt *time.Time
	AcceptedBy *string
	RevokedAt  *time.Time
}

func (invitationRow) TableName() string { return "invitations" }

func toDomainInvitation(r invitationRow) domain.Invitation {
	return domain.Invitation{
		ID: r.ID, OrgID: r.OrgID, Email: r.Email, Role: domain.Role(r.Role), TokenHash: r.TokenHash,
		InvitedBy: r.InvitedBy, ExpiresAt: r.ExpiresAt.UTC(), CreatedAt: r.CreatedAt.UTC(),
		AcceptedAt: utcPtr(r.AcceptedAt), AcceptedBy: strVal(r.AcceptedBy), RevokedAt: utcPtr(r.RevokedAt),
	}
}

func fromDomainInvitation(i domain.Invitation) invitationRow {
	return invitationRow{
		ID: i.ID, OrgID: i.OrgID, Email: i.Email, Role: string(i.Role), TokenHash: i.TokenHash,
		InvitedBy: i.InvitedBy, ExpiresAt: utc(i.ExpiresAt), CreatedAt: utc(i.CreatedAt),
		AcceptedAt: utcPtr(i.AcceptedAt), AcceptedBy: strPtr(i.AcceptedBy), RevokedAt: utcPtr(i.RevokedAt),
	}
}

// CreateInvitation inserts an invitation; CONFLICT on a duplicate token hash.
func (d *DB) CreateInvitation(ctx context.Context, inv domain.Invitation) error {
	r := fromDomainInvitation(inv)
	return d.insert(ctx, "invitation", &r)
}

// InvitationByTokenHash finds an invitation by its token's hash or NOT_FOUND.
func (d *DB) InvitationByTokenHash(ctx context.Context, hash string) (domain.Invitation, error) {
	return d.invitationWhere(ctx, "token_hash = ?", hash)
}

// InvitationByID finds an invitation or NOT_FOUND.
func (d *DB) InvitationByID(ctx context.Context, id string) (domain.Invitation, error) {
	return d.invitationWhere(ctx, "id = ?", id)
}

func (d *DB) invitationWhere(ctx context.Context, cond string, arg string) (domain.Invitation, error) {
	var r invitationRow
	if err := d.db(ctx).Where(cond, arg).Take(&r).Error; err != nil {
		return domain.Invitation{}, mapErr(err, "invitation")
	}
	return toDomainInvitation(r), nil
}

// UpdateInvitation saves AcceptedAt, AcceptedBy and RevokedAt.
func (d *DB) UpdateInvitation(ctx context.Context, inv domain.Invitation) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := fromDomainInvitation(inv)
	res := d.db(ctx).Model(&invitationRow{}).Where("id = ?", r.ID).Updates(map[string]any{
		"accepted_at": nullable(r.AcceptedAt), "accepted_by": nullable(r.AcceptedBy), "revoked_at": nullable(r.RevokedAt),
	})
	return affectedOne(res.Error, res.RowsAffected, "invitation")
}

// ListInvitations lists an org's invitations pending at now, newest first.
func (d *DB) ListInvitations(ctx context.Context, orgID string, now time.Time) ([]domain.Invitation, error) {
	var rows []invitationRow
	err := d.db(ctx).
		Where("org_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?", orgID, utc(now)).
		Order("created_at DESC, id DESC").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "invitation")
	}
	out := make([]domain.Invitation, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainInvitation(r))
	}
	return out, nil
}
