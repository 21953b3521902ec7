package installments

import (
	"testing"

	"github.com/mercadopago/sdk-go/pkg/payment"

	"github.com/tallyhq/tally/domain"
)

func TestNormalize(t *testing.T) {
	const url = "https://acs.example/challenge"
	cases := []struct {
		status, detail string
		refunded       int64
		want           domain.PaymentStatus
		wantRefunded   int64
		wantReason     string
		wantAction     bool
	}{
		{"approved", "accredited", 0, domain.PaymentSucceeded, 0, "", false},
		{"approved", "partially_refunded", 2500, domain.PaymentSucceeded, 2500, "", false},
		{"refunded", "refunded", 10000, domain.PaymentSucceeded, 10000, "", false},
		{"refunded", "refunded", 0, domain.PaymentSucceeded, 10000, "", false},
		{"charged_back", "settled", 0, domain.PaymentSucceeded, 10000, "", false},
		{"in_mediation", "", 0, domain.PaymentSucceeded, 0, "", false},
		{"rejected", "cc_rejected_insufficient_amount", 0, domain.PaymentFailed, 0, "cc_rejected_insufficient_amount", false},
		{"rejected", "", 0, domain.PaymentFailed, 0, "rejected", false},
		{"cancelled", "by_collector", 0, domain.PaymentCanceled, 0, "", false},
		{"pending", "pending_challenge", 0, domain.PaymentRequiresAction, 0, "", true},
		{"pending", "pending_waiting_payment", 0, domain.PaymentProcessing, 0, "", false},
		{"in_process", "pending_contingency", 0, domain.PaymentProcessing, 0, "", false},
		{"authorized", "pending_capture", 0, domain.PaymentProcessing, 0, "", false},
		{"something_new", "", 0, domain.PaymentProcessing, 0, "", false},
	}
	for _, c := range cases {
		p := normalize(paymentState{ID: "7", Status: c.status, StatusDetail: c.detail, Amount: 10000, Currency: domain.BRL, Refunded: c.refunded, ChallengeURL: url, Creq: "creq"})
		if p.Status != c.want || p.Refunded != c.wantRefunded || p.FailureReason != c.wantReason || p.ID != "7" ||
			p.Amount != (domain.Money{AmountMinor: 10000, Currency: domain.BRL}) {
			t.Errorf("%s/%s: %+v, want %s refunded %d reason %q", c.status, c.detail, p, c.want, c.wantRefunded, c.wantReason)
		}
		if c.wantAction != (p.NextAction != nil) {
			t.Errorf("%s/%s: next action %+v", c.status, c.detail, p.NextAction)
		}
		if p.NextAction != nil && (p.NextAction.Kind != domain.NextActionRedirect || p.NextAction.URL != url || p.NextAction.ClientSecret != "creq") {
			t.Errorf("%s/%s: next action %+v", c.status, c.detail, p.NextAction)
		}
	}
}

func TestEventKind(t *testing.T) {
	cases := []struct {
		status, detail string
		refunded       int64
		want           domain.WebhookEventKind
	}{
		{"approved", "accredited", 0, domain.EventPaymentSucceeded},
		{"approved", "partially_refunded", 1, domain.EventPaymentRefunded},
		{"refunded", "refunded", 10000, domain.EventPaymentRefunded},
		{"rejected", "cc_rejected_other_reason", 0, domain.EventPaymentFailed},
		{"cancelled", "expired", 0, domain.EventPaymentCanceled},
		{"pending", "pending_challenge", 0, domain.EventPaymentRequiresAction},
		{"pending", "pending_waiting_transfer", 0, domain.EventPaymentProcessing},
		{"in_process", "pending_review_manual", 0, domain.EventPaymentProcessing},
		{"authorized", "pending_capture", 0, domain.EventPaymentProcessing},
		{"charged_back", "settled", 0, ""},
		{"in_mediation", "", 0, ""},
		{"unknown", "", 0, ""},
	}
	for _, c := range cases {
		got, ok := eventKind(paymentState{Status: c.status, StatusDetail: c.detail, Amount: 10000, Refunded: c.refunded})
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s/%s: %q %v, want %q", c.status, c.detail, got, ok, c.want)
		}
	}
}

func TestAmounts(t *testing.T) {
	for _, minor := range []int64{1, 10, 99, 100, 12345, 1234567, 999999999, 4503599627370} {
		if got := centavos(decimalBRL(minor)); got != minor {
			t.Errorf("round trip of %d = %d", minor, got)
		}
	}
}

// TestStateCurrency: a payment's amount carries the currency Mercado Pago
// reports, so that settlement can refuse one in another currency than the
// order's; BRL when it reports none.
func TestStateCurrency(t *testing.T) {
	for _, c := range []struct {
		id   string
		want domain.Currency
	}{{"BRL", domain.BRL}, {"usd", domain.USD}, {"", domain.BRL}} {
		p := normalize(stateOf(&payment.Response{ID: 7, Status: "approved", CurrencyID: c.id, TransactionAmount: 99.9}))
		if p.Amount != (domain.Money{AmountMinor: 9990, Currency: c.want}) {
			t.Errorf("currency_id %q: amount %v, want 99.90 %s", c.id, p.Amount, c.want)
		}
	}
}
