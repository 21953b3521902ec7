package domain

import "testing"

// TestTaxShareAddsUp: however an invoice is refunded in parts, the tax of
// its credit notes adds up to its tax, each note's tax is between zero and
// its amount, so its subtotal is never positive nor above the amount.
func TestTaxShareAddsUp(t *testing.T) {
	for _, tc := range []struct {
		name       string
		total, tax int64
		parts      []int64 // the last part refunds the rest
	}{
		{"19% in thirds", 1190, 190, []int64{397, 397}},
		{"19% one cent at a time", 119, 19, []int64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"7.5% odd parts", 10749, 750, []int64{1, 3333, 17, 5000}},
		{"no tax", 5000, 0, []int64{1234}},
		{"all tax", 10, 10, []int64{3, 3}},
		{"huge amounts", 9_000_000_000_000_000, 1_000_000_000_000_000, []int64{4_444_444_444_444_443, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, sum int64
			parts := append(tc.parts, tc.total-sumOf(tc.parts))
			for _, amount := range parts {
				share := taxShare(tc.tax, before+amount, tc.total) - taxShare(tc.tax, before, tc.total)
				if share < 0 || share > amount {
					t.Errorf("refund of %d after %d: tax %d", amount, before, share)
				}
				before += amount
				sum += share
			}
			if sum != tc.tax {
				t.Errorf("the notes' tax adds up to %d, want %d", sum, tc.tax)
			}
		})
	}
}

func sumOf(xs []int64) (s int64) {
	for _, x := range xs {
		s += x
	}
	return s
}

func TestInvoiceStatusOf(t *testing.T) {
	total := Money{AmountMinor: 1000, Currency: EUR}
	for refunded, want := range map[int64]InvoiceStatus{0: InvoicePaid, 1: InvoicePartiallyRefunded, 999: InvoicePartiallyRefunded, 1000: InvoiceRefunded} {
		if got := InvoiceStatusOf(total, refunded); got != want {
			t.Errorf("InvoiceStatusOf(%s, %d) = %s, want %s", total, refunded, got, want)
		}
	}
}
