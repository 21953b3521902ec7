package domain_test

import (
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

func utc(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, time.UTC) }

func TestAddMonths(t *testing.T) {
	tests := []struct {
		name string
		from time.Time
		n    int
		want time.Time
	}{
		{"mid month", utc(2026, 3, 15, 10), 1, utc(2026, 4, 15, 10)},
		{"31 Jan to Feb clamps", utc(2026, 1, 31, 9), 1, utc(2026, 2, 28, 9)},
		{"31 Jan to Feb in a leap year", utc(2028, 1, 31, 9), 1, utc(2028, 2, 29, 9)},
		{"31 Jan plus two is 31 Mar, not 28", utc(2026, 1, 31, 9), 2, utc(2026, 3, 31, 9)},
		{"31 Jan to Apr clamps to 30", utc(2026, 1, 31, 9), 3, utc(2026, 4, 30, 9)},
		{"29 Feb plus a year", utc(2028, 2, 29, 0), 12, utc(2029, 2, 28, 0)},
		{"29 Feb plus four years", utc(2028, 2, 29, 0), 48, utc(2032, 2, 29, 0)},
		{"December rolls the year", utc(2026, 12, 31, 23), 1, utc(2027, 1, 31, 23)},
		{"zero", utc(2026, 5, 31, 1), 0, utc(2026, 5, 31, 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := domain.AddMonths(tc.from, tc.n); !got.Equal(tc.want) {
				t.Fatalf("AddMonths(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
			}
		})
	}
}

func TestPeriodBoundsAndResets(t *testing.T) {
	anchor := utc(2026, 1, 31, 12)
	tests := []struct {
		name       string
		interval   domain.BillingInterval
		k          int
		start, end time.Time
	}{
		{"monthly first", domain.Monthly, 0, anchor, utc(2026, 2, 28, 12)},
		{"monthly second starts where the first ended", domain.Monthly, 1, utc(2026, 2, 28, 12), utc(2026, 3, 31, 12)},
		{"monthly 13th", domain.Monthly, 12, utc(2027, 1, 31, 12), utc(2027, 2, 28, 12)},
		{"annual first", domain.Annually, 0, anchor, utc(2027, 1, 31, 12)},
		{"annual second", domain.Annually, 1, utc(2027, 1, 31, 12), utc(2028, 1, 31, 12)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, e := domain.PeriodBounds(anchor, tc.interval, tc.k)
			if !s.Equal(tc.start) || !e.Equal(tc.end) {
				t.Fatalf("PeriodBounds = [%s, %s), want [%s, %s)", s, e, tc.start, tc.end)
			}
		})
	}
	resets := []struct {
		at, want time.Time
	}{
		{anchor, utc(2026, 2, 28, 12)},
		{utc(2026, 2, 28, 11), utc(2026, 2, 28, 12)},
		{utc(2026, 2, 28, 12), utc(2026, 3, 31, 12)},
		{utc(2026, 7, 1, 0), utc(2026, 7, 31, 12)},
		{utc(2027, 1, 31, 12), utc(2027, 2, 28, 12)},
	}
	for _, r := range resets {
		if got := domain.NextReset(anchor, r.at); !got.Equal(r.want) {
			t.Errorf("NextReset(%s) = %s, want %s", r.at, got, r.want)
		}
	}
}

func TestProrationDays(t *testing.T) {
	tests := []struct {
		name            string
		now, start, end time.Time
		left, total     int64
	}{
		{"same moment as the start pays the whole period", utc(2026, 4, 1, 0), utc(2026, 4, 1, 0), utc(2026, 5, 1, 0), 30, 30},
		{"an hour in still counts the first day", utc(2026, 4, 1, 1), utc(2026, 4, 1, 0), utc(2026, 5, 1, 0), 30, 30},
		{"last day", utc(2026, 4, 30, 23), utc(2026, 4, 1, 0), utc(2026, 5, 1, 0), 1, 30},
		{"February of a leap year", utc(2028, 2, 15, 0), utc(2028, 2, 1, 0), utc(2028, 3, 1, 0), 15, 29},
		{"February of a common year", utc(2026, 2, 15, 0), utc(2026, 2, 1, 0), utc(2026, 3, 1, 0), 14, 28},
		{"annual, leap year", utc(2028, 7, 1, 0), utc(2028, 1, 1, 0), utc(2029, 1, 1, 0), 184, 366},
		{"at the end", utc(2026, 5, 1, 0), utc(2026, 4, 1, 0), utc(2026, 5, 1, 0), 0, 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, n := domain.ProrationDays(tc.now, tc.start, tc.end)
			if l != tc.left || n != tc.total {
				t.Fatalf("ProrationDays = %d/%d, want %d/%d", l, n, tc.left, tc.total)
			}
		})
	}
}

func testPlan(id, code string, interval domain.BillingInterval, eur int64, credits int64) domain.Plan {
	return domain.Plan{ID: id, Code: code, Name: code, Interval: interval, IncludedCreditsPerSeat: credits,
		Prices: []domain.Price{{Currency: domain.EUR, AmountMinor: eur}}, Active: true}
}

func TestPriceChange(t *testing.T) {
	personal := testPlan("p1", "personal", domain.Monthly, 900, 2_000_000)
	team := testPlan("p2", "team", domain.Monthly, 1900, 5_000_000)
	teamAnnual := testPlan("p3", "team-annual", domain.Annually, 19000, 5_000_000)
	april := []time.Time{utc(2026, 4, 1, 0), utc(2026, 5, 1, 0)} // 30 days
	de := domain.PriceTarget{Currency: domain.EUR, Country: "DE", Installments: 1}
	us := domain.PriceTarget{Currency: domain.EUR, Country: "US", Installments: 1}
	tests := []struct {
		name      string
		cur       domain.Plan
		curSeats  int
		next      domain.Plan
		seats     int
		period    []time.Time
		now       time.Time
		target    domain.PriceTarget
		kind      domain.ChangeKind
		immediate bool
		subtotal  int64
		tax       int64
		credits   int64
		renewal   int64
	}{
		{name: "seat added on the first day pays the whole month",
			cur: team, curSeats: 3, next: team, seats: 4, period: april, now: april[0], target: us,
			kind: domain.ChangeAddSeats, immediate: true, subtotal: 1900, credits: 5_000_000, renewal: 4 * 1900},
		{name: "seat added on the last day pays one day of thirty",
			// 1900 × 1/30 = 63.33 → 63
			cur: team, curSeats: 3, next: team, seats: 4, period: april, now: utc(2026, 4, 30, 12), target: us,
			kind: domain.ChangeAddSeats, immediate: true, subtotal: 63, credits: 166_666, renewal: 4 * 1900},
		{name: "two seats mid month with German VAT",
			// 1900 × 15/30 = 950 per seat, 1900 for two; VAT 19% = 361
			cur: team, curSeats: 3, next: team, seats: 5, period: april, now: utc(2026, 4, 16, 0), target: de,
			kind: domain.ChangeAddSeats, immediate: true, subtotal: 1900, tax: 361, credits: 5_000_000, renewal: 5*1900 + 1805},
		{name: "upgrade mid month credits the unused part of the old plan",
			// team 1900×15/30 = 950 ×2 seats = 1900; personal back 900×15/30 = 450 ×2 = 900
			cur: personal, curSeats: 2, next: team, seats: 2, period: april, now: utc(2026, 4, 16, 0), target: us,
			kind: domain.ChangeUpgrade, immediate: true, subtotal: 1000, credits: 3_000_000, renewal: 3800},
		{name: "upgrade on the day it started is the price difference",
			cur: personal, curSeats: 1, next: team, seats: 1, period: april, now: april[0], target: us,
			kind: domain.ChangeUpgrade, immediate: true, subtotal: 1000, credits: 3_000_000, renewal: 1900},
		{name: "downgrade waits for the period end",
			cur: team, curSeats: 2, next: personal, seats: 2, period: april, now: utc(2026, 4, 10, 0), target: us,
			kind: domain.ChangeDowngrade, renewal: 1800},
		{name: "a dearer plan with fewer seats that costs less is a downgrade",
			cur: personal, curSeats: 3, next: team, seats: 1, period: april, now: utc(2026, 4, 10, 0), target: us,
			kind: domain.ChangeDowngrade, renewal: 1900},
		{name: "seat removal waits for the period end",
			cur: team, curSeats: 3, next: team, seats: 2, period: april, now: utc(2026, 4, 10, 0), target: us,
			kind: domain.ChangeRemoveSeats, renewal: 3800},
		{name: "monthly to annual at the renewal",
			cur: team, curSeats: 1, next: teamAnnual, seats: 1, period: april, now: utc(2026, 4, 10, 0), target: us,
			kind: domain.ChangeDowngrade, renewal: 19000},
		{name: "nothing to change",
			cur: team, curSeats: 2, next: team, seats: 2, period: april, now: utc(2026, 4, 10, 0), target: us,
			kind: domain.ChangeNone, renewal: 3800},
		{name: "seat added in a leap February",
			// 1900 × 1/29 = 65.52 → 66
			cur: team, curSeats: 1, next: team, seats: 2, period: []time.Time{utc(2028, 2, 1, 0), utc(2028, 3, 1, 0)},
			now: utc(2028, 2, 29, 6), target: us, kind: domain.ChangeAddSeats, immediate: true, subtotal: 66, credits: 172_413, renewal: 3800},
		{name: "seat added to an annual plan half way",
			// 19000 × 184/366 = 9551.9 → 9552; credits over the month of July (31 days, 31 left)
			cur: teamAnnual, curSeats: 1, next: teamAnnual, seats: 2, period: []time.Time{utc(2028, 1, 1, 0), utc(2029, 1, 1, 0)},
			now: utc(2028, 7, 1, 0), target: us, kind: domain.ChangeAddSeats, immediate: true, subtotal: 9552, credits: 5_000_000, renewal: 38000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resetStart := tc.period[0]
			for !domain.AddMonths(resetStart, 1).After(tc.now) {
				resetStart = domain.AddMonths(resetStart, 1)
			}
			q, err := domain.PriceChange(domain.DefaultPricing(), domain.ChangeInput{
				Current: tc.cur, CurrentSeats: tc.curSeats, Next: tc.next, Seats: tc.seats,
				PeriodStart: tc.period[0], PeriodEnd: tc.period[1],
				ResetStart: resetStart, NextReset: domain.AddMonths(resetStart, 1), Now: tc.now,
			}, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if q.Kind != tc.kind || q.Immediate != tc.immediate {
				t.Fatalf("kind %s immediate %v, want %s %v", q.Kind, q.Immediate, tc.kind, tc.immediate)
			}
			if q.Subtotal.AmountMinor != tc.subtotal || q.Tax.AmountMinor != tc.tax || q.Total.AmountMinor != tc.subtotal+tc.tax {
				t.Fatalf("subtotal %d tax %d total %d, want %d %d %d", q.Subtotal.AmountMinor, q.Tax.AmountMinor, q.Total.AmountMinor, tc.subtotal, tc.tax, tc.subtotal+tc.tax)
			}
			if q.Credits != tc.credits {
				t.Fatalf("credits %d, want %d", q.Credits, tc.credits)
			}
			if q.Renewal.AmountMinor != tc.renewal {
				t.Fatalf("renewal %d, want %d", q.Renewal.AmountMinor, tc.renewal)
			}
			var sum int64
			for _, l := range q.Lines {
				if l.UnitPrice.AmountMinor*l.Quantity != l.Amount.AmountMinor {
					t.Errorf("line %q: %d × %d != %d", l.Description, l.UnitPrice.AmountMinor, l.Quantity, l.Amount.AmountMinor)
				}
				sum += l.Amount.AmountMinor
			}
			if sum != q.Subtotal.AmountMinor {
				t.Errorf("lines sum to %d, subtotal %d", sum, q.Subtotal.AmountMinor)
			}
			if !tc.immediate && !q.EffectiveAt.Equal(tc.period[1]) && tc.kind != domain.ChangeNone {
				t.Errorf("scheduled change effective %s, want the period end %s", q.EffectiveAt, tc.period[1])
			}
		})
	}
}

func TestPriceSubscribe(t *testing.T) {
	team := testPlan("p2", "team", domain.Monthly, 1900, 5_000_000)
	free := testPlan("p0", "free", domain.Monthly, 0, 200_000)
	br := domain.PriceTarget{Currency: domain.EUR, Country: "BR", Installments: 1}
	q, err := domain.PriceSubscribe(domain.DefaultPricing(), team, 3, br, utc(2026, 1, 31, 8))
	if err != nil {
		t.Fatal(err)
	}
	if q.Total.AmountMinor != 5700 || q.Credits != 15_000_000 || !q.PeriodEnd.Equal(utc(2026, 2, 28, 8)) {
		t.Fatalf("total %d credits %d end %s", q.Total.AmountMinor, q.Credits, q.PeriodEnd)
	}
	if _, err := domain.PriceSubscribe(domain.DefaultPricing(), free, 1, br, utc(2026, 1, 1, 0)); !domain.IsCode(err, domain.CodeInvalidInput) {
		t.Fatalf("subscribing to the free plan: %v", err)
	}
}
