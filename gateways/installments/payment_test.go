package installments

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
)

func TestCreatePaymentSendsTheOrder(t *testing.T) {
	gw, emu := newTestGateway(t)
	req := cardRequest(mercadopagoemu.TokenApprove)
	req.PaymentMethodID = "VISA:" + mercadopagoemu.TokenApprove + ":25"
	p, err := gw.CreatePayment(context.Background(), req)
	if err != nil || p.Status != domain.PaymentSucceeded || p.NextAction != nil {
		t.Fatalf("CreatePayment = %+v, %v", p, err)
	}
	got, ok := emu.Payment(p.ID)
	if !ok {
		t.Fatalf("no payment %s on the emulator", p.ID)
	}
	want := mercadopagoemu.PaymentInfo{
		ID: p.ID, Status: "approved", StatusDetail: "accredited",
		AmountMinor: 1234567, Installments: 7, PaymentMethodID: "visa", IssuerID: "25",
		Token: mercadopagoemu.TokenApprove, PayerEmail: req.Customer.Email, Description: "Pro pack x1",
		ExternalReference: req.OrderID, NotificationURL: "https://tally.example.com/webhooks/installments",
		ThreeDSecureMode: "optional", IdempotencyKey: req.IdempotencyKey,
	}
	meta := got.Metadata
	got.Metadata = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("emulator saw\n%+v\nwant\n%+v", got, want)
	}
	if meta["order_id"] != req.OrderID || meta["order_number"] != req.OrderNumber || meta["org_id"] != "org-1" {
		t.Fatalf("metadata %v", meta)
	}
}

func TestCreatePaymentIsIdempotent(t *testing.T) {
	gw, emu := newTestGateway(t)
	req := cardRequest(mercadopagoemu.TokenApprove)
	a, err1 := gw.CreatePayment(context.Background(), req)
	b, err2 := gw.CreatePayment(context.Background(), req)
	if err1 != nil || err2 != nil || a.ID != b.ID || len(emu.PaymentIDs()) != 1 {
		t.Fatalf("retried create: %s %v, %s %v; %d payments", a.ID, err1, b.ID, err2, len(emu.PaymentIDs()))
	}
}

func TestCreatePaymentOutcomes(t *testing.T) {
	gw, _ := newTestGateway(t)
	cases := []struct {
		token  string
		status domain.PaymentStatus
		code   domain.Code
		reason string
	}{
		{mercadopagoemu.TokenApprove, domain.PaymentSucceeded, "", ""},
		{mercadopagoemu.TokenInsufficientAmount, domain.PaymentFailed, domain.CodePaymentFailed, "cc_rejected_insufficient_amount"},
		{mercadopagoemu.TokenRejected, domain.PaymentFailed, domain.CodePaymentFailed, "cc_rejected_other_reason"},
		{mercadopagoemu.TokenBadSecurityCode, domain.PaymentFailed, domain.CodePaymentFailed, "cc_rejected_bad_filled_security_code"},
		{mercadopagoemu.TokenPending, domain.PaymentProcessing, "", ""},
		{mercadopagoemu.TokenChallenge, domain.PaymentRequiresAction, "", ""},
	}
	for _, c := range cases {
		p, err := gw.CreatePayment(context.Background(), cardRequest(c.token))
		if domain.ErrorCode(err) != c.code || p.Status != c.status || p.FailureReason != c.reason || p.ID == "" {
			t.Errorf("%s: %+v, %v; want %s (%s) %q", c.token, p, err, c.status, c.code, c.reason)
		}
		if c.code == domain.CodePaymentFailed {
			var de *domain.Error
			if !errors.As(err, &de) || de.Message != "card declined: "+c.reason {
				t.Errorf("%s: message %v", c.token, err)
			}
		}
	}
}

func TestPendingPaymentSettlesLater(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := context.Background()
	p, err := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenPending))
	if err != nil || p.Status != domain.PaymentProcessing {
		t.Fatalf("create = %+v, %v", p, err)
	}
	if err := emu.Approve(p.ID); err != nil {
		t.Fatal(err)
	}
	if p, err = gw.GetPayment(ctx, p.ID); err != nil || p.Status != domain.PaymentSucceeded {
		t.Fatalf("after approval GetPayment = %+v, %v", p, err)
	}
}

func TestFailedChallenge(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := context.Background()
	p, err := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenChallenge))
	if err != nil || p.NextAction == nil || p.NextAction.ClientSecret == "" {
		t.Fatalf("create = %+v, %v", p, err)
	}
	resp, err := emu.Client().Post(p.NextAction.URL+"?result=fail", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	p, err = gw.ConfirmPayment(ctx, p.ID, "confirm")
	if domain.ErrorCode(err) != domain.CodePaymentFailed || p.Status != domain.PaymentFailed || p.FailureReason != "cc_rejected_3ds_challenge" {
		t.Fatalf("confirm after a failed challenge = %+v, %v", p, err)
	}
	if p, err = gw.GetPayment(ctx, p.ID); err != nil || p.Status != domain.PaymentFailed {
		t.Fatalf("GetPayment of a failed payment = %+v, %v; want FAILED and no error", p, err)
	}
}

func TestCreatePaymentRefusesBadInput(t *testing.T) {
	gw, emu := newTestGateway(t, func(c *Config) { c.MaxInstallments = 10 })
	cases := map[string]struct {
		edit  func(*domain.PaymentRequest)
		field string
	}{
		"EUR":             {func(r *domain.PaymentRequest) { r.Amount.Currency = domain.EUR }, "currency"},
		"zero amount":     {func(r *domain.PaymentRequest) { r.Amount.AmountMinor = 0 }, "amount"},
		"org in Portugal": {func(r *domain.PaymentRequest) { r.Customer.Country = "PT" }, "country"},
		"PayPal":          {func(r *domain.PaymentRequest) { r.Method = domain.MethodPayPal }, "method"},
		"11 installments": {func(r *domain.PaymentRequest) { r.Installments = 11 }, "installments"},
		"bare token":      {func(r *domain.PaymentRequest) { r.PaymentMethodID = mercadopagoemu.TokenApprove }, "paymentMethodId"},
		"empty token":     {func(r *domain.PaymentRequest) { r.PaymentMethodID = "visa:" }, "paymentMethodId"},
		"unknown token":   {func(r *domain.PaymentRequest) { r.PaymentMethodID = "visa:tok_unknown" }, ""},
		"unknown brand":   {func(r *domain.PaymentRequest) { r.PaymentMethodID = "diners-x:" + mercadopagoemu.TokenApprove }, ""},
		"no payer email":  {func(r *domain.PaymentRequest) { r.Customer.Email = "" }, ""},
		"negative amount": {func(r *domain.PaymentRequest) { r.Amount.AmountMinor = -5 }, "amount"},
		// Beyond 2^53 centavos the decimal sent would be another amount.
		"amount beyond 2^53 ¢": {func(r *domain.PaymentRequest) { r.Amount.AmountMinor = 1<<53 + 1 }, "amount"},
		"largest amount":       {func(r *domain.PaymentRequest) { r.Amount.AmountMinor = math.MaxInt64 }, "amount"},
	}
	for name, c := range cases {
		req := cardRequest(mercadopagoemu.TokenApprove)
		c.edit(&req)
		_, err := gw.CreatePayment(context.Background(), req)
		var de *domain.Error
		if !errors.As(err, &de) || de.Code != domain.CodeInvalidInput || de.Field != c.field {
			t.Errorf("%s: %v, want INVALID_INPUT on field %q", name, err, c.field)
		}
		// What is refused on a field is refused before any order exists
		// (CheckPayment); what only Mercado Pago refuses passes the check.
		cerr := gw.CheckPayment(req)
		if c.field == "" && cerr != nil || c.field != "" && (!errors.As(cerr, &de) || de.Field != c.field) {
			t.Errorf("%s: CheckPayment = %v, want INVALID_INPUT on %q exactly when CreatePayment refuses it on its own", name, cerr, c.field)
		}
	}
	if n := len(emu.PaymentIDs()); n != 0 {
		t.Fatalf("%d payments made from bad input", n)
	}
	req := cardRequest(mercadopagoemu.TokenApprove)
	req.Installments = 0
	if p, err := gw.CreatePayment(context.Background(), req); err != nil {
		t.Fatalf("0 installments (pay at once) = %v", err)
	} else if info, _ := emu.Payment(p.ID); info.Installments != 1 {
		t.Fatalf("0 installments sent as %d", info.Installments)
	}
}

func TestUnavailable(t *testing.T) {
	ctx := context.Background()
	t.Run("bad credentials", func(t *testing.T) {
		gw, _ := newTestGateway(t, func(c *Config) { c.AccessToken = "TEST-revoked" })
		_, err := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenApprove))
		if domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("revoked token = %v", err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		gw, emu := newTestGateway(t, func(c *Config) { c.Timeout = 200 * time.Millisecond })
		emu.Hang(true)
		defer emu.Hang(false)
		for name, call := range map[string]func() error{
			"create":  func() error { _, err := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenApprove)); return err },
			"confirm": func() error { _, err := gw.ConfirmPayment(ctx, "1310000001", "k"); return err },
			"refund": func() error {
				_, err := gw.RefundPayment(ctx, domain.RefundRequest{PaymentID: "1310000001", Amount: domain.Money{AmountMinor: 1, Currency: domain.BRL}})
				return err
			},
		} {
			if err := call(); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
				t.Errorf("%s while the provider hangs = %v", name, err)
			}
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		gw, emu := newTestGateway(t)
		emu.Close()
		if _, err := gw.GetPayment(ctx, "1310000001"); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("closed server = %v", err)
		}
	})
}

func TestGetPaymentUnknown(t *testing.T) {
	gw, _ := newTestGateway(t)
	for _, id := range []string{"", "abc", "-4", "0", "999999", "pref:", "pref:nope"} {
		if _, err := gw.GetPayment(context.Background(), id); domain.ErrorCode(err) != domain.CodeNotFound {
			t.Errorf("GetPayment(%q) = %v, want NOT_FOUND", id, err)
		}
	}
}

func TestRefunds(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := context.Background()
	p, err := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenApprove))
	if err != nil {
		t.Fatal(err)
	}
	brl := func(minor int64) domain.Money { return domain.Money{AmountMinor: minor, Currency: domain.BRL} }
	r, err := gw.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: brl(34567), IdempotencyKey: "rf-1"})
	if err != nil || r.ID == "" || r.Amount != brl(34567) || r.Pending {
		t.Fatalf("refund = %+v, %v", r, err)
	}
	again, err := gw.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: brl(34567), IdempotencyKey: "rf-1"})
	if err != nil || again.ID != r.ID {
		t.Fatalf("retried refund = %+v, %v; want refund %s again", again, err, r.ID)
	}
	if info, _ := emu.Payment(p.ID); info.RefundedMinor != 34567 || len(info.RefundKeys) != 1 || info.RefundKeys[0] != "rf-1" {
		t.Fatalf("emulator after a retried refund: %+v", info)
	}
	cases := map[string]struct {
		req  domain.RefundRequest
		code domain.Code
	}{
		"over-refund":     {domain.RefundRequest{PaymentID: p.ID, Amount: brl(1234567)}, domain.CodeInvalidInput},
		"zero":            {domain.RefundRequest{PaymentID: p.ID, Amount: brl(0)}, domain.CodeInvalidInput},
		"beyond 2^53 ¢":   {domain.RefundRequest{PaymentID: p.ID, Amount: brl(1<<53 + 1)}, domain.CodeInvalidInput},
		"USD":             {domain.RefundRequest{PaymentID: p.ID, Amount: domain.Money{AmountMinor: 1, Currency: domain.USD}}, domain.CodeInvalidInput},
		"unknown payment": {domain.RefundRequest{PaymentID: "999", Amount: brl(1)}, domain.CodeNotFound},
		"not an id":       {domain.RefundRequest{PaymentID: "x", Amount: brl(1)}, domain.CodeNotFound},
	}
	for name, c := range cases {
		if _, err := gw.RefundPayment(ctx, c.req); domain.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", name, err, c.code)
		}
	}
	declined, _ := gw.CreatePayment(ctx, cardRequest(mercadopagoemu.TokenRejected))
	if _, err := gw.RefundPayment(ctx, domain.RefundRequest{PaymentID: declined.ID, Amount: brl(1)}); domain.ErrorCode(err) != domain.CodeInvalidInput {
		t.Errorf("refunding a declined payment = %v, want INVALID_INPUT", err)
	}
}

func TestParseCard(t *testing.T) {
	cases := []struct {
		in   string
		want card
		ok   bool
	}{
		{"visa:tok", card{"visa", "tok", ""}, true},
		{"Master:tok:24", card{"master", "tok", "24"}, true},
		{"tok", card{}, false},
		{":tok", card{}, false},
		{"visa:", card{}, false},
		{"visa:tok:24:x", card{}, false},
	}
	for _, c := range cases {
		got, err := parseCard(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseCard(%q) = %+v, %v", c.in, got, err)
		}
	}
}

func TestNew(t *testing.T) {
	ok := Config{AccessToken: "a", WebhookSecret: "s"}
	cases := map[string]func(*Config){
		"no token":           func(c *Config) { c.AccessToken = "" },
		"no secret":          func(c *Config) { c.WebhookSecret = "" },
		"bad url":            func(c *Config) { c.BaseURL = "ftp://x" },
		"13 installments":    func(c *Config) { c.MaxInstallments = 13 },
		"negative installm":  func(c *Config) { c.MaxInstallments = -1 },
		"negative tolerance": func(c *Config) { c.WebhookTolerance = -time.Second },
	}
	for name, edit := range cases {
		cfg := ok
		edit(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
	gw, err := New(ok)
	if err != nil {
		t.Fatal(err)
	}
	caps := gw.Capabilities()
	if gw.Name() != "installments" || gw.cfg.BaseURL != DefaultBaseURL || caps.MaxInstallments != 12 ||
		caps.Countries[0] != "BR" || caps.Currencies[0] != domain.BRL || caps.Methods[0] != domain.MethodCard ||
		!caps.Refunds || !caps.PartialRefunds || !caps.SavedCards {
		t.Fatalf("defaults: %+v %+v", gw.cfg, caps)
	}
	if gw.cfg.HTTPClient.Timeout != DefaultTimeout || gw.cfg.WebhookTolerance != DefaultWebhookTolerance {
		t.Fatalf("client timeout %v, tolerance %v", gw.cfg.HTTPClient.Timeout, gw.cfg.WebhookTolerance)
	}
}
