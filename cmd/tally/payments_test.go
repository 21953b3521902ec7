package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestPaymentOptionsPricing(t *testing.T) {
	tests := []struct {
		name       string
		tax, comm  string
		most       int // TALLY_MAX_INSTALLMENTS
		wantTax    map[string]int
		wantComm   map[int]int
		wantErrSub string
	}{
		{name: "tables", tax: "de=19, FR=20,BR=0", comm: "7=4.99,12=10",
			wantTax: map[string]int{"DE": 1900, "FR": 2000, "BR": 0}, wantComm: map[int]int{7: 499, 12: 1000}},
		{name: "one decimal", tax: "XX=7.5", wantTax: map[string]int{"XX": 750}},
		{name: "three decimals", tax: "DE=19.125", wantErrSub: "two decimals"},
		{name: "not a country", tax: "DEU=19", wantErrSub: "alpha-2"},
		{name: "over 100", tax: "DE=101", wantErrSub: "0 to 100"},
		{name: "negative", tax: "DE=-1", wantErrSub: "0 to 100"},
		{name: "no equals", tax: "DE19", wantErrSub: "KEY=PERCENT"},
		{name: "installments 1", comm: "1=2", wantErrSub: "2 to 12"},
		{name: "installments 13", comm: "13=2", wantErrSub: "2 to 12"},
		{name: "installments 18 of 24", comm: "18=12", most: 24, wantComm: map[int]int{18: 1200}},
		{name: "installments 7 of 6", comm: "7=2", most: 6, wantErrSub: "2 to 6"},
		{name: "maximum 0 is the default", most: 0},
		{name: "maximum 61", most: 61, wantErrSub: "TALLY_MAX_INSTALLMENTS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := PaymentOptions{TaxRates: tc.tax, InstallmentCommission: tc.comm, MaxInstallments: tc.most}.pricing()
			if tc.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErrSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantTax != nil && !reflect.DeepEqual(cfg.TaxRates, tc.wantTax) {
				t.Errorf("tax rates %v, want %v", cfg.TaxRates, tc.wantTax)
			}
			if tc.wantComm != nil && !reflect.DeepEqual(cfg.InstallmentCommission, tc.wantComm) {
				t.Errorf("commission %v, want %v", cfg.InstallmentCommission, tc.wantComm)
			}
		})
	}
}
