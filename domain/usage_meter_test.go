package domain_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// usageFixture is a fixture whose org is on a Free plan with the given
// limits and over-limit action, and an API key of the org.
type usageFixture struct {
	*fixture
	key context.Context
}

func newUsageFixture(t *testing.T, st domain.Store, d *db.DB, limits domain.UsageLimits, action domain.OverLimitAction) *usageFixture {
	t.Helper()
	if _, err := d.UpsertPlan(context.Background(), domain.Plan{
		Code: "free-monthly", Name: "Free", Interval: domain.Monthly,
		Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 0}}, Limits: limits, OverLimit: action,
		Seats: 5, Active: true, UpdatedAt: t0,
	}); err != nil {
		t.Fatal(err)
	}
	f := newFixtureStore(t, st, domain.Config{SignupGrantDisabled: true})
	return &usageFixture{fixture: f, key: keyCtx(t, f.svc, f.owner, f.org.ID)}
}

// usageOf returns the caller's usage of metric m at the clock's now (or at).
func (f *usageFixture) usageOf(t *testing.T, ctx context.Context, m domain.UsageMetric, q domain.UsageQuery) domain.MetricUsage {
	t.Helper()
	u, err := f.svc.Usage(ctx, f.org.ID, q)
	if err != nil {
		t.Fatalf("Usage: %v", err)
	}
	for _, mu := range u.Metrics {
		if mu.Metric == m {
			return mu
		}
	}
	t.Fatalf("no %s in %+v", m, u.Metrics)
	return domain.MetricUsage{}
}

// thresholdEvents returns the org's USAGE_THRESHOLD_CROSSED events.
func (f *usageFixture) thresholdEvents(t *testing.T) []domain.OrgEvent {
	t.Helper()
	c, err := f.svc.OrgHistory(f.owner, f.org.ID, domain.Page{First: domain.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	var out []domain.OrgEvent
	for _, e := range c.Edges {
		if e.Node.Kind == domain.OrgEventUsageThreshold {
			out = append(out, e.Node)
		}
	}
	return out
}

func usageEv(id string, m domain.UsageMetric, q int64) domain.UsageEvent {
	return domain.UsageEvent{ID: id, Metric: m, Quantity: q}
}

// TestUsageConcurrentRetriedBatchesCountOnce: many goroutines send
// overlapping batches (each event in several batches, batches retried)
// concurrently; every event counts exactly once, org-wide and per member,
// and the gauge holds the value of the latest event.
func TestUsageConcurrentRetriedBatchesCountOnce(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newUsageFixture(t, d, d, domain.UsageLimits{}, domain.OverLimitFlag)
		_, mia := f.join(t, "mia", domain.RoleMember)
		const n = 400
		pool := make([]domain.UsageEvent, n)
		var wantOrg, wantMia int64
		for i := range pool {
			pool[i] = usageEv(fmt.Sprintf("e-%03d", i), domain.MetricEvents, int64(i%7+1))
			pool[i].Time = t0.Add(time.Duration(i) * time.Second)
			wantOrg += pool[i].Quantity
			if i%3 == 0 {
				pool[i].MemberID = mia
				wantMia += pool[i].Quantity
			}
		}
		// The gauge: its latest event (by time) carries 777.
		gauge := []domain.UsageEvent{
			{ID: "g-1", Metric: domain.MetricStorageBytes, Quantity: 100, Time: t0.Add(time.Minute)},
			{ID: "g-2", Metric: domain.MetricStorageBytes, Quantity: 777, Time: t0.Add(3 * time.Minute)},
			{ID: "g-3", Metric: domain.MetricStorageBytes, Quantity: 500, Time: t0.Add(2 * time.Minute)},
		}
		pool = append(pool, gauge...)
		f.clock.Set(t0.Add(time.Hour))

		const workers, batches = 8, 12
		var accepted atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers*batches)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				for b := range batches {
					// A window of the pool, shuffled: neighbouring batches
					// overlap, and every event is in some batch (worker 0
					// covers the pool in order).
					start := (b*len(pool)/batches + w*13) % len(pool)
					if w == 0 {
						start = b * len(pool) / batches
					}
					size := len(pool)/batches + 40
					var batch []domain.UsageEvent
					for i := range size {
						batch = append(batch, pool[(start+i)%len(pool)])
					}
					rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
					for try := range 2 { // each batch is retried once
						rs, err := f.svc.IngestUsage(f.key, f.org.ID, batch)
						if err != nil {
							errs <- err
							return
						}
						for i, r := range rs {
							switch {
							case r.Outcome == domain.UsageAccepted && try == 0:
								accepted.Add(1)
							case r.Outcome == domain.UsageAccepted:
								errs <- fmt.Errorf("retry accepted %s again", batch[i].ID)
							case r.Outcome != domain.UsageDuplicate:
								errs <- fmt.Errorf("event %s: %+v", batch[i].ID, r)
							}
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if got := accepted.Load(); got != int64(len(pool)) {
			t.Errorf("accepted %d events, want each of %d once", got, len(pool))
		}
		if got := f.usageOf(t, f.owner, domain.MetricEvents, domain.UsageQuery{}).Quantity; got != wantOrg {
			t.Errorf("org-wide EVENTS %d, want %d", got, wantOrg)
		}
		if got := f.usageOf(t, f.owner, domain.MetricEvents, domain.UsageQuery{MemberID: mia}).Quantity; got != wantMia {
			t.Errorf("mia's EVENTS %d, want %d", got, wantMia)
		}
		if got := f.usageOf(t, f.owner, domain.MetricStorageBytes, domain.UsageQuery{}).Quantity; got != 777 {
			t.Errorf("STORAGE_BYTES %d, want the latest event's 777", got)
		}
	})
}

// TestUsageLimitsAndLevels: levels by fraction of the limit, FLAG accepts
// and marks events past it, REFUSE refuses them with USAGE_LIMIT_EXCEEDED
// and changes nothing; crossing WARNING and EXCEEDED records one event each.
func TestUsageLimitsAndLevels(t *testing.T) {
	t.Parallel()
	type step = usageStep
	tests := []struct {
		name   string
		action domain.OverLimitAction
		steps  []step
		events []domain.UsageLevel // threshold events recorded, in order
	}{
		{"flag", domain.OverLimitFlag, []step{
			{50, domain.UsageAccepted, false, 50, domain.UsageOK},
			{29, domain.UsageAccepted, false, 79, domain.UsageOK},
			{1, domain.UsageAccepted, false, 80, domain.UsageWarning},
			{20, domain.UsageAccepted, false, 100, domain.UsageExceeded},
			{5, domain.UsageAccepted, true, 105, domain.UsageExceeded},
		}, []domain.UsageLevel{domain.UsageWarning, domain.UsageExceeded}},
		{"refuse", domain.OverLimitRefuse, []step{
			{90, domain.UsageAccepted, false, 90, domain.UsageWarning},
			{11, domain.UsageRefused, false, 90, domain.UsageWarning},
			{10, domain.UsageAccepted, false, 100, domain.UsageExceeded},
			{1, domain.UsageRefused, false, 100, domain.UsageExceeded},
		}, []domain.UsageLevel{domain.UsageWarning, domain.UsageExceeded}},
		{"one jump crosses both", domain.OverLimitFlag, []step{
			{150, domain.UsageAccepted, true, 150, domain.UsageExceeded},
		}, []domain.UsageLevel{domain.UsageWarning, domain.UsageExceeded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbtest.ForEach(t, func(t *testing.T, d *db.DB) { testUsageSteps(t, d, tt.action, tt.steps, tt.events) })
		})
	}
}

// usageStep is one event of TestUsageLimitsAndLevels and what follows.
type usageStep struct {
	q         int64
	outcome   domain.UsageOutcome
	overLimit bool
	total     int64
	level     domain.UsageLevel
}

// testUsageSteps sends one SESSIONS event per step against a limit of
// 100 and checks each outcome, the total and level after it, and the
// threshold events recorded at the end.
func testUsageSteps(t *testing.T, d *db.DB, action domain.OverLimitAction, steps []usageStep, events []domain.UsageLevel) {
	f := newUsageFixture(t, d, d, domain.UsageLimits{Sessions: 100}, action)
	for i, s := range steps {
		rs, err := f.svc.IngestUsage(f.key, f.org.ID, []domain.UsageEvent{usageEv(fmt.Sprint("s", i), domain.MetricSessions, s.q)})
		if err != nil {
			t.Fatal(err)
		}
		r := rs[0]
		if r.Outcome != s.outcome || r.OverLimit != s.overLimit {
			t.Fatalf("step %d: %+v, want %s overLimit %v", i, r, s.outcome, s.overLimit)
		}
		if r.Outcome == domain.UsageRefused && r.Code != domain.CodeUsageLimitExceeded {
			t.Fatalf("step %d: refused with %s", i, r.Code)
		}
		mu := f.usageOf(t, f.owner, domain.MetricSessions, domain.UsageQuery{})
		if mu.Quantity != s.total || mu.Level != s.level || mu.Limit != 100 {
			t.Fatalf("step %d: %+v, want total %d level %s", i, mu, s.total, s.level)
		}
		if mu.OverLimit != (s.total > 100) {
			t.Fatalf("step %d: overLimit %v", i, mu.OverLimit)
		}
	}
	got := f.thresholdEvents(t)
	if len(got) != len(events) {
		t.Fatalf("%d threshold events, want %d: %+v", len(got), len(events), got)
	}
	for i, e := range got { // newest first
		want := events[len(events)-1-i]
		if e.Detail["level"] != string(want) || e.Detail["metric"] != "SESSIONS" || e.Detail["limit"] != "100" ||
			e.Detail["action"] != string(action) || e.Detail["periodEnd"] != "2026-04-01" || !e.Notify {
			t.Errorf("event %d: %+v, want level %s", i, e, want)
		}
	}
}

// TestUsageLevelFractionsAreConfigurable: WARNING and EXCEEDED follow
// the configured fractions.
func TestUsageLevelFractionsAreConfigurable(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	if _, err := d.UpsertPlan(context.Background(), domain.Plan{
		Code: "free-monthly", Name: "Free", Interval: domain.Monthly,
		Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: 0}}, Limits: domain.UsageLimits{Events: 100},
		Seats: 5, Active: true, UpdatedAt: t0,
	}); err != nil {
		t.Fatal(err)
	}
	f := newFixtureStore(t, d, domain.Config{SignupGrantDisabled: true, Usage: domain.UsageConfig{WarningAt: 0.5, ExceededAt: 0.9}})
	key := keyCtx(t, f.svc, f.owner, f.org.ID)
	uf := &usageFixture{fixture: f, key: key}
	for _, tc := range []struct {
		q     int64
		level domain.UsageLevel
	}{{49, domain.UsageOK}, {1, domain.UsageWarning}, {39, domain.UsageWarning}, {1, domain.UsageExceeded}} {
		if _, err := f.svc.IngestUsage(key, f.org.ID, []domain.UsageEvent{usageEv(fmt.Sprint(tc), domain.MetricEvents, tc.q)}); err != nil {
			t.Fatal(err)
		}
		if got := uf.usageOf(t, f.owner, domain.MetricEvents, domain.UsageQuery{}).Level; got != tc.level {
			t.Fatalf("after +%d: level %s, want %s", tc.q, got, tc.level)
		}
	}
}

// TestUsageInvalidEventsChangeNothing: each malformed event gets a coded
// reason and the rest of the batch still counts.
func TestUsageInvalidEventsChangeNothing(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	f := newUsageFixture(t, d, d, domain.UsageLimits{}, domain.OverLimitFlag)
	f.clock.Set(t0.Add(10 * day))
	long := make([]byte, 129)
	for i := range long {
		long[i] = 'x'
	}
	tests := []struct {
		ev    domain.UsageEvent
		field string
	}{
		{usageEv("", domain.MetricEvents, 1), "id"},
		{usageEv(string(long), domain.MetricEvents, 1), "id"},
		{usageEv("bad-metric", "CPU", 1), "metric"},
		{usageEv("zero", domain.MetricEvents, 0), "quantity"},
		{usageEv("negative", domain.MetricEvents, -1), "quantity"},
		{usageEv("huge", domain.MetricEvents, domain.MaxUsageQuantity+1), "quantity"},
		{usageEv("negative-gauge", domain.MetricStorageBytes, -1), "quantity"},
		{usageEv("zero-transfer", domain.MetricDataTransferBytes, 0), "quantity"},
		{usageEv("huge-transfer", domain.MetricDataTransferBytes, domain.MaxUsageQuantity+1), "quantity"},
		{domain.UsageEvent{ID: "future", Metric: domain.MetricEvents, Quantity: 1, Time: t0.Add(10*day + time.Hour)}, "time"},
		{domain.UsageEvent{ID: "ancient", Metric: domain.MetricEvents, Quantity: 1, Time: t0.Add(-40 * day)}, "time"},
		{domain.UsageEvent{ID: "stranger", Metric: domain.MetricEvents, Quantity: 1, MemberID: "0190d9b2-5c4e-7000-8000-000000000000"}, "member"},
		{domain.UsageEvent{ID: "not-an-id", Metric: domain.MetricEvents, Quantity: 1, MemberID: "nobody"}, "member"},
	}
	batch := []domain.UsageEvent{usageEv("good", domain.MetricEvents, 5)}
	for _, tc := range tests {
		batch = append(batch, tc.ev)
	}
	rs, err := f.svc.IngestUsage(f.key, f.org.ID, batch)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Outcome != domain.UsageAccepted {
		t.Fatalf("good event: %+v", rs[0])
	}
	for i, tc := range tests {
		r := rs[i+1]
		if r.Outcome != domain.UsageInvalid || r.Code != domain.CodeInvalidInput || r.Field != tc.field || r.Reason == "" {
			t.Errorf("%q: %+v, want INVALID on %s", tc.ev.ID, r, tc.field)
		}
	}
	if got := f.usageOf(t, f.owner, domain.MetricEvents, domain.UsageQuery{}).Quantity; got != 5 {
		t.Errorf("EVENTS %d, want only the good event's 5", got)
	}
	// Whole-request errors.
	if _, err := f.svc.IngestUsage(f.key, f.org.ID, nil); !domain.IsCode(err, domain.CodeInvalidInput) {
		t.Errorf("empty batch: %v", err)
	}
	if _, err := f.svc.IngestUsage(f.key, f.org.ID, make([]domain.UsageEvent, 1001)); !domain.IsCode(err, domain.CodeInvalidInput) {
		t.Errorf("1001 events: %v", err)
	}
}

// TestUsagePeriodRollOver: periods follow the Free plan's monthly reset
// (anchored at the org's creation); a new period starts at zero, late
// events of the previous period still count there, older ones are
// refused, and past periods stay readable.
func TestUsagePeriodRollOver(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		f := newUsageFixture(t, d, d, domain.UsageLimits{Events: 1000}, domain.OverLimitFlag)
		send := func(id string, q int64, at time.Time) domain.UsageEventResult {
			t.Helper()
			rs, err := f.svc.IngestUsage(f.key, f.org.ID, []domain.UsageEvent{{ID: id, Metric: domain.MetricEvents, Quantity: q, Time: at}})
			if err != nil {
				t.Fatal(err)
			}
			return rs[0]
		}
		march := t0 // the org was created at t0: periods start on the 1st at 12:00
		april := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
		f.clock.Set(march.Add(20 * day))
		send("m1", 300, time.Time{})
		f.clock.Set(april.Add(time.Hour)) // the next period
		if u := f.usageOf(t, f.owner, domain.MetricEvents, domain.UsageQuery{}); u.Quantity != 0 {
			t.Fatalf("new period starts with %d", u.Quantity)
		}
		send("a1", 40, time.Time{})
		if r := send("m-late", 5, april.Add(-time.Hour)); r.Outcome != domain.UsageAccepted || !r.PeriodStart.Equal(march) {
			t.Fatalf("late event of the previous period: %+v", r)
		}
		f.clock.Set(time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC))
		if r := send("too-late", 5, march.Add(time.Hour)); r.Outcome != domain.UsageInvalid || r.Field != "time" {
			t.Fatalf("event two periods back: %+v", r)
		}
		at := march.Add(3 * day)
		u, err := f.svc.Usage(f.owner, f.org.ID, domain.UsageQuery{At: &at})
		if err != nil {
			t.Fatal(err)
		}
		if !u.PeriodStart.Equal(march) || !u.PeriodEnd.Equal(april) || u.Metrics[1].Quantity != 305 {
			t.Fatalf("March: %s–%s %+v", u.PeriodStart, u.PeriodEnd, u.Metrics[1])
		}
		if got := f.usageOf(t, f.owner, domain.MetricEvents, domain.UsageQuery{At: &april}).Quantity; got != 40 {
			t.Fatalf("April: %d", got)
		}
		ps, err := f.svc.UsagePeriods(f.owner, f.org.ID)
		if err != nil || len(ps) != 2 || !ps[0].Start.Equal(april) || !ps[1].Start.Equal(march) {
			t.Fatalf("periods %+v (%v)", ps, err)
		}
	})
}

// TestUsageScopes: who may report and read usage, and what each sees.
func TestUsageScopes(t *testing.T) {
	t.Parallel()
	d := dbtest.SQLite(t)
	f := newUsageFixture(t, d, d, domain.UsageLimits{Sessions: 10}, domain.OverLimitFlag)
	admin, ada := f.join(t, "ada", domain.RoleAdmin)
	billing, _ := f.join(t, "bill", domain.RoleBilling)
	member, mia := f.join(t, "mia", domain.RoleMember)
	report := []struct {
		name string
		ctx  context.Context
		code domain.Code
	}{
		{"API key", f.key, ""},
		{"OWNER", f.owner, ""},
		{"ADMIN", admin, ""},
		{"BILLING", billing, domain.CodeForbidden},
		{"MEMBER", member, domain.CodeForbidden},
		{"anonymous", context.Background(), domain.CodeUnauthenticated},
	}
	for i, tc := range report {
		_, err := f.svc.IngestUsage(tc.ctx, f.org.ID, []domain.UsageEvent{{ID: fmt.Sprint("r", i), Metric: domain.MetricSessions, Quantity: 1, MemberID: mia}})
		if (tc.code == "" && err != nil) || (tc.code != "" && !domain.IsCode(err, tc.code)) {
			t.Errorf("%s reports: %v, want %q", tc.name, err, tc.code)
		}
	}
	// Another org's key sees no org.
	other := newFixtureStore(t, d, domain.Config{SignupGrantDisabled: true})
	otherKey := keyCtx(t, other.svc, other.owner, other.org.ID)
	if _, err := f.svc.IngestUsage(otherKey, f.org.ID, []domain.UsageEvent{usageEv("x", domain.MetricSessions, 1)}); !domain.IsCode(err, domain.CodeNotFound) {
		t.Errorf("another org's key: %v", err)
	}
	if _, err := f.svc.IngestUsage(f.key, f.org.ID, []domain.UsageEvent{{ID: "ada-1", Metric: domain.MetricSessions, Quantity: 4, MemberID: ada}}); err != nil {
		t.Fatal(err)
	}
	// mia has 3, ada 4, the org 7 (of 10: WARNING at 80% is not reached).
	read := []struct {
		name     string
		ctx      context.Context
		q        domain.UsageQuery
		scope    domain.UsageScope
		quantity int64
		code     domain.Code
	}{
		{"OWNER", f.owner, domain.UsageQuery{}, domain.UsageOrg, 7, ""},
		{"BILLING", billing, domain.UsageQuery{}, domain.UsageOrg, 7, ""},
		{"BILLING asks for mia", billing, domain.UsageQuery{MemberID: mia}, domain.UsageMember, 3, ""},
		{"ADMIN", admin, domain.UsageQuery{}, domain.UsageMember, 4, ""},
		{"MEMBER", member, domain.UsageQuery{}, domain.UsageMember, 3, ""},
		{"MEMBER asks for self", member, domain.UsageQuery{MemberID: mia}, domain.UsageMember, 3, ""},
		{"MEMBER asks for ada", member, domain.UsageQuery{MemberID: ada}, "", 0, domain.CodeForbidden},
		{"OWNER asks for a stranger", f.owner, domain.UsageQuery{MemberID: other.org.ID}, "", 0, domain.CodeNotFound},
		{"API key", f.key, domain.UsageQuery{}, "", 0, domain.CodeForbidden},
	}
	for _, tc := range read {
		u, err := f.svc.Usage(tc.ctx, f.org.ID, tc.q)
		if tc.code != "" {
			if !domain.IsCode(err, tc.code) {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		s := u.Metrics[0]
		if u.Scope != tc.scope || s.Quantity != tc.quantity || s.Limit != 10 || s.Level != domain.UsageOK {
			t.Errorf("%s: scope %s %+v, want %s with %d", tc.name, u.Scope, s, tc.scope, tc.quantity)
		}
	}
}

// failingCommits fails every transaction after its work ran while fail is
// set, so it rolls back (a crash between the work and the commit).
type failingCommits struct {
	domain.Store
	fail atomic.Bool
}

func (s *failingCommits) InTx(ctx context.Context, fn func(tx domain.Store) error) error {
	return s.Store.InTx(ctx, func(tx domain.Store) error {
		if err := fn(tx); err != nil {
			return err
		}
		if s.fail.Load() {
			return errors.New("the commit failed")
		}
		return nil
	})
}

// TestUsageThresholdEventOnlyWithItsBatch: a batch that crosses a level
// but rolls back records no event and counts nothing; its retry records
// the crossing once, and another retry or further usage no second time.
func TestUsageThresholdEventOnlyWithItsBatch(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, d *db.DB) {
		st := &failingCommits{Store: d}
		f := newUsageFixture(t, st, d, domain.UsageLimits{Enrichments: 10}, domain.OverLimitFlag)
		batch := []domain.UsageEvent{usageEv("a", domain.MetricEnrichments, 5), usageEv("b", domain.MetricEnrichments, 4)}
		st.fail.Store(true)
		if _, err := f.svc.IngestUsage(f.key, f.org.ID, batch); err == nil {
			t.Fatal("the failed commit reported success")
		}
		st.fail.Store(false)
		if n := len(f.thresholdEvents(t)); n != 0 {
			t.Fatalf("%d threshold events after a rolled-back batch", n)
		}
		if q := f.usageOf(t, f.owner, domain.MetricEnrichments, domain.UsageQuery{}).Quantity; q != 0 {
			t.Fatalf("rolled-back batch counted %d", q)
		}
		for range 2 {
			if _, err := f.svc.IngestUsage(f.key, f.org.ID, batch); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.IngestUsage(f.key, f.org.ID, []domain.UsageEvent{usageEv("c", domain.MetricEnrichments, 1)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.IngestUsage(f.key, f.org.ID, []domain.UsageEvent{usageEv("d", domain.MetricEnrichments, 3)}); err != nil {
			t.Fatal(err)
		}
		evs := f.thresholdEvents(t) // newest first
		if len(evs) != 2 || evs[1].Detail["level"] != "WARNING" || evs[1].Detail["quantity"] != "9" ||
			evs[0].Detail["level"] != "EXCEEDED" || evs[0].Detail["quantity"] != "10" {
			t.Fatalf("threshold events %+v, want WARNING at 9 then EXCEEDED at 10, once each", evs)
		}
		if q := f.usageOf(t, f.owner, domain.MetricEnrichments, domain.UsageQuery{}).Quantity; q != 13 {
			t.Fatalf("ENRICHMENTS %d, want 13", q)
		}
	})
}
