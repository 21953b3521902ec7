package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tallyhq/tally/domain"
)

// orgRow is a row of orgs.
type orgRow struct {
	ID          string `gorm:"primaryKey"`
	Name        string
	Country     string
	Currency    string
	Status      string
	Seats       int
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeletedAt   *time.Time
	SuspendedAt *time.Time
}

func (orgRow) TableName() string { return "orgs" }

// balanceRow is a row of org_balances.
type balanceRow struct {
	OrgID     string `gorm:"primaryKey"`
	Total     int64
	Free      int64
	Paid      int64
	Version   int64
	UpdatedAt time.Time
}

func (balanceRow) TableName() string { return "org_balances" }

func toDomainOrg(r orgRow) domain.Org {
	return domain.Org{
		ID: r.ID, Name: r.Name, Country: r.Country, Currency: domain.Currency(r.Currency),
		Status: domain.OrgStatus(r.Status), Seats: r.Seats,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), DeletedAt: utcPtr(r.DeletedAt),
		SuspendedAt: utcPtr(r.SuspendedAt),
	}
}

func fromDomainOrg(o domain.Org) orgRow {
	return orgRow{
		ID: o.ID, Name: o.Name, Country: o.Country, Currency: string(o.Currency),
		Status: string(o.Status), Seats: o.Seats,
		CreatedAt: utc(o.CreatedAt), UpdatedAt: utc(o.UpdatedAt), DeletedAt: utcPtr(o.DeletedAt),
		SuspendedAt: utcPtr(o.SuspendedAt),
	}
}

// CreateOrg inserts the org and its zero balance row, atomically, with its
// monthly Free plan credits first due a month after its creation
// (free_reset_at).
func (d *DB) CreateOrg(ctx context.Context, o domain.Org) error {
	r := fromDomainOrg(o)
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	return d.inTxSelf(ctx, func(tx *DB) error {
		if err := tx.db(ctx).Create(&r).Error; err != nil {
			return mapErr(err, "org")
		}
		// The schedule is anchored at its creation; the sign-up grant
		// stands for the first month, the Free plan's credits come from
		// the second.
		if err := tx.db(ctx).Model(&orgRow{}).Where("id = ?", r.ID).UpdateColumn("free_reset_at", domain.AddMonths(r.CreatedAt, 1)).Error; err != nil {
			return mapErr(err, "org")
		}
		b := balanceRow{OrgID: r.ID, UpdatedAt: r.CreatedAt}
		return mapErr(tx.db(ctx).Create(&b).Error, "org balance")
	})
}

// OrgByID returns an org or NOT_FOUND.
func (d *DB) OrgByID(ctx context.Context, id string) (domain.Org, error) {
	var r orgRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.Org{}, mapErr(err, "org")
	}
	return toDomainOrg(r), nil
}

// OrgsByIDs returns the orgs that exist among ids.
func (d *DB) OrgsByIDs(ctx context.Context, ids []string) ([]domain.Org, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []orgRow
	if err := d.db(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, mapErr(err, "org")
	}
	out := make([]domain.Org, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainOrg(r))
	}
	return out, nil
}

// UpdateOrg saves name, country, currency, status, suspended_at and seats; NOT_FOUND when
// the org does not exist.
func (d *DB) UpdateOrg(ctx context.Context, o domain.Org) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := fromDomainOrg(o)
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = utc(time.Now())
	}
	res := d.db(ctx).Model(&orgRow{}).Where("id = ?", r.ID).Updates(map[string]any{
		"name": r.Name, "country": r.Country, "currency": r.Currency,
		"status": r.Status, "seats": r.Seats, "updated_at": r.UpdatedAt, "suspended_at": nullable(r.SuspendedAt),
	})
	return affectedOne(res.Error, res.RowsAffected, "org")
}

// affectedOne maps an UPDATE/DELETE result: an error as usual, no row
// touched as NOT_FOUND.
func affectedOne(err error, n int64, what string) error {
	if err != nil {
		return mapErr(err, what)
	}
	if n == 0 {
		return domain.NotFound(what)
	}
	return nil
}

// orgBalanceSQL reads an org, its balance counters and its open grants in
// one statement: one row per open grant, or one row whose grant ID is ""
// when it has none (the grant columns that cannot be NULL are coalesced,
// so they scan into plain values; not the time, whose type SQLite's
// driver knows only from the bare column). orgBalanceExpiringPG and orgBalanceExpiringSQLite
// narrow the grants to those that may have expired.
const (
	orgBalanceSQL = `SELECT o.id, o.name, o.country, o.currency, o.status, o.seats, o.created_at, o.updated_at, o.deleted_at, o.suspended_at,
 b.total, b.free, b.paid, b.version, b.updated_at, o.recharge_below, o.low_balance_below, o.low_balance_alerted,
 COALESCE(g.id, ''), COALESCE(g.org_id, ''), COALESCE(g.kind, ''), COALESCE(g.amount, 0), COALESCE(g.remaining, 0),
 g.expires_at, g.order_id, COALESCE(g.reason, ''), g.created_at
FROM orgs o
JOIN org_balances b ON b.org_id = o.id
LEFT JOIN grants g ON g.org_id = o.id AND g.remaining > 0`
	orgBalanceWhere          = ` WHERE o.id = $1`
	orgBalanceExpiringPG     = ` AND g.expires_at <= $2` + orgBalanceWhere
	orgBalanceExpiringSQLite = ` AND g.expires_at IS NOT NULL` + orgBalanceWhere // the domain compares the times
)

// OrgBalance reads an org, its balance counters (with its status and
// thresholds, as GetBalance) and its open grants in one statement: every
// open grant with allGrants, else only those that may have expired at now
// (a superset on SQLite), which the caller needs to correct the totals.
// NOT_FOUND for an unknown org. Outside a transaction on PostgreSQL it
// runs on the pgx connection itself, without database/sql's row handling:
// it is the statement of every balance read.
func (d *DB) OrgBalance(ctx context.Context, orgID string, allGrants bool, now time.Time) (o domain.Org, b domain.Balance, gs []domain.Grant, err error) {
	q, args := orgBalanceSQL+orgBalanceWhere, []any{orgID}
	switch {
	case allGrants:
	case d.dialect == DialectPostgres:
		q, args = orgBalanceSQL+orgBalanceExpiringPG, []any{orgID, utc(now)}
	default:
		q = orgBalanceSQL + orgBalanceExpiringSQLite
	}
	if d.dialect == DialectPostgres && !d.inTx {
		c, err := d.sqlDB.Conn(ctx)
		if err != nil {
			return domain.Org{}, domain.Balance{}, nil, mapErr(err, "org")
		}
		defer func() { _ = c.Close() }()
		err = c.Raw(func(dc any) error {
			sc, ok := dc.(*stdlib.Conn)
			if !ok {
				return domain.Internal(fmt.Errorf("db: PostgreSQL driver connection is %T, want *stdlib.Conn", dc))
			}
			rows, err := sc.Conn().Query(ctx, q, args...)
			if err != nil {
				return mapErr(err, "org")
			}
			defer rows.Close()
			o, b, gs, err = collectOrgBalance(rows, orgID, func(dest ...any) error { return orgBalancePlans.scan(rows, dest...) })
			return err
		})
		return o, b, gs, err
	}
	rows, err := d.conn.QueryContext(ctx, q, args...)
	if err != nil {
		return domain.Org{}, domain.Balance{}, nil, mapErr(err, "org")
	}
	defer func() { _ = rows.Close() }()
	return collectOrgBalance(rows, orgID, rows.Scan)
}

// orgBalancePlans keeps the scan plans of OrgBalance's statement on
// PostgreSQL.
var orgBalancePlans scanPlans

// collectOrgBalance reads the rows of an orgBalanceSQL query, each with
// scan (rows' Scan, or one with kept plans); the caller closes rows.
func collectOrgBalance[R interface {
	Next() bool
	Err() error
}](rows R, orgID string, scan func(dest ...any) error) (domain.Org, domain.Balance, []domain.Grant, error) {
	var (
		o      orgRow
		b      = domain.Balance{OrgID: orgID}
		gs     []domain.Grant
		found  bool
		g      grantRow
		gAt    *time.Time
		status string
	)
	for rows.Next() {
		if err := scan(&o.ID, &o.Name, &o.Country, &o.Currency, &status, &o.Seats, &o.CreatedAt, &o.UpdatedAt, &o.DeletedAt, &o.SuspendedAt,
			&b.Total, &b.Free, &b.Paid, &b.Version, &b.UpdatedAt, &b.RechargeBelow, &b.LowBalanceBelow, &b.LowBalanceAlerted,
			&g.ID, &g.OrgID, &g.Kind, &g.Amount, &g.Remaining, &g.ExpiresAt, &g.OrderID, &g.Reason, &gAt); err != nil {
			return domain.Org{}, domain.Balance{}, nil, mapErr(err, "org")
		}
		found = true
		if g.ID != "" && gAt != nil {
			g.CreatedAt = *gAt
			gs = append(gs, toDomainGrant(g))
		}
	}
	if err := rows.Err(); err != nil {
		return domain.Org{}, domain.Balance{}, nil, mapErr(err, "org")
	}
	if !found {
		return domain.Org{}, domain.Balance{}, nil, domain.NotFound("org")
	}
	o.Status = status
	b.UpdatedAt = b.UpdatedAt.UTC()
	b.OrgStatus = domain.OrgStatus(status)
	return toDomainOrg(o), b, gs, nil
}
