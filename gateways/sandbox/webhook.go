package sandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// SignatureHeader is the header that carries a webhook's signature.
const SignatureHeader = "Tally-Sandbox-Signature"

// Webhook event types the sandbox sends.
const (
	EventSucceeded = "payment.succeeded"
	EventFailed    = "payment.failed"
	EventCanceled  = "payment.canceled"
	EventRefunded  = "payment.refunded"
)

// eventKinds maps the sandbox's event types to the domain's kinds.
var eventKinds = map[string]domain.WebhookEventKind{
	EventSucceeded: domain.EventPaymentSucceeded,
	EventFailed:    domain.EventPaymentFailed,
	EventCanceled:  domain.EventPaymentCanceled,
	EventRefunded:  domain.EventPaymentRefunded,
}

// Event is the JSON body of a sandbox webhook.
type Event struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Created int64     `json:"created"`
	Data    EventData `json:"data"`
}

// EventData is the payment an Event is about, as it is after the event.
type EventData struct {
	PaymentID   string `json:"payment_id"`
	OrderID     string `json:"order_id"`
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
	// RefundedMinor is the cumulative refunded total.
	RefundedMinor int64  `json:"refunded_minor"`
	FailureReason string `json:"failure_reason"`
}

// Causes wrapped by ParseWebhook's INVALID_INPUT errors.
var (
	errNoSignature  = errors.New("sandbox: webhook signature missing or malformed")
	errBadSignature = errors.New("sandbox: webhook signature does not match")
	errStale        = errors.New("sandbox: webhook timestamp outside the tolerance")
)

// Sign returns the SignatureHeader value for body sent at t: "t=<unix>,
// v1=<hex HMAC-SHA256 of "<unix>.<body>">".
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

// mac is the HMAC-SHA256 of "<ts>.<body>".
func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// verify checks a SignatureHeader value against body at time now: some v1
// must match and t must be within tol of now.
func verify(secret []byte, header string, body []byte, now time.Time, tol time.Duration) error {
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, sig)
			}
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return &domain.Error{Code: domain.CodeInvalidInput, Message: "webhook signature missing or malformed", Err: errNoSignature}
	}
	want := mac(secret, ts, body)
	matched := false
	for _, sig := range sigs {
		matched = matched || hmac.Equal(sig, want)
	}
	if !matched {
		return &domain.Error{Code: domain.CodeInvalidInput, Message: "webhook signature does not match", Err: errBadSignature}
	}
	if d := now.Sub(time.Unix(unix, 0)); d > tol || d < -tol {
		return &domain.Error{Code: domain.CodeInvalidInput, Message: "webhook timestamp is too old or in the future", Err: errStale}
	}
	return nil
}

// ParseWebhook verifies SignatureHeader (HMAC and a timestamp within
// Tolerance) and returns the event; event types the sandbox does not know
// are ignored. Errors: INVALID_INPUT (forged, stale, unsigned or malformed,
// including a negative amount or refunded total, an amount in no
// supported currency, and a success that states no amount).
func (g *Gateway) ParseWebhook(_ context.Context, req domain.WebhookRequest) ([]domain.WebhookEvent, error) {
	if err := verify(g.cfg.WebhookSecret, req.Header.Get(SignatureHeader), req.Body, g.cfg.Clock(), g.cfg.Tolerance); err != nil {
		return nil, err
	}
	var ev Event
	if err := json.Unmarshal(req.Body, &ev); err != nil {
		return nil, &domain.Error{Code: domain.CodeInvalidInput, Message: "webhook body is not a sandbox event", Err: err}
	}
	if ev.ID == "" || ev.Data.PaymentID == "" {
		return nil, &domain.Error{Code: domain.CodeInvalidInput, Message: "webhook event has no id or payment id"}
	}
	kind, ok := eventKinds[ev.Type]
	if !ok {
		return nil, nil
	}
	if err := validAmounts(ev.Data); err != nil {
		return nil, err
	}
	if kind == domain.EventPaymentSucceeded && ev.Data.Currency == "" {
		// The sandbox states what it collected in every success (a zero
		// amount is stated in a currency, and then held as a mismatch); one
		// that states nothing would settle the order unchecked.
		return nil, &domain.Error{Code: domain.CodeInvalidInput, Message: "webhook payment success states no amount"}
	}
	return []domain.WebhookEvent{{
		ID:            ev.ID,
		Kind:          kind,
		PaymentID:     ev.Data.PaymentID,
		OrderID:       ev.Data.OrderID,
		Amount:        domain.Money{AmountMinor: ev.Data.AmountMinor, Currency: domain.Currency(ev.Data.Currency)},
		Refunded:      ev.Data.RefundedMinor,
		FailureReason: ev.Data.FailureReason,
		OccurredAt:    time.Unix(ev.Created, 0).UTC(),
	}}, nil
}

// validAmounts refuses event data no sandbox payment can have: a negative
// amount or refunded total, an amount without a currency, or a currency
// Tally does not support.
func validAmounts(d EventData) error {
	switch {
	case d.AmountMinor < 0 || d.RefundedMinor < 0:
		return &domain.Error{Code: domain.CodeInvalidInput, Message: "webhook event has a negative amount"}
	case d.Currency != "" && !domain.Currency(d.Currency).Valid():
		return &domain.Error{Code: domain.CodeInvalidInput, Message: "webhook event has an unsupported currency"}
	case d.AmountMinor != 0 && d.Currency == "":
		return &domain.Error{Code: domain.CodeInvalidInput, Message: "webhook event has an amount without a currency"}
	}
	return nil
}

// Webhook returns ev as the sandbox would deliver it now, signed with the
// gateway's secret (for tests that replay or reorder events).
func (g *Gateway) Webhook(ev Event) domain.WebhookRequest {
	body, err := json.Marshal(ev)
	if err != nil {
		panic("sandbox: marshal event: " + err.Error())
	}
	return g.signed(body)
}

// signed wraps body in a delivery signed now.
func (g *Gateway) signed(body []byte) domain.WebhookRequest {
	req := domain.WebhookRequest{Header: http.Header{}, Body: body}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(SignatureHeader, Sign(g.cfg.WebhookSecret, g.cfg.Clock(), body))
	return req
}

// eventFor describes p after an event of type typ.
func (g *Gateway) eventFor(p *payment, typ string) Event {
	return Event{
		ID:      newID("evt"),
		Type:    typ,
		Created: g.cfg.Clock().Unix(),
		Data: EventData{
			PaymentID:     p.id,
			OrderID:       p.orderID,
			AmountMinor:   p.amount.AmountMinor,
			Currency:      string(p.amount.Currency),
			RefundedMinor: p.refunded,
			FailureReason: p.failureReason,
		},
	}
}
