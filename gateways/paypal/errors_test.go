package paypal

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	sdk "github.com/plutov/paypal/v4"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/gateways/gatewaytest"
)

func asDomain(err error, de **domain.Error) bool { return errors.As(err, de) }

// sdkError is what the SDK returns for a PayPal error answer.
func sdkError(status int, path, name, issue string) error {
	u, _ := url.Parse("https://api-m.sandbox.paypal.com" + path)
	er := &sdk.ErrorResponse{
		Response: &http.Response{StatusCode: status, Request: &http.Request{Method: "POST", URL: u}},
		Name:     name,
		Message:  "message",
	}
	if issue != "" {
		er.Details = []sdk.ErrorResponseDetail{{Issue: issue}}
	}
	return er
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestFail(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code domain.Code
		msg  string
	}{
		{"bad credentials", sdkError(401, tokenPath, "", ""), domain.CodeGatewayUnavailable, "client credentials"},
		{"bad token", sdkError(401, "/v2/checkout/orders", "", ""), domain.CodeGatewayUnavailable, "access token"},
		{"forbidden", sdkError(403, "/v2/checkout/orders", "NOT_AUTHORIZED", "PERMISSION_DENIED"), domain.CodeGatewayUnavailable, "PERMISSION_DENIED"},
		{"bad request", sdkError(400, "/v2/checkout/orders", "INVALID_REQUEST", "INVALID_PARAMETER_VALUE"), domain.CodeInvalidInput, "INVALID_PARAMETER_VALUE"},
		{"not found", sdkError(404, "/v2/checkout/orders/X", "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID"), domain.CodeNotFound, ""},
		{"declined", sdkError(422, "/v2/checkout/orders/X/capture", "UNPROCESSABLE_ENTITY", "INSTRUMENT_DECLINED"), domain.CodePaymentFailed, "INSTRUMENT_DECLINED"},
		{"unprocessable without details", sdkError(422, "/v2/checkout/orders", "UNPROCESSABLE_ENTITY", ""), domain.CodePaymentFailed, "UNPROCESSABLE_ENTITY"},
		{"request in progress", sdkError(409, "/v2/checkout/orders", "RESOURCE_CONFLICT", "PREVIOUS_REQUEST_IN_PROGRESS"), domain.CodeGatewayUnavailable, ""},
		{"rate limited", sdkError(429, "/v2/checkout/orders", "RATE_LIMIT_REACHED", ""), domain.CodeGatewayUnavailable, "rate limiting"},
		{"server error", sdkError(500, "/v2/checkout/orders", "INTERNAL_SERVER_ERROR", ""), domain.CodeGatewayUnavailable, "INTERNAL_SERVER_ERROR"},
		{"unavailable", sdkError(503, "/v2/checkout/orders", "SERVICE_UNAVAILABLE", ""), domain.CodeGatewayUnavailable, ""},
		{"html error page", &url.Error{Op: "Post", URL: "u", Err: &statusError{code: 502, body: "<html>"}}, domain.CodeGatewayUnavailable, "HTTP 502"},
		{"html 404", &url.Error{Op: "Get", URL: "u", Err: &statusError{code: 404, body: "<html>"}}, domain.CodeNotFound, ""},
		{"client timeout", &url.Error{Op: "Post", URL: "u", Err: timeoutErr{}}, domain.CodeGatewayUnavailable, "in time"},
		{"deadline", context.DeadlineExceeded, domain.CodeGatewayUnavailable, "in time"},
		{"refused", &url.Error{Op: "Post", URL: "u", Err: errors.New("connection refused")}, domain.CodeGatewayUnavailable, "unreachable"},
		{"coded already", domain.NotFound("x"), domain.CodeNotFound, ""},
	}
	for _, c := range cases {
		err := fail("do it", c.err)
		var de *domain.Error
		if !asDomain(err, &de) || de.Code != c.code || !strings.Contains(de.Message, c.msg) {
			t.Errorf("%s: %v, want %s containing %q", c.name, err, c.code, c.msg)
			continue
		}
		if !errors.Is(err, c.err) {
			t.Errorf("%s: the original error is not wrapped", c.name)
		}
	}
	if fail("x", nil) != nil {
		t.Error("fail(nil) is not nil")
	}
}

func TestWrongCredentials(t *testing.T) {
	_, gw := newEmu(t, func(c *Config) { c.Secret = "wrong" })
	var reqs requests
	_, err := gw.CreatePayment(t.Context(), reqs.next(gatewaytest.Succeed, domain.EUR))
	var de *domain.Error
	if !asDomain(err, &de) || de.Code != domain.CodeGatewayUnavailable || !strings.Contains(de.Message, "client credentials") || strings.Contains(de.Error(), "wrong") {
		t.Fatalf("wrong secret = %v", err)
	}
}

func TestRevokedTokenIsRenewed(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	p, err := gw.CreatePayment(t.Context(), reqs.next(gatewaytest.Succeed, domain.EUR))
	must(t, err)
	emu.RevokeTokens()
	if _, err := gw.GetPayment(t.Context(), p.ID); err != nil {
		t.Fatalf("after a revocation: %v", err)
	}
	if n := emu.Calls("POST", "/v1/oauth2/token"); n != 2 {
		t.Fatalf("%d token calls, want 2", n)
	}
}

func TestTimeoutThenReconcile(t *testing.T) {
	emu, gw := newEmu(t, func(c *Config) { c.Timeout = 200 * time.Millisecond })
	var reqs requests
	p, err := gw.CreatePayment(t.Context(), reqs.next(gatewaytest.Succeed, domain.EUR))
	must(t, err)
	must(t, emu.Approve(p.ID))
	emu.Hang(true)
	_, err = gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
	emu.Hang(false)
	var de *domain.Error
	if !asDomain(err, &de) || de.Code != domain.CodeGatewayUnavailable || !strings.Contains(de.Message, "in time") {
		t.Fatalf("capture during a hang = %v", err)
	}
	got, err := gw.GetPayment(t.Context(), p.ID)
	if err != nil || got.Status != domain.PaymentProcessing {
		t.Fatalf("the unpaid order reads %+v, %v; want PROCESSING", got, err)
	}
	got, err = gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
	if err != nil || got.Status != domain.PaymentSucceeded {
		t.Fatalf("capture retried = %+v, %v", got, err)
	}
}

func TestLostAnswerThenReconcile(t *testing.T) {
	emu, gw := newEmu(t, nil)
	var reqs requests
	p, err := gw.CreatePayment(t.Context(), reqs.next(gatewaytest.Succeed, domain.EUR))
	must(t, err)
	must(t, emu.Approve(p.ID))
	emu.DropAnswers(true)
	_, err = gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID)
	emu.DropAnswers(false)
	if domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
		t.Fatalf("capture whose answer was lost = %v", err)
	}
	if got, err := gw.GetPayment(t.Context(), p.ID); err != nil || got.Status != domain.PaymentSucceeded {
		t.Fatalf("the captured order reads %+v, %v; want SUCCEEDED", got, err)
	}
	if got, err := gw.ConfirmPayment(t.Context(), p.ID, "c-"+p.ID); err != nil || got.Status != domain.PaymentSucceeded {
		t.Fatalf("capture retried = %+v, %v", got, err)
	}
	if st, _ := emu.Order(p.ID); len(st.Captures) != 1 {
		t.Fatalf("%d captures", len(st.Captures))
	}
}

func TestNonJSONErrorPage(t *testing.T) {
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	}))
	defer proxy.Close()
	gw, err := New(Config{ClientID: "id", Secret: "secret", BaseURL: proxy.URL})
	must(t, err)
	_, err = gw.GetPayment(t.Context(), "ABC")
	var de *domain.Error
	if !asDomain(err, &de) || de.Code != domain.CodeGatewayUnavailable || !strings.Contains(de.Message, "502") {
		t.Fatalf("behind a broken proxy = %v", err)
	}
}

func TestNew(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New without credentials succeeded")
	}
	if _, err := New(Config{ClientID: "a", Secret: "b", Currencies: []domain.Currency{"XYZ"}}); err == nil {
		t.Fatal("New with an unknown currency succeeded")
	}
	gw, err := New(Config{ClientID: "a", Secret: "b", Live: true})
	must(t, err)
	if gw.cfg.BaseURL != LiveBaseURL || gw.http.Timeout != DefaultTimeout || gw.cfg.WebhookMaxAge != DefaultWebhookMaxAge {
		t.Fatalf("defaults %+v", gw.cfg)
	}
	caps := gw.Capabilities()
	if gw.Name() != "paypal" || len(caps.Currencies) != 2 || caps.Methods[0] != domain.MethodPayPal || caps.MaxInstallments != 1 || !caps.PartialRefunds || !caps.SavedCards {
		t.Fatalf("capabilities %+v", caps)
	}
	hc := &http.Client{Timeout: time.Second}
	gw, err = New(Config{ClientID: "a", Secret: "b", HTTPClient: hc})
	must(t, err)
	if hc.Transport != nil || gw.http.Timeout != time.Second {
		t.Fatal("the given HTTP client was changed or not used")
	}
}
