package paypal

import (
	"context"
	"net/http"
	"net/url"

	"github.com/tallyhq/tally/domain"
)

// Saved PayPal wallets use PayPal's Payment Method Tokens v3 API (Vault
// v3): a setup token the buyer approves on PayPal, exchanged for a payment
// token (the vault id), which an Orders v2 order charges with no buyer
// (payment_source.paypal.vault_id). github.com/plutov/paypal/v4 wraps none
// of these endpoints (its vault.go is the retired /v1/vault/credit-cards,
// and its billing-agreement calls are the deprecated v1 reference
// transactions without a PayPal-Request-Id), so they are sent with the
// SDK's own authenticated request helpers, client.NewRequest and
// SendWithAuth (Gateway.send), like every other call of this gateway.

var _ domain.MethodVault = (*Gateway)(nil)

// Setup token statuses (Payment Method Tokens v3).
const (
	setupPayerActionRequired = "PAYER_ACTION_REQUIRED"
	setupCreated             = "CREATED"
)

// brandPayPal is the Brand of a saved PayPal wallet.
const brandPayPal = "paypal"

// vaultUsagePattern tells PayPal how the saved wallet is charged:
// IMMEDIATE, on-demand payments of varying amount and frequency before the
// goods (credits) are delivered — renewals and automatic top-ups alike.
const vaultUsagePattern = "IMMEDIATE"

// maxMerchantCustomerID is the longest merchant_customer_id PayPal takes.
const maxMerchantCustomerID = 64

// vaultCustomer is the customer of a setup or payment token.
type vaultCustomer struct {
	ID                 string `json:"id,omitempty"`
	MerchantCustomerID string `json:"merchant_customer_id,omitempty"`
}

// setupTokenRequest is the body of POST /v3/vault/setup-tokens for a
// PayPal wallet.
type setupTokenRequest struct {
	Customer      *vaultCustomer `json:"customer,omitempty"`
	PaymentSource struct {
		PayPal setupPayPal `json:"paypal"`
	} `json:"payment_source"`
}

// setupPayPal is payment_source.paypal of a setup token request.
type setupPayPal struct {
	Description                 string            `json:"description,omitempty"`
	UsagePattern                string            `json:"usage_pattern"`
	UsageType                   string            `json:"usage_type"`
	CustomerType                string            `json:"customer_type"`
	PermitMultiplePaymentTokens bool              `json:"permit_multiple_payment_tokens"`
	ExperienceContext           experienceContext `json:"experience_context"`
}

// setupTokenResource is a setup token.
type setupTokenResource struct {
	ID       string        `json:"id"`
	Status   string        `json:"status"`
	Customer vaultCustomer `json:"customer"`
	Links    []link        `json:"links"`
}

// paymentTokenRequest is the body of POST /v3/vault/payment-tokens.
type paymentTokenRequest struct {
	PaymentSource struct {
		Token tokenSource `json:"token"`
	} `json:"payment_source"`
}

// tokenSource names a token (payment_source.token).
type tokenSource struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// paymentTokenResource is a payment token.
type paymentTokenResource struct {
	ID       string        `json:"id"`
	Customer vaultCustomer `json:"customer"`
}

// SaveMethod implements domain.MethodVault. With Token "" it creates a
// setup token for a PayPal wallet (POST /v3/vault/setup-tokens,
// PayPal-Request-Id = IdempotencyKey, customer.id = CustomerRef when the
// org has a PayPal customer already, merchant_customer_id = the org id)
// and returns it waiting for the buyer: Ready false, SetupRef the setup
// token id, NextAction a REDIRECT to PayPal's approve link, which sends
// the buyer back to ReturnURL (or the configured return URL). A Token is a
// setup token the buyer approved already (the PayPal JS SDK's
// vaultSetupToken): it is completed at once, as CompleteSave does.
func (g *Gateway) SaveMethod(ctx context.Context, req domain.SaveMethodRequest) (domain.SavedMethod, error) {
	if req.Token != "" {
		if !idRE.MatchString(req.Token) {
			return domain.SavedMethod{}, domain.InvalidInput("token", "not a paypal setup token id")
		}
		return g.CompleteSave(ctx, domain.SavedMethod{SetupRef: req.Token, CustomerRef: req.CustomerRef, Kind: domain.MethodPayPal, Brand: brandPayPal})
	}
	returnURL := req.ReturnURL
	if returnURL == "" {
		returnURL = g.cfg.ReturnURL
	}
	cancelURL := g.cfg.CancelURL
	if cancelURL == "" {
		cancelURL = returnURL
	}
	var body setupTokenRequest
	if req.CustomerRef != "" || req.Customer.OrgID != "" {
		body.Customer = &vaultCustomer{ID: req.CustomerRef, MerchantCustomerID: truncate(req.Customer.OrgID, maxMerchantCustomerID)}
	}
	body.PaymentSource.PayPal = setupPayPal{
		Description:  truncate(g.cfg.BrandName, maxText),
		UsagePattern: vaultUsagePattern,
		UsageType:    "MERCHANT",
		CustomerType: "CONSUMER",
		ExperienceContext: experienceContext{
			BrandName:          truncate(g.cfg.BrandName, maxText),
			ShippingPreference: "NO_SHIPPING",
			ReturnURL:          returnURL,
			CancelURL:          cancelURL,
		},
	}
	var st setupTokenResource
	if err := g.send(ctx, http.MethodPost, "/v3/vault/setup-tokens", body, requestID(req.IdempotencyKey), &st); err != nil {
		return domain.SavedMethod{}, fail("create the paypal setup token", err)
	}
	if st.ID == "" {
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "create the paypal setup token: paypal answered without a setup token id"}
	}
	m := domain.SavedMethod{SetupRef: st.ID, CustomerRef: st.Customer.ID, Kind: domain.MethodPayPal, Brand: brandPayPal}
	if m.CustomerRef == "" {
		m.CustomerRef = req.CustomerRef
	}
	m.NextAction = redirect(href(st.Links, "approve"))
	if m.NextAction == nil {
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "create the paypal setup token: paypal gave no approve link for setup token " + st.ID}
	}
	return m, nil
}

// CompleteSave implements domain.MethodVault: it exchanges the approved
// setup token m.SetupRef for a payment token (POST
// /v3/vault/payment-tokens with payment_source.token type SETUP_TOKEN;
// PayPal-Request-Id derived from the setup token, so a retry after a lost
// answer gets the same payment token). The result is Ready with Ref the
// payment token (the vault id), CustomerRef PayPal's customer id, Kind
// PAYPAL, Brand "paypal". A setup token the buyer has not approved yet
// (422 PAYER_ACTION_REQUIRED) comes back as m, still waiting. An m that
// is Ready already is returned as it is. Errors: NOT_FOUND (an unknown or
// expired setup token), PAYMENT_FAILED (PayPal refused it, e.g.
// SETUP_TOKEN_ALREADY_TOKENIZED once the retry window has passed),
// GATEWAY_UNAVAILABLE.
func (g *Gateway) CompleteSave(ctx context.Context, m domain.SavedMethod) (domain.SavedMethod, error) {
	if m.Ready && m.Ref != "" {
		return m, nil
	}
	if !idRE.MatchString(m.SetupRef) {
		return domain.SavedMethod{}, domain.NotFound("paypal setup token")
	}
	var body paymentTokenRequest
	body.PaymentSource.Token = tokenSource{ID: m.SetupRef, Type: "SETUP_TOKEN"}
	var pt paymentTokenResource
	err := g.send(ctx, http.MethodPost, "/v3/vault/payment-tokens", body, "vault-"+m.SetupRef, &pt)
	if err != nil {
		if a := answerOf(err); a.status == http.StatusUnprocessableEntity && (a.issue == setupPayerActionRequired || a.issue == setupCreated) {
			return g.stillWaiting(ctx, m) // the buyer has not approved yet
		}
		return domain.SavedMethod{}, fail("create the paypal payment token", err)
	}
	if pt.ID == "" {
		return domain.SavedMethod{}, &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "create the paypal payment token: paypal answered without a payment token id"}
	}
	out := domain.SavedMethod{Ref: pt.ID, CustomerRef: pt.Customer.ID, Kind: domain.MethodPayPal, Brand: brandPayPal, Ready: true}
	if out.CustomerRef == "" {
		out.CustomerRef = m.CustomerRef
	}
	return out, nil
}

// stillWaiting is m, waiting for the buyer, with the setup token's approve
// link when m has none (a Token handed to SaveMethod before its approval).
func (g *Gateway) stillWaiting(ctx context.Context, m domain.SavedMethod) (domain.SavedMethod, error) {
	m.Ready = false
	if m.NextAction != nil {
		return m, nil
	}
	var st setupTokenResource
	if err := g.send(ctx, http.MethodGet, "/v3/vault/setup-tokens/"+url.PathEscape(m.SetupRef), nil, "", &st); err != nil {
		return domain.SavedMethod{}, fail("read the paypal setup token", err)
	}
	m.NextAction = redirect(href(st.Links, "approve"))
	if m.CustomerRef == "" {
		m.CustomerRef = st.Customer.ID
	}
	return m, nil
}

// RemoveMethod implements domain.MethodVault: it deletes the payment token
// (DELETE /v3/vault/payment-tokens/{id}). A token PayPal no longer knows
// is removed already; a method still waiting for the buyer has no payment
// token, and its setup token lapses on its own.
func (g *Gateway) RemoveMethod(ctx context.Context, m domain.SavedMethod) error {
	if m.Ref == "" {
		return nil
	}
	if !idRE.MatchString(m.Ref) {
		return nil // never a payment token PayPal issued
	}
	err := g.send(ctx, http.MethodDelete, "/v3/vault/payment-tokens/"+url.PathEscape(m.Ref), nil, "", nil)
	if err != nil && answerOf(err).status != http.StatusNotFound {
		return fail("delete the paypal payment token", err)
	}
	return nil
}

// chargeSaved creates and captures an order paid by the saved wallet with
// no buyer (payment_source.paypal.vault_id, PayPal-Request-Id =
// IdempotencyKey). PayPal completes such an order at once; one it leaves
// APPROVED is captured here (PayPal-Request-Id derived from the key). A
// DECLINED capture, or a refusal (422, e.g. INSTRUMENT_DECLINED, or 404
// for a payment token PayPal no longer has), is the FAILED payment with a
// PAYMENT_FAILED error; a token PayPal will not charge without the buyer
// (PAYER_ACTION_REQUIRED) is FAILED with domain.FailureAuthRequired.
func (g *Gateway) chargeSaved(ctx context.Context, req domain.PaymentRequest) (domain.Payment, error) {
	body := vaultedOrderRequest{
		Intent: "CAPTURE",
		PurchaseUnits: []purchaseUnitRequest{{
			Amount:      toAmount(req.Amount),
			Description: truncate(req.Description, maxText),
			CustomID:    req.OrderID,
			InvoiceID:   req.OrderNumber,
		}},
	}
	body.PaymentSource.PayPal.VaultID = req.Saved.Ref
	var o orderResource
	if err := g.send(ctx, http.MethodPost, "/v2/checkout/orders", body, requestID(req.IdempotencyKey), &o); err != nil {
		return savedDecline("", "charge the saved paypal wallet", err)
	}
	p, err := paymentFromOrder(o, req.Amount)
	if err != nil {
		return domain.Payment{}, fail("charge the saved paypal wallet", err)
	}
	switch o.Status {
	case orderApproved, orderCreated, orderSaved:
		var c orderResource
		path, _ := orderPath(o.ID)
		if err := g.send(ctx, http.MethodPost, path+"/capture", struct{}{}, requestID("capture-"+req.IdempotencyKey), &c); err != nil {
			return savedDecline(o.ID, "capture the saved paypal wallet's order", err)
		}
		if p, err = paymentFromOrder(c, req.Amount); err != nil {
			return domain.Payment{}, fail("capture the saved paypal wallet's order", err)
		}
	case orderPayerActionRequired:
		p = domain.Payment{ID: o.ID, Status: domain.PaymentFailed, Amount: req.Amount, FailureReason: domain.FailureAuthRequired}
	}
	p.NextAction, p.Method = nil, domain.MethodPayPal
	if p.Status == domain.PaymentFailed {
		return p, &domain.Error{Code: domain.CodePaymentFailed, Message: "paypal declined the saved wallet: " + p.FailureReason}
	}
	return p, nil
}

// savedDecline maps a failed call of an off-session charge: a refusal of
// the saved wallet (422, or 404 for a payment token PayPal no longer has)
// is the FAILED payment (orderID, "" when no order was made) with its
// issue as the reason and PAYMENT_FAILED; anything else as fail does.
func savedDecline(orderID, what string, err error) (domain.Payment, error) {
	a := answerOf(err)
	if a.status != http.StatusUnprocessableEntity && a.status != http.StatusNotFound {
		return domain.Payment{}, fail(what, err)
	}
	reason := a.issue
	switch reason {
	case setupPayerActionRequired:
		reason = domain.FailureAuthRequired
	case "":
		reason = "HTTP " + http.StatusText(a.status)
	}
	p := domain.Payment{ID: orderID, Status: domain.PaymentFailed, FailureReason: reason, Method: domain.MethodPayPal}
	return p, &domain.Error{Code: domain.CodePaymentFailed, Message: what + ": paypal declined: " + reason, Err: err}
}

// vaultedOrderRequest is the body of POST /v2/checkout/orders charging a
// payment token.
type vaultedOrderRequest struct {
	Intent        string                `json:"intent"`
	PurchaseUnits []purchaseUnitRequest `json:"purchase_units"`
	PaymentSource struct {
		PayPal struct {
			VaultID string `json:"vault_id"`
		} `json:"paypal"`
	} `json:"payment_source"`
}
