package db

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// Usage metering storage: usage_events deduplicates events by (org, id),
// usage_totals holds per-period totals per (org, metric, period start,
// member). Ingest writes with multi-row statements, every statement
// touching its rows in one sorted order, so concurrent overlapping batches
// queue on each other instead of deadlocking. On SQLite the transaction
// holds the write lock (writelock.go), which serializes batches anyway.

// usageChunk bounds the rows of one multi-row statement (bind parameters:
// PostgreSQL allows 65,535, SQLite 32,766).
const usageChunk = 1000

// usageTotalRow is a row of usage_totals.
type usageTotalRow struct {
	Metric          string
	PeriodStart     time.Time
	PeriodEnd       time.Time
	MemberID        string
	Quantity        int64
	LastEventNs     int64
	OverLimitEvents int64
}

func toDomainUsageTotal(r usageTotalRow) domain.UsageTotal {
	t := domain.UsageTotal{
		Metric: domain.UsageMetric(r.Metric), PeriodStart: r.PeriodStart.UTC(), PeriodEnd: r.PeriodEnd.UTC(),
		MemberID: r.MemberID, Quantity: r.Quantity, OverLimitEvents: r.OverLimitEvents,
	}
	if r.LastEventNs != 0 {
		t.LastEventAt = time.Unix(0, r.LastEventNs).UTC()
	}
	return t
}

// lastNs is a gauge time as stored (0 for none).
func lastNs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// sortTotals orders totals the way every statement touches them.
func sortTotals(ts []domain.UsageTotal) {
	slices.SortFunc(ts, func(a, b domain.UsageTotal) int {
		return cmp.Or(strings.Compare(string(a.Metric), string(b.Metric)), a.PeriodStart.Compare(b.PeriodStart),
			strings.Compare(a.MemberID, b.MemberID))
	})
}

// values returns "(?, …), (?, …)" for n rows of cols columns.
func values(n, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// LockUsageTotals implements domain.UsageStore: an upsert that changes
// nothing locks existing rows (FOR UPDATE's lock) and inserts missing ones.
func (d *DB) LockUsageTotals(ctx context.Context, orgID string, keys []domain.UsageTotal) ([]domain.UsageTotal, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	keys = slices.Clone(keys)
	for i := range keys {
		keys[i].MemberID = ""
	}
	sortTotals(keys)
	var out []domain.UsageTotal
	for c := range slices.Chunk(keys, usageChunk) {
		args := make([]any, 0, len(c)*6)
		for _, k := range c {
			args = append(args, orgID, string(k.Metric), utc(k.PeriodStart), "", utc(k.PeriodEnd), 0)
		}
		var rows []usageTotalRow
		err := d.db(ctx).Raw(`INSERT INTO usage_totals (org_id, metric, period_start, member_id, period_end, quantity) VALUES `+
			values(len(c), 6)+`
			ON CONFLICT (org_id, metric, period_start, member_id) DO UPDATE SET quantity = usage_totals.quantity
			RETURNING metric, period_start, period_end, member_id, quantity, last_event_ns, over_limit_events`, args...).
			Scan(&rows).Error
		if err != nil {
			return nil, mapErr(err, "usage total")
		}
		for _, r := range rows {
			out = append(out, toDomainUsageTotal(r))
		}
	}
	return out, nil
}

// InsertUsageEvents implements domain.UsageStore.
func (d *DB) InsertUsageEvents(ctx context.Context, orgID string, evs []domain.UsageRecord) ([]string, error) {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	evs = slices.Clone(evs)
	slices.SortFunc(evs, func(a, b domain.UsageRecord) int { return strings.Compare(a.ID, b.ID) })
	var out []string
	for c := range slices.Chunk(evs, usageChunk) {
		args := make([]any, 0, len(c)*8)
		for _, e := range c {
			args = append(args, orgID, e.ID, string(e.Metric), e.Quantity, utc(e.Time), e.MemberID,
				utc(e.PeriodStart), utc(e.ReceivedAt))
		}
		var ids []string
		err := d.db(ctx).Raw(`INSERT INTO usage_events (org_id, id, metric, quantity, event_time, member_id, period_start, received_at) VALUES `+
			values(len(c), 8)+` ON CONFLICT (org_id, id) DO NOTHING RETURNING id`, args...).Scan(&ids).Error
		if err != nil {
			return nil, mapErr(err, "usage event")
		}
		out = append(out, ids...)
	}
	return out, nil
}

// DeleteUsageEvents implements domain.UsageStore.
func (d *DB) DeleteUsageEvents(ctx context.Context, orgID string, ids []string) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	for c := range slices.Chunk(ids, usageChunk) {
		if err := d.db(ctx).Exec(`DELETE FROM usage_events WHERE org_id = ? AND id IN ?`, orgID, c).Error; err != nil {
			return mapErr(err, "usage event")
		}
	}
	return nil
}

// AddUsageTotals implements domain.UsageStore: counters add, the gauge
// keeps the value of the later event.
func (d *DB) AddUsageTotals(ctx context.Context, orgID string, deltas []domain.UsageTotal) error {
	unlock, err := d.lockWrites(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	deltas = slices.Clone(deltas)
	sortTotals(deltas)
	for c := range slices.Chunk(deltas, usageChunk) {
		args := make([]any, 0, len(c)*8)
		for _, t := range c {
			args = append(args, orgID, string(t.Metric), utc(t.PeriodStart), t.MemberID, utc(t.PeriodEnd),
				t.Quantity, lastNs(t.LastEventAt), t.OverLimitEvents)
		}
		err := d.db(ctx).Exec(`INSERT INTO usage_totals (org_id, metric, period_start, member_id, period_end,
				quantity, last_event_ns, over_limit_events) VALUES `+values(len(c), 8)+`
			ON CONFLICT (org_id, metric, period_start, member_id) DO UPDATE SET
				quantity = CASE
					WHEN usage_totals.metric <> 'STORAGE_BYTES' THEN usage_totals.quantity + excluded.quantity
					WHEN excluded.last_event_ns >= usage_totals.last_event_ns THEN excluded.quantity
					ELSE usage_totals.quantity END,
				last_event_ns = CASE WHEN excluded.last_event_ns > usage_totals.last_event_ns
					THEN excluded.last_event_ns ELSE usage_totals.last_event_ns END,
				over_limit_events = usage_totals.over_limit_events + excluded.over_limit_events`, args...).Error
		if err != nil {
			return mapErr(err, "usage total")
		}
	}
	return nil
}

// UsageTotals implements domain.UsageStore.
func (d *DB) UsageTotals(ctx context.Context, orgID string, start time.Time, memberID string) ([]domain.UsageTotal, error) {
	var rows []usageTotalRow
	err := d.db(ctx).Raw(`SELECT metric, period_start, period_end, member_id, quantity, last_event_ns, over_limit_events
		FROM usage_totals WHERE org_id = ? AND period_start = ? AND member_id = ? ORDER BY metric`,
		orgID, utc(start), memberID).Scan(&rows).Error
	if err != nil {
		return nil, mapErr(err, "usage total")
	}
	out := make([]domain.UsageTotal, len(rows))
	for i, r := range rows {
		out[i] = toDomainUsageTotal(r)
	}
	return out, nil
}

// UsagePeriods implements domain.UsageStore.
func (d *DB) UsagePeriods(ctx context.Context, orgID string, limit int) ([]domain.UsagePeriod, error) {
	var rows []struct {
		PeriodStart time.Time
		PeriodEnd   time.Time
	}
	err := d.db(ctx).Raw(`SELECT DISTINCT period_start, period_end FROM usage_totals
		WHERE org_id = ? AND member_id = '' AND (quantity > 0 OR last_event_ns > 0)
		ORDER BY period_start DESC LIMIT ?`, orgID, limit).Scan(&rows).Error
	if err != nil {
		return nil, mapErr(err, "usage period")
	}
	out := make([]domain.UsagePeriod, len(rows))
	for i, r := range rows {
		out[i] = domain.UsagePeriod{Start: r.PeriodStart.UTC(), End: r.PeriodEnd.UTC()}
	}
	return out, nil
}

// UsageMembers implements domain.UsageStore.
func (d *DB) UsageMembers(ctx context.Context, orgID string, userIDs []string) ([]string, error) {
	var out []string
	err := d.db(ctx).Raw(`SELECT user_id FROM memberships WHERE org_id = ? AND user_id IN ?`, orgID, userIDs).
		Scan(&out).Error
	return out, mapErr(err, "member")
}
