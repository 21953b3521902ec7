package domain

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestMarshalCreditResult: the stored answer of an idempotency record is
// json.Marshal's, byte for byte, whichever path encodes it, and the hand
// path takes the common result (a spend by an API key).
func TestMarshalCreditResult(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 14, 48, 139025000, time.UTC)
	whole := now.Truncate(time.Second)
	exp := now.Add(30 * 24 * time.Hour)
	berlin := time.FixedZone("CET", 3600)
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	spend := func() CreditResult {
		return CreditResult{
			Entry: LedgerEntry{
				ID: "01a23bd4-234b-76b0-8dfd-1f23d19c0e3f", OrgID: "01a23bd2-d127-75f2-a12e-70c9a918ceeb", Seq: 13,
				Kind: EntryConsume, Amount: -1, BalanceAfter: 1000000009989,
				Allocations: []Allocation{{GrantID: "01a23bd2-d130-7eed-9683-c116f8b1a6b6", Amount: -1}},
				ActorKind:   ActorAPIKey, ActorID: "01a23bd2-d14e-7a75-9295-70261e1ea7e6", CreatedAt: now,
			},
			Balance: Balance{
				OrgID: "01a23bd2-d127-75f2-a12e-70c9a918ceeb", Total: 1000000009989, Free: 9989, Paid: 1000000000000,
				Version: 13, UpdatedAt: now, OrgStatus: OrgActive, RechargeBelow: 50, LowBalanceBelow: -3, LowBalanceAlerted: true,
				Grants: []Grant{
					{ID: "g1", OrgID: "o", Kind: GrantFree, Amount: 10000, Remaining: 9989, ExpiresAt: &exp, Reason: "sign-up credit", CreatedAt: whole},
					{ID: "g2", OrgID: "o", Kind: GrantPurchased, Amount: 1 << 40, Remaining: 1 << 40, OrderID: "ord", CreatedAt: now},
				},
			},
		}
	}
	tests := []struct {
		name string
		edit func(*CreditResult)
		fast bool // the hand path encodes it
	}{
		{"zero", func(r *CreditResult) { *r = CreditResult{} }, true},
		{"spend by an API key", func(*CreditResult) {}, true},
		{"no allocations, no grants", func(r *CreditResult) { r.Entry.Allocations, r.Balance.Grants = nil, nil }, true},
		{"empty allocations and grants", func(r *CreditResult) { r.Entry.Allocations, r.Balance.Grants = []Allocation{}, []Grant{} }, true},
		{"several allocations", func(r *CreditResult) {
			r.Entry.Allocations = append(r.Entry.Allocations, Allocation{GrantID: "g2", Amount: -7})
		}, true},
		{"negative and extreme numbers", func(r *CreditResult) {
			r.Entry.Amount, r.Entry.Seq, r.Balance.Total = -MaxCredits, 1<<62, -1<<63
		}, true},
		{"reason with punctuation", func(r *CreditResult) { r.Entry.Reason = "monthly run #4 (batch 'a'), 100% ~done!" }, true},
		{"reason with a quote", func(r *CreditResult) { r.Entry.Reason = `say "hi"` }, false},
		{"reason with a backslash", func(r *CreditResult) { r.Entry.Reason = `a\b` }, false},
		{"reason with HTML", func(r *CreditResult) { r.Entry.Reason = "<b>&</b>" }, false},
		{"reason with a newline", func(r *CreditResult) { r.Entry.Reason = "a\nb" }, false},
		{"reason with DEL", func(r *CreditResult) { r.Entry.Reason = "a\x7fb" }, false},
		{"reason in Unicode", func(r *CreditResult) { r.Entry.Reason = "Größe \u2028 ✓" }, false},
		{"reason not UTF-8", func(r *CreditResult) { r.Entry.Reason = "a\xffb" }, false},
		{"grant reason with HTML", func(r *CreditResult) { r.Balance.Grants[1].Reason = "a&b" }, false},
		{"metadata", func(r *CreditResult) { r.Entry.Metadata = json.RawMessage(`{"a":"<x>","b":[1, 2]}`) }, false},
		{"empty metadata", func(r *CreditResult) { r.Entry.Metadata = json.RawMessage{} }, false},
		{"time not in UTC", func(r *CreditResult) { r.Entry.CreatedAt = now.In(berlin) }, false},
		{"time in UTC as Local", func(r *CreditResult) { r.Balance.UpdatedAt = now.In(time.FixedZone("", 0)) }, true},
		{"expiry not in UTC", func(r *CreditResult) { e := exp.In(berlin); r.Balance.Grants[0].ExpiresAt = &e }, false},
		{"year 10000", func(r *CreditResult) { r.Balance.Grants[1].CreatedAt = far }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := spend()
			tt.edit(&r)
			want, werr := json.Marshal(r)
			got, gerr := marshalCreditResult(r)
			if (werr != nil) != (gerr != nil) || !bytes.Equal(got, want) {
				t.Fatalf("marshalCreditResult:\n got %s (%v)\nwant %s (%v)", got, gerr, want, werr)
			}
			if _, fast := appendCreditResult(nil, r); fast != tt.fast {
				t.Errorf("hand path taken = %v, want %v", fast, tt.fast)
			}
			if werr == nil {
				var back CreditResult
				if err := json.Unmarshal(got, &back); err != nil {
					t.Fatalf("the stored answer does not decode: %v", err)
				}
			}
		})
	}
}
