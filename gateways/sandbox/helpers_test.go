package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

// testSecret signs the test gateways' webhooks.
var testSecret = []byte("whsec_sandbox_test")

// recorder collects the webhooks a gateway delivers through Config.Deliver.
type recorder struct {
	ch chan domain.WebhookRequest
}

// deliver is a Config.Deliver that records the delivery.
func (r *recorder) deliver(ctx context.Context, req domain.WebhookRequest) error {
	select {
	case r.ch <- req:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next waits for the next delivery and decodes it.
func (r *recorder) next(t *testing.T) (Event, domain.WebhookRequest) {
	t.Helper()
	select {
	case req := <-r.ch:
		var ev Event
		if err := json.Unmarshal(req.Body, &ev); err != nil {
			t.Fatalf("delivered body %s: %v", req.Body, err)
		}
		return ev, req
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook delivered")
	}
	return Event{}, domain.WebhookRequest{}
}

// none fails when a delivery is waiting.
func (r *recorder) none(t *testing.T) {
	t.Helper()
	select {
	case req := <-r.ch:
		t.Fatalf("unexpected webhook %s", req.Body)
	default:
	}
}

// newTestGateway returns a gateway that records its webhooks instead of
// posting them (unless cfg sets its own Deliver or a BaseURL to post to),
// closed when the test ends.
func newTestGateway(t testing.TB, cfg Config) (*Gateway, *recorder) {
	t.Helper()
	rec := &recorder{ch: make(chan domain.WebhookRequest, 1000)}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://tally.test"
		if cfg.Deliver == nil {
			cfg.Deliver = rec.deliver
		}
	}
	if cfg.WebhookSecret == nil {
		cfg.WebhookSecret = testSecret
	}
	if cfg.DeliveryDelay == 0 {
		cfg.DeliveryDelay = time.Millisecond
	}
	if cfg.RetryBackoff == 0 {
		cfg.RetryBackoff = time.Millisecond
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g, rec
}

var orderSeq atomic.Int64

// paymentRequest is a EUR 19.99 request for a fresh order paid with card.
func paymentRequest(card string) domain.PaymentRequest {
	n := orderSeq.Add(1)
	return domain.PaymentRequest{
		OrderID:         "order-" + itoa(n),
		OrderNumber:     "T-2025-" + itoa(n),
		Customer:        domain.Customer{OrgID: "org-1", Name: "Acme", Email: "billing@acme.test", Country: "DE"},
		Amount:          domain.Money{AmountMinor: 1999, Currency: domain.EUR},
		Installments:    1,
		Method:          domain.MethodCard,
		PaymentMethodID: card,
		Description:     "1000 credits",
		IdempotencyKey:  "key-" + itoa(n),
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
