package db

import (
	"time"

	"github.com/tallyhq/tally/domain"
)

// utc normalizes a time for storage: UTC, microsecond precision (what both
// databases keep, and what SQLite's text form must share to sort right).
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// utcPtr is utc for optional times.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

// strPtr stores "" as NULL.
func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// strVal reads NULL as "".
func strVal(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// nullable turns a nil pointer into an untyped nil argument.
func nullable[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func toPrices(ps []priceJSON) []domain.Price {
	out := make([]domain.Price, 0, len(ps))
	for _, p := range ps {
		out = append(out, domain.Price{Currency: domain.Currency(p.Currency), AmountMinor: p.AmountMinor})
	}
	return out
}

func fromPrices(ps []domain.Price) []priceJSON {
	out := make([]priceJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, priceJSON{Currency: string(p.Currency), AmountMinor: p.AmountMinor})
	}
	return out
}

func toAllocations(as []allocationJSON) []domain.Allocation {
	if len(as) == 0 {
		return nil
	}
	out := make([]domain.Allocation, 0, len(as))
	for _, a := range as {
		out = append(out, domain.Allocation{GrantID: a.GrantID, Amount: a.Amount})
	}
	return out
}

func fromAllocations(as []domain.Allocation) []allocationJSON {
	out := make([]allocationJSON, 0, len(as))
	for _, a := range as {
		out = append(out, allocationJSON{GrantID: a.GrantID, Amount: a.Amount})
	}
	return out
}
