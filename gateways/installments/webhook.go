package installments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally/domain"
)

// notification is a Mercado Pago Webhooks notification body. It names the
// resource that changed, never its state. id and data.id come as numbers or
// strings.
type notification struct {
	ID          json.RawMessage `json:"id"`
	Type        string          `json:"type"`
	Action      string          `json:"action"`
	DateCreated string          `json:"date_created"`
	Data        struct {
		ID json.RawMessage `json:"id"`
	} `json:"data"`
}

// ParseWebhook verifies and reads a Mercado Pago notification.
//
// The x-signature header must carry a v1 HMAC-SHA256, keyed with
// Config.WebhookSecret, of the manifest over data.id, x-request-id and ts
// (see manifest), and a ts within Config.WebhookTolerance of now; a
// malformed body or a bad, missing or stale signature is INVALID_INPUT.
// Types other than "payment" are ignored. The notification carries no
// state, so the payment is fetched (GET /v1/payments/{id}; a failure is
// GATEWAY_UNAVAILABLE, an unknown payment, as the dashboard's simulator
// sends, is ignored) and its state mapped. The answer must be the notified
// payment, well formed (checkPayment): another payment's id, no id or
// status, an unknown status, impossible amounts, or a currency_id Tally
// does not know is refused, GATEWAY_UNAVAILABLE and logged, and nothing is
// settled on it (Mercado Pago redelivers the notification later):
//
//	approved                              PAYMENT_SUCCEEDED
//	approved/partially_refunded, refunded PAYMENT_REFUNDED, Refunded = transaction_amount_refunded (cumulative)
//	rejected                              PAYMENT_FAILED, reason = status_detail
//	cancelled                             PAYMENT_CANCELED
//	pending/pending_challenge             PAYMENT_REQUIRES_ACTION
//	pending, in_process, authorized       PAYMENT_PROCESSING
//	charged_back, in_mediation, others    ignored
//
// The event ID is "<notification id>:<status>:<status_detail>:<refunded
// centavos>": a redelivery of the notification while the payment is
// unchanged is the same event, and a notification read after the payment
// moved on is a distinct event carrying the newer state. PaymentID is the
// Mercado Pago payment id (for Checkout Pro payments too: match those by
// OrderID, the external_reference).
func (g *Gateway) ParseWebhook(ctx context.Context, req domain.WebhookRequest) ([]domain.WebhookEvent, error) {
	var n notification
	if err := json.Unmarshal(req.Body, &n); err != nil {
		return nil, badWebhook("malformed notification body", err)
	}
	notifID, dataID := rawID(n.ID), rawID(n.Data.ID)
	if notifID == "" || dataID == "" {
		return nil, badWebhook("notification without id or data.id", nil)
	}
	if err := verifySignature(req.Header, dataID, g.cfg.WebhookSecret, g.now(), g.cfg.WebhookTolerance); err != nil {
		return nil, badWebhook("bad notification signature", err)
	}
	if n.Type != "payment" {
		return nil, nil
	}
	id, ok := parsePaymentID(dataID)
	if !ok {
		return nil, badWebhook("notification about a payment id that is not a number", nil)
	}
	resp, s, err := g.getPayment(ctx, "get notified payment", id)
	if domain.IsCode(err, domain.CodeNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	kind, ok := eventKind(s)
	if !ok {
		return nil, nil
	}
	p := normalize(s)
	orderID := resp.ExternalReference
	if orderID == "" {
		orderID, _ = resp.Metadata["order_id"].(string)
	}
	occurred := parseTime(n.DateCreated)
	if occurred.IsZero() {
		occurred = resp.DateLastUpdated
	}
	return []domain.WebhookEvent{{
		ID:            fmt.Sprintf("%s:%s:%s:%d", notifID, s.Status, s.StatusDetail, p.Refunded),
		Kind:          kind,
		PaymentID:     s.ID,
		OrderID:       orderID,
		Amount:        p.Amount,
		Refunded:      p.Refunded,
		FailureReason: p.FailureReason,
		OccurredAt:    occurred,
	}}, nil
}

// eventKind maps a payment's state to the event a notification about it
// means; ok is false for states Tally has no event for.
func eventKind(s paymentState) (domain.WebhookEventKind, bool) {
	switch s.Status {
	case mpApproved:
		if s.Refunded > 0 {
			return domain.EventPaymentRefunded, true
		}
		return domain.EventPaymentSucceeded, true
	case mpRefunded:
		return domain.EventPaymentRefunded, true
	case mpRejected:
		return domain.EventPaymentFailed, true
	case mpCancelled:
		return domain.EventPaymentCanceled, true
	case mpPending:
		if s.StatusDetail == detailChallenge {
			return domain.EventPaymentRequiresAction, true
		}
		return domain.EventPaymentProcessing, true
	case mpInProcess, mpAuthorized:
		return domain.EventPaymentProcessing, true
	default:
		return "", false
	}
}

func badWebhook(msg string, err error) error {
	if err == nil {
		err = errors.New(msg)
	}
	return &domain.Error{Code: domain.CodeInvalidInput, Message: msg, Err: err}
}

// rawID reads an id sent as a JSON string or number.
func rawID(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var num json.Number
	if json.Unmarshal(raw, &num) == nil {
		return num.String()
	}
	return ""
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
