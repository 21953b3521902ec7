package domain

import (
	"testing"
)

func TestPricePack(t *testing.T) {
	pro := Pack{ID: "p", Code: "pro", Name: "Pro", Credits: 7_000_000, Validity: ValidityNever,
		Prices: []Price{{EUR, 2500}, {BRL, 15000}}}
	custom := Pack{ID: "c", Code: "scale-custom", Name: "Scale Custom", Credits: 100_000, Custom: true,
		StepCredits: 5_000, StepPrices: []Price{{USD, 1000}}, Validity: ValidityRecurring}
	cfg := PricingConfig{
		TaxRates:              map[string]int{"DE": 1900, "BR": 0, "XX": 750},
		InstallmentCommission: map[int]int{7: 499, 12: 999},
		MaxQuantity:           10,
		InstallmentCountries:  []string{"BR"},
		InstallmentCurrencies: []Currency{BRL},
	}
	tests := []struct {
		name                           string
		in                             QuoteInput
		subtotal, commission, tax, tot int64
		credits                        int64
		perInstallment                 int64
		field                          string
	}{
		{name: "EUR with VAT", in: QuoteInput{Pack: pro, Quantity: 2, Currency: EUR, Country: "DE", Installments: 1},
			subtotal: 5000, tax: 950, tot: 5950, credits: 14_000_000},
		{name: "fractional tax rounds half up", in: QuoteInput{Pack: pro, Quantity: 1, Currency: EUR, Country: "XX", Installments: 1},
			subtotal: 2500, tax: 188, tot: 2688, credits: 7_000_000},
		{name: "BRL 6 installments: no commission", in: QuoteInput{Pack: pro, Quantity: 1, Currency: BRL, Country: "BR", Installments: 6},
			subtotal: 15000, tot: 15000, credits: 7_000_000, perInstallment: 2500},
		{name: "BRL 7 installments: 4.99%", in: QuoteInput{Pack: pro, Quantity: 1, Currency: BRL, Country: "BR", Installments: 7},
			subtotal: 15749, commission: 749, tot: 15749, credits: 7_000_000, perInstallment: 2250},
		{name: "BRL 12 installments: 9.99%", in: QuoteInput{Pack: pro, Quantity: 2, Currency: BRL, Country: "BR", Installments: 12},
			subtotal: 32997, commission: 2997, tot: 32997, credits: 14_000_000, perInstallment: 2750},
		{name: "custom pack in steps", in: QuoteInput{Pack: custom, Quantity: 1, Credits: 150_000, Currency: USD, Country: "US", Installments: 1},
			subtotal: 30000, tot: 30000, credits: 150_000},
		{name: "custom below minimum", in: QuoteInput{Pack: custom, Quantity: 1, Credits: 95_000, Currency: USD, Installments: 1}, field: "credits"},
		{name: "custom off step", in: QuoteInput{Pack: custom, Quantity: 1, Credits: 101_000, Currency: USD, Installments: 1}, field: "credits"},
		{name: "fixed pack with credits", in: QuoteInput{Pack: pro, Quantity: 1, Credits: 5, Currency: EUR, Installments: 1}, field: "credits"},
		{name: "not sold in USD", in: QuoteInput{Pack: pro, Quantity: 1, Currency: USD, Installments: 1}, field: "packId"},
		{name: "installments outside BR", in: QuoteInput{Pack: pro, Quantity: 1, Currency: EUR, Country: "DE", Installments: 3}, field: "installments"},
		{name: "installments in EUR from BR", in: QuoteInput{Pack: pro, Quantity: 1, Currency: EUR, Country: "BR", Installments: 3}, field: "installments"},
		{name: "0 installments", in: QuoteInput{Pack: pro, Quantity: 1, Currency: BRL, Country: "BR", Installments: 0}, field: "installments"},
		{name: "13 installments", in: QuoteInput{Pack: pro, Quantity: 1, Currency: BRL, Country: "BR", Installments: 13}, field: "installments"},
		{name: "quantity 0", in: QuoteInput{Pack: pro, Quantity: 0, Currency: EUR, Installments: 1}, field: "quantity"},
		{name: "quantity over max", in: QuoteInput{Pack: pro, Quantity: 11, Currency: EUR, Installments: 1}, field: "quantity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := PricePack(cfg, tc.in)
			if tc.field != "" {
				if de, ok := err.(*Error); !ok || de.Code != CodeInvalidInput || de.Field != tc.field {
					t.Fatalf("err = %v, want INVALID_INPUT on %s", err, tc.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var sum, commission int64
			for _, l := range q.Lines {
				sum += l.Amount.AmountMinor
				if l.Kind == LineInstallmentCommission {
					commission = l.Amount.AmountMinor
				}
			}
			if q.Subtotal.AmountMinor != tc.subtotal || sum != tc.subtotal || commission != tc.commission ||
				q.Tax.AmountMinor != tc.tax || q.Total.AmountMinor != tc.tot || q.Credits != tc.credits {
				t.Fatalf("quote subtotal %d (lines %d) commission %d tax %d total %d credits %d; want %d %d %d %d %d",
					q.Subtotal.AmountMinor, sum, commission, q.Tax.AmountMinor, q.Total.AmountMinor, q.Credits,
					tc.subtotal, tc.commission, tc.tax, tc.tot, tc.credits)
			}
			if tc.perInstallment > 0 {
				if q.Installments == nil || q.Installments.Amount.AmountMinor != tc.perInstallment ||
					q.Installments.Commission.AmountMinor != tc.commission {
					t.Fatalf("installment plan %+v, want %d per installment", q.Installments, tc.perInstallment)
				}
			}
		})
	}
}

func TestPercent(t *testing.T) {
	for bp, want := range map[int]string{1900: "19%", 750: "7.5%", 499: "4.99%", 0: "0%"} {
		if got := percent(bp); got != want {
			t.Errorf("percent(%d) = %q, want %q", bp, got, want)
		}
	}
}

// TestMaxInstallmentsIsConfiguration: the installment maximum is the
// configured one, not a number written into the rules.
func TestMaxInstallmentsIsConfiguration(t *testing.T) {
	pro := Pack{ID: "p", Name: "Pro", Credits: 1000, Validity: ValidityNever, Prices: []Price{{BRL, 6000}}}
	tests := []struct {
		name  string
		max   int
		count int
		ok    bool
	}{
		{"default allows 12", 0, 12, true},
		{"default refuses 13", 0, 13, false},
		{"6 allows 6", 6, 6, true},
		{"6 refuses 7", 6, 7, false},
		{"24 allows 18", 24, 18, true},
		{"1 allows paying at once", 1, 1, true},
		{"1 refuses 2", 1, 2, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultPricing()
			cfg.MaxInstallments = tc.max
			_, err := PricePack(cfg, QuoteInput{Pack: pro, Quantity: 1, Currency: BRL, Country: "BR", Installments: tc.count})
			if tc.ok != (err == nil) {
				t.Fatalf("%d installments with maximum %d: %v", tc.count, tc.max, err)
			}
			if de, ok := err.(*Error); err != nil && (!ok || de.Code != CodeInvalidInput || de.Field != "installments") {
				t.Fatalf("refused with %v, want INVALID_INPUT on installments", err)
			}
		})
	}
}
