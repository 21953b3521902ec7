package installments

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
)

func brl(minor int64) domain.Money { return domain.Money{AmountMinor: minor, Currency: domain.BRL} }

func counts(from, to int) []int {
	var out []int
	for n := from; n <= to; n++ {
		out = append(out, n)
	}
	return out
}

func TestInstallmentCounts(t *testing.T) {
	ctx := context.Background()
	gw, emu := newTestGateway(t)
	capped, err := New(Config{AccessToken: mercadopagoemu.AccessToken, WebhookSecret: "s", BaseURL: emu.URL(), MaxInstallments: 6})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		gw     *Gateway
		min    int64
		amount domain.Money
		method string
		want   []int
		code   domain.Code
	}{
		{"brand", gw, 0, brl(10000), "visa", counts(1, 12), ""},
		{"card form id", gw, 0, brl(10000), "master:" + mercadopagoemu.TokenApprove, counts(1, 12), ""},
		{"bin", gw, 0, brl(10000), "50314332", counts(1, 12), ""},
		{"default brand", gw, 0, brl(10000), "", counts(1, 12), ""},
		{"capped by config", capped, 0, brl(10000), "visa", counts(1, 6), ""},
		{"provider minimum installment", gw, 2000, brl(10000), "visa", counts(1, 5), ""},
		{"small amount", gw, 500, brl(500), "visa", []int{1}, ""},
		{"EUR", gw, 0, domain.Money{AmountMinor: 10000, Currency: domain.EUR}, "visa", nil, domain.CodeInvalidInput},
		{"zero", gw, 0, brl(0), "visa", nil, domain.CodeInvalidInput},
		{"beyond 2^53 centavos", gw, 0, brl(1<<53 + 1), "visa", nil, domain.CodeInvalidInput},
		{"unknown brand", gw, 0, brl(10000), "diners-x", nil, domain.CodeInvalidInput},
	}
	for _, c := range cases {
		emu.SetMinInstallmentAmount(c.min)
		got, err := c.gw.InstallmentCounts(ctx, c.amount, c.method)
		if domain.ErrorCode(err) != c.code || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, %v; want %v %s", c.name, got, err, c.want, c.code)
		}
	}
	emu.Outage(true)
	defer emu.Outage(false)
	if _, err := gw.InstallmentCounts(ctx, brl(10000), "visa"); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("quote during an outage = %v", err)
	}
}

// TestQuoteRequest pins the exact call: path, query, bearer token, and the
// payer_costs fields read from a Mercado Pago answer.
func TestQuoteRequest(t *testing.T) {
	var seen *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"payment_method_id":"visa","payment_type_id":"credit_card",
			"issuer":{"id":"25","name":"Visa"},"processing_mode":"aggregator","merchant_account_id":null,
			"payer_costs":[
			 {"installments":1,"installment_rate":0,"discount_rate":0,"min_allowed_amount":0.5,"max_allowed_amount":60000,
			  "recommended_message":"1 parcela de R$ 1.234,56 (R$ 1.234,56)","installment_amount":1234.56,"total_amount":1234.56},
			 {"installments":12,"installment_rate":15.2,"discount_rate":0,"min_allowed_amount":5,"max_allowed_amount":60000,
			  "recommended_message":"12 parcelas de R$ 118,51 (R$ 1.422,21)","installment_amount":118.51,"total_amount":1422.21},
			 {"installments":3,"installment_rate":0,"installment_amount":411.52,"total_amount":1234.56}],
			"agreements":null}]`))
	}))
	defer srv.Close()
	gw, err := New(Config{AccessToken: "APP_USR-1", WebhookSecret: "s", BaseURL: srv.URL + "/mp"})
	if err != nil {
		t.Fatal(err)
	}
	quotes, err := gw.quote(context.Background(), brl(123456), "visa:tok")
	if err != nil {
		t.Fatal(err)
	}
	if seen.URL.Path != "/mp/v1/payment_methods/installments" || seen.URL.Query().Get("amount") != "1234.56" ||
		seen.URL.Query().Get("payment_method_id") != "visa" || seen.Header.Get("Authorization") != "Bearer APP_USR-1" {
		t.Fatalf("request %s %v", seen.URL, seen.Header)
	}
	want := payerCost{Installments: 12, InstallmentRate: 15.2, InstallmentAmount: 118.51, TotalAmount: 1422.21,
		MinAllowedAmount: 5, MaxAllowedAmount: 60000, RecommendedMessage: "12 parcelas de R$ 118,51 (R$ 1.422,21)"}
	if len(quotes) != 1 || quotes[0].PaymentMethodID != "visa" || len(quotes[0].PayerCosts) != 3 || quotes[0].PayerCosts[1] != want {
		t.Fatalf("quotes %+v", quotes)
	}
	got, err := gw.InstallmentCounts(context.Background(), brl(123456), "visa")
	if err != nil || !reflect.DeepEqual(got, []int{1, 3, 12}) {
		t.Fatalf("counts %v, %v", got, err)
	}
}
