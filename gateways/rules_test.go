package gateways

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func TestParseRules(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Rule
		wantErr string
	}{
		{name: "empty", in: " ; "},
		{name: "full", in: "country=BR currency=BRL installments=2+ -> installments; method=PAYPAL -> paypal; * -> stripe, sandbox",
			want: []Rule{
				{Countries: []string{"BR"}, Currencies: []domain.Currency{domain.BRL}, MinInstallments: 2, Gateways: []string{"installments"}},
				{Methods: []domain.PaymentMethodKind{domain.MethodPayPal}, Gateways: []string{"paypal"}},
				{Gateways: []string{"stripe", "sandbox"}},
			}},
		{name: "lists and case", in: "country=de,fr currency=eur -> stripe",
			want: []Rule{{Countries: []string{"DE", "FR"}, Currencies: []domain.Currency{domain.EUR}, Gateways: []string{"stripe"}}}},
		{name: "no arrow", in: "country=BR installments", wantErr: "CONDITIONS -> GATEWAYS"},
		{name: "no gateway", in: "* -> ", wantErr: "names no gateway"},
		{name: "bad currency", in: "currency=GBP -> stripe", wantErr: "unsupported currency"},
		{name: "bad method", in: "method=CASH -> stripe", wantErr: "unknown method"},
		{name: "bad installments", in: "installments=0+ -> x", wantErr: "N+"},
		{name: "installments without plus", in: "installments=2 -> x", wantErr: "N+"},
		{name: "unknown key", in: "plan=team -> x", wantErr: "unknown condition"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRules(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseRules = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
