package paypalemu

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Payments v2 capture statuses.
const (
	CaptureStatusCompleted         = "COMPLETED"
	CaptureStatusDeclined          = "DECLINED"
	CaptureStatusPending           = "PENDING"
	CaptureStatusPartiallyRefunded = "PARTIALLY_REFUNDED"
	CaptureStatusRefunded          = "REFUNDED"
)

// capture is a captured payment of an order.
type capture struct {
	id      string
	orderID string
	status  string
	reason  string
	amount  money
	refunds []*refund
	created time.Time
	updated time.Time
}

// refund gives back part of a capture.
type refund struct {
	id          string
	captureID   string
	amount      money
	invoiceID   string
	customID    string
	noteToPayer string
	// total is the capture's refunded total after this refund.
	total   int64
	created time.Time
}

// refunded is the total refunded from c.
func (c *capture) refunded() int64 {
	var sum int64
	for _, rf := range c.refunds {
		sum += rf.amount.minor
	}
	return sum
}

// refundCapture is POST /v2/payments/captures/{id}/refund.
func (e *Emulator) refundCapture(w http.ResponseWriter, r *http.Request) {
	c, ok := find(w, r, e.captures, "capture_id")
	if !ok {
		return
	}
	var req refundRequestJSON
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil && err != io.EOF {
		invalidRequest(w, "/", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
		return
	}
	switch c.status {
	case CaptureStatusRefunded:
		unprocessable(w, "CAPTURE_FULLY_REFUNDED", "The capture has already been fully refunded.")
		return
	case CaptureStatusCompleted, CaptureStatusPartiallyRefunded:
	default:
		unprocessable(w, "REFUND_NOT_ALLOWED", "Refund cannot be issued for a capture that is "+c.status+".")
		return
	}
	left := c.amount.minor - c.refunded()
	amt := money{minor: left, currency: c.amount.currency}
	if req.Amount != nil {
		var issue string
		if amt, issue = parseAmount(req.Amount); issue != "" {
			invalidRequest(w, "/amount", issue, "The refund amount is missing or malformed.")
			return
		}
		if amt.currency != c.amount.currency {
			unprocessable(w, "CURRENCY_MISMATCH", "Refund must be in the same currency as the capture.")
			return
		}
		if amt.minor > left {
			unprocessable(w, "REFUND_AMOUNT_EXCEEDED", "The refund amount must be less than or equal to the capture amount that has not yet been refunded.")
			return
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	rf := &refund{
		id: newID(), captureID: c.id, amount: amt, invoiceID: req.InvoiceID, customID: req.CustomID,
		noteToPayer: req.NoteToPayer, total: c.refunded() + amt.minor, created: now,
	}
	c.refunds = append(c.refunds, rf)
	c.status, c.updated = CaptureStatusPartiallyRefunded, now
	if rf.total == c.amount.minor {
		c.status = CaptureStatusRefunded
	}
	e.emit("PAYMENT.CAPTURE.REFUNDED", "refund", e.refundJSON(rf, true))
	full := e.refundJSON(rf, true)
	e.respondPreferred(w, r, http.StatusCreated, full, minimalJSON{ID: full.ID, Status: full.Status, Links: full.Links})
}

// captureJSON renders a capture as GET /v2/payments/captures/{id} does.
func (e *Emulator) captureJSON(c *capture) captureJSON {
	o := e.orders[c.orderID]
	out := captureJSON{
		ID: c.id, Status: c.status, Amount: c.amount.json(), InvoiceID: o.invoiceID, CustomID: o.customID,
		FinalCapture: true, CreateTime: c.created, UpdateTime: c.updated,
		SupplementaryData: &supplementaryJSON{RelatedIDs: relatedIDsJSON{OrderID: o.id}},
		Links: []linkJSON{
			{Href: e.URL() + "/v2/payments/captures/" + c.id, Rel: "self", Method: "GET"},
			{Href: e.URL() + "/v2/payments/captures/" + c.id + "/refund", Rel: "refund", Method: "POST"},
			{Href: e.URL() + "/v2/checkout/orders/" + o.id, Rel: "up", Method: "GET"},
		},
	}
	if c.reason != "" {
		out.StatusDetails = &statusDetailsJSON{Reason: c.reason}
	}
	if c.status != CaptureStatusDeclined {
		f := fee(c.amount)
		out.SellerProtection = map[string]string{"status": "ELIGIBLE"}
		out.SellerReceivableBreakdown = &sellerReceivableJSON{
			GrossAmount: c.amount.json(), PayPalFee: f.json(),
			NetAmount: money{minor: c.amount.minor - f.minor, currency: c.amount.currency}.json(),
		}
	}
	return out
}

// refundJSON renders a refund; breakdown adds seller_payable_breakdown
// (the refund resource and its webhook carry it, an order's list does
// not).
func (e *Emulator) refundJSON(rf *refund, breakdown bool) refundJSON {
	cur := rf.amount.currency
	out := refundJSON{
		ID: rf.id, Status: "COMPLETED", Amount: rf.amount.json(), InvoiceID: rf.invoiceID,
		CustomID: rf.customID, NoteToPayer: rf.noteToPayer, CreateTime: rf.created, UpdateTime: rf.created,
		Links: []linkJSON{
			{Href: e.URL() + "/v2/payments/refunds/" + rf.id, Rel: "self", Method: "GET"},
			{Href: e.URL() + "/v2/payments/captures/" + rf.captureID, Rel: "up", Method: "GET"},
		},
	}
	if breakdown {
		out.SellerPayableBreakdown = &sellerPayableJSON{
			GrossAmount: rf.amount.json(), PayPalFee: money{currency: cur}.json(), NetAmount: rf.amount.json(),
			TotalRefundedAmount: money{minor: rf.total, currency: cur}.json(),
		}
	}
	return out
}

// CompletePendingCapture completes an order's PENDING capture and emits
// PAYMENT.CAPTURE.COMPLETED.
func (e *Emulator) CompletePendingCapture(orderID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok {
		return fmt.Errorf("paypalemu: no order %q", orderID)
	}
	for _, c := range o.captures {
		if c.status == CaptureStatusPending {
			c.status, c.reason, c.updated = CaptureStatusCompleted, "", time.Now().UTC().Truncate(time.Second)
			e.emitCapture(c)
			return nil
		}
	}
	return fmt.Errorf("paypalemu: order %s has no pending capture", orderID)
}

// CaptureResource returns the capture of an order as a webhook resource
// (what PAYMENT.CAPTURE.* events carry), to pass to SignedWebhook.
func (e *Emulator) CaptureResource(orderID string) (json.RawMessage, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok || len(o.captures) == 0 {
		return nil, fmt.Errorf("paypalemu: order %q has no capture", orderID)
	}
	return json.Marshal(e.captureJSON(o.captures[len(o.captures)-1]))
}
