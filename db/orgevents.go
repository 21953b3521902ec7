package db

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/tallyhq/tally/domain"
)

// orgEventCursorTag tags cursors of an org's history: the last event's
// (created_at, id).
const orgEventCursorTag = "e1"

// orgEventRow is a row of org_events.
type orgEventRow struct {
	ID    string `gorm:"primaryKey"`
	OrgID string
	// Seq is set by the database (an identity on PostgreSQL, the rowid
	// copied by a trigger on SQLite), never written here.
	Seq       int64 `gorm:"->"`
	Kind      string
	Key       string
	Detail    jsonColumn[map[string]string]
	CreatedAt time.Time
	Notify    bool
	SentAt    *time.Time
	Attempts  int
	LastError string
}

func (orgEventRow) TableName() string { return "org_events" }

func toDomainOrgEvent(r orgEventRow) domain.OrgEvent {
	detail := r.Detail.V
	if detail == nil {
		detail = map[string]string{}
	}
	return domain.OrgEvent{
		ID: r.ID, OrgID: r.OrgID, Seq: r.Seq, Kind: domain.OrgEventKind(r.Kind), Key: r.Key, Detail: detail,
		CreatedAt: r.CreatedAt.UTC(), Notify: r.Notify, SentAt: utcPtr(r.SentAt),
		Attempts: r.Attempts, LastError: r.LastError,
	}
}

// AddOrgEvent inserts ev unless an event with its key exists, and reports
// whether it did. ON CONFLICT DO NOTHING keeps a repeated key from
// aborting the caller's transaction on PostgreSQL.
func (d *DB) AddOrgEvent(ctx context.Context, ev domain.OrgEvent) (bool, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	r := orgEventRow{
		ID: ev.ID, OrgID: ev.OrgID, Kind: string(ev.Kind), Key: ev.Key,
		Detail: jsonColumn[map[string]string]{V: ev.Detail}, CreatedAt: utc(ev.CreatedAt),
		Notify: ev.Notify, SentAt: utcPtr(ev.SentAt), Attempts: ev.Attempts, LastError: ev.LastError,
	}
	res := d.db(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&r)
	if res.Error != nil {
		return false, mapErr(res.Error, "org event")
	}
	return res.RowsAffected == 1, nil
}

// OrgEventByID returns an event or NOT_FOUND.
func (d *DB) OrgEventByID(ctx context.Context, id string) (domain.OrgEvent, error) {
	var r orgEventRow
	if err := d.db(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return domain.OrgEvent{}, mapErr(err, "org event")
	}
	return toDomainOrgEvent(r), nil
}

// ListOrgEvents pages an org's events, newest first (keyset on
// (created_at, id), served by org_events_org_page_idx).
func (d *DB) ListOrgEvents(ctx context.Context, orgID string, p domain.Page) (domain.Connection[domain.OrgEvent], error) {
	q := d.db(ctx).Model(&orgEventRow{}).Where("org_id = ?", orgID)
	return pageByTime(q, "created_at", p, orgEventCursorTag, "org event", toDomainOrgEvent,
		func(ev domain.OrgEvent) (time.Time, string) { return ev.CreatedAt, ev.ID })
}

// UnsentNotifications lists up to limit events that notify and were not
// sent, oldest first (org_events_unsent_idx).
func (d *DB) UnsentNotifications(ctx context.Context, limit int) ([]domain.OrgEvent, error) {
	var rows []orgEventRow
	if err := d.db(ctx).Where("notify AND sent_at IS NULL").Order("created_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, mapErr(err, "org event")
	}
	out := make([]domain.OrgEvent, len(rows))
	for i, r := range rows {
		out[i] = toDomainOrgEvent(r)
	}
	return out, nil
}

// MarkNotificationSent sets the event's sent_at (once: a second call keeps
// the first instant); NOT_FOUND when it does not exist.
func (d *DB) MarkNotificationSent(ctx context.Context, id string, at time.Time) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	res := d.db(ctx).Model(&orgEventRow{}).Where("id = ?", id).
		Update("sent_at", gorm.Expr("COALESCE(sent_at, ?)", utc(at)))
	return affectedOne(res.Error, res.RowsAffected, "org event")
}

// MarkNotificationFailed counts a failed attempt with its reason.
func (d *DB) MarkNotificationFailed(ctx context.Context, id string, reason string) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if len(reason) > 500 {
		reason = reason[:500]
	}
	res := d.db(ctx).Model(&orgEventRow{}).Where("id = ?", id).Updates(map[string]any{
		"attempts": gorm.Expr("attempts + 1"), "last_error": reason,
	})
	return affectedOne(res.Error, res.RowsAffected, "org event")
}
