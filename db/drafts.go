package db

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/tallyhq/tally/domain"
)

// draftRow is a row of order_drafts: a draft order (domain/draft.go).
// Subtotal, Tax and Total share Currency.
type draftRow struct {
	ID           string `gorm:"primaryKey"`
	OrgID        string
	Currency     string
	Items        orderItemsJSON
	Lines        jsonColumn[[]orderLineJSON]
	Subtotal     int64
	Tax          int64
	TaxRateBP    int `gorm:"column:tax_rate_bp"`
	Total        int64
	Credits      int64
	Installments jsonNullColumn[installmentsJSON]
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
}

func (draftRow) TableName() string { return "order_drafts" }

func toDomainDraft(r draftRow) domain.Order {
	cur := domain.Currency(r.Currency)
	items := toOrderItems(r.Items)
	if items == nil {
		items = []domain.OrderItem{}
	}
	return domain.Order{
		ID: r.ID, OrgID: r.OrgID, Status: domain.OrderDraft, Lines: toOrderLines(r.Lines.V), Items: items,
		Subtotal:  domain.Money{AmountMinor: r.Subtotal, Currency: cur},
		Tax:       domain.Money{AmountMinor: r.Tax, Currency: cur},
		TaxRateBP: r.TaxRateBP,
		Total:     domain.Money{AmountMinor: r.Total, Currency: cur},
		Credits:   r.Credits, Installments: toInstallments(r.Installments.V),
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
}

func fromDomainDraft(o domain.Order) (draftRow, error) {
	cur, err := amountsCurrency("draft", o.Total, o.Subtotal, o.Tax)
	if err != nil {
		return draftRow{}, err
	}
	items := fromOrderItems(o.Items)
	if items == nil {
		items = orderItemsJSON{}
	}
	return draftRow{
		ID: o.ID, OrgID: o.OrgID, Currency: cur,
		Items: items, Lines: jsonColumn[[]orderLineJSON]{fromOrderLines(o.Lines)},
		Subtotal: o.Subtotal.AmountMinor, Tax: o.Tax.AmountMinor, TaxRateBP: o.TaxRateBP, Total: o.Total.AmountMinor,
		Credits: o.Credits, Installments: jsonNullColumn[installmentsJSON]{fromInstallments(o.Installments)},
		CreatedBy: o.CreatedBy, CreatedAt: utc(o.CreatedAt), UpdatedAt: utc(o.UpdatedAt), Version: o.Version,
	}, nil
}

// CreateDraft inserts a draft; NOT_FOUND when its org does not exist or
// was deleted. With maxOpen > 0 it refuses, with CONFLICT wrapping
// domain.ErrDraftLimit, a draft of an org that already has maxOpen: the
// count and the insert are one transaction holding the org's row (FOR NO
// KEY UPDATE on PostgreSQL, which does not block the org's other writes
// that only reference the row; SQLite's transaction holds the write lock),
// so concurrent creations of one org take turns and never pass the limit
// together.
func (d *DB) CreateDraft(ctx context.Context, o domain.Order, maxOpen int) error {
	r, err := fromDomainDraft(o)
	if err != nil {
		return err
	}
	return d.inTxSelf(ctx, func(tx *DB) error {
		q := tx.db(ctx).Model(&orgRow{}).Select("id").Where("id = ? AND deleted_at IS NULL", r.OrgID)
		if tx.dialect == DialectPostgres {
			q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
		}
		var ids []string
		if err := q.Pluck("id", &ids).Error; err != nil {
			return mapErr(err, "org")
		}
		if len(ids) == 0 {
			return domain.NotFound("org")
		}
		if maxOpen > 0 {
			n, err := tx.CountDrafts(ctx, r.OrgID)
			if err != nil {
				return err
			}
			if n >= maxOpen {
				return &domain.Error{Code: domain.CodeConflict, Err: domain.ErrDraftLimit,
					Message: fmt.Sprintf("the org has %d draft orders; check out or cancel one first", n)}
			}
		}
		return mapErr(tx.db(ctx).Create(&r).Error, "order")
	})
}

// DraftByID returns a draft or NOT_FOUND.
func (d *DB) DraftByID(ctx context.Context, id string) (domain.Order, error) {
	var r draftRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.Order{}, mapErr(err, "order")
	}
	return toDomainDraft(r), nil
}

// UpdateDraft saves a draft's items, lines, amounts, credits,
// installments, updated time and version in one conditional UPDATE (the
// stored version must be o.Version-1): of two racing writers of one
// version, one changes nothing and gets CONFLICT. NOT_FOUND when the
// draft is gone (checked out or discarded).
func (d *DB) UpdateDraft(ctx context.Context, o domain.Order) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r, err := fromDomainDraft(o)
	if err != nil {
		return err
	}
	res := d.db(ctx).Model(&draftRow{}).Where("id = ? AND version = ?", r.ID, r.Version-1).Updates(map[string]any{
		"items": r.Items, "lines": r.Lines, "subtotal": r.Subtotal, "tax": r.Tax, "tax_rate_bp": r.TaxRateBP,
		"total": r.Total, "credits": r.Credits, "installments": r.Installments, "updated_at": r.UpdatedAt, "version": r.Version,
	})
	if res.Error != nil {
		return mapErr(res.Error, "order")
	}
	if res.RowsAffected > 0 {
		return nil
	}
	return d.missOrConflict(ctx, &draftRow{}, r.ID)
}

// missOrConflict tells why a versioned write (id AND version) of an order
// or a draft, model &orderRow{} or &draftRow{}, changed nothing: NOT_FOUND
// when the row is gone, CONFLICT when its version moved.
func (d *DB) missOrConflict(ctx context.Context, model any, id string) error {
	var n int64
	if err := d.db(ctx).Model(model).Where("id = ?", id).Count(&n).Error; err != nil {
		return mapErr(err, "order")
	}
	if n == 0 {
		return domain.NotFound("order")
	}
	return &domain.Error{Code: domain.CodeConflict, Message: "order changed concurrently"}
}

// DeleteDraft removes a draft when its stored version is version (a
// conditional DELETE: checkout and a racing edit serialize on the row);
// CONFLICT when the version differs, NOT_FOUND when it is gone.
func (d *DB) DeleteDraft(ctx context.Context, id string, version int64) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Where("id = ? AND version = ?", id, version).Delete(&draftRow{})
	if res.Error != nil {
		return mapErr(res.Error, "order")
	}
	if res.RowsAffected > 0 {
		return nil
	}
	return d.missOrConflict(ctx, &draftRow{}, id)
}

// CountDrafts counts an org's drafts.
func (d *DB) CountDrafts(ctx context.Context, orgID string) (int, error) {
	var n int64
	err := d.db(ctx).Model(&draftRow{}).Where("org_id = ?", orgID).Count(&n).Error
	return int(n), mapErr(err, "order")
}

// DraftsOfOrg lists an org's drafts, newest first (order_drafts_org_idx).
func (d *DB) DraftsOfOrg(ctx context.Context, orgID string) ([]domain.Order, error) {
	var rows []draftRow
	if err := d.db(ctx).Where("org_id = ?", orgID).Order("created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "order")
	}
	out := make([]domain.Order, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainDraft(r))
	}
	return out, nil
}

// DeleteStaleDrafts removes up to limit drafts last updated before
// before, oldest first (order_drafts_stale_idx).
func (d *DB) DeleteStaleDrafts(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	var ids []string
	if err := d.db(ctx).Model(&draftRow{}).Where("updated_at < ?", utc(before)).
		Order("updated_at, id").Limit(limit).Pluck("id", &ids).Error; err != nil {
		return 0, mapErr(err, "order")
	}
	if len(ids) == 0 {
		return 0, nil
	}
	// A draft touched since it was listed is kept.
	res := d.db(ctx).Where("id IN ? AND updated_at < ?", ids, utc(before)).Delete(&draftRow{})
	return int(res.RowsAffected), mapErr(res.Error, "order")
}

// LinkItemGrant records grant grantID as the grant of item itemID of order
// orderID (grants.order_id, grants.order_item); CONFLICT when the item
// already has a grant (grants_order_item_idx), NOT_FOUND when the grant
// does not exist.
func (d *DB) LinkItemGrant(ctx context.Context, grantID, orderID, itemID string) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Exec(`UPDATE grants SET order_id = ?, order_item = ? WHERE id = ?`, orderID, itemID, grantID)
	if res.Error != nil {
		return mapErr(res.Error, "grant")
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("grant")
	}
	return nil
}
