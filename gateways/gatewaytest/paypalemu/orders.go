package paypalemu

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Orders v2 order statuses.
const (
	StatusCreated             = "CREATED"
	StatusPayerActionRequired = "PAYER_ACTION_REQUIRED"
	StatusApproved            = "APPROVED"
	StatusCompleted           = "COMPLETED"
	StatusVoided              = "VOIDED"
)

// order is an emulated Orders v2 order with its one purchase unit.
type order struct {
	id          string
	status      string
	amount      money
	referenceID string
	description string
	customID    string
	invoiceID   string
	returnURL   string
	cancelURL   string
	// paymentSource: the order was created with payment_source.paypal, so
	// it starts PAYER_ACTION_REQUIRED with a payer-action link; otherwise it
	// starts CREATED with an approve link.
	paymentSource bool
	payerID       string
	// vaultID and vaultCustomer: the order charged a payment token
	// (payment_source.paypal.vault_id) with no buyer.
	vaultID       string
	vaultCustomer string
	// requestID is the PayPal-Request-Id the order was created with.
	requestID string
	next      CaptureOutcome
	captures  []*capture
	created   time.Time
	updated   time.Time
}

// createOrder is POST /v2/checkout/orders.
func (e *Emulator) createOrder(w http.ResponseWriter, r *http.Request) {
	var req createOrderJSON
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		invalidRequest(w, "/", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
		return
	}
	if req.Intent != "CAPTURE" {
		invalidRequest(w, "/intent", "INVALID_PARAMETER_VALUE", "The emulator supports intent CAPTURE only.")
		return
	}
	if len(req.PurchaseUnits) != 1 {
		invalidRequest(w, "/purchase_units", "INVALID_ARRAY_MAX_ITEMS", "The emulator supports exactly one purchase unit.")
		return
	}
	pu := req.PurchaseUnits[0]
	amt, issue := parseAmount(pu.Amount)
	switch issue {
	case "":
	case "CURRENCY_NOT_SUPPORTED", "DECIMAL_PRECISION":
		unprocessable(w, issue, "The amount is not valid for its currency.")
		return
	default:
		invalidRequest(w, "/purchase_units/@reference_id=='default'/amount", issue, "The amount is missing or malformed.")
		return
	}
	for field, v := range map[string]string{"custom_id": pu.CustomID, "invoice_id": pu.InvoiceID, "description": pu.Description} {
		if len(v) > 127 {
			invalidRequest(w, "/purchase_units/@reference_id=='default'/"+field, "INVALID_STRING_LENGTH", "The value of a field is either too short or too long.")
			return
		}
	}
	now := time.Now().UTC().Truncate(time.Second)
	o := &order{
		id: newID(), status: StatusCreated, amount: amt, referenceID: pu.ReferenceID,
		description: pu.Description, customID: pu.CustomID, invoiceID: pu.InvoiceID,
		created: now, updated: now, requestID: r.Header.Get("PayPal-Request-Id"),
	}
	if o.referenceID == "" {
		o.referenceID = "default"
	}
	if req.PaymentSource != nil && req.PaymentSource.PayPal != nil && req.PaymentSource.PayPal.VaultID != "" {
		e.createVaultedOrder(w, r, o, req.PaymentSource.PayPal.VaultID)
		return
	}
	ctx := req.ApplicationContext
	if req.PaymentSource != nil && req.PaymentSource.PayPal != nil {
		o.paymentSource = true
		o.status = StatusPayerActionRequired
		ctx = req.PaymentSource.PayPal.ExperienceContext
	}
	if ctx != nil {
		o.returnURL, o.cancelURL = ctx.ReturnURL, ctx.CancelURL
	}
	e.orders[o.id] = o
	e.respondOrder(w, r, http.StatusCreated, o)
}

// captureOrder is POST /v2/checkout/orders/{id}/capture.
func (e *Emulator) captureOrder(w http.ResponseWriter, r *http.Request) {
	o, ok := find(w, r, e.orders, "order_id")
	if !ok {
		return
	}
	switch o.status {
	case StatusCreated, StatusPayerActionRequired:
		unprocessable(w, "ORDER_NOT_APPROVED", "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.")
		return
	case StatusCompleted:
		unprocessable(w, "ORDER_ALREADY_CAPTURED", "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.")
		return
	case StatusVoided:
		unprocessable(w, "ORDER_COMPLETED_OR_VOIDED", "Order is voided or completed and hence cannot be processed.")
		return
	}
	outcome := o.next
	o.next = CaptureCompleted
	if outcome == CaptureInstrumentDeclined {
		unprocessable(w, "INSTRUMENT_DECLINED", "The instrument presented was either declined by the processor or bank, or it can't be used for this payment.")
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	c := &capture{id: newID(), orderID: o.id, status: CaptureStatusCompleted, amount: o.amount, created: now, updated: now}
	switch outcome {
	case CaptureDeclined:
		c.status = CaptureStatusDeclined
	case CapturePending:
		c.status, c.reason = CaptureStatusPending, "PENDING_REVIEW"
	}
	o.captures = append(o.captures, c)
	o.status, o.updated = StatusCompleted, now
	e.captures[c.id] = c
	e.emitCapture(c)
	e.respondOrder(w, r, http.StatusCreated, o)
}

// respondOrder answers with the order, whole or minimal as the caller
// asked.
func (e *Emulator) respondOrder(w http.ResponseWriter, r *http.Request, status int, o *order) {
	full := e.orderJSON(o)
	e.respondPreferred(w, r, status, full, minimalJSON{ID: full.ID, Status: full.Status, Links: full.Links})
}

// orderJSON renders an order as GET /v2/checkout/orders/{id} does.
func (e *Emulator) orderJSON(o *order) orderJSON {
	created, updated := o.created, o.updated
	out := orderJSON{
		ID: o.id, Intent: "CAPTURE", Status: o.status, CreateTime: &created, UpdateTime: &updated,
		Links: []linkJSON{{Href: e.URL() + "/v2/checkout/orders/" + o.id, Rel: "self", Method: "GET"}},
	}
	if o.paymentSource {
		out.PaymentSource = map[string]any{"paypal": map[string]any{}}
	}
	switch o.status {
	case StatusCreated:
		out.Links = append(out.Links, linkJSON{Href: e.approveURL(o), Rel: "approve", Method: "GET"})
	case StatusPayerActionRequired:
		out.Links = append(out.Links, linkJSON{Href: e.approveURL(o), Rel: "payer-action", Method: "GET"})
	case StatusApproved:
		out.Links = append(out.Links, linkJSON{Href: e.URL() + "/v2/checkout/orders/" + o.id + "/capture", Rel: "capture", Method: "POST"})
	}
	pu := purchaseUnitJSON{
		ReferenceID: o.referenceID, Amount: o.amount.json(), Description: o.description,
		CustomID: o.customID, InvoiceID: o.invoiceID,
		Payee: map[string]string{"email_address": "merchant@example.com", "merchant_id": "EMUMERCHANT01"},
	}
	if len(o.captures) > 0 {
		pu.Payments = &paymentsJSON{}
		for _, c := range o.captures {
			cj := e.captureJSON(c)
			cj.SupplementaryData = nil
			pu.Payments.Captures = append(pu.Payments.Captures, cj)
			for _, rf := range c.refunds {
				pu.Payments.Refunds = append(pu.Payments.Refunds, e.refundJSON(rf, false))
			}
		}
	}
	out.PurchaseUnits = []purchaseUnitJSON{pu}
	if o.payerID != "" {
		p := &payerJSON{EmailAddress: "buyer@example.com", PayerID: o.payerID}
		p.Name.GivenName, p.Name.Surname = "Emu", "Buyer"
		out.Payer = p
		if o.paymentSource {
			pp := map[string]any{"email_address": p.EmailAddress, "account_id": p.PayerID}
			if o.vaultID != "" {
				pp["attributes"] = map[string]any{"vault": map[string]any{
					"id": o.vaultID, "status": "VAULTED", "customer": map[string]string{"id": o.vaultCustomer},
				}}
			}
			out.PaymentSource = map[string]any{"paypal": pp}
		}
	}
	return out
}

// approveURL is the buyer's approval page for an order.
func (e *Emulator) approveURL(o *order) string { return e.URL() + "/checkoutnow?token=" + o.id }

// Approve plays the buyer approving the order on PayPal: a CREATED or
// PAYER_ACTION_REQUIRED order becomes APPROVED and a CHECKOUT.ORDER.APPROVED
// event is emitted. Approving an APPROVED order again does nothing.
func (e *Emulator) Approve(orderID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.approve(orderID)
}

// approve is Approve with e.mu held.
func (e *Emulator) approve(orderID string) error {
	o, ok := e.orders[orderID]
	if !ok {
		return fmt.Errorf("paypalemu: no order %q", orderID)
	}
	switch o.status {
	case StatusApproved:
		return nil
	case StatusCreated, StatusPayerActionRequired:
	default:
		return fmt.Errorf("paypalemu: order %s is %s and cannot be approved", orderID, o.status)
	}
	o.status, o.updated = StatusApproved, time.Now().UTC().Truncate(time.Second)
	o.payerID = "EMUPAYER" + randomString(5, alnum)
	e.emit("CHECKOUT.ORDER.APPROVED", "checkout-order", e.orderJSON(o))
	return nil
}

// Void makes an order that is not yet captured VOIDED, as PayPal does when
// an approval expires.
func (e *Emulator) Void(orderID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok {
		return fmt.Errorf("paypalemu: no order %q", orderID)
	}
	if o.status == StatusCompleted {
		return errors.New("paypalemu: a captured order cannot be voided")
	}
	o.status, o.updated = StatusVoided, time.Now().UTC().Truncate(time.Second)
	return nil
}

// CaptureOutcome is how the next capture of an order ends.
type CaptureOutcome int

// Capture outcomes a test can script with SetNextCapture.
const (
	// CaptureCompleted: the capture completes (the default).
	CaptureCompleted CaptureOutcome = iota
	// CaptureInstrumentDeclined: the capture call fails with 422
	// UNPROCESSABLE_ENTITY, issue INSTRUMENT_DECLINED; the order stays
	// APPROVED (the buyer may pick another funding source).
	CaptureInstrumentDeclined
	// CaptureDeclined: the capture call succeeds but the capture's status
	// is DECLINED (the order is COMPLETED with no money collected).
	CaptureDeclined
	// CapturePending: the capture is PENDING (reason PENDING_REVIEW) until
	// CompletePendingCapture.
	CapturePending
)

// SetNextCapture scripts how the next capture of an order ends.
func (e *Emulator) SetNextCapture(orderID string, o CaptureOutcome) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	ord, ok := e.orders[orderID]
	if !ok {
		return fmt.Errorf("paypalemu: no order %q", orderID)
	}
	ord.next = o
	return nil
}

// DeclineNextCapture makes the next capture of an order fail with
// INSTRUMENT_DECLINED.
func (e *Emulator) DeclineNextCapture(orderID string) error {
	return e.SetNextCapture(orderID, CaptureInstrumentDeclined)
}

// OrderState is a snapshot of an emulated order.
type OrderState struct {
	ID        string
	Status    string
	Currency  string
	Value     string
	CustomID  string
	InvoiceID string
	ReturnURL string
	CancelURL string
	// VaultID is the payment token an order made without the buyer
	// charged ("" for a checkout order).
	VaultID string
	// RequestID is the PayPal-Request-Id the order was created with.
	RequestID string
	Captures  []CaptureState
}

// CaptureState is a snapshot of a capture and its refunds.
type CaptureState struct {
	ID     string
	Status string
	Value  string
	// Refunded is the total refunded from the capture ("0.00" if none).
	Refunded string
	Refunds  []string
}

// Order returns a snapshot of an order.
func (e *Emulator) Order(orderID string) (OrderState, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.orders[orderID]
	if !ok {
		return OrderState{}, false
	}
	s := OrderState{
		ID: o.id, Status: o.status, Currency: o.amount.currency, Value: formatMinor(o.amount.minor),
		CustomID: o.customID, InvoiceID: o.invoiceID, ReturnURL: o.returnURL, CancelURL: o.cancelURL,
		VaultID: o.vaultID, RequestID: o.requestID,
	}
	for _, c := range o.captures {
		cs := CaptureState{ID: c.id, Status: c.status, Value: formatMinor(c.amount.minor), Refunded: formatMinor(c.refunded())}
		for _, rf := range c.refunds {
			cs.Refunds = append(cs.Refunds, rf.id)
		}
		s.Captures = append(s.Captures, cs)
	}
	return s, true
}
