package paypal

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	sdk "github.com/plutov/paypal/v4"

	"github.com/tallyhq/tally/domain"
)

// transmissionHeaders are the headers PayPal signs a delivery with; the
// verify call needs all of them.
var transmissionHeaders = []string{
	"Paypal-Transmission-Id",
	"Paypal-Transmission-Time",
	"Paypal-Transmission-Sig",
	"Paypal-Cert-Url",
	"Paypal-Auth-Algo",
}

// eventKinds maps the PayPal event types Tally acts on; others are ignored.
var eventKinds = map[string]domain.WebhookEventKind{
	"PAYMENT.CAPTURE.COMPLETED": domain.EventPaymentSucceeded,
	"PAYMENT.CAPTURE.DENIED":    domain.EventPaymentFailed,
	"PAYMENT.CAPTURE.DECLINED":  domain.EventPaymentFailed,
	"PAYMENT.CAPTURE.PENDING":   domain.EventPaymentProcessing,
	"PAYMENT.CAPTURE.REFUNDED":  domain.EventPaymentRefunded,
	"CHECKOUT.ORDER.APPROVED":   domain.EventPaymentProcessing,
}

// ParseWebhook implements domain.Gateway. A delivery must be a JSON event
// carrying all PayPal transmission headers, sent within WebhookMaxAge, and
// PayPal's verify-webhook-signature must answer SUCCESS for the configured
// WebhookID; anything else is INVALID_INPUT, and a verify call that fails
// for PayPal's or the network's sake is GATEWAY_UNAVAILABLE. Events map as
//
//	PAYMENT.CAPTURE.COMPLETED          -> PAYMENT_SUCCEEDED
//	PAYMENT.CAPTURE.DENIED / DECLINED  -> PAYMENT_FAILED
//	PAYMENT.CAPTURE.PENDING            -> PAYMENT_PROCESSING
//	PAYMENT.CAPTURE.REFUNDED           -> PAYMENT_REFUNDED, Refunded = the refund's
//	                                      seller_payable_breakdown.total_refunded_amount
//	CHECKOUT.ORDER.APPROVED            -> PAYMENT_PROCESSING (Tally must capture)
//
// with PaymentID the PayPal order id (supplementary_data.related_ids.order_id,
// or for a refund the order of the capture it links "up" to), OrderID the
// custom_id, and ID the event id. Other event types, capture events
// about no order (not made through Orders v2, so not Tally's), and refunds
// of a capture or order PayPal does not know, give no events.
func (g *Gateway) ParseWebhook(ctx context.Context, req domain.WebhookRequest) ([]domain.WebhookEvent, error) {
	var ev webhookEvent
	if err := json.Unmarshal(req.Body, &ev); err != nil {
		return nil, badWebhook("the body is not a json event", err)
	}
	if ev.ID == "" || ev.EventType == "" {
		return nil, badWebhook("the event has no id or type", nil)
	}
	if err := g.verify(ctx, req); err != nil {
		return nil, err
	}
	kind, ok := eventKinds[ev.EventType]
	if !ok {
		return nil, nil
	}
	out := domain.WebhookEvent{ID: ev.ID, Kind: kind}
	if t, err := time.Parse(time.RFC3339, ev.CreateTime); err == nil {
		out.OccurredAt = t
	}
	var err error
	switch {
	case ev.EventType == "CHECKOUT.ORDER.APPROVED":
		ok, err = orderEvent(&out, ev.Resource)
	case kind == domain.EventPaymentRefunded:
		ok, err = g.refundEvent(ctx, &out, ev.Resource)
	default:
		ok, err = captureEvent(&out, ev.Resource)
	}
	if err != nil || !ok {
		return nil, err
	}
	return []domain.WebhookEvent{out}, nil
}

// verify checks a delivery's headers and age and asks PayPal whether its
// signature is good.
func (g *Gateway) verify(ctx context.Context, req domain.WebhookRequest) error {
	header := http.Header{}
	for k, vs := range req.Header {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	for _, h := range transmissionHeaders {
		if header.Get(h) == "" {
			return badWebhook("unsigned delivery: no "+h+" header", nil)
		}
	}
	sent, err := time.Parse(time.RFC3339, header.Get("Paypal-Transmission-Time"))
	if err != nil {
		return badWebhook("malformed transmission time", err)
	}
	if g.cfg.WebhookMaxAge > 0 && g.cfg.Clock().Sub(sent) > g.cfg.WebhookMaxAge {
		return badWebhook("stale delivery sent at "+sent.UTC().Format(time.RFC3339), nil)
	}
	if g.cfg.WebhookID == "" {
		return badWebhook("no webhook id is configured to verify deliveries against", nil)
	}
	var res *sdk.VerifyWebhookResponse
	err = g.call(func(c *sdk.Client) error {
		hr, err := http.NewRequestWithContext(ctx, http.MethodPost, g.cfg.BaseURL, bytes.NewReader(req.Body))
		if err != nil {
			return err
		}
		hr.Header = header
		res, err = c.VerifyWebhookSignature(ctx, hr, g.cfg.WebhookID)
		return err
	})
	if err != nil {
		switch answerOf(err).status {
		case http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity:
			return badWebhook("paypal refused to verify the delivery", err)
		}
		return fail("verify the paypal webhook", err)
	}
	if res.VerificationStatus != "SUCCESS" {
		return badWebhook("the signature does not verify ("+res.VerificationStatus+")", nil)
	}
	return nil
}

// captureEvent fills out from a capture resource; ok is false for a
// capture that belongs to no order.
func captureEvent(out *domain.WebhookEvent, raw json.RawMessage) (bool, error) {
	var c captureResource
	if err := json.Unmarshal(raw, &c); err != nil {
		return false, badWebhook("malformed capture resource", err)
	}
	out.PaymentID, out.OrderID = c.SupplementaryData.RelatedIDs.OrderID, c.CustomID
	if out.PaymentID == "" {
		return false, nil
	}
	if c.Amount != nil {
		m, err := fromAmount(c.Amount)
		if err != nil {
			return false, badWebhook("malformed capture amount", err)
		}
		out.Amount = m
	}
	if out.Kind == domain.EventPaymentFailed {
		out.FailureReason = c.Status
		if out.FailureReason == "" {
			out.FailureReason = "DECLINED"
		}
		if c.StatusDetails != nil && c.StatusDetails.Reason != "" {
			out.FailureReason += ": " + c.StatusDetails.Reason
		}
	}
	return true, nil
}

// orderEvent fills out from an order resource.
func orderEvent(out *domain.WebhookEvent, raw json.RawMessage) (bool, error) {
	var o orderResource
	if err := json.Unmarshal(raw, &o); err != nil {
		return false, badWebhook("malformed order resource", err)
	}
	if o.ID == "" {
		return false, badWebhook("order resource without id", nil)
	}
	out.PaymentID = o.ID
	if len(o.PurchaseUnits) > 0 {
		out.OrderID = o.PurchaseUnits[0].CustomID
		if o.PurchaseUnits[0].Amount != nil {
			m, err := fromAmount(o.PurchaseUnits[0].Amount)
			if err != nil {
				return false, badWebhook("malformed order amount", err)
			}
			out.Amount = m
		}
	}
	return true, nil
}

// refundEvent fills out from a refund resource. A refund names its capture
// (related_ids or its "up" link), not always its order, so the capture is
// fetched when the order is not named; when the refund lacks
// total_refunded_amount, the order is fetched and its refunds summed. A
// capture or order PayPal does not know gives no event.
func (g *Gateway) refundEvent(ctx context.Context, out *domain.WebhookEvent, raw json.RawMessage) (bool, error) {
	var rf refundResource
	if err := json.Unmarshal(raw, &rf); err != nil {
		return false, badWebhook("malformed refund resource", err)
	}
	out.PaymentID, out.OrderID = rf.SupplementaryData.RelatedIDs.OrderID, rf.CustomID
	if out.PaymentID == "" {
		capID := rf.SupplementaryData.RelatedIDs.CaptureID
		if capID == "" {
			capID = captureIDFromLink(href(rf.Links, "up"))
		}
		if !idRE.MatchString(capID) {
			return false, nil
		}
		var c captureResource
		if err := g.send(ctx, http.MethodGet, "/v2/payments/captures/"+capID, nil, "", &c); err != nil {
			if answerOf(err).status == http.StatusNotFound {
				return false, nil
			}
			return false, fail("read the refunded paypal capture", err)
		}
		out.PaymentID = c.SupplementaryData.RelatedIDs.OrderID
		if out.OrderID == "" {
			out.OrderID = c.CustomID
		}
		if out.PaymentID == "" {
			return false, nil
		}
	}
	if b := rf.SellerPayableBreakdown; b != nil && b.TotalRefundedAmount != nil {
		m, err := fromAmount(b.TotalRefundedAmount)
		if err != nil {
			return false, badWebhook("malformed total_refunded_amount", err)
		}
		out.Refunded = m.AmountMinor
		return true, nil
	}
	p, err := g.GetPayment(ctx, out.PaymentID)
	if domain.IsCode(err, domain.CodeNotFound) {
		return false, nil // an order PayPal does not know is not Tally's, as a capture it does not know
	}
	if err != nil {
		return false, err
	}
	out.Refunded = p.Refunded
	return true, nil
}

// captureIDFromLink takes the capture id out of a
// .../v2/payments/captures/{id} link.
func captureIDFromLink(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	id, ok := strings.CutPrefix(u.Path, "/v2/payments/captures/")
	if !ok || strings.Contains(id, "/") {
		return ""
	}
	return id
}
