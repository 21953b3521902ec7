package paypal

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
	"github.com/tallyhq/tally/gateways/gatewaytest/paypalemu"
)

func TestPaymentFromOrder(t *testing.T) {
	const links = `"links":[{"href":"https://api/self","rel":"self"},{"href":"https://pp/approve","rel":"approve"},{"href":"https://pp/action","rel":"payer-action"}]`
	unit := func(payments string) string {
		return `"purchase_units":[{"amount":{"currency_code":"EUR","value":"10.00"},"custom_id":"o1"` + payments + `}]`
	}
	cases := []struct {
		name     string
		json     string
		status   domain.PaymentStatus
		url      string
		refunded int64
		reason   string
	}{
		{"created", `{"id":"A","status":"CREATED",` + links + `,` + unit("") + `}`, domain.PaymentPending, "https://pp/approve", 0, ""},
		{"saved", `{"id":"A","status":"SAVED",` + links + `,` + unit("") + `}`, domain.PaymentPending, "https://pp/approve", 0, ""},
		{"payer action", `{"id":"A","status":"PAYER_ACTION_REQUIRED",` + links + `,` + unit("") + `}`, domain.PaymentRequiresAction, "https://pp/action", 0, ""},
		{"approved", `{"id":"A","status":"APPROVED",` + links + `,` + unit("") + `}`, domain.PaymentProcessing, "", 0, ""},
		{"voided", `{"id":"A","status":"VOIDED",` + unit("") + `}`, domain.PaymentCanceled, "", 0, ""},
		{"completed", `{"id":"A","status":"COMPLETED",` + unit(`,"payments":{"captures":[{"id":"C","status":"COMPLETED"}]}`) + `}`, domain.PaymentSucceeded, "", 0, ""},
		{"refunds summed, failed ones not", `{"id":"A","status":"COMPLETED",` + unit(`,"payments":{"captures":[{"id":"C","status":"PARTIALLY_REFUNDED"}],"refunds":[
			{"id":"R1","status":"COMPLETED","amount":{"currency_code":"EUR","value":"2.50"}},
			{"id":"R2","status":"PENDING","amount":{"currency_code":"EUR","value":"1"}},
			{"id":"R3","status":"FAILED","amount":{"currency_code":"EUR","value":"4.00"}},
			{"id":"R4","status":"CANCELLED","amount":{"currency_code":"EUR","value":"0.50"}}]}`) + `}`, domain.PaymentSucceeded, "", 350, ""},
		{"fully refunded", `{"id":"A","status":"COMPLETED",` + unit(`,"payments":{"captures":[{"id":"C","status":"REFUNDED"}],"refunds":[{"id":"R1","status":"COMPLETED","amount":{"currency_code":"EUR","value":"10.00"}}]}`) + `}`, domain.PaymentSucceeded, "", 1000, ""},
		{"capture pending", `{"id":"A","status":"COMPLETED",` + unit(`,"payments":{"captures":[{"id":"C","status":"PENDING","status_details":{"reason":"PENDING_REVIEW"}}]}`) + `}`, domain.PaymentProcessing, "", 0, ""},
		{"capture declined", `{"id":"A","status":"COMPLETED",` + unit(`,"payments":{"captures":[{"id":"C","status":"DECLINED"}]}`) + `}`, domain.PaymentFailed, "", 0, "DECLINED"},
		{"capture failed with reason", `{"id":"A","status":"COMPLETED",` + unit(`,"payments":{"captures":[{"id":"C","status":"FAILED","status_details":{"reason":"RISK_DECLINE"}}]}`) + `}`, domain.PaymentFailed, "", 0, "FAILED: RISK_DECLINE"},
		{"completed without captures", `{"id":"A","status":"COMPLETED",` + unit("") + `}`, domain.PaymentProcessing, "", 0, ""},
		{"unknown status", `{"id":"A","status":"SOMETHING_NEW",` + unit("") + `}`, domain.PaymentProcessing, "", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var o orderResource
			if err := json.Unmarshal([]byte(c.json), &o); err != nil {
				t.Fatal(err)
			}
			p, err := paymentFromOrder(o, domain.Money{})
			if err != nil {
				t.Fatal(err)
			}
			url := ""
			if p.NextAction != nil {
				if p.NextAction.Kind != domain.NextActionRedirect {
					t.Fatalf("next action %+v", p.NextAction)
				}
				url = p.NextAction.URL
			}
			want := domain.Money{AmountMinor: 1000, Currency: domain.EUR}
			if p.ID != "A" || p.Status != c.status || url != c.url || p.Refunded != c.refunded || p.FailureReason != c.reason || p.Amount != want {
				t.Fatalf("got %+v (url %q), want %s url %q refunded %d reason %q", p, url, c.status, c.url, c.refunded, c.reason)
			}
		})
	}
	var o orderResource
	_ = json.Unmarshal([]byte(`{"id":"A","status":"CREATED","purchase_units":[{"amount":{"currency_code":"EUR","value":"1.005"}}]}`), &o)
	if _, err := paymentFromOrder(o, domain.Money{}); err == nil {
		t.Fatal("a malformed amount mapped")
	}
}

func TestFromAmount(t *testing.T) {
	cases := []struct {
		in   amount
		want int64
		ok   bool
	}{
		{amount{"EUR", "5.00"}, 500, true},
		{amount{"USD", "5"}, 500, true},
		{amount{"USD", "5.5"}, 550, true},
		{amount{"BRL", "0.01"}, 1, true},
		{amount{"USD", "5.001"}, 0, false},
		{amount{"USD", "-5.00"}, 0, false},
		{amount{"USD", ""}, 0, false},
		{amount{"JPY", "500"}, 0, false},
	}
	for _, c := range cases {
		m, err := fromAmount(&c.in)
		if (err == nil) != c.ok || (c.ok && (m.AmountMinor != c.want || string(m.Currency) != c.in.CurrencyCode)) {
			t.Errorf("fromAmount(%+v) = %+v, %v", c.in, m, err)
		}
	}
	if got := toAmount(domain.Money{AmountMinor: 1234, Currency: domain.USD}); got != (amount{"USD", "12.34"}) {
		t.Errorf("toAmount = %+v", got)
	}
}

func TestRequestID(t *testing.T) {
	if got := requestID("k-1"); got != "k-1" {
		t.Fatalf("short key became %q", got)
	}
	long := strings.Repeat("x", 200)
	got := requestID(long)
	if len(got) > maxRequestID || got != requestID(long) || got == requestID(long+"y") {
		t.Fatalf("long key became %q", got)
	}
}

func TestCreateValidation(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	cases := map[string]struct {
		edit  func(*domain.PaymentRequest)
		field string
	}{
		"card":            {func(r *domain.PaymentRequest) { r.Method = domain.MethodCard }, "method"},
		"installments":    {func(r *domain.PaymentRequest) { r.Installments = 3 }, "installments"},
		"brl":             {func(r *domain.PaymentRequest) { r.Amount.Currency = domain.BRL }, "currency"},
		"zero":            {func(r *domain.PaymentRequest) { r.Amount.AmountMinor = 0 }, "amount"},
		"long order id":   {func(r *domain.PaymentRequest) { r.OrderID = strings.Repeat("o", 128) }, "orderId"},
		"long order nnbr": {func(r *domain.PaymentRequest) { r.OrderNumber = strings.Repeat("o", 128) }, "orderNumber"},
	}
	for name, c := range cases {
		req := reqs.next(gatewaytest.Succeed, domain.EUR)
		c.edit(&req)
		_, err := gw.CreatePayment(t.Context(), req)
		var de *domain.Error
		if !asDomain(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != c.field {
			t.Errorf("%s: %v, want INVALID_INPUT on %s", name, err, c.field)
		}
	}
	if n := emu.Calls("POST", "/v2/checkout/orders"); n != 0 {
		t.Fatalf("%d orders created for invalid requests", n)
	}
	// A description longer than PayPal takes is cut, not refused.
	req := reqs.next(gatewaytest.Succeed, domain.EUR)
	req.Description = strings.Repeat("é", 100)
	if _, err := gw.CreatePayment(t.Context(), req); err != nil {
		t.Fatalf("long description: %v", err)
	}
}

func TestCreateIsIdempotent(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	req := reqs.next(gatewaytest.Succeed, domain.EUR)
	p1, err1 := gw.CreatePayment(t.Context(), req)
	p2, err2 := gw.CreatePayment(t.Context(), req)
	if err1 != nil || err2 != nil || p1.ID != p2.ID {
		t.Fatalf("retried create: %s %v, %s %v", p1.ID, err1, p2.ID, err2)
	}
	if p1.Status != domain.PaymentRequiresAction || p1.NextAction == nil || !strings.Contains(p1.NextAction.URL, "/checkoutnow?token="+p1.ID) {
		t.Fatalf("created payment %+v", p1)
	}
	req.IdempotencyKey += "-other"
	p3, err := gw.CreatePayment(t.Context(), req)
	if err != nil || p3.ID == p1.ID {
		t.Fatalf("another key made %s, %v", p3.ID, err)
	}
	_ = emu
}

func TestConfirmStates(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	create := func(t *testing.T) domain.Payment {
		t.Helper()
		p, err := gw.CreatePayment(t.Context(), reqs.next(gatewaytest.Succeed, domain.USD))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Run("not approved yet", func(t *testing.T) {
		p := create(t)
		got, err := gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
		if err != nil || got.Status != domain.PaymentRequiresAction || got.NextAction == nil || got.NextAction.URL != p.NextAction.URL {
			t.Fatalf("confirm before approval = %+v, %v", got, err)
		}
	})
	t.Run("instrument declined", func(t *testing.T) {
		p := create(t)
		must(t, emu.Approve(p.ID))
		must(t, emu.DeclineNextCapture(p.ID))
		_, err := gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
		var de *domain.Error
		if !asDomain(err, &de) || de.Code != domain.CodePaymentFailed || !strings.Contains(de.Message, "INSTRUMENT_DECLINED") || de.Err == nil {
			t.Fatalf("declined capture = %v", err)
		}
		// PayPal leaves the order APPROVED: the buyer may pay another way.
		got, err := gw.GetPayment(t.Context(), p.ID)
		if err != nil || got.Status != domain.PaymentProcessing {
			t.Fatalf("after the decline GetPayment = %+v, %v", got, err)
		}
	})
	t.Run("capture declined", func(t *testing.T) {
		p := create(t)
		must(t, emu.Approve(p.ID))
		must(t, emu.SetNextCapture(p.ID, paypalemu.CaptureDeclined))
		got, err := gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
		if err != nil || got.Status != domain.PaymentFailed || got.FailureReason != "DECLINED" {
			t.Fatalf("declined capture = %+v, %v", got, err)
		}
		if got, err := gw.GetPayment(t.Context(), p.ID); err != nil || got.Status != domain.PaymentFailed {
			t.Fatalf("GetPayment = %+v, %v", got, err)
		}
	})
	t.Run("capture pending", func(t *testing.T) {
		p := create(t)
		must(t, emu.Approve(p.ID))
		must(t, emu.SetNextCapture(p.ID, paypalemu.CapturePending))
		got, err := gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
		if err != nil || got.Status != domain.PaymentProcessing {
			t.Fatalf("pending capture = %+v, %v", got, err)
		}
		must(t, emu.CompletePendingCapture(p.ID))
		if got, err := gw.GetPayment(t.Context(), p.ID); err != nil || got.Status != domain.PaymentSucceeded {
			t.Fatalf("after completion GetPayment = %+v, %v", got, err)
		}
	})
	t.Run("voided", func(t *testing.T) {
		p := create(t)
		must(t, emu.Void(p.ID))
		got, err := gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
		if err != nil || got.Status != domain.PaymentCanceled {
			t.Fatalf("confirm of a voided order = %+v, %v", got, err)
		}
	})
	t.Run("retried capture", func(t *testing.T) {
		p := create(t)
		must(t, emu.Approve(p.ID))
		a, err1 := gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
		b, err2 := gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
		if err1 != nil || err2 != nil || a.Status != domain.PaymentSucceeded || b.Status != domain.PaymentSucceeded {
			t.Fatalf("captures %+v %v, %+v %v", a, err1, b, err2)
		}
		if st, _ := emu.Order(p.ID); len(st.Captures) != 1 {
			t.Fatalf("%d captures", len(st.Captures))
		}
	})
	t.Run("unknown", func(t *testing.T) {
		for _, id := range []string{"NOSUCHORDER", "../../v1/x", ""} {
			if _, err := gw.ConfirmPayment(t.Context(), id, "k"); domain.ErrorCode(err) != domain.CodeNotFound {
				t.Errorf("confirm %q = %v", id, err)
			}
		}
	})
}

func TestRefundErrors(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	p, err := gw.CreatePayment(t.Context(), reqs.next(gatewaytest.Succeed, domain.EUR))
	must(t, err)
	eur := func(v int64) domain.Money { return domain.Money{AmountMinor: v, Currency: domain.EUR} }
	refund := func(m domain.Money, key string) error {
		_, err := gw.RefundPayment(t.Context(), domain.RefundRequest{PaymentID: p.ID, Amount: m, IdempotencyKey: key})
		return err
	}
	field := func(err error) string {
		var de *domain.Error
		if asDomain(err, &de) && de.Code == domain.CodeInvalidInput {
			return de.Field
		}
		return "not INVALID_INPUT: " + err.Error()
	}
	if f := field(refund(eur(100), "r0")); f != "paymentId" {
		t.Fatalf("refund before capture: %s", f)
	}
	must(t, emu.Approve(p.ID))
	_, err = gw.ConfirmPayment(t.Context(), p.ID, "c")
	must(t, err)
	if f := field(refund(domain.Money{AmountMinor: 100, Currency: domain.USD}, "r1")); f != "amount" {
		t.Fatalf("refund in another currency: %s", f)
	}
	if f := field(refund(eur(1001), "r2")); f != "amount" {
		t.Fatalf("over-refund: %s", f)
	}
	if f := field(refund(eur(0), "r3")); f != "amount" {
		t.Fatalf("zero refund: %s", f)
	}
	r1, err := gw.RefundPayment(t.Context(), domain.RefundRequest{PaymentID: p.ID, Amount: eur(400), IdempotencyKey: "r4"})
	must(t, err)
	r2, err := gw.RefundPayment(t.Context(), domain.RefundRequest{PaymentID: p.ID, Amount: eur(400), IdempotencyKey: "r4"})
	must(t, err)
	if r1.ID != r2.ID || r1.Pending || r1.Amount != eur(400) {
		t.Fatalf("retried refund %+v then %+v", r1, r2)
	}
	must(t, refund(eur(600), "r5"))
	if f := field(refund(eur(1), "r6")); f != "amount" {
		t.Fatalf("refund after a full refund: %s", f)
	}
	if _, err := gw.RefundPayment(t.Context(), domain.RefundRequest{PaymentID: "NOSUCHORDER", Amount: eur(1), IdempotencyKey: "r7"}); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("refund of an unknown order: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
