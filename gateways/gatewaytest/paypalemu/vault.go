package paypalemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// The Payment Method Tokens v3 API (Vault v3) saves a PayPal wallet
// without a purchase: POST /v3/vault/setup-tokens answers
// PAYER_ACTION_REQUIRED with an approve link, the buyer approves on
// PayPal, POST /v3/vault/payment-tokens exchanges the approved setup token
// (payment_source.token, type SETUP_TOKEN) for a payment token, and an
// Orders v2 order with payment_source.paypal.vault_id charges it with no
// buyer (intent CAPTURE completes at once). DELETE
// /v3/vault/payment-tokens/{id} removes it.

// Setup token statuses.
const (
	SetupPayerActionRequired = "PAYER_ACTION_REQUIRED"
	SetupApproved            = "APPROVED"
	SetupVaulted             = "VAULTED"
)

// VaultPayerActionRequired is the outcome of a charge of a payment token
// PayPal will not charge without the buyer: creating the order fails with
// 422 PAYER_ACTION_REQUIRED. Script it with SetVaultOutcome.
const VaultPayerActionRequired CaptureOutcome = 100

// setupToken is an emulated setup token.
type setupToken struct {
	id             string
	status         string
	customerID     string
	merchantCustID string
	description    string
	usagePattern   string
	returnURL      string
	cancelURL      string
	requestID      string
	paymentToken   string
	payerID        string
	created        time.Time
}

// paymentToken is an emulated vaulted PayPal wallet.
type paymentToken struct {
	id         string
	customerID string
	setupToken string
	payerID    string
	email      string
	requestID  string
	outcome    CaptureOutcome
	deleted    bool
}

// setupTokenRequestJSON is the body of POST /v3/vault/setup-tokens.
type setupTokenRequestJSON struct {
	Customer *struct {
		ID                 string `json:"id"`
		MerchantCustomerID string `json:"merchant_customer_id"`
	} `json:"customer"`
	PaymentSource struct {
		PayPal *struct {
			Description       string                 `json:"description"`
			UsagePattern      string                 `json:"usage_pattern"`
			UsageType         string                 `json:"usage_type"`
			CustomerType      string                 `json:"customer_type"`
			ExperienceContext *experienceContextJSON `json:"experience_context"`
		} `json:"paypal"`
		Card json.RawMessage `json:"card"`
	} `json:"payment_source"`
}

// paymentTokenRequestJSON is the body of POST /v3/vault/payment-tokens.
type paymentTokenRequestJSON struct {
	PaymentSource struct {
		Token *struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"token"`
	} `json:"payment_source"`
}

// vaultCustomerJSON is the customer of a setup or payment token.
type vaultCustomerJSON struct {
	ID                 string `json:"id"`
	MerchantCustomerID string `json:"merchant_customer_id,omitempty"`
}

// setupTokenJSON is a setup token resource.
type setupTokenJSON struct {
	ID            string            `json:"id"`
	Customer      vaultCustomerJSON `json:"customer"`
	Status        string            `json:"status"`
	PaymentSource map[string]any    `json:"payment_source"`
	Links         []linkJSON        `json:"links"`
}

// paymentTokenJSON is a payment token resource.
type paymentTokenJSON struct {
	ID            string            `json:"id"`
	Customer      vaultCustomerJSON `json:"customer"`
	PaymentSource map[string]any    `json:"payment_source"`
	Links         []linkJSON        `json:"links"`
}

// createSetupToken is POST /v3/vault/setup-tokens.
func (e *Emulator) createSetupToken(w http.ResponseWriter, r *http.Request) {
	var req setupTokenRequestJSON
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		invalidRequest(w, "/", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
		return
	}
	pp := req.PaymentSource.PayPal
	if pp == nil {
		if req.PaymentSource.Card != nil {
			unprocessable(w, "PAYMENT_SOURCE_NOT_SUPPORTED", "The emulator vaults PayPal wallets only.")
			return
		}
		invalidRequest(w, "/payment_source", "MISSING_REQUIRED_PARAMETER", "A payment source is required.")
		return
	}
	if pp.UsageType != "" && pp.UsageType != "MERCHANT" && pp.UsageType != "PLATFORM" {
		invalidRequest(w, "/payment_source/paypal/usage_type", "INVALID_PARAMETER_VALUE", "usage_type is MERCHANT or PLATFORM.")
		return
	}
	st := &setupToken{
		id: newID(), status: SetupPayerActionRequired, description: pp.Description, usagePattern: pp.UsagePattern,
		requestID: r.Header.Get("PayPal-Request-Id"), created: time.Now().UTC().Truncate(time.Second),
	}
	if req.Customer != nil {
		st.customerID, st.merchantCustID = req.Customer.ID, req.Customer.MerchantCustomerID
	}
	if st.customerID == "" {
		st.customerID = "emucust" + randomString(10, alnum)
	}
	if ctx := pp.ExperienceContext; ctx != nil {
		st.returnURL, st.cancelURL = ctx.ReturnURL, ctx.CancelURL
	}
	e.setupTokens[st.id] = st
	e.respond(w, r, http.StatusCreated, e.setupTokenJSON(st))
}

// setupTokenJSON renders a setup token.
func (e *Emulator) setupTokenJSON(st *setupToken) setupTokenJSON {
	src := map[string]any{"usage_type": "MERCHANT", "customer_type": "CONSUMER"}
	if st.description != "" {
		src["description"] = st.description
	}
	if st.usagePattern != "" {
		src["usage_pattern"] = st.usagePattern
	}
	if st.payerID != "" {
		src["payer_id"], src["email_address"] = st.payerID, "buyer@example.com"
	}
	out := setupTokenJSON{
		ID: st.id, Status: st.status, Customer: vaultCustomerJSON{ID: st.customerID, MerchantCustomerID: st.merchantCustID},
		PaymentSource: map[string]any{"paypal": src},
		Links:         []linkJSON{{Href: e.URL() + "/v3/vault/setup-tokens/" + st.id, Rel: "self", Method: "GET"}},
	}
	switch st.status {
	case SetupPayerActionRequired:
		out.Links = append(out.Links, linkJSON{Href: e.vaultApproveURL(st), Rel: "approve", Method: "GET"})
	case SetupApproved:
		out.Links = append(out.Links, linkJSON{Href: e.URL() + "/v3/vault/payment-tokens", Rel: "confirm", Method: "POST"})
	}
	return out
}

// vaultApproveURL is the buyer's page to approve a setup token.
func (e *Emulator) vaultApproveURL(st *setupToken) string {
	return e.URL() + "/agreements/approve?approval_session_id=" + st.id
}

// createPaymentToken is POST /v3/vault/payment-tokens.
func (e *Emulator) createPaymentToken(w http.ResponseWriter, r *http.Request) {
	var req paymentTokenRequestJSON
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		invalidRequest(w, "/", "MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")
		return
	}
	tok := req.PaymentSource.Token
	if tok == nil || tok.ID == "" || tok.Type != "SETUP_TOKEN" {
		invalidRequest(w, "/payment_source/token", "MISSING_REQUIRED_PARAMETER", "payment_source.token with type SETUP_TOKEN is required.")
		return
	}
	st, ok := e.setupTokens[tok.ID]
	if !ok {
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "The specified resource does not exist.",
			issueJSON{Field: "/payment_source/token/id", Value: tok.ID, Location: "body", Issue: "INVALID_RESOURCE_ID", Description: "Specified resource ID does not exist. Please check the resource ID and try again."})
		return
	}
	switch st.status {
	case SetupPayerActionRequired:
		unprocessable(w, "PAYER_ACTION_REQUIRED", "Please make sure setup up token is approved.")
		return
	case SetupVaulted:
		unprocessable(w, "SETUP_TOKEN_ALREADY_TOKENIZED", "The setup token has been used previously to generate a payment token.")
		return
	}
	pt := &paymentToken{
		id: randomString(8, "0123456789abcdefghijklmnopqrstuvwxyz"), customerID: st.customerID, setupToken: st.id,
		payerID: st.payerID, email: "buyer@example.com", requestID: r.Header.Get("PayPal-Request-Id"),
	}
	st.status, st.paymentToken = SetupVaulted, pt.id
	e.paymentTokens[pt.id] = pt
	body := e.paymentTokenJSON(pt)
	e.emit("VAULT.PAYMENT-TOKEN.CREATED", "payment_token", body)
	e.respond(w, r, http.StatusCreated, body)
}

// paymentTokenJSON renders a payment token.
func (e *Emulator) paymentTokenJSON(pt *paymentToken) paymentTokenJSON {
	self := e.URL() + "/v3/vault/payment-tokens/" + pt.id
	return paymentTokenJSON{
		ID: pt.id, Customer: vaultCustomerJSON{ID: pt.customerID},
		PaymentSource: map[string]any{"paypal": map[string]any{
			"email_address": pt.email, "payer_id": pt.payerID, "usage_type": "MERCHANT", "customer_type": "CONSUMER",
			"name": map[string]string{"given_name": "Emu", "surname": "Buyer"},
		}},
		Links: []linkJSON{{Href: self, Rel: "self", Method: "GET"}, {Href: self, Rel: "delete", Method: "DELETE"}},
	}
}

// getPaymentToken is GET /v3/vault/payment-tokens/{id}.
func (e *Emulator) getPaymentToken(w http.ResponseWriter, r *http.Request) {
	pt, ok := e.paymentTokens[r.PathValue("id")]
	if !ok || pt.deleted {
		notFound(w, "id", r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, e.paymentTokenJSON(pt))
}

// deletePaymentToken is DELETE /v3/vault/payment-tokens/{id}: 204, or 404
// for a token PayPal does not know (or deleted already).
func (e *Emulator) deletePaymentToken(w http.ResponseWriter, r *http.Request) {
	pt, ok := e.paymentTokens[r.PathValue("id")]
	if !ok || pt.deleted {
		notFound(w, "id", r.PathValue("id"))
		return
	}
	pt.deleted = true
	e.emit("VAULT.PAYMENT-TOKEN.DELETED", "payment_token", map[string]string{"id": pt.id})
	w.WriteHeader(http.StatusNoContent)
}

// vaultApprovePage is GET /agreements/approve?approval_session_id={setup
// token id}, the buyer's page: it approves the setup token and redirects to
// its return_url with approval_token_id and approval_session_id; with
// cancel=1 it sends the buyer to the cancel_url without approving.
func (e *Emulator) vaultApprovePage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("approval_session_id")
	cancel := r.URL.Query().Get("cancel") == "1"
	e.mu.Lock()
	st, ok := e.setupTokens[id]
	var err error
	switch {
	case !ok:
		err = fmt.Errorf("unknown setup token %q", id)
	case !cancel:
		err = e.approveSetupToken(id)
	}
	var target string
	if ok {
		target = st.returnURL
		if cancel {
			target = st.cancelURL
		}
	}
	e.mu.Unlock()
	params := url.Values{"approval_session_id": {id}}
	if !cancel {
		params.Set("approval_token_id", id)
	}
	sendBack(w, r, id, target, cancel, err, params)
}

// ApproveSetupToken plays the buyer approving a setup token on PayPal.
// Approving an approved token again does nothing.
func (e *Emulator) ApproveSetupToken(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.approveSetupToken(id)
}

// approveSetupToken is ApproveSetupToken with e.mu held.
func (e *Emulator) approveSetupToken(id string) error {
	st, ok := e.setupTokens[id]
	switch {
	case !ok:
		return fmt.Errorf("paypalemu: no setup token %q", id)
	case st.status == SetupApproved:
		return nil
	case st.status != SetupPayerActionRequired:
		return fmt.Errorf("paypalemu: setup token %s is %s and cannot be approved", id, st.status)
	}
	st.status, st.payerID = SetupApproved, "EMUPAYER"+randomString(5, alnum)
	return nil
}

// SetVaultOutcome scripts how every later charge of a payment token ends
// (until changed): CaptureCompleted (the default), CaptureDeclined (the
// order completes with a DECLINED capture), CapturePending,
// CaptureInstrumentDeclined (the create fails with 422
// INSTRUMENT_DECLINED) or VaultPayerActionRequired (422
// PAYER_ACTION_REQUIRED: the buyer must be there).
func (e *Emulator) SetVaultOutcome(paymentTokenID string, o CaptureOutcome) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	pt, ok := e.paymentTokens[paymentTokenID]
	if !ok {
		return fmt.Errorf("paypalemu: no payment token %q", paymentTokenID)
	}
	pt.outcome = o
	return nil
}

// SetupTokenState is a snapshot of a setup token.
type SetupTokenState struct {
	ID, Status, CustomerID, MerchantCustomerID string
	ReturnURL, CancelURL                       string
	// RequestID is the PayPal-Request-Id it was created with.
	RequestID string
	// PaymentToken is the payment token made from it, once VAULTED.
	PaymentToken string
}

// PaymentTokenState is a snapshot of a payment token.
type PaymentTokenState struct {
	ID, CustomerID, SetupToken string
	// RequestID is the PayPal-Request-Id it was created with.
	RequestID string
	Deleted   bool
}

// SetupToken returns a snapshot of a setup token.
func (e *Emulator) SetupToken(id string) (SetupTokenState, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	st, ok := e.setupTokens[id]
	if !ok {
		return SetupTokenState{}, false
	}
	return SetupTokenState{
		ID: st.id, Status: st.status, CustomerID: st.customerID, MerchantCustomerID: st.merchantCustID,
		ReturnURL: st.returnURL, CancelURL: st.cancelURL, RequestID: st.requestID, PaymentToken: st.paymentToken,
	}, true
}

// PaymentToken returns a snapshot of a payment token.
func (e *Emulator) PaymentToken(id string) (PaymentTokenState, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	pt, ok := e.paymentTokens[id]
	if !ok {
		return PaymentTokenState{}, false
	}
	return PaymentTokenState{ID: pt.id, CustomerID: pt.customerID, SetupToken: pt.setupToken, RequestID: pt.requestID, Deleted: pt.deleted}, true
}

// createVaultedOrder is POST /v2/checkout/orders with
// payment_source.paypal.vault_id: PayPal charges the saved wallet with no
// buyer, so the order is captured in the same call (COMPLETED) unless the
// token's scripted outcome says otherwise. Call with e.mu held; o is
// filled in but for its status.
func (e *Emulator) createVaultedOrder(w http.ResponseWriter, r *http.Request, o *order, vaultID string) {
	pt, ok := e.paymentTokens[vaultID]
	if !ok || pt.deleted {
		writeError(w, http.StatusNotFound, "RESOURCE_NOT_FOUND", "The specified resource does not exist.",
			issueJSON{Field: "/payment_source/paypal/vault_id", Value: vaultID, Location: "body", Issue: "INVALID_RESOURCE_ID", Description: "Specified resource ID does not exist. Please check the resource ID and try again."})
		return
	}
	switch pt.outcome {
	case CaptureInstrumentDeclined:
		unprocessable(w, "INSTRUMENT_DECLINED", "The instrument presented was either declined by the processor or bank, or it can't be used for this payment.")
		return
	case VaultPayerActionRequired:
		unprocessable(w, "PAYER_ACTION_REQUIRED", "The payer must approve this payment: the vaulted payment source cannot be charged without them.")
		return
	}
	o.paymentSource, o.vaultID, o.vaultCustomer, o.payerID = true, pt.id, pt.customerID, pt.payerID
	now := o.created
	c := &capture{id: newID(), orderID: o.id, status: CaptureStatusCompleted, amount: o.amount, created: now, updated: now}
	switch pt.outcome {
	case CaptureDeclined:
		c.status = CaptureStatusDeclined
	case CapturePending:
		c.status, c.reason = CaptureStatusPending, "PENDING_REVIEW"
	}
	o.status = StatusCompleted
	o.captures = append(o.captures, c)
	e.orders[o.id] = o
	e.captures[c.id] = c
	e.emitCapture(c)
	e.respondOrder(w, r, http.StatusCreated, o)
}
