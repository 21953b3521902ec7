package invoicepdf

import (
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		bp   int
		want string
	}{
		{0, "0%"},
		{5, "0.05%"},
		{10, "0.1%"},
		{50, "0.5%"},
		{750, "7.5%"},
		{1234, "12.34%"},
		{1900, "19%"},
		{2000, "20%"},
		{10000, "100%"},
	} {
		if got := percent(tc.bp); got != tc.want {
			t.Errorf("percent(%d) = %q, want %q", tc.bp, got, tc.want)
		}
	}
}

func TestDateIsUTC(t *testing.T) {
	saoPaulo := time.FixedZone("BRT", -3*3600)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC), "2026-03-14"},
		{time.Date(2026, 12, 31, 22, 30, 0, 0, saoPaulo), "2027-01-01"},
	} {
		if got := date(tc.at); got != tc.want {
			t.Errorf("date(%v) = %q, want %q", tc.at, got, tc.want)
		}
	}
}
