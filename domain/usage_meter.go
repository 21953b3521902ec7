package domain

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Usage metering: the product reports usage events (sessions, events,
// enrichments, storage bytes, data transfer bytes), each with its own id,
// and Tally keeps per-period totals per org and per member against the
// plan's limits.
//
// Periods follow the monthly reset of the org's plan: the live paid
// subscription's anchor (monthly also on annual plans), or for an org on
// the Free plan its creation time, the anchor of the Free plan's monthly
// credits (freecredits.go). An event counts in the period containing its
// time. Accepted times run from the start of the previous period (late
// events of the period just ended still count there) to UsageClockSkew past
// now.

// UsageMetric names what a usage event measures.
type UsageMetric string

// Usage metrics, one per limit of a plan (UsageLimits).
const (
	// MetricSessions counts sessions started.
	MetricSessions UsageMetric = "SESSIONS"
	// MetricEvents counts product events.
	MetricEvents UsageMetric = "EVENTS"
	// MetricEnrichments counts enrichments.
	MetricEnrichments UsageMetric = "ENRICHMENTS"
	// MetricStorageBytes is a gauge: the bytes stored, as of the latest
	// event's time.
	MetricStorageBytes UsageMetric = "STORAGE_BYTES"
	// MetricDataTransferBytes counts bytes transferred. Its limit is the
	// plan's plus what the period's extra credits add (extratransfer.go).
	MetricDataTransferBytes UsageMetric = "DATA_TRANSFER_BYTES"
)

// UsageMetrics lists the metrics in display order.
var UsageMetrics = []UsageMetric{MetricSessions, MetricEvents, MetricEnrichments, MetricStorageBytes, MetricDataTransferBytes}

// usageMetricNames is "SESSIONS, EVENTS, …" for error messages.
var usageMetricNames = func() string {
	names := make([]string, len(UsageMetrics))
	for i, m := range UsageMetrics {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}()

// Valid reports whether m is a known metric.
func (m UsageMetric) Valid() bool { return slices.Contains(UsageMetrics, m) }

// Gauge reports whether the metric holds the latest value instead of a sum.
func (m UsageMetric) Gauge() bool { return m == MetricStorageBytes }

// LimitOf returns the plan's limit of metric m (0: unlimited).
func (l UsageLimits) LimitOf(m UsageMetric) int64 {
	switch m {
	case MetricSessions:
		return l.Sessions
	case MetricEvents:
		return l.Events
	case MetricEnrichments:
		return l.Enrichments
	case MetricStorageBytes:
		return l.StorageBytes
	case MetricDataTransferBytes:
		return l.DataTransferBytes
	}
	return 0
}

// OverLimitAction is what a plan does with usage past a limit.
type OverLimitAction string

// Over-limit actions.
const (
	// OverLimitFlag accepts events past the limit and marks them (the
	// default).
	OverLimitFlag OverLimitAction = "FLAG"
	// OverLimitRefuse refuses events that would pass the limit with
	// USAGE_LIMIT_EXCEEDED until the period resets or the plan changes.
	OverLimitRefuse OverLimitAction = "REFUSE"
)

// UsageLevel says how close a total is to its limit.
type UsageLevel string

// Usage levels (thresholds in UsageConfig).
const (
	UsageOK       UsageLevel = "OK"
	UsageWarning  UsageLevel = "WARNING"
	UsageExceeded UsageLevel = "EXCEEDED"
)

// rank orders levels.
func (l UsageLevel) rank() int {
	switch l {
	case UsageWarning:
		return 1
	case UsageExceeded:
		return 2
	}
	return 0
}

// UsageConfig holds the usage metering numbers.
type UsageConfig struct {
	// WarningAt is the fraction of a limit from which a total is WARNING
	// (default 0.8).
	WarningAt float64
	// ExceededAt is the fraction from which it is EXCEEDED (default 1.0).
	ExceededAt float64
	// BatchMax is the most events one IngestUsage call takes (default
	// 1000).
	BatchMax int
}

// Bounds of usage events.
const (
	// MaxUsageEventIDLen is the longest event id, in characters.
	MaxUsageEventIDLen = 128
	// MaxUsageQuantity bounds a counter event's quantity.
	MaxUsageQuantity int64 = 1 << 40
	// MaxUsageGauge bounds a gauge event's value (8 PiB of storage).
	MaxUsageGauge int64 = 1 << 53
	// MaxUsageTotal bounds a period's total; an event past it is refused.
	MaxUsageTotal int64 = 1 << 62
	// UsageClockSkew is how far in the future an event's time may be.
	UsageClockSkew = 5 * time.Minute
)

// UsageEvent is one usage report.
type UsageEvent struct {
	// ID identifies the event within its org (1 to 128 characters): an
	// event reported twice counts once.
	ID       string
	Metric   UsageMetric
	Quantity int64
	// Time is when the usage happened; zero means now.
	Time time.Time
	// MemberID is the user the usage belongs to, a member of the org; ""
	// for the org as a whole.
	MemberID string
}

// UsageOutcome is what happened to one reported event.
type UsageOutcome string

// Outcomes of a reported event.
const (
	// UsageAccepted: counted now (OverLimit says whether past the limit).
	UsageAccepted UsageOutcome = "ACCEPTED"
	// UsageDuplicate: an event with this id was counted before (or earlier
	// in the batch); nothing changed.
	UsageDuplicate UsageOutcome = "DUPLICATE"
	// UsageRefused: valid but refused (Code USAGE_LIMIT_EXCEEDED, or
	// INVALID_INPUT for a total that would overflow); nothing changed.
	UsageRefused UsageOutcome = "REFUSED"
	// UsageInvalid: malformed (Code INVALID_INPUT, Field and Reason say
	// what); nothing changed.
	UsageInvalid UsageOutcome = "INVALID"
)

// UsageEventResult is the outcome of one event, in the batch's order.
type UsageEventResult struct {
	ID      string
	Outcome UsageOutcome
	// Code, Field and Reason explain REFUSED and INVALID.
	Code   Code
	Field  string
	Reason string
	// OverLimit: accepted past the plan's limit (FLAG plans).
	OverLimit   bool
	PeriodStart time.Time
}

// UsageRecord is an accepted event as stored.
type UsageRecord struct {
	ID          string
	Metric      UsageMetric
	Quantity    int64
	Time        time.Time
	MemberID    string
	PeriodStart time.Time
	ReceivedAt  time.Time
}

// UsagePeriod is one metering period, [Start, End).
type UsagePeriod struct {
	Start, End time.Time
}

// UsageTotal is a metric's total in one period, org-wide (MemberID "") or
// of one member. As a delta given to AddUsageTotals, Quantity is added
// (counters) or replaces the stored value when LastEventAt is not older
// (gauge).
type UsageTotal struct {
	Metric          UsageMetric
	PeriodStart     time.Time
	PeriodEnd       time.Time
	MemberID        string
	Quantity        int64
	LastEventAt     time.Time // gauge: time of the value's event
	OverLimitEvents int64
}

// UsageStore keeps usage events and per-period totals.
type UsageStore interface {
	// LockUsageTotals makes sure the org-wide totals of the given metric
	// periods exist (zero when new) and, inside InTx, locks them until the
	// transaction ends, in one sorted order; it returns them.
	LockUsageTotals(ctx context.Context, orgID string, keys []UsageTotal) ([]UsageTotal, error)
	// InsertUsageEvents inserts the events whose (org, id) is not stored
	// yet and returns the ids it inserted.
	InsertUsageEvents(ctx context.Context, orgID string, evs []UsageRecord) ([]string, error)
	// DeleteUsageEvents deletes events inserted in this transaction.
	DeleteUsageEvents(ctx context.Context, orgID string, ids []string) error
	// AddUsageTotals applies deltas (see UsageTotal) in one sorted order.
	AddUsageTotals(ctx context.Context, orgID string, deltas []UsageTotal) error
	// UsageTotals returns the totals of one period starting at start:
	// org-wide when memberID is "", else that member's.
	UsageTotals(ctx context.Context, orgID string, start time.Time, memberID string) ([]UsageTotal, error)
	// UsagePeriods lists up to limit periods with stored totals, newest
	// first.
	UsagePeriods(ctx context.Context, orgID string, limit int) ([]UsagePeriod, error)
	// UsageMembers returns which of userIDs are members of the org.
	UsageMembers(ctx context.Context, orgID string, userIDs []string) ([]string, error)
}

// usagePeriodOf returns the monthly period of anchor containing t.
func usagePeriodOf(anchor, t time.Time) UsagePeriod {
	n := (t.Year()-anchor.Year())*12 + int(t.Month()) - int(anchor.Month())
	for AddMonths(anchor, n).After(t) {
		n--
	}
	for !AddMonths(anchor, n+1).After(t) {
		n++
	}
	// Stored times keep microseconds.
	return UsagePeriod{Start: AddMonths(anchor, n).UTC().Truncate(time.Microsecond),
		End: AddMonths(anchor, n+1).UTC().Truncate(time.Microsecond)}
}

// usagePlan is what metering needs to know of an org's plan.
type usagePlan struct {
	anchor time.Time
	limits UsageLimits
	// extra is what extra credits add to data transfer (extratransfer.go).
	extra  ExtraCreditsAllowance
	action OverLimitAction
	org    Org
}

// usagePlanOf returns the org's metering anchor, limits and over-limit
// action: its live paid subscription's plan, else the Free plan.
func (s *Service) usagePlanOf(ctx context.Context, orgID string) (usagePlan, error) {
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return usagePlan{}, err
	}
	up := usagePlan{anchor: org.CreatedAt, action: OverLimitFlag, org: org}
	sub, err := s.store.LiveSubscription(ctx, orgID)
	if err != nil && !IsCode(err, CodeNotFound) {
		return usagePlan{}, err
	}
	if err == nil && sub.Status != SubIncomplete {
		p, err := s.store.PlanByID(ctx, sub.PlanID)
		if err != nil {
			return usagePlan{}, err
		}
		up.anchor, up.limits, up.extra = sub.Anchor, p.Limits, p.ExtraCredits
		if p.OverLimit != "" {
			up.action = p.OverLimit
		}
		return up, nil
	}
	plans, err := s.store.ListPlans(ctx)
	if err != nil {
		return usagePlan{}, err
	}
	if p, ok := FreePlan(plans, org.Currency); ok {
		up.limits, up.extra = p.Limits, p.ExtraCredits
		if p.OverLimit != "" {
			up.action = p.OverLimit
		}
	}
	return up, nil
}

// usageLevel returns the level of quantity against limit (0: unlimited).
func (c UsageConfig) level(quantity, limit int64) UsageLevel {
	if limit <= 0 {
		return UsageOK
	}
	f := float64(quantity) / float64(limit)
	switch {
	case f >= c.ExceededAt:
		return UsageExceeded
	case f >= c.WarningAt:
		return UsageWarning
	}
	return UsageOK
}

// usageKey identifies an org-wide total within a batch.
type usageKey struct {
	metric UsageMetric
	start  int64
}

// checkUsageEvent validates one event at now; the result's Outcome is
// INVALID when it is not, else empty.
func checkUsageEvent(ev *UsageEvent, now time.Time, earliest time.Time) UsageEventResult {
	bad := func(field, format string, args ...any) UsageEventResult {
		return UsageEventResult{ID: ev.ID, Outcome: UsageInvalid, Code: CodeInvalidInput, Field: field,
			Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case ev.ID == "" || strings.TrimSpace(ev.ID) == "":
		return bad("id", "an event id is required")
	case !utf8.ValidString(ev.ID) || utf8.RuneCountInString(ev.ID) > MaxUsageEventIDLen:
		return bad("id", "an event id is 1 to %d characters of valid UTF-8", MaxUsageEventIDLen)
	case !ev.Metric.Valid():
		return bad("metric", "unknown metric %q; one of %s", string(ev.Metric), usageMetricNames)
	case ev.Metric.Gauge() && (ev.Quantity < 0 || ev.Quantity > MaxUsageGauge):
		return bad("quantity", "a %s value is 0 to %d", ev.Metric, MaxUsageGauge)
	case !ev.Metric.Gauge() && (ev.Quantity < 1 || ev.Quantity > MaxUsageQuantity):
		return bad("quantity", "a %s quantity is 1 to %d", ev.Metric, MaxUsageQuantity)
	}
	if ev.Time.IsZero() {
		ev.Time = now
	}
	ev.Time = ev.Time.UTC()
	switch {
	case ev.Time.After(now.Add(UsageClockSkew)):
		return bad("time", "the event's time %s is in the future", ev.Time.Format(time.RFC3339))
	case ev.Time.Before(earliest):
		return bad("time", "the event's time %s is before the previous period (from %s); it can no longer be counted",
			ev.Time.Format(time.RFC3339), earliest.Format(time.RFC3339))
	}
	return UsageEventResult{}
}

// IngestUsage records a batch of usage events of org orgID in one
// transaction and returns one result per event, in order. Malformed events
// are INVALID and events already counted (a retried batch) DUPLICATE, and
// neither changes anything; the rest count in their period's totals, org
// wide and for their member. Past a limit, a REFUSE plan refuses the
// events that would pass it (USAGE_LIMIT_EXCEEDED) and a FLAG plan accepts
// them marked OverLimit. A total crossing the warning level or its limit
// records a USAGE_THRESHOLD_CROSSED org event, once per level, metric and
// period. API keys of the org and its OWNER and ADMIN members may report.
// Errors (UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_INPUT for an
// empty or too large batch, ORG_SUSPENDED for a closed org, INTERNAL) mean
// nothing was recorded.
func (s *Service) IngestUsage(ctx context.Context, orgID string, events []UsageEvent) ([]UsageEventResult, error) {
	if _, err := s.authorize(ctx, orgID, ActionReportUsage); err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, InvalidInput("events", "at least one event is required")
	}
	if len(events) > s.cfg.Usage.BatchMax {
		return nil, InvalidInput("events", "at most %d events per batch", s.cfg.Usage.BatchMax)
	}
	up, err := s.usagePlanOf(ctx, orgID)
	if err != nil {
		return nil, asDomainError(err)
	}
	if up.org.Status == OrgClosed || up.org.DeletedAt != nil {
		return nil, NotFound("org")
	}
	now := s.clock.Now().UTC()
	cur := usagePeriodOf(up.anchor, now)
	earliest := usagePeriodOf(up.anchor, cur.Start.Add(-time.Nanosecond)).Start

	evs := slices.Clone(events)
	results := make([]UsageEventResult, len(evs))
	seen := make(map[string]bool, len(evs))
	var members []string
	for i := range evs {
		if r := checkUsageEvent(&evs[i], now, earliest); r.Outcome != "" {
			results[i] = r
			continue
		}
		if seen[evs[i].ID] {
			results[i] = UsageEventResult{ID: evs[i].ID, Outcome: UsageDuplicate}
			continue
		}
		seen[evs[i].ID] = true
		if m := evs[i].MemberID; m != "" && !slices.Contains(members, m) {
			members = append(members, m)
		}
	}
	// Members are checked in one read; an unknown one makes its events
	// INVALID.
	if len(members) > 0 {
		var ids []string
		for _, m := range members {
			if ValidID(m) {
				ids = append(ids, m)
			}
		}
		var valid []string
		if len(ids) > 0 {
			if valid, err = s.store.UsageMembers(ctx, orgID, ids); err != nil {
				return nil, asDomainError(err)
			}
		}
		for i := range evs {
			if results[i].Outcome == "" && evs[i].MemberID != "" && !slices.Contains(valid, evs[i].MemberID) {
				results[i] = UsageEventResult{ID: evs[i].ID, Outcome: UsageInvalid, Code: CodeInvalidInput, Field: "member",
					Reason: "the member is not a member of this org"}
				delete(seen, evs[i].ID)
			}
		}
	}

	var recorded bool
	err = s.store.InTx(ctx, func(tx Store) error {
		recorded = false
		return s.ingestTx(ctx, tx, orgID, up, now, evs, results, &recorded)
	})
	if err != nil {
		return nil, asDomainError(err)
	}
	if recorded {
		s.publishOrgEvent(ctx, orgID)
	}
	return results, nil
}

// ingestTx counts the valid events of a batch (results[i].Outcome still
// empty) inside tx and fills in their results.
func (s *Service) ingestTx(ctx context.Context, tx Store, orgID string, up usagePlan, now time.Time,
	evs []UsageEvent, results []UsageEventResult, recorded *bool) error {
	// The org-wide totals the batch touches, locked in one sorted order:
	// concurrent batches of one org and metric period take turns here.
	periods := map[int64]UsagePeriod{}
	var keys []UsageTotal
	keyOf := map[usageKey]bool{}
	var records []UsageRecord
	idx := map[string]int{}
	for i := range evs {
		if results[i].Outcome != "" {
			continue
		}
		p := usagePeriodOf(up.anchor, evs[i].Time)
		periods[p.Start.UnixNano()] = p
		k := usageKey{evs[i].Metric, p.Start.UnixNano()}
		if !keyOf[k] {
			keyOf[k] = true
			keys = append(keys, UsageTotal{Metric: evs[i].Metric, PeriodStart: p.Start, PeriodEnd: p.End})
		}
		records = append(records, UsageRecord{ID: evs[i].ID, Metric: evs[i].Metric, Quantity: evs[i].Quantity,
			Time: evs[i].Time, MemberID: evs[i].MemberID, PeriodStart: p.Start, ReceivedAt: now})
		idx[evs[i].ID] = i
		results[i].ID, results[i].PeriodStart = evs[i].ID, p.Start
	}
	if len(records) == 0 {
		return nil
	}
	// The data-transfer limit of each period it is reported in includes
	// what that period's extra credits add (one read per period).
	extraBytes := map[int64]int64{}
	for _, k := range keys {
		if k.Metric != MetricDataTransferBytes || up.limits.DataTransferBytes <= 0 {
			continue
		}
		_, b, err := extraTransfer(ctx, tx, orgID, up, periods[k.PeriodStart.UnixNano()])
		if err != nil {
			return err
		}
		extraBytes[k.PeriodStart.UnixNano()] = b
	}
	limitOf := func(m UsageMetric, start time.Time) int64 {
		return up.limits.limitWith(m, extraBytes[start.UnixNano()])
	}
	locked, err := tx.LockUsageTotals(ctx, orgID, keys)
	if err != nil {
		return err
	}
	before := map[usageKey]UsageTotal{}
	for _, t := range locked {
		before[usageKey{t.Metric, t.PeriodStart.UnixNano()}] = t
	}
	inserted, err := tx.InsertUsageEvents(ctx, orgID, records)
	if err != nil {
		return err
	}
	isNew := make(map[string]bool, len(inserted))
	for _, id := range inserted {
		isNew[id] = true
	}
	// Decide in the batch's order against running org-wide totals.
	running := map[usageKey]UsageTotal{}
	for k, t := range before {
		running[k] = t
	}
	type mkey struct {
		usageKey
		member string
	}
	deltas := map[mkey]UsageTotal{}
	var refused []string
	for _, r := range records {
		i := idx[r.ID]
		if !isNew[r.ID] {
			results[i].Outcome = UsageDuplicate
			continue
		}
		k := usageKey{r.Metric, r.PeriodStart.UnixNano()}
		t := running[k]
		limit := limitOf(r.Metric, r.PeriodStart)
		next := t.Quantity + r.Quantity
		newer := !r.Time.Before(t.LastEventAt)
		if r.Metric.Gauge() {
			next = t.Quantity
			if newer {
				next = r.Quantity
			}
		}
		over := limit > 0 && (next > limit || (r.Metric.Gauge() && r.Quantity > limit))
		switch {
		case next > MaxUsageTotal:
			results[i] = UsageEventResult{ID: r.ID, Outcome: UsageRefused, Code: CodeInvalidInput, Field: "quantity",
				Reason: "the period's total would pass its largest value", PeriodStart: r.PeriodStart}
			refused = append(refused, r.ID)
			continue
		case over && up.action == OverLimitRefuse:
			results[i] = UsageEventResult{ID: r.ID, Outcome: UsageRefused, Code: CodeUsageLimitExceeded,
				Reason: fmt.Sprintf("the plan's %s limit of %d for this period would be passed; further %s are refused until the period resets or the plan changes",
					r.Metric, limit, r.Metric), PeriodStart: r.PeriodStart}
			refused = append(refused, r.ID)
			continue
		}
		results[i].Outcome, results[i].OverLimit = UsageAccepted, over
		var flagged int64
		if over {
			flagged = 1
		}
		t.Quantity, t.OverLimitEvents = next, t.OverLimitEvents+flagged
		if r.Metric.Gauge() && newer {
			t.LastEventAt = r.Time
		}
		running[k] = t
		p := periods[k.start]
		add := func(m string) {
			mk := mkey{k, m}
			d, ok := deltas[mk]
			if !ok {
				d = UsageTotal{Metric: r.Metric, PeriodStart: p.Start, PeriodEnd: p.End, MemberID: m}
			}
			if r.Metric.Gauge() {
				if !r.Time.Before(d.LastEventAt) {
					d.Quantity, d.LastEventAt = r.Quantity, r.Time
				}
			} else {
				d.Quantity += r.Quantity
			}
			d.OverLimitEvents += flagged
			deltas[mk] = d
		}
		add("")
		if r.MemberID != "" {
			add(r.MemberID)
		}
	}
	if len(refused) > 0 {
		if err := tx.DeleteUsageEvents(ctx, orgID, refused); err != nil {
			return err
		}
	}
	if len(deltas) == 0 {
		return nil
	}
	out := make([]UsageTotal, 0, len(deltas))
	for _, d := range deltas {
		out = append(out, d)
	}
	if err := tx.AddUsageTotals(ctx, orgID, out); err != nil {
		return err
	}
	// Crossings of the org-wide totals, once per level (the event's key).
	for _, k := range keys {
		uk := usageKey{k.Metric, k.PeriodStart.UnixNano()}
		limit := limitOf(k.Metric, k.PeriodStart)
		from := s.cfg.Usage.level(before[uk].Quantity, limit)
		after := running[uk]
		to := s.cfg.Usage.level(after.Quantity, limit)
		for _, lv := range []UsageLevel{UsageWarning, UsageExceeded} {
			if from.rank() >= lv.rank() || to.rank() < lv.rank() {
				continue
			}
			key := "usage:" + orgID + ":" + string(k.Metric) + ":" + k.PeriodStart.Format(time.RFC3339) + ":" + string(lv)
			detail := map[string]string{
				"metric": string(k.Metric), "level": string(lv),
				"quantity": strconv.FormatInt(after.Quantity, 10), "limit": strconv.FormatInt(limit, 10),
				"periodStart": k.PeriodStart.Format(time.RFC3339), "periodEnd": k.PeriodEnd.Format(time.DateOnly),
				"action": string(up.action),
			}
			if err := s.recordEventTx(ctx, tx, orgID, OrgEventUsageThreshold, key, detail, now); err != nil {
				return err
			}
			*recorded = true
		}
	}
	return nil
}
