package db

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tallyhq/tally/domain"
)

// webhookDeliveryCursorTag tags cursors of an endpoint's deliveries.
const webhookDeliveryCursorTag = "w1"

// webhookEndpointRow is a row of webhook_endpoints (outbound webhooks).
type webhookEndpointRow struct {
	ID                  string `gorm:"primaryKey"`
	OrgID               string
	URL                 string
	Description         string
	EventTypes          jsonColumn[[]string]
	Enabled             bool
	Secret              string
	PreviousSecret      string
	PreviousSecretUntil *time.Time
	CreatedAt           time.Time
	UpdatedAt           time.Time
	FailingSince        *time.Time
	DisabledReason      string
}

func (webhookEndpointRow) TableName() string { return "webhook_endpoints" }

func fromWebhookEndpoint(e domain.WebhookEndpoint) webhookEndpointRow {
	types := e.EventTypes
	if types == nil {
		types = []string{}
	}
	return webhookEndpointRow{
		ID: e.ID, OrgID: e.OrgID, URL: e.URL, Description: e.Description,
		EventTypes: jsonColumn[[]string]{V: types}, Enabled: e.Enabled, Secret: e.Secret,
		PreviousSecret: e.PreviousSecret, PreviousSecretUntil: utcPtr(e.PreviousSecretUntil),
		CreatedAt: utc(e.CreatedAt), UpdatedAt: utc(e.UpdatedAt), FailingSince: utcPtr(e.FailingSince),
		DisabledReason: e.DisabledReason,
	}
}

func toWebhookEndpoint(r webhookEndpointRow) domain.WebhookEndpoint {
	return domain.WebhookEndpoint{
		ID: r.ID, OrgID: r.OrgID, URL: r.URL, Description: r.Description, EventTypes: r.EventTypes.V,
		Enabled: r.Enabled, Secret: r.Secret, PreviousSecret: r.PreviousSecret,
		PreviousSecretUntil: utcPtr(r.PreviousSecretUntil), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		FailingSince: utcPtr(r.FailingSince), DisabledReason: r.DisabledReason,
	}
}

// webhookDeliveryRow is a row of webhook_deliveries.
type webhookDeliveryRow struct {
	ID             string `gorm:"primaryKey"`
	OrgID          string
	EndpointID     string
	EventID        string
	EventType      string
	Status         string
	Attempts       int
	Claims         int
	NextAttemptAt  *time.Time
	LeaseUntil     *time.Time
	LastStatusCode int
	LastLatencyMs  int64
	LastError      string
	LastResponse   string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (webhookDeliveryRow) TableName() string { return "webhook_deliveries" }

func toWebhookDelivery(r webhookDeliveryRow) domain.WebhookDelivery {
	return domain.WebhookDelivery{
		ID: r.ID, OrgID: r.OrgID, EndpointID: r.EndpointID, EventID: r.EventID, EventType: r.EventType,
		Status: domain.WebhookDeliveryStatus(r.Status), Attempts: r.Attempts, Claims: r.Claims,
		NextAttemptAt: utcPtr(r.NextAttemptAt), LeaseUntil: utcPtr(r.LeaseUntil),
		LastStatusCode: r.LastStatusCode, LastLatency: time.Duration(r.LastLatencyMs) * time.Millisecond,
		LastError: r.LastError, LastResponse: r.LastResponse, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
	}
}

// webhookAttemptRow is a row of webhook_attempts.
type webhookAttemptRow struct {
	ID         string `gorm:"primaryKey"`
	DeliveryID string
	At         time.Time
	StatusCode int
	LatencyMs  int64
	Error      string
	Response   string
}

func (webhookAttemptRow) TableName() string { return "webhook_attempts" }

// CreateWebhookEndpoint inserts an endpoint.
func (d *DB) CreateWebhookEndpoint(ctx context.Context, e domain.WebhookEndpoint) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := fromWebhookEndpoint(e)
	return mapErr(d.db(ctx).Create(&r).Error, "webhook endpoint")
}

// WebhookEndpointByID returns an endpoint or NOT_FOUND.
func (d *DB) WebhookEndpointByID(ctx context.Context, id string) (domain.WebhookEndpoint, error) {
	var r webhookEndpointRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.WebhookEndpoint{}, mapErr(err, "webhook endpoint")
	}
	return toWebhookEndpoint(r), nil
}

// ListWebhookEndpoints lists an org's endpoints, oldest first.
func (d *DB) ListWebhookEndpoints(ctx context.Context, orgID string) ([]domain.WebhookEndpoint, error) {
	var rows []webhookEndpointRow
	if err := d.db(ctx).Where("org_id = ?", orgID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "webhook endpoint")
	}
	out := make([]domain.WebhookEndpoint, len(rows))
	for i, r := range rows {
		out[i] = toWebhookEndpoint(r)
	}
	return out, nil
}

// UpdateWebhookEndpoint saves an endpoint's changeable fields.
func (d *DB) UpdateWebhookEndpoint(ctx context.Context, e domain.WebhookEndpoint) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r := fromWebhookEndpoint(e)
	res := d.db(ctx).Model(&webhookEndpointRow{}).Where("id = ?", e.ID).Updates(map[string]any{
		"url": r.URL, "description": r.Description, "event_types": r.EventTypes, "enabled": r.Enabled,
		"secret": r.Secret, "previous_secret": r.PreviousSecret, "previous_secret_until": r.PreviousSecretUntil,
		"updated_at": r.UpdatedAt, "failing_since": r.FailingSince, "disabled_reason": r.DisabledReason,
	})
	return affectedOne(res.Error, res.RowsAffected, "webhook endpoint")
}

// DeleteWebhookEndpoint removes an endpoint, its deliveries and their
// attempts, in one transaction.
func (d *DB) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	return d.inTxSelf(ctx, func(tx *DB) error {
		g := tx.db(ctx)
		sub := g.Model(&webhookDeliveryRow{}).Select("id").Where("endpoint_id = ?", id)
		if err := g.Where("delivery_id IN (?)", sub).Delete(&webhookAttemptRow{}).Error; err != nil {
			return mapErr(err, "webhook endpoint")
		}
		if err := g.Where("endpoint_id = ?", id).Delete(&webhookDeliveryRow{}).Error; err != nil {
			return mapErr(err, "webhook endpoint")
		}
		res := g.Where("id = ?", id).Delete(&webhookEndpointRow{})
		return affectedOne(res.Error, res.RowsAffected, "webhook endpoint")
	})
}

// UnfannedOrgEvents lists events not fanned out yet, in seq order
// (org_events_unfanned_idx).
func (d *DB) UnfannedOrgEvents(ctx context.Context, limit int) ([]domain.OrgEvent, error) {
	var rows []orgEventRow
	if err := d.db(ctx).Where("fanned_out_at IS NULL").Order("seq").Limit(limit).Find(&rows).Error; err != nil {
		return nil, mapErr(err, "org event")
	}
	out := make([]domain.OrgEvent, len(rows))
	for i, r := range rows {
		out[i] = toDomainOrgEvent(r)
	}
	return out, nil
}

// MarkOrgEventFannedOut sets the event's fanned_out_at (once).
func (d *DB) MarkOrgEventFannedOut(ctx context.Context, eventID string, at time.Time) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Model(&orgEventRow{}).Where("id = ?", eventID).
		Update("fanned_out_at", gorm.Expr("COALESCE(fanned_out_at, ?)", utc(at)))
	return affectedOne(res.Error, res.RowsAffected, "org event")
}

// AddWebhookDelivery inserts a delivery unless the event already has one
// for the endpoint (ON CONFLICT DO NOTHING keeps the caller's transaction
// usable on PostgreSQL).
func (d *DB) AddWebhookDelivery(ctx context.Context, w domain.WebhookDelivery) (bool, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	r := webhookDeliveryRow{
		ID: w.ID, OrgID: w.OrgID, EndpointID: w.EndpointID, EventID: w.EventID, EventType: w.EventType, Status: string(w.Status),
		Attempts: w.Attempts, Claims: w.Claims, NextAttemptAt: utcPtr(w.NextAttemptAt), LeaseUntil: utcPtr(w.LeaseUntil),
		CreatedAt: utc(w.CreatedAt), UpdatedAt: utc(w.UpdatedAt),
	}
	res := d.db(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "event_id"}, {Name: "endpoint_id"}}, DoNothing: true}).Create(&r)
	if res.Error != nil {
		return false, mapErr(res.Error, "webhook delivery")
	}
	return res.RowsAffected == 1, nil
}

// WebhookDeliveryByID returns a delivery or NOT_FOUND.
func (d *DB) WebhookDeliveryByID(ctx context.Context, id string) (domain.WebhookDelivery, error) {
	var r webhookDeliveryRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.WebhookDelivery{}, mapErr(err, "webhook delivery")
	}
	return toWebhookDelivery(r), nil
}

// DueWebhookDeliveries lists due, unheld PENDING deliveries of enabled
// endpoints, the longest waiting first (webhook_deliveries_due_idx).
func (d *DB) DueWebhookDeliveries(ctx context.Context, now time.Time, limit int) ([]domain.WebhookDelivery, error) {
	var rows []webhookDeliveryRow
	now = utc(now)
	err := d.db(ctx).Where("status = 'PENDING' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)", now, now).
		Where("endpoint_id IN (?)", d.db(ctx).Model(&webhookEndpointRow{}).Select("id").Where("enabled")).
		Order("next_attempt_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, mapErr(err, "webhook delivery")
	}
	out := make([]domain.WebhookDelivery, len(rows))
	for i, r := range rows {
		out[i] = toWebhookDelivery(r)
	}
	return out, nil
}

// ClaimWebhookDelivery takes a due delivery's lease in one conditional
// UPDATE, so of concurrent claimers one wins.
func (d *DB) ClaimWebhookDelivery(ctx context.Context, id string, claims int, now, leaseUntil time.Time) (bool, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	now = utc(now)
	res := d.db(ctx).Model(&webhookDeliveryRow{}).
		Where("id = ? AND claims = ? AND status = 'PENDING' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)", id, claims, now, now).
		Updates(map[string]any{"claims": gorm.Expr("claims + 1"), "lease_until": utc(leaseUntil)})
	if res.Error != nil {
		return false, mapErr(res.Error, "webhook delivery")
	}
	return res.RowsAffected == 1, nil
}

// FinishWebhookAttempt logs the attempt and saves the delivery's new state
// if the caller's claim is still the latest.
func (d *DB) FinishWebhookAttempt(ctx context.Context, w domain.WebhookDelivery, claims int, a domain.WebhookAttempt) (bool, error) {
	saved := false
	err := d.inTxSelf(ctx, func(tx *DB) error {
		unlock, err := tx.lockWrites(ctx)
		if err != nil {
			return err
		}
		defer unlock()
		ar := webhookAttemptRow{ID: a.ID, DeliveryID: a.DeliveryID, At: utc(a.At), StatusCode: a.StatusCode,
			LatencyMs: a.Latency.Milliseconds(), Error: a.Error, Response: a.Response}
		if err := tx.db(ctx).Create(&ar).Error; err != nil {
			return mapErr(err, "webhook attempt")
		}
		res := tx.db(ctx).Model(&webhookDeliveryRow{}).Where("id = ? AND claims = ?", w.ID, claims).Updates(map[string]any{
			"status": string(w.Status), "attempts": w.Attempts, "next_attempt_at": utcPtr(w.NextAttemptAt),
			"lease_until": utcPtr(w.LeaseUntil), "last_status_code": w.LastStatusCode,
			"last_latency_ms": w.LastLatency.Milliseconds(), "last_error": w.LastError,
			"last_response": w.LastResponse, "updated_at": utc(w.UpdatedAt),
		})
		if res.Error != nil {
			return mapErr(res.Error, "webhook delivery")
		}
		saved = res.RowsAffected == 1
		return nil
	})
	return saved, err
}

// RetryEndpointDeliveries makes an endpoint's PENDING deliveries due at at.
func (d *DB) RetryEndpointDeliveries(ctx context.Context, endpointID string, at time.Time) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	err = d.db(ctx).Model(&webhookDeliveryRow{}).Where("endpoint_id = ? AND status = 'PENDING'", endpointID).
		Updates(map[string]any{"next_attempt_at": utc(at), "updated_at": utc(at)}).Error
	return mapErr(err, "webhook delivery")
}

// RescheduleWebhookDelivery makes a delivery PENDING, due at at.
func (d *DB) RescheduleWebhookDelivery(ctx context.Context, id string, at time.Time) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Model(&webhookDeliveryRow{}).Where("id = ?", id).Updates(map[string]any{
		"status": string(domain.WebhookPending), "next_attempt_at": utc(at), "updated_at": utc(at),
	})
	return affectedOne(res.Error, res.RowsAffected, "webhook delivery")
}

// ListWebhookDeliveries pages an endpoint's deliveries, newest first
// (webhook_deliveries_endpoint_idx).
func (d *DB) ListWebhookDeliveries(ctx context.Context, endpointID string, p domain.Page) (domain.Connection[domain.WebhookDelivery], error) {
	q := d.db(ctx).Model(&webhookDeliveryRow{}).Where("endpoint_id = ?", endpointID)
	return pageByTime(q, "created_at", p, webhookDeliveryCursorTag, "webhook delivery", toWebhookDelivery,
		func(w domain.WebhookDelivery) (time.Time, string) { return w.CreatedAt, w.ID })
}

// WebhookAttempts lists a delivery's attempts, oldest first.
func (d *DB) WebhookAttempts(ctx context.Context, deliveryID string) ([]domain.WebhookAttempt, error) {
	var rows []webhookAttemptRow
	if err := d.db(ctx).Where("delivery_id = ?", deliveryID).Order("at, id").Find(&rows).Error; err != nil {
		return nil, mapErr(err, "webhook attempt")
	}
	out := make([]domain.WebhookAttempt, len(rows))
	for i, r := range rows {
		out[i] = domain.WebhookAttempt{ID: r.ID, DeliveryID: r.DeliveryID, At: r.At.UTC(), StatusCode: r.StatusCode,
			Latency: time.Duration(r.LatencyMs) * time.Millisecond, Error: r.Error, Response: r.Response}
	}
	return out, nil
}
