package db

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tallyhq/tally/domain"
)

// orderRow is a row of orders. Subtotal, Tax and Total share Currency.
type orderRow struct {
	ID             string `gorm:"primaryKey"`
	Number         string
	OrgID          string
	Status         string
	Currency       string
	Lines          jsonColumn[[]orderLineJSON]
	Subtotal       int64
	Tax            int64
	TaxRateBP      int `gorm:"column:tax_rate_bp"`
	Total          int64
	Credits        int64
	Validity       string
	ExpiresAt      *time.Time
	Gateway        string
	Method         string
	PaymentID      *string
	Installments   jsonNullColumn[installmentsJSON]
	NextAction     jsonNullColumn[nextActionJSON]
	FailureReason  string
	Review         string
	Refunded       int64
	GrantID        *string
	InvoiceDetails jsonNullColumn[invoiceDetailsJSON]
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	PaidAt         *time.Time
	Version        int64
	// The subscription part (domain.OrderSubscription), all NULL for an
	// order that only buys credits; SubscriptionAction is set exactly when
	// the order has one.
	SubscriptionID     *string    `gorm:"column:subscription_id"`
	SubscriptionAction *string    `gorm:"column:subscription_action"`
	SubPlanID          *string    `gorm:"column:sub_plan_id"`
	SubSeats           *int       `gorm:"column:sub_seats"`
	SubPeriodStart     *time.Time `gorm:"column:sub_period_start"`
	SubPeriodEnd       *time.Time `gorm:"column:sub_period_end"`
	// AutoRecharge is the mode of an automatic top-up's order, NULL for
	// the rest.
	AutoRecharge *string `gorm:"column:auto_recharge"`
	// Items are the items of an order made from a draft, NULL for the
	// rest (domain.Order.Items).
	Items orderItemsJSON
	// RetryDraftID is the draft a failed or canceled checkout gave its
	// items back in, NULL for the rest (domain.Order.RetryDraftID).
	RetryDraftID *string `gorm:"column:retry_draft_id"`
}

func (orderRow) TableName() string { return "orders" }

// amountsCurrency is the one currency of a row's amounts; INTERNAL when
// they mix currencies ("" is taken to be the others' currency).
func amountsCurrency(what string, ms ...domain.Money) (string, error) {
	var cur domain.Currency
	for _, m := range ms {
		switch {
		case m.Currency == "":
		case cur == "":
			cur = m.Currency
		case m.Currency != cur:
			return "", domain.Internal(fmt.Errorf("db: %s amounts in %s and %s", what, cur, m.Currency))
		}
	}
	return string(cur), nil
}

func toDomainOrder(r orderRow) domain.Order {
	cur := domain.Currency(r.Currency)
	return domain.Order{
		ID:             r.ID,
		Number:         r.Number,
		OrgID:          r.OrgID,
		Status:         domain.OrderStatus(r.Status),
		Lines:          toOrderLines(r.Lines.V),
		Subtotal:       domain.Money{AmountMinor: r.Subtotal, Currency: cur},
		Tax:            domain.Money{AmountMinor: r.Tax, Currency: cur},
		TaxRateBP:      r.TaxRateBP,
		Total:          domain.Money{AmountMinor: r.Total, Currency: cur},
		Credits:        r.Credits,
		Validity:       domain.ValidityPolicy(r.Validity),
		ExpiresAt:      utcPtr(r.ExpiresAt),
		Gateway:        r.Gateway,
		Method:         domain.PaymentMethodKind(r.Method),
		PaymentID:      strVal(r.PaymentID),
		Installments:   toInstallments(r.Installments.V),
		NextAction:     toNextAction(r.NextAction.V),
		FailureReason:  r.FailureReason,
		Review:         r.Review,
		Refunded:       r.Refunded,
		GrantID:        strVal(r.GrantID),
		InvoiceDetails: toInvoiceDetailsPtr(r.InvoiceDetails.V),
		CreatedBy:      r.CreatedBy,
		CreatedAt:      r.CreatedAt.UTC(),
		UpdatedAt:      r.UpdatedAt.UTC(),
		PaidAt:         utcPtr(r.PaidAt),
		Version:        r.Version,
		Subscription:   toOrderSubscription(r),
		AutoRecharge:   domain.AutoRechargeMode(strVal(r.AutoRecharge)),
		Items:          toOrderItems(r.Items),
		RetryDraftID:   strVal(r.RetryDraftID),
	}
}

// toOrderSubscription reads the subscription columns of an order row: nil
// when it has no action, NULL read as "", 0 and the zero time.
func toOrderSubscription(r orderRow) *domain.OrderSubscription {
	if r.SubscriptionAction == nil {
		return nil
	}
	s := &domain.OrderSubscription{
		SubscriptionID: strVal(r.SubscriptionID),
		Action:         domain.SubscriptionAction(*r.SubscriptionAction),
		PlanID:         strVal(r.SubPlanID),
	}
	if r.SubSeats != nil {
		s.Seats = *r.SubSeats
	}
	if r.SubPeriodStart != nil {
		s.PeriodStart = r.SubPeriodStart.UTC()
	}
	if r.SubPeriodEnd != nil {
		s.PeriodEnd = r.SubPeriodEnd.UTC()
	}
	return s
}

// setOrderSubscription fills the subscription columns of r from s ("", 0
// and the zero time stored as NULL).
func setOrderSubscription(r *orderRow, s *domain.OrderSubscription) {
	if s == nil {
		return
	}
	action := string(s.Action)
	r.SubscriptionID, r.SubscriptionAction, r.SubPlanID = strPtr(s.SubscriptionID), &action, strPtr(s.PlanID)
	if s.Seats != 0 {
		seats := s.Seats
		r.SubSeats = &seats
	}
	if !s.PeriodStart.IsZero() {
		t := utc(s.PeriodStart)
		r.SubPeriodStart = &t
	}
	if !s.PeriodEnd.IsZero() {
		t := utc(s.PeriodEnd)
		r.SubPeriodEnd = &t
	}
}

func fromDomainOrder(o domain.Order) (orderRow, error) {
	cur, err := amountsCurrency("order", o.Total, o.Subtotal, o.Tax)
	if err != nil {
		return orderRow{}, err
	}
	r := orderRow{
		ID:             o.ID,
		Number:         o.Number,
		OrgID:          o.OrgID,
		Status:         string(o.Status),
		Currency:       cur,
		Lines:          jsonColumn[[]orderLineJSON]{fromOrderLines(o.Lines)},
		Subtotal:       o.Subtotal.AmountMinor,
		Tax:            o.Tax.AmountMinor,
		TaxRateBP:      o.TaxRateBP,
		Total:          o.Total.AmountMinor,
		Credits:        o.Credits,
		Validity:       string(o.Validity),
		ExpiresAt:      utcPtr(o.ExpiresAt),
		Gateway:        o.Gateway,
		Method:         string(o.Method),
		PaymentID:      strPtr(o.PaymentID),
		Installments:   jsonNullColumn[installmentsJSON]{fromInstallments(o.Installments)},
		NextAction:     jsonNullColumn[nextActionJSON]{fromNextAction(o.NextAction)},
		FailureReason:  o.FailureReason,
		Review:         o.Review,
		Refunded:       o.Refunded,
		GrantID:        strPtr(o.GrantID),
		InvoiceDetails: jsonNullColumn[invoiceDetailsJSON]{fromInvoiceDetailsPtr(o.InvoiceDetails)},
		CreatedBy:      o.CreatedBy,
		CreatedAt:      utc(o.CreatedAt),
		UpdatedAt:      utc(o.UpdatedAt),
		PaidAt:         utcPtr(o.PaidAt),
		Version:        o.Version,
		AutoRecharge:   strPtr(string(o.AutoRecharge)),
		Items:          fromOrderItems(o.Items),
		RetryDraftID:   strPtr(o.RetryDraftID),
	}
	setOrderSubscription(&r, o.Subscription)
	return r, nil
}

// CreateOrder inserts an order; CONFLICT when its ID, Number or gateway
// payment exists or when it is a RENEW order of a subscription period that
// already has one not FAILED or CANCELED (orders_renewal_idx), NOT_FOUND when its org does not exist or was deleted. On
// PostgreSQL it reads the org FOR SHARE, which conflicts with the UPDATE
// of MarkOrgDeleted: an order and a deletion of its org serialize. On
// SQLite the write lock already serializes them.
func (d *DB) CreateOrder(ctx context.Context, o domain.Order) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r, err := fromDomainOrder(o)
	if err != nil {
		return err
	}
	q := d.db(ctx).Model(&orgRow{}).Where("id = ? AND deleted_at IS NULL", r.OrgID)
	if d.dialect == DialectPostgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthShare})
	}
	var live []string
	if err := q.Pluck("id", &live).Error; err != nil {
		return mapErr(err, "org")
	}
	if len(live) == 0 {
		return domain.NotFound("org")
	}
	return mapErr(d.db(ctx).Create(&r).Error, "order")
}

// DeleteOrder removes an order; NOT_FOUND when absent. The domain calls it
// only for an order nothing refers to (no invoice: the foreign key would
// refuse it).
func (d *DB) DeleteOrder(ctx context.Context, id string) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Where("id = ?", id).Delete(&orderRow{})
	if res.Error != nil {
		return mapErr(res.Error, "order")
	}
	if res.RowsAffected == 0 {
		return domain.NotFound("order")
	}
	return nil
}

// OrderByID returns an order or NOT_FOUND.
func (d *DB) OrderByID(ctx context.Context, id string) (domain.Order, error) {
	return orderWhere(d.db(ctx), "id = ?", id)
}

// LockOrder returns an order or NOT_FOUND. On PostgreSQL it locks the row
// (FOR UPDATE) until the transaction ends; on SQLite the immediate write
// transaction already holds the database's write lock.
func (d *DB) LockOrder(ctx context.Context, id string) (domain.Order, error) {
	q := d.db(ctx)
	if d.dialect == DialectPostgres {
		q = q.Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate})
	}
	return orderWhere(q, "id = ?", id)
}

// OrderByPayment finds the order a gateway payment belongs to, or NOT_FOUND.
func (d *DB) OrderByPayment(ctx context.Context, gateway, paymentID string) (domain.Order, error) {
	if paymentID == "" {
		return domain.Order{}, domain.NotFound("order")
	}
	return orderWhere(d.db(ctx), "gateway = ? AND payment_id = ?", gateway, paymentID)
}

func orderWhere(q *gorm.DB, cond string, args ...any) (domain.Order, error) {
	var r orderRow
	if err := q.Where(cond, args...).Take(&r).Error; err != nil {
		return domain.Order{}, mapErr(err, "order")
	}
	return toDomainOrder(r), nil
}

// UpdateOrder saves the fields of o that change after checkout (status,
// gateway, method, payment ID, installments, next action, failure reason,
// review, refunded, grant ID, expiry, the items' grants (items), the
// draft a failed checkout gave its items back in (retry_draft_id), paid time,
// updated time and version)
// when the stored version is o.Version-1. Number, org, lines, amounts, credits,
// validity, invoice details, subscription part and creation are fixed at
// CreateOrder. CONFLICT
// when the stored version differs (a concurrent change), NOT_FOUND when
// the order does not exist.
func (d *DB) UpdateOrder(ctx context.Context, o domain.Order) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r, err := fromDomainOrder(o)
	if err != nil {
		return err
	}
	res := d.db(ctx).Model(&orderRow{}).Where("id = ? AND version = ?", r.ID, r.Version-1).Updates(map[string]any{
		"status": r.Status, "gateway": r.Gateway, "method": r.Method, "payment_id": nullable(r.PaymentID),
		"installments": r.Installments, "next_action": r.NextAction, "failure_reason": r.FailureReason,
		"review": r.Review, "refunded": r.Refunded, "grant_id": nullable(r.GrantID), "expires_at": nullable(r.ExpiresAt),
		"paid_at": nullable(r.PaidAt), "updated_at": r.UpdatedAt, "version": r.Version, "items": r.Items,
		"retry_draft_id": nullable(r.RetryDraftID),
	})
	if res.Error != nil {
		return mapErr(res.Error, "order")
	}
	if res.RowsAffected > 0 {
		return nil
	}
	return d.missOrConflict(ctx, &orderRow{}, r.ID)
}

// ListOrders pages an org's orders, newest first (keyset on created_at, id,
// served by orders_org_page_idx), only those in f.Statuses when set.
func (d *DB) ListOrders(ctx context.Context, orgID string, f domain.OrderFilter, p domain.Page) (domain.Connection[domain.Order], error) {
	var conn domain.Connection[domain.Order]
	n, err := pageSize(p)
	if err != nil {
		return conn, err
	}
	q := d.db(ctx).Where("org_id = ?", orgID)
	if len(f.Statuses) > 0 {
		q = q.Where("status IN ?", statusStrings(f.Statuses))
	}
	if p.After != "" {
		at, id, err := parseTimeIDCursor(p.After, orderCursorTag)
		if err != nil {
			return conn, err
		}
		q = q.Where("(created_at < ? OR (created_at = ? AND id < ?))", at, at, id)
	}
	var rows []orderRow
	if err := q.Order("created_at DESC, id DESC").Limit(n + 1).Find(&rows).Error; err != nil {
		return conn, mapErr(err, "order")
	}
	if len(rows) > n {
		rows, conn.HasNextPage = rows[:n], true
	}
	conn.Edges = make([]domain.Edge[domain.Order], 0, len(rows))
	for _, r := range rows {
		o := toDomainOrder(r)
		conn.Edges = append(conn.Edges, domain.Edge[domain.Order]{Cursor: timeIDCursor(orderCursorTag, o.CreatedAt, o.ID), Node: o})
	}
	return conn, nil
}

// OrdersToReconcile lists up to limit orders in one of statuses last
// updated before before, oldest first, across all orgs (served by
// orders_reconcile_idx). No statuses, no orders.
func (d *DB) OrdersToReconcile(ctx context.Context, statuses []domain.OrderStatus, before time.Time, limit int) ([]domain.Order, error) {
	if limit <= 0 || len(statuses) == 0 {
		return nil, nil
	}
	var rows []orderRow
	err := d.db(ctx).Where("status IN ? AND updated_at < ?", statusStrings(statuses), utc(before)).
		Order("updated_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "order")
	}
	out := make([]domain.Order, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainOrder(r))
	}
	return out, nil
}

func statusStrings(ss []domain.OrderStatus) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, string(s))
	}
	return out
}

// OrdersOfSubscription lists up to limit orders of a subscription, newest
// first (served by orders_subscription_idx).
func (d *DB) OrdersOfSubscription(ctx context.Context, subscriptionID string, limit int) ([]domain.Order, error) {
	if limit <= 0 || subscriptionID == "" {
		return nil, nil
	}
	var rows []orderRow
	err := d.db(ctx).Where("subscription_id = ?", subscriptionID).
		Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "order")
	}
	out := make([]domain.Order, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDomainOrder(r))
	}
	return out, nil
}
