package db

import (
	"context"
	"time"

	"github.com/tallyhq/tally/domain"
)

// paymentMethodRow is a row of payment_methods.
type paymentMethodRow struct {
	ID          string `gorm:"primaryKey"`
	OrgID       string
	Gateway     string
	Kind        string
	Ref         string
	CustomerRef string
	SetupRef    string
	Status      string
	Brand       string
	Last4       string `gorm:"column:last4"`
	ExpMonth    int
	ExpYear     int
	IsDefault   bool
	NextAction  jsonNullColumn[nextActionJSON]
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (paymentMethodRow) TableName() string { return "payment_methods" }

func toDomainPaymentMethod(r paymentMethodRow) domain.PaymentMethod {
	return domain.PaymentMethod{
		ID:          r.ID,
		OrgID:       r.OrgID,
		Gateway:     r.Gateway,
		Kind:        domain.PaymentMethodKind(r.Kind),
		Ref:         r.Ref,
		CustomerRef: r.CustomerRef,
		SetupRef:    r.SetupRef,
		Status:      domain.PaymentMethodStatus(r.Status),
		Brand:       r.Brand,
		Last4:       r.Last4,
		ExpMonth:    r.ExpMonth,
		ExpYear:     r.ExpYear,
		IsDefault:   r.IsDefault,
		NextAction:  toNextAction(r.NextAction.V),
		CreatedBy:   r.CreatedBy,
		CreatedAt:   r.CreatedAt.UTC(),
		UpdatedAt:   r.UpdatedAt.UTC(),
	}
}

func fromDomainPaymentMethod(m domain.PaymentMethod) paymentMethodRow {
	return paymentMethodRow{
		ID:          m.ID,
		OrgID:       m.OrgID,
		Gateway:     m.Gateway,
		Kind:        string(m.Kind),
		Ref:         m.Ref,
		CustomerRef: m.CustomerRef,
		SetupRef:    m.SetupRef,
		Status:      string(m.Status),
		Brand:       m.Brand,
		Last4:       m.Last4,
		ExpMonth:    m.ExpMonth,
		ExpYear:     m.ExpYear,
		IsDefault:   m.IsDefault,
		NextAction:  jsonNullColumn[nextActionJSON]{fromNextAction(m.NextAction)},
		CreatedBy:   m.CreatedBy,
		CreatedAt:   utc(m.CreatedAt),
		UpdatedAt:   utc(m.UpdatedAt),
	}
}

// CreatePaymentMethod inserts a method; when m.IsDefault the org's other
// methods stop being the default in the same transaction. CONFLICT when
// its ID exists, or when a concurrent write made another method the
// org's default first (payment_methods_default_idx).
func (d *DB) CreatePaymentMethod(ctx context.Context, m domain.PaymentMethod) error {
	r := fromDomainPaymentMethod(m)
	if !r.IsDefault {
		return d.insert(ctx, "payment method", &r)
	}
	return d.inTxSelf(ctx, func(tx *DB) error {
		if err := tx.clearDefault(ctx, r.OrgID); err != nil {
			return err
		}
		return mapErr(tx.db(ctx).Create(&r).Error, "payment method")
	})
}

// clearDefault makes none of the org's methods the default.
func (d *DB) clearDefault(ctx context.Context, orgID string) error {
	err := d.db(ctx).Model(&paymentMethodRow{}).Where("org_id = ? AND is_default", orgID).
		UpdateColumn("is_default", false).Error
	return mapErr(err, "payment method")
}

// PaymentMethodByID returns a method or NOT_FOUND.
func (d *DB) PaymentMethodByID(ctx context.Context, id string) (domain.PaymentMethod, error) {
	var r paymentMethodRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.PaymentMethod{}, mapErr(err, "payment method")
	}
	return toDomainPaymentMethod(r), nil
}

// ListPaymentMethods lists an org's methods, the default first, then
// newest first (served by payment_methods_org_idx).
func (d *DB) ListPaymentMethods(ctx context.Context, orgID string) ([]domain.PaymentMethod, error) {
	var rows []paymentMethodRow
	err := d.db(ctx).Where("org_id = ?", orgID).
		Order("is_default DESC, created_at DESC, id DESC").Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "payment method")
	}
	out := make([]domain.PaymentMethod, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainPaymentMethod(r))
	}
	return out, nil
}

// UpdatePaymentMethod saves status, refs, card details, next action and
// updated time; org, gateway, kind, default and creation stay. NOT_FOUND
// when absent.
func (d *DB) UpdatePaymentMethod(ctx context.Context, m domain.PaymentMethod) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := fromDomainPaymentMethod(m)
	res := d.db(ctx).Model(&paymentMethodRow{}).Where("id = ?", r.ID).Updates(map[string]any{
		"status": r.Status, "ref": r.Ref, "customer_ref": r.CustomerRef, "setup_ref": r.SetupRef,
		"brand": r.Brand, "last4": r.Last4, "exp_month": r.ExpMonth, "exp_year": r.ExpYear,
		"next_action": r.NextAction, "updated_at": r.UpdatedAt,
	})
	return affectedOne(res.Error, res.RowsAffected, "payment method")
}

// SetDefaultPaymentMethod makes id the org's only default method, in one
// transaction; NOT_FOUND when the org has no such method.
func (d *DB) SetDefaultPaymentMethod(ctx context.Context, orgID, id string) error {
	return d.inTxSelf(ctx, func(tx *DB) error {
		var n int64
		if err := tx.db(ctx).Model(&paymentMethodRow{}).Where("org_id = ? AND id = ?", orgID, id).Count(&n).Error; err != nil {
			return mapErr(err, "payment method")
		}
		if n == 0 {
			return domain.NotFound("payment method")
		}
		if err := tx.clearDefault(ctx, orgID); err != nil {
			return err
		}
		res := tx.db(ctx).Model(&paymentMethodRow{}).Where("org_id = ? AND id = ?", orgID, id).UpdateColumn("is_default", true)
		return affectedOne(res.Error, res.RowsAffected, "payment method")
	})
}

// DeletePaymentMethod removes the org's method; NOT_FOUND when absent.
func (d *DB) DeletePaymentMethod(ctx context.Context, orgID, id string) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Where("org_id = ? AND id = ?", orgID, id).Delete(&paymentMethodRow{})
	return affectedOne(res.Error, res.RowsAffected, "payment method")
}

// CustomerRefOf returns the gateway customer of the org's saved methods at
// gateway (the newest one that has a customer), "" when none has one.
func (d *DB) CustomerRefOf(ctx context.Context, orgID, gateway string) (string, error) {
	var refs []string
	err := d.db(ctx).Model(&paymentMethodRow{}).
		Where("org_id = ? AND gateway = ? AND customer_ref <> ''", orgID, gateway).
		Order("created_at DESC, id DESC").Limit(1).Pluck("customer_ref", &refs).Error
	if err != nil {
		return "", mapErr(err, "payment method")
	}
	if len(refs) == 0 {
		return "", nil
	}
	return refs[0], nil
}
