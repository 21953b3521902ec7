package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/tallyhq/tally/domain"
)

// signatureHeader carries Stripe's webhook signature.
const signatureHeader = "Stripe-Signature"

// paymentIntentEvents maps the PaymentIntent events Tally acts on.
var paymentIntentEvents = map[stripe.EventType]domain.WebhookEventKind{
	"payment_intent.succeeded":       domain.EventPaymentSucceeded,
	"payment_intent.payment_failed":  domain.EventPaymentFailed,
	"payment_intent.canceled":        domain.EventPaymentCanceled,
	"payment_intent.processing":      domain.EventPaymentProcessing,
	"payment_intent.requires_action": domain.EventPaymentRequiresAction,
}

// chargeRefunded is the event whose charge carries the cumulative
// amount_refunded of a payment.
const chargeRefunded stripe.EventType = "charge.refunded"

// ParseWebhook verifies the Stripe-Signature header with the endpoint
// secret (a missing, forged or older-than-tolerance signature is
// INVALID_INPUT) and maps the event: payment_intent.succeeded,
// payment_failed (the decline code as FailureReason), canceled, processing
// and requires_action about the intent; charge.refunded about the charge's
// PaymentIntent with its cumulative amount_refunded. Other events give no
// events and no error. A negative amount or amount_refunded is
// INVALID_INPUT; an amount in a currency Tally does not support is kept
// as stated on a Tally order's payment (so settlement holds the order for
// review) and left unset on any other (see eventAmount).
//
// The event must be rendered in stripe-go's pinned API version
// (2023-10-16): configure the webhook endpoint with that version. Another
// version is INVALID_INPUT rather than a guess at fields whose shape may
// have changed.
func (g *Gateway) ParseWebhook(_ context.Context, req domain.WebhookRequest) ([]domain.WebhookEvent, error) {
	ev, err := webhook.ConstructEventWithOptions(req.Body, req.Header.Get(signatureHeader), g.webhookSecret,
		webhook.ConstructEventOptions{
			Tolerance: g.tolerance,
			// Checked below, to tell a version mismatch apart from a
			// malformed body; never ignored.
			IgnoreAPIVersionMismatch: true,
		})
	if err != nil {
		return nil, signatureError(err)
	}
	if ev.APIVersion != stripe.APIVersion {
		return nil, &domain.Error{Code: domain.CodeInvalidInput,
			Message: "stripe event has API version " + ev.APIVersion + "; the webhook endpoint must use " + stripe.APIVersion}
	}
	if ev.ID == "" || ev.Data == nil || len(ev.Data.Raw) == 0 {
		return nil, &domain.Error{Code: domain.CodeInvalidInput, Message: "stripe event without id or object"}
	}
	base := domain.WebhookEvent{ID: ev.ID, OccurredAt: time.Unix(ev.Created, 0).UTC()}
	if kind, ok := paymentIntentEvents[ev.Type]; ok {
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil || pi.ID == "" {
			return nil, malformed(err)
		}
		e := base
		e.Kind, e.PaymentID, e.OrderID = kind, pi.ID, pi.Metadata[orderIDMetadataKey]
		if pi.LatestCharge != nil {
			e.Refunded = pi.LatestCharge.AmountRefunded
		}
		if e.Amount, err = eventAmount(pi.Amount, pi.Currency, e.Refunded, e.OrderID != ""); err != nil {
			return nil, err
		}
		if kind == domain.EventPaymentFailed {
			if e.FailureReason = failureReason(pi.LastPaymentError); e.FailureReason == "" {
				e.FailureReason = "payment_failed"
			}
		}
		return []domain.WebhookEvent{e}, nil
	}
	if ev.Type == chargeRefunded {
		var ch stripe.Charge
		if err := json.Unmarshal(ev.Data.Raw, &ch); err != nil || ch.ID == "" {
			return nil, malformed(err)
		}
		if ch.PaymentIntent == nil || ch.PaymentIntent.ID == "" {
			return nil, nil // a charge made without a PaymentIntent is not Tally's
		}
		e := base
		e.Kind, e.PaymentID, e.OrderID = domain.EventPaymentRefunded, ch.PaymentIntent.ID, ch.Metadata[orderIDMetadataKey]
		e.Refunded = ch.AmountRefunded
		if e.Amount, err = eventAmount(ch.Amount, ch.Currency, e.Refunded, e.OrderID != ""); err != nil {
			return nil, err
		}
		return []domain.WebhookEvent{e}, nil
	}
	return nil, nil
}

// eventAmount is an event's amount: a negative amount or refunded total is
// a malformed event (INVALID_INPUT). An amount in a currency Tally does not
// support, or in none, is not refused (Stripe would retry an event that may
// not be Tally's at all): on a payment that names a Tally order (forOrder)
// it is kept as stated, "XXX" (ISO 4217's "no currency") standing for a
// missing currency, so that settlement sees a mismatch and holds the order
// for review instead of paying it unchecked; on any other payment it is
// left unknown (the zero Money).
func eventAmount(amount int64, cur stripe.Currency, refunded int64, forOrder bool) (domain.Money, error) {
	if amount < 0 || refunded < 0 {
		return domain.Money{}, &domain.Error{Code: domain.CodeInvalidInput, Message: "stripe event with a negative amount"}
	}
	m := money(amount, cur)
	switch {
	case m.Currency.Valid():
		return m, nil
	case !forOrder:
		return domain.Money{}, nil
	case m.Currency == "":
		m.Currency = noCurrency
	}
	return m, nil
}

// noCurrency is ISO 4217's code for "no currency involved".
const noCurrency domain.Currency = "XXX"

// signatureError maps a failure of webhook.ConstructEventWithOptions.
func signatureError(err error) error {
	msg := "malformed stripe event"
	switch {
	case errors.Is(err, webhook.ErrNotSigned):
		msg = "stripe webhook is not signed"
	case errors.Is(err, webhook.ErrTooOld):
		msg = "stripe webhook signature is too old"
	case errors.Is(err, webhook.ErrInvalidHeader), errors.Is(err, webhook.ErrNoValidSignature):
		msg = "stripe webhook signature is invalid"
	}
	return &domain.Error{Code: domain.CodeInvalidInput, Message: msg, Err: err}
}

// malformed is INVALID_INPUT for an event object that does not decode.
func malformed(err error) error {
	return &domain.Error{Code: domain.CodeInvalidInput, Message: "malformed stripe event object", Err: err}
}
