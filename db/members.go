package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// membershipRow is a row of memberships.
type membershipRow struct {
	OrgID     string `gorm:"primaryKey"`
	UserID    string `gorm:"primaryKey"`
	Role      string
	CreatedAt time.Time
}

func (membershipRow) TableName() string { return "memberships" }

func toDomainMembership(r membershipRow) domain.Membership {
	return domain.Membership{OrgID: r.OrgID, UserID: r.UserID, Role: domain.Role(r.Role), CreatedAt: r.CreatedAt.UTC()}
}

func fromDomainMembership(m domain.Membership) membershipRow {
	return membershipRow{OrgID: m.OrgID, UserID: m.UserID, Role: string(m.Role), CreatedAt: utc(m.CreatedAt)}
}

// AddMembership inserts a membership; CONFLICT when the user is already a member.
func (d *DB) AddMembership(ctx context.Context, m domain.Membership) error {
	r := fromDomainMembership(m)
	return d.insert(ctx, "membership", &r)
}

// MembershipOf returns the user's membership in the org or NOT_FOUND.
func (d *DB) MembershipOf(ctx context.Context, orgID, userID string) (domain.Membership, error) {
	var r membershipRow
	if err := d.db(ctx).Where("org_id = ? AND user_id = ?", orgID, userID).Take(&r).Error; err != nil {
		return domain.Membership{}, mapErr(err, "membership")
	}
	return toDomainMembership(r), nil
}

// MembershipsOfUser lists all of a user's memberships, oldest first.
func (d *DB) MembershipsOfUser(ctx context.Context, userID string) ([]domain.Membership, error) {
	var rows []membershipRow
	if err := d.db(ctx).Where("user_id = ?", userID).Order("created_at, org_id").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "membership")
	}
	out := make([]domain.Membership, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainMembership(r))
	}
	return out, nil
}

// ListMembers pages an org's members, newest first (keyset on created_at,
// user_id).
func (d *DB) ListMembers(ctx context.Context, orgID string, p domain.Page) (domain.Connection[domain.Membership], error) {
	var conn domain.Connection[domain.Membership]
	n, err := pageSize(p)
	if err != nil {
		return conn, err
	}
	q := d.db(ctx).Where("org_id = ?", orgID)
	if p.After != "" {
		at, userID, err := parseMemberCursor(p.After)
		if err != nil {
			return conn, err
		}
		q = q.Where("(created_at < ? OR (created_at = ? AND user_id < ?))", at, at, userID)
	}
	var rows []membershipRow
	if err := q.Order("created_at DESC, user_id DESC").Limit(n + 1).Find(&rows).Error; err != nil {
		return conn, mapErr(err, "membership")
	}
	if len(rows) > n {
		rows, conn.HasNextPage = rows[:n], true
	}
	conn.Edges = make([]domain.Edge[domain.Membership], 0, len(rows))
	for _, r := range rows {
		m := toDomainMembership(r)
		conn.Edges = append(conn.Edges, domain.Edge[domain.Membership]{Cursor: memberCursor(m.CreatedAt, m.UserID), Node: m})
	}
	return conn, nil
}

// CountMembers counts an org's members, or those with role when role != "".
func (d *DB) CountMembers(ctx context.Context, orgID string, role domain.Role) (int, error) {
	q := d.db(ctx).Model(&membershipRow{}).Where("org_id = ?", orgID)
	if role != "" {
		q = q.Where("role = ?", string(role))
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return 0, mapErr(err, "membership")
	}
	return int(n), nil
}

// UpdateMembershipRole changes a member's role; NOT_FOUND when absent.
func (d *DB) UpdateMembershipRole(ctx context.Context, orgID, userID string, role domain.Role) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Model(&membershipRow{}).Where("org_id = ? AND user_id = ?", orgID, userID).
		Update("role", string(role))
	return affectedOne(res.Error, res.RowsAffected, "membership")
}

// DeleteMembership removes a member; NOT_FOUND when absent.
func (d *DB) DeleteMembership(ctx context.Context, orgID, userID string) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Where("org_id = ? AND user_id = ?", orgID, userID).Delete(&membershipRow{})
	return affectedOne(res.Error, res.RowsAffected, "membership")
}
