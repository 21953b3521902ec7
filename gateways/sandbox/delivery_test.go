package sandbox

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/domain"
)

// attempt is one delivery as an endpoint saw it.
type attempt struct {
	path   string
	header http.Header
	body   []byte
}

// endpoint is a webhook receiver answering with the given statuses in turn
// (the last one from then on) and reporting every attempt.
func endpoint(t *testing.T, statuses ...int) (*httptest.Server, chan attempt) {
	t.Helper()
	attempts := make(chan attempt, 100)
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		status := statuses[min(n, len(statuses)-1)]
		n++
		mu.Unlock()
		w.WriteHeader(status)
		attempts <- attempt{path: r.URL.Path, header: r.Header.Clone(), body: body}
	}))
	t.Cleanup(srv.Close)
	return srv, attempts
}

// nextAttempt waits for the endpoint's next attempt.
func nextAttempt(t *testing.T, attempts chan attempt) attempt {
	t.Helper()
	select {
	case a := <-attempts:
		return a
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery attempt")
	}
	return attempt{}
}

func TestDeliveryRetriesUntilSuccess(t *testing.T) {
	srv, attempts := endpoint(t, http.StatusInternalServerError, http.StatusBadGateway, http.StatusNoContent)
	g, _ := newTestGateway(t, Config{BaseURL: srv.URL})
	p, err := g.CreatePayment(context.Background(), paymentRequest(CardSucceeds))
	if err != nil {
		t.Fatal(err)
	}
	var first []byte
	for i := range 3 {
		a := nextAttempt(t, attempts)
		if a.path != "/webhooks/sandbox" || a.header.Get("Content-Type") != "application/json" {
			t.Fatalf("attempt %d: POST %s (%s)", i, a.path, a.header.Get("Content-Type"))
		}
		if first == nil {
			first = a.body
		} else if string(a.body) != string(first) {
			t.Fatalf("attempt %d sent %s, the first %s; a retry resends the same event", i, a.body, first)
		}
		evs, err := g.ParseWebhook(context.Background(), domain.WebhookRequest{Header: a.header, Body: a.body})
		if err != nil || len(evs) != 1 || evs[0].Kind != domain.EventPaymentSucceeded || evs[0].PaymentID != p.ID {
			t.Fatalf("attempt %d parsed to %+v, %v", i, evs, err)
		}
	}
	_ = g.Close()
	if len(attempts) != 0 {
		t.Fatalf("%d attempts after a 2xx", len(attempts))
	}
}

func TestDeliveryGivesUp(t *testing.T) {
	srv, attempts := endpoint(t, http.StatusInternalServerError)
	g, _ := newTestGateway(t, Config{BaseURL: srv.URL, MaxAttempts: 3})
	if _, err := g.CreatePayment(context.Background(), paymentRequest(CardSucceeds)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		nextAttempt(t, attempts)
	}
	_ = g.Close()
	if len(attempts) != 0 {
		t.Fatalf("%d attempts beyond MaxAttempts", len(attempts))
	}
}

func TestDeliveryHookErrorsAreRetried(t *testing.T) {
	calls := make(chan domain.WebhookRequest, 10)
	fails := 2
	g, _ := newTestGateway(t, Config{Deliver: func(_ context.Context, req domain.WebhookRequest) error {
		calls <- req
		if fails > 0 { // deliveries of one event are sequential
			fails--
			return errors.New("receiver down")
		}
		return nil
	}})
	if _, err := g.CreatePayment(context.Background(), paymentRequest(CardDeclined)); domain.ErrorCode(err) != domain.CodePaymentFailed {
		t.Fatal(err)
	}
	for range 3 {
		select {
		case <-calls:
		case <-time.After(5 * time.Second):
			t.Fatal("Deliver was not retried")
		}
	}
	_ = g.Close()
	if len(calls) != 0 {
		t.Fatalf("%d calls after a successful delivery", len(calls))
	}
}

func TestCloseStopsRetries(t *testing.T) {
	srv, attempts := endpoint(t, http.StatusServiceUnavailable)
	g, _ := newTestGateway(t, Config{BaseURL: srv.URL, RetryBackoff: time.Hour})
	if _, err := g.CreatePayment(context.Background(), paymentRequest(CardSucceeds)); err != nil {
		t.Fatal(err)
	}
	nextAttempt(t, attempts)
	done := make(chan struct{})
	go func() {
		_ = g.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop a delivery waiting to retry")
	}
	// Closed: state changes still apply but nothing more is sent.
	p, err := g.CreatePayment(context.Background(), paymentRequest(CardSucceeds))
	if err != nil || p.Status != domain.PaymentSucceeded {
		t.Fatalf("CreatePayment after Close = %+v, %v", p, err)
	}
	if len(attempts) != 0 {
		t.Fatalf("%d attempts after Close", len(attempts))
	}
}
