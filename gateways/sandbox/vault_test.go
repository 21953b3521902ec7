package sandbox

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tallyhq/tally/domain"
)

func saveRequest(token, key string) domain.SaveMethodRequest {
	return domain.SaveMethodRequest{
		Customer: domain.Customer{OrgID: "org-1", Name: "Acme", Email: "billing@acme.test", Country: "DE"},
		Token:    token, IdempotencyKey: key,
	}
}

// offSession is a EUR 19.99 off-session charge of m.
func offSession(m domain.SavedMethod) domain.PaymentRequest {
	req := paymentRequest("")
	req.Saved = &m
	return req
}

func TestSavedCards(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		card       string
		saveCode   domain.Code
		pending    bool
		wantStatus domain.PaymentStatus
		wantCode   domain.Code
		wantReason string
		wantEvent  string
	}{
		{name: "succeeds", card: CardSucceeds, wantStatus: domain.PaymentSucceeded, wantEvent: EventSucceeded},
		{name: "insufficient funds off session", card: CardInsufficientFunds, wantStatus: domain.PaymentFailed,
			wantCode: domain.CodePaymentFailed, wantReason: "insufficient_funds", wantEvent: EventFailed},
		{name: "authentication required off session", card: CardAuthRequired, wantStatus: domain.PaymentFailed,
			wantCode: domain.CodePaymentFailed, wantReason: domain.FailureAuthRequired, wantEvent: EventFailed},
		{name: "processing", card: CardProcessing, wantStatus: domain.PaymentProcessing, wantEvent: EventSucceeded},
		{name: "3-D Secure at setup, then off session", card: CardRequiresAction, pending: true,
			wantStatus: domain.PaymentSucceeded, wantEvent: EventSucceeded},
		{name: "declined while saving", card: CardDeclined, saveCode: domain.CodePaymentFailed},
		{name: "unknown card", card: "4111111111111111", saveCode: domain.CodeInvalidInput},
		{name: "no card", card: "", saveCode: domain.CodeInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, rec := newTestGateway(t, Config{})
			m, err := g.SaveMethod(ctx, saveRequest(tt.card, "save-1"))
			if domain.ErrorCode(err) != tt.saveCode {
				t.Fatalf("SaveMethod = %+v, %v; want code %q", m, err, tt.saveCode)
			}
			if tt.saveCode != "" {
				return
			}
			if !strings.HasPrefix(m.CustomerRef, "cus_") || m.Kind != domain.MethodCard || m.Brand != "visa" ||
				m.Last4 != tt.card[12:] || m.ExpYear == 0 || m.Ready == tt.pending {
				t.Fatalf("saved %+v", m)
			}
			if tt.pending {
				want := "http://tally.test/sandbox/setup/" + m.SetupRef
				if m.NextAction == nil || m.NextAction.Kind != domain.NextActionRedirect || m.NextAction.URL != want {
					t.Fatalf("next action %+v, want REDIRECT to %s", m.NextAction, want)
				}
				if _, err := g.CreatePayment(ctx, offSession(m)); domain.ErrorCode(err) != domain.CodeInvalidInput {
					t.Fatalf("charging a waiting setup = %v, want INVALID_INPUT", err)
				}
				if again, err := g.CompleteSave(ctx, m); err != nil || again.Ready {
					t.Fatalf("CompleteSave before 3-D Secure = %+v, %v", again, err)
				}
				if err := g.ApproveSetup(m.SetupRef); err != nil {
					t.Fatal(err)
				}
				if m, err = g.CompleteSave(ctx, m); err != nil || !m.Ready || m.NextAction != nil || m.SetupRef != "" {
					t.Fatalf("CompleteSave after 3-D Secure = %+v, %v", m, err)
				}
			} else if m.NextAction != nil || m.SetupRef != "" {
				t.Fatalf("a card saved at once has a next action: %+v", m)
			}
			again, err := g.SaveMethod(ctx, saveRequest(tt.card, "save-1"))
			if err != nil || again.Ref != m.Ref && !tt.pending {
				t.Fatalf("repeated key = %+v, %v; want %s", again, err, m.Ref)
			}
			p, err := g.CreatePayment(ctx, offSession(m))
			if domain.ErrorCode(err) != tt.wantCode || p.Status != tt.wantStatus || p.FailureReason != tt.wantReason || p.NextAction != nil {
				t.Fatalf("off-session charge = %+v, %v; want %s (%q), code %q", p, err, tt.wantStatus, tt.wantReason, tt.wantCode)
			}
			if ev, _ := rec.next(t); ev.Type != tt.wantEvent || ev.Data.PaymentID != p.ID || ev.Data.FailureReason != tt.wantReason {
				t.Fatalf("webhook %+v, want %s", ev, tt.wantEvent)
			}
			if got, err := g.GetPayment(ctx, p.ID); err != nil || got.FailureReason != tt.wantReason {
				t.Fatalf("GetPayment = %+v, %v", got, err)
			}
		})
	}
}

func TestSavedCardCustomerAndRemoval(t *testing.T) {
	ctx := context.Background()
	g, _ := newTestGateway(t, Config{})
	first, err := g.SaveMethod(ctx, saveRequest(CardSucceeds, "a"))
	if err != nil {
		t.Fatal(err)
	}
	req := saveRequest(CardSucceeds, "b")
	req.CustomerRef = first.CustomerRef
	second, err := g.SaveMethod(ctx, req)
	if err != nil || second.CustomerRef != first.CustomerRef || second.Ref == first.Ref {
		t.Fatalf("second save = %+v, %v; want a new method on customer %s", second, err, first.CustomerRef)
	}
	tests := []struct {
		name string
		req  func() domain.PaymentRequest
		code domain.Code
	}{
		{"a saved card with a payment method id too", func() domain.PaymentRequest {
			r := offSession(first)
			r.PaymentMethodID = CardSucceeds
			return r
		}, domain.CodeInvalidInput},
		{"a ref that is no saved card", func() domain.PaymentRequest {
			m := first
			m.Ref = "pm_sandbox_x_4111111111111111"
			return offSession(m)
		}, domain.CodeInvalidInput},
		{"a saved card after a restart (a new gateway)", func() domain.PaymentRequest { return offSession(first) }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fresh, _ := newTestGateway(t, Config{})
			if _, err := fresh.CreatePayment(ctx, tt.req()); domain.ErrorCode(err) != tt.code {
				t.Fatalf("err = %v, want %q", err, tt.code)
			}
			if err := fresh.CheckPayment(tt.req()); domain.ErrorCode(err) != tt.code {
				t.Fatalf("CheckPayment = %v, want %q", err, tt.code)
			}
		})
	}
	if err := g.RemoveMethod(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := g.RemoveMethod(ctx, first); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	if _, err := g.CreatePayment(ctx, offSession(first)); domain.ErrorCode(err) != domain.CodeInvalidInput {
		t.Fatalf("charging a removed card = %v, want INVALID_INPUT", err)
	}
	if _, err := g.CreatePayment(ctx, offSession(second)); err != nil {
		t.Fatalf("the other card: %v", err)
	}
	g.SetOutage(true)
	defer g.SetOutage(false)
	if _, err := g.SaveMethod(ctx, saveRequest(CardSucceeds, "c")); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("save during an outage = %v", err)
	}
	if err := g.RemoveMethod(ctx, second); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("remove during an outage = %v", err)
	}
}

func TestSetupPage(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, action, returnURL string
		wantCode                domain.Code
		wantLocation            string
	}{
		{"authenticate, back to the app", "pay", "https://app.test/billing?x=1", "", "https://app.test/billing?setup_id=ID&status=authenticated&x=1"},
		{"fail, back to the page", "decline", "", domain.CodePaymentFailed, "/sandbox/setup/ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := newTestGateway(t, Config{})
			req := saveRequest(CardRequiresAction, "k")
			req.ReturnURL = tt.returnURL
			m, err := g.SaveMethod(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(g.Handler())
			defer srv.Close()
			path := "/sandbox/setup/" + m.SetupRef
			res, err := http.Get(srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			_ = res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Security-Policy") == "" {
				t.Fatalf("GET setup page: %d", res.StatusCode)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			res, err = client.PostForm(srv.URL+path, url.Values{"action": {tt.action}})
			if err != nil {
				t.Fatal(err)
			}
			_ = res.Body.Close()
			want := strings.ReplaceAll(tt.wantLocation, "ID", m.SetupRef)
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
				t.Fatalf("POST = %d to %q, want 303 to %q", res.StatusCode, res.Header.Get("Location"), want)
			}
			res, err = client.PostForm(srv.URL+path, url.Values{"action": {"pay"}})
			if err != nil {
				t.Fatal(err)
			}
			_ = res.Body.Close()
			if res.StatusCode != http.StatusConflict {
				t.Fatalf("second answer = %d, want 409", res.StatusCode)
			}
			if _, err := g.CompleteSave(ctx, m); domain.ErrorCode(err) != tt.wantCode {
				t.Fatalf("CompleteSave = %v, want %q", err, tt.wantCode)
			}
		})
	}
	g, _ := newTestGateway(t, Config{})
	srv := httptest.NewServer(g.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL + "/sandbox/setup/seti_nope")
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown setup = %d", res.StatusCode)
	}
	if _, err := g.CompleteSave(ctx, domain.SavedMethod{SetupRef: "seti_nope"}); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("CompleteSave of an unknown setup = %v", err)
	}
}
