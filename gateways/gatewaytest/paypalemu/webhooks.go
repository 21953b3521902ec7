package paypalemu

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net/http"
	"strings"
	"time"
)

// Webhook transmission headers, as PayPal sends them.
const (
	HeaderTransmissionID   = "Paypal-Transmission-Id"
	HeaderTransmissionTime = "Paypal-Transmission-Time"
	HeaderTransmissionSig  = "Paypal-Transmission-Sig"
	HeaderCertURL          = "Paypal-Cert-Url"
	HeaderAuthAlgo         = "Paypal-Auth-Algo"
)

// Delivery is a webhook event the emulator emitted, signed, and what
// happened when it was posted to the webhook URL.
type Delivery struct {
	EventID   string
	EventType string
	Header    http.Header
	Body      []byte
	// Status is the HTTP status the webhook URL answered (0: not sent,
	// no URL set, or the post failed with Err).
	Status int
	Err    error
}

// SetWebhookURL makes the emulator post every event it emits from now on
// (CHECKOUT.ORDER.APPROVED, PAYMENT.CAPTURE.COMPLETED/DENIED/PENDING,
// PAYMENT.CAPTURE.REFUNDED) to url, once each, in the background; "" stops
// it. Flush waits for the posts.
func (e *Emulator) SetWebhookURL(url string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.webhookURL = url
}

// Flush waits until every webhook post started so far has finished.
func (e *Emulator) Flush() { e.srv.Flush() }

// Events returns copies of the events emitted so far, oldest first; a
// Header and Body can be posted again to replay a delivery.
func (e *Emulator) Events() []Delivery {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Delivery, len(e.events))
	for i, d := range e.events {
		out[i] = *d
		out[i].Header = d.Header.Clone()
	}
	return out
}

// emitCapture emits the event of a capture's current status. Call with
// e.mu held.
func (e *Emulator) emitCapture(c *capture) {
	kind := map[string]string{
		CaptureStatusCompleted: "PAYMENT.CAPTURE.COMPLETED",
		CaptureStatusDeclined:  "PAYMENT.CAPTURE.DENIED",
		CaptureStatusPending:   "PAYMENT.CAPTURE.PENDING",
	}[c.status]
	if kind != "" {
		e.emit(kind, "capture", e.captureJSON(c))
	}
}

// emit records a signed event and posts it when a webhook URL is set.
// Call with e.mu held.
func (e *Emulator) emit(eventType, resourceType string, resource any) {
	header, body, id := e.signed(eventType, resourceType, resource, time.Now())
	d := &Delivery{EventID: id, EventType: eventType, Header: header, Body: body}
	e.events = append(e.events, d)
	if e.webhookURL == "" {
		return
	}
	e.srv.Deliver(e.webhookURL, header, body, func(status int, err error) {
		e.mu.Lock()
		d.Status, d.Err = status, err
		e.mu.Unlock()
	})
}

// SignedWebhook returns the headers and body of a webhook delivery of an
// event of eventType about resource (any value that marshals to the
// resource's JSON), signed now so that verify-webhook-signature answers
// SUCCESS for the emulator's webhook id. It panics if resource does not
// marshal.
func (e *Emulator) SignedWebhook(eventType string, resource any) (http.Header, []byte) {
	return e.SignedWebhookAt(eventType, resource, time.Now())
}

// SignedWebhookAt is SignedWebhook with the transmission (and event) time
// at, e.g. long ago for a stale delivery.
func (e *Emulator) SignedWebhookAt(eventType string, resource any, at time.Time) (http.Header, []byte) {
	header, body, _ := e.signed(eventType, resourceType(eventType), resource, at)
	return header, body
}

// Resign returns fresh transmission headers for an event body, as PayPal
// sends when it retries a delivery: same event, new transmission.
func (e *Emulator) Resign(body []byte) (http.Header, error) {
	return e.transmission(body, time.Now())
}

// resourceType is the resource_type of an event type's resource.
func resourceType(eventType string) string {
	switch {
	case eventType == "PAYMENT.CAPTURE.REFUNDED":
		return "refund"
	case strings.HasPrefix(eventType, "PAYMENT.CAPTURE."):
		return "capture"
	case strings.HasPrefix(eventType, "CHECKOUT.ORDER."):
		return "checkout-order"
	}
	return "resource"
}

// signed builds and signs an event and returns its id too.
func (e *Emulator) signed(eventType, resourceType string, resource any, at time.Time) (http.Header, []byte, string) {
	raw, err := json.Marshal(resource)
	if err != nil {
		panic(fmt.Sprintf("paypalemu: webhook resource does not marshal: %v", err))
	}
	id := "WH-" + newID() + "-" + newID()
	ev := eventJSON{
		ID: id, EventVersion: "1.0", CreateTime: at.UTC().Truncate(time.Millisecond),
		ResourceType: resourceType, ResourceVersion: "2.0", EventType: eventType,
		Summary: "Emulated " + eventType, Resource: json.RawMessage(raw),
		Links: []linkJSON{
			{Href: e.URL() + "/v1/notifications/webhooks-events/" + id, Rel: "self", Method: "GET"},
			{Href: e.URL() + "/v1/notifications/webhooks-events/" + id + "/resend", Rel: "resend", Method: "POST"},
		},
	}
	body, err := json.Marshal(ev)
	if err != nil {
		panic(fmt.Sprintf("paypalemu: webhook event does not marshal: %v", err))
	}
	header, err := e.transmission(body, at)
	if err != nil {
		panic(fmt.Sprintf("paypalemu: webhook event is not canonical JSON: %v", err))
	}
	return header, body, id
}

// transmission signs one transmission of body at a time.
func (e *Emulator) transmission(body []byte, at time.Time) (http.Header, error) {
	tid := strings.ToLower(randomString(8, hex) + "-" + randomString(4, hex) + "-11ef-" + randomString(4, hex) + "-" + randomString(12, hex))
	ts := at.UTC().Format(time.RFC3339)
	sig, err := e.signature(tid, ts, e.opts.WebhookID, body)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderTransmissionID, tid)
	h.Set(HeaderTransmissionTime, ts)
	h.Set(HeaderTransmissionSig, sig)
	h.Set(HeaderCertURL, e.URL()+"/v1/notifications/certs/CERT-360caa42-fca2a594-emu")
	h.Set(HeaderAuthAlgo, "SHA256withRSA")
	return h, nil
}

// signature is the emulator's stand-in for PayPal's RSA signature: an
// HMAC, under a key only the emulator knows, of the message PayPal signs
// (transmission id|time|webhook id|CRC32 of the event).
func (e *Emulator) signature(transmissionID, ts, webhookID string, event []byte) (string, error) {
	canon, err := canonical(event)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, e.signKey)
	fmt.Fprintf(mac, "%s|%s|%s|%d", transmissionID, ts, webhookID, crc32.ChecksumIEEE(canon))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// canonical re-encodes JSON so the same event signs the same however it was
// spaced or its keys ordered: the verify call carries the event re-encoded
// by the caller, not the bytes PayPal sent.
func canonical(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// verifySignature is POST /v1/notifications/verify-webhook-signature.
func (e *Emulator) verifySignature(w http.ResponseWriter, r *http.Request) {
	var req verifyRequestJSON
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		invalidRequest(w, "/", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
		return
	}
	for field, v := range map[string]string{
		"auth_algo": req.AuthAlgo, "cert_url": req.CertURL, "transmission_id": req.TransmissionID,
		"transmission_sig": req.TransmissionSig, "transmission_time": req.TransmissionTime, "webhook_id": req.WebhookID,
	} {
		if v == "" {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid request - see details",
				issueJSON{Field: field, Location: "body", Issue: "MISSING_REQUIRED_PARAMETER", Description: field + " is required"})
			return
		}
	}
	if len(req.WebhookEvent) == 0 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid request - see details",
			issueJSON{Field: "webhook_event", Location: "body", Issue: "MISSING_REQUIRED_PARAMETER", Description: "webhook_event is required"})
		return
	}
	status := "FAILURE"
	want, err := e.signature(req.TransmissionID, req.TransmissionTime, req.WebhookID, req.WebhookEvent)
	if err == nil && req.WebhookID == e.opts.WebhookID && hmac.Equal([]byte(want), []byte(req.TransmissionSig)) {
		status = "SUCCESS"
	}
	writeJSON(w, http.StatusOK, map[string]string{"verification_status": status})
}
