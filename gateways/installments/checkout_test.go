package installments

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest/mercadopagoemu"
)

func TestCheckoutPro(t *testing.T) {
	gw, emu := newTestGateway(t)
	ctx := context.Background()
	req := cardRequest("")
	req.PaymentMethodID = ""
	req.ReturnURL = "https://app.tally.example/orders/1"
	p, err := gw.CreatePayment(ctx, req)
	if err != nil || p.Status != domain.PaymentPending || p.Amount != req.Amount ||
		p.NextAction == nil || p.NextAction.Kind != domain.NextActionRedirect || p.NextAction.URL == "" {
		t.Fatalf("CreatePayment without a card = %+v, %v", p, err)
	}
	prefID, ok := strings.CutPrefix(p.ID, "pref:")
	if !ok {
		t.Fatalf("payment id %q is not a preference", p.ID)
	}
	pref, _ := emu.Preference(prefID)
	if pref.AmountMinor != 1234567 || pref.Installments != 7 || pref.DefaultInstallments != 7 ||
		pref.ExternalReference != req.OrderID || pref.SuccessURL != req.ReturnURL ||
		pref.IdempotencyKey != req.IdempotencyKey || pref.Metadata["order_id"] != req.OrderID ||
		pref.NotificationURL != gw.cfg.NotificationURL || pref.PayerEmail != req.Customer.Email {
		t.Fatalf("preference %+v", pref)
	}
	again, err := gw.CreatePayment(ctx, req)
	if err != nil || again.ID != p.ID {
		t.Fatalf("retried checkout = %s, %v; want %s", again.ID, err, p.ID)
	}

	got, err := gw.GetPayment(ctx, p.ID)
	if err != nil || got.Status != domain.PaymentPending || got.NextAction == nil || got.NextAction.URL != p.NextAction.URL {
		t.Fatalf("before paying GetPayment = %+v, %v", got, err)
	}
	if _, err := gw.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: req.Amount}); domain.ErrorCode(err) != domain.CodeInvalidInput {
		t.Fatalf("refunding an unpaid checkout = %v", err)
	}

	if _, err := emu.PayPreference(prefID, mercadopagoemu.TokenInsufficientAmount, 0); err != nil {
		t.Fatal(err)
	}
	got, err = gw.ConfirmPayment(ctx, p.ID, "c1")
	if domain.ErrorCode(err) != domain.CodePaymentFailed || got.Status != domain.PaymentFailed || got.ID != p.ID {
		t.Fatalf("after a declined card ConfirmPayment = %+v, %v", got, err)
	}

	// The buyer tries another card on the same page; the approved payment wins.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(p.NextAction.URL + "&installments=5")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if loc == nil || !strings.HasPrefix(loc.String(), req.ReturnURL) {
		t.Fatalf("checkout page sent the buyer to %v", loc)
	}
	mpID := loc.Query().Get("payment_id")
	got, err = gw.ConfirmPayment(ctx, p.ID, "c2")
	if err != nil || got.Status != domain.PaymentSucceeded || got.ID != p.ID || got.Amount != req.Amount {
		t.Fatalf("after paying ConfirmPayment = %+v, %v", got, err)
	}

	half := domain.Money{AmountMinor: req.Amount.AmountMinor / 2, Currency: domain.BRL}
	if _, err := gw.RefundPayment(ctx, domain.RefundRequest{PaymentID: p.ID, Amount: half, IdempotencyKey: "r"}); err != nil {
		t.Fatal(err)
	}
	if got, err = gw.GetPayment(ctx, p.ID); err != nil || got.Refunded != half.AmountMinor {
		t.Fatalf("after refunding half = %+v, %v", got, err)
	}
	if info, _ := emu.Payment(mpID); info.RefundedMinor != half.AmountMinor || info.Installments != 5 {
		t.Fatalf("refund did not reach payment %s: %+v", mpID, info)
	}

	h, body := emu.SignedNotification(mpID)
	evs, err := gw.ParseWebhook(ctx, domain.WebhookRequest{Header: h, Body: body})
	if err != nil || len(evs) != 1 || evs[0].OrderID != req.OrderID || evs[0].PaymentID != mpID || evs[0].Kind != domain.EventPaymentRefunded {
		t.Fatalf("webhook about the checkout payment = %+v, %v", evs, err)
	}
}

func TestCheckoutWithoutReturnURL(t *testing.T) {
	gw, emu := newTestGateway(t)
	req := cardRequest("")
	req.PaymentMethodID = ""
	req.Installments = 12
	p, err := gw.CreatePayment(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	pref, _ := emu.Preference(strings.TrimPrefix(p.ID, "pref:"))
	if pref.SuccessURL != "" || pref.Installments != 12 {
		t.Fatalf("preference %+v", pref)
	}
}
