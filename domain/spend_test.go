package domain

import (
	"reflect"
	"testing"
	"time"
)

func tp(t time.Time) *time.Time { return &t }

func TestSortForSpending(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name   string
		grants []Grant
		want   []string
	}{
		{
			name: "free before subscription before purchased",
			grants: []Grant{
				{ID: "paid", Kind: GrantPurchased, CreatedAt: t0},
				{ID: "sub", Kind: GrantSubscription, ExpiresAt: tp(t0.Add(30 * day)), CreatedAt: t0},
				{ID: "free", Kind: GrantFree, ExpiresAt: tp(t0.Add(60 * day)), CreatedAt: t0},
			},
			want: []string{"free", "sub", "paid"},
		},
		{
			name: "promo counts as free; soonest expiry first within the chip",
			grants: []Grant{
				{ID: "free-late", Kind: GrantFree, ExpiresAt: tp(t0.Add(9 * day)), CreatedAt: t0},
				{ID: "promo-soon", Kind: GrantPromo, ExpiresAt: tp(t0.Add(2 * day)), CreatedAt: t0},
				{ID: "free-never", Kind: GrantFree, CreatedAt: t0},
			},
			want: []string{"promo-soon", "free-late", "free-never"},
		},
		{
			name: "purchased: soonest expiry first, never-expiring last, then oldest",
			grants: []Grant{
				{ID: "never-new", Kind: GrantPurchased, CreatedAt: t0.Add(2 * day)},
				{ID: "never-old", Kind: GrantPurchased, CreatedAt: t0},
				{ID: "adj-5d", Kind: GrantAdjustment, ExpiresAt: tp(t0.Add(5 * day)), CreatedAt: t0},
				{ID: "auto-3d", Kind: GrantAutoRecharge, ExpiresAt: tp(t0.Add(3 * day)), CreatedAt: t0},
			},
			want: []string{"auto-3d", "adj-5d", "never-old", "never-new"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gs := append([]Grant(nil), tt.grants...)
			SortForSpending(gs)
			var got []string
			for _, g := range gs {
				got = append(got, g.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("order = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAllocate(t *testing.T) {
	grants := []Grant{
		{ID: "a", Remaining: 5},
		{ID: "b", Remaining: 0},
		{ID: "c", Remaining: 10},
	}
	tests := []struct {
		name     string
		amount   int64
		want     []Allocation
		wantCode Code
	}{
		{"within first grant", 3, []Allocation{{"a", -3}}, ""},
		{"exactly first grant", 5, []Allocation{{"a", -5}}, ""},
		{"spans grants, skips empty", 12, []Allocation{{"a", -5}, {"c", -7}}, ""},
		{"everything", 15, []Allocation{{"a", -5}, {"c", -10}}, ""},
		{"one too many", 16, nil, CodeInsufficientCredits},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Allocate(grants, tt.amount)
			if ErrorCode(err) != tt.wantCode {
				t.Fatalf("err = %v, want code %q", err, tt.wantCode)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("allocations = %v, want %v", got, tt.want)
			}
		})
	}
}
