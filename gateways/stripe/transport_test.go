package stripe

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

// TestProviderFailures drives failures through real HTTP: what stripe-go
// makes of each answer, and how the plugin maps it.
func TestProviderFailures(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		code   domain.Code
	}{
		{"500", 500, `{"error":{"type":"api_error","message":"boom"}}`, domain.CodeGatewayUnavailable},
		{"502 from a proxy, not JSON", 502, `<html>Bad Gateway</html>`, domain.CodeGatewayUnavailable},
		{"429", 429, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"slow down"}}`, domain.CodeGatewayUnavailable},
		{"401", 401, `{"error":{"type":"invalid_request_error","message":"Invalid API Key provided"}}`, domain.CodeGatewayUnavailable},
		{"402 card error", 402, `{"error":{"type":"card_error","code":"card_declined","decline_code":"do_not_honor"}}`, domain.CodePaymentFailed},
		{"400", 400, `{"error":{"type":"invalid_request_error","code":"parameter_unknown","param":"foo"}}`, domain.CodeInvalidInput},
		{"404", 404, `{"error":{"type":"invalid_request_error","code":"resource_missing"}}`, domain.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, f := newTestGateway(t, func(c *Config) { c.MaxNetworkRetries = -1 })
			f.Script(tt.status, tt.body)
			_, err := g.GetPayment(context.Background(), "pi_1")
			if domain.ErrorCode(err) != tt.code {
				t.Fatalf("GetPayment = %v, want %s", err, tt.code)
			}
		})
	}
}

func TestTimeouts(t *testing.T) {
	t.Run("context deadline", func(t *testing.T) {
		g, f := newTestGateway(t)
		release := f.Hang()
		defer release()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := g.GetPayment(ctx, "pi_1")
		if domain.ErrorCode(err) != domain.CodeGatewayUnavailable || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("GetPayment past its deadline = %v, want GATEWAY_UNAVAILABLE wrapping the deadline", err)
		}
	})
	t.Run("client timeout", func(t *testing.T) {
		g, f := newTestGateway(t, func(c *Config) {
			c.HTTPClient, c.Timeout, c.MaxNetworkRetries = nil, 100*time.Millisecond, -1
		})
		release := f.Hang()
		defer release()
		if _, err := g.CreatePayment(context.Background(), paymentRequest("pm_card_visa")); domain.ErrorCode(err) != domain.CodeGatewayUnavailable {
			t.Fatalf("CreatePayment timing out = %v, want GATEWAY_UNAVAILABLE", err)
		}
	})
}

// TestRetryKeepsIdempotencyKey: stripe-go retries a 503 with the same key,
// so the retried create makes one payment.
func TestRetryKeepsIdempotencyKey(t *testing.T) {
	g, f := newTestGateway(t)
	ctx := context.Background()
	if _, err := g.customerID(ctx, domain.Customer{OrgID: "org_1"}); err != nil {
		t.Fatal(err)
	}
	f.Script(503, `{"error":{"type":"api_error","message":"try again"}}`)
	req := paymentRequest("pm_card_visa")
	p, err := g.CreatePayment(ctx, req)
	if err != nil || p.Status != domain.PaymentSucceeded {
		t.Fatalf("CreatePayment after a 503 = %+v, %v", p, err)
	}
	var keys []string
	for _, r := range f.Requests() {
		if r.Method == http.MethodPost && r.Path == "/v1/payment_intents" {
			keys = append(keys, r.IdempotencyKey)
		}
	}
	if len(keys) != 2 || keys[0] != req.IdempotencyKey || keys[1] != req.IdempotencyKey {
		t.Fatalf("create attempts carried keys %q, want %q twice", keys, req.IdempotencyKey)
	}
	if _, intents, _ := f.Counts(); intents != 1 {
		t.Fatalf("%d intents, want 1", intents)
	}
}

// TestInstancesAreIndependent: two gateways on two accounts never mix keys
// or URLs (nothing is kept in stripe-go's package globals).
func TestInstancesAreIndependent(t *testing.T) {
	a, fa := newTestGateway(t)
	fb := newFakeStripe("sk_test_other")
	t.Cleanup(fb.Close)
	b, err := New(Config{SecretKey: "sk_test_other", WebhookSecret: "whsec_other", BaseURL: fb.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pa, err := a.CreatePayment(ctx, paymentRequest("pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	pb, err := b.CreatePayment(ctx, paymentRequest("pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.GetPayment(ctx, pb.ID); domain.ErrorCode(err) != domain.CodeNotFound {
		t.Fatalf("gateway a sees b's payment: %v", err)
	}
	if _, ia, _ := fa.Counts(); ia != 1 {
		t.Fatalf("account a has %d intents, want 1", ia)
	}
	if _, ib, _ := fb.Counts(); ib != 1 {
		t.Fatalf("account b has %d intents, want 1", ib)
	}
	body := webhookEvent("evt_1", "payment_intent.succeeded", "", fa.IntentJSON(pa.ID), time.Now())
	if _, err := b.ParseWebhook(ctx, signed(body, testSecret, time.Now())); domain.ErrorCode(err) != domain.CodeInvalidInput {
		t.Fatalf("gateway b accepted a webhook signed for a: %v", err)
	}
}
