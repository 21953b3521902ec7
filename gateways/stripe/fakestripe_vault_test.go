package stripe

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The fake's SetupIntents and payment methods, as Stripe's test cards
// behave: a SetupIntent confirmed with a "pm_card_chargeDeclined…" method
// is declined; "pm_card_threeDSecure2Required" (4000002500003155) and
// "pm_card_authenticationRequired" (4000002760003184) wait for 3-D Secure
// (CompleteSetup, FailSetup); any other "pm_…" saves at once and is
// attached to the customer. Off session, an attached
// "pm_card_threeDSecure2Required" is charged without authentication (it
// was set up for that), "pm_card_authenticationRequired" is declined with
// authentication_required, and "pm_card_chargeCustomerFail"
// (4000000000000341) saves but is declined when charged; a method not
// attached to the intent's customer is refused.

// fakeSetup is a SetupIntent.
type fakeSetup struct {
	ID             string
	Customer       string
	PaymentMethod  string
	Status         string
	ClientSecret   string
	Metadata       map[string]string
	LastSetupError *fakeError
	Created        int64
}

var (
	setupPath  = regexp.MustCompile(`^/v1/setup_intents/([^/]+)$`)
	pmPath     = regexp.MustCompile(`^/v1/payment_methods/([^/]+)$`)
	detachPath = regexp.MustCompile(`^/v1/payment_methods/([^/]+)/detach$`)
)

// routeVault runs the saved-method requests, with f.mu held; ok is false
// for any other request.
func (f *fakeStripe) routeVault(r *http.Request) (status int, body any, ok bool) {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPost && p == "/v1/setup_intents":
		status, body = f.createSetup(r.Form)
	case r.Method == http.MethodGet && setupPath.MatchString(p):
		id := setupPath.FindStringSubmatch(p)[1]
		si, found := f.setups[id]
		if !found {
			status, body = missing(http.StatusNotFound, "setup_intent", id, "")
			break
		}
		status, body = http.StatusOK, f.setupJSON(si, expands(r.Form, "payment_method"))
	case r.Method == http.MethodGet && pmPath.MatchString(p):
		id := pmPath.FindStringSubmatch(p)[1]
		if !strings.HasPrefix(id, "pm_") {
			status, body = missing(http.StatusNotFound, "payment_method", id, "")
			break
		}
		status, body = http.StatusOK, f.paymentMethodJSON(id)
	case r.Method == http.MethodPost && detachPath.MatchString(p):
		id := detachPath.FindStringSubmatch(p)[1]
		switch {
		case !strings.HasPrefix(id, "pm_"):
			status, body = missing(http.StatusNotFound, "payment_method", id, "")
		case f.attached[id] == "":
			status, body = http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error",
				Message: "The payment method you provided is not attached to a customer so detachment is impossible."})
		default:
			delete(f.attached, id)
			status, body = http.StatusOK, f.paymentMethodJSON(id)
		}
	default:
		return 0, nil, false
	}
	return status, body, true
}

func (f *fakeStripe) createSetup(form url.Values) (int, any) {
	c := form.Get("customer")
	if c != "" && f.customers[c] == nil {
		return missing(http.StatusBadRequest, "customer", c, "customer")
	}
	pm := form.Get("payment_method")
	if pm != "" && !strings.HasPrefix(pm, "pm_") {
		return missing(http.StatusBadRequest, "payment_method", pm, "payment_method")
	}
	if form.Get("usage") != "off_session" {
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Param: "usage", Message: "fake stripe expects usage=off_session"})
	}
	si := &fakeSetup{ID: f.id("seti"), Customer: c, PaymentMethod: pm, Status: "requires_payment_method",
		Metadata: metadata(form), Created: time.Now().Unix()}
	si.ClientSecret = si.ID + "_secret_fake"
	f.setups[si.ID] = si
	if form.Get("confirm") != "true" || pm == "" {
		return http.StatusOK, f.setupJSON(si, expands(form, "payment_method"))
	}
	expand := expands(form, "payment_method")
	if code, ok := declines[pm]; ok {
		si.LastSetupError = &fakeError{Type: "card_error", Code: "card_declined", DeclineCode: code, Message: "Your card was declined."}
		e := *si.LastSetupError
		return http.StatusPaymentRequired, map[string]any{"error": map[string]any{
			"type": e.Type, "code": e.Code, "decline_code": e.DeclineCode, "message": e.Message,
			"setup_intent": f.setupJSON(si, expand),
		}}
	}
	if pm == "pm_card_threeDSecure2Required" || pm == "pm_card_authenticationRequired" {
		si.Status = "requires_action"
		return http.StatusOK, f.setupJSON(si, expand)
	}
	f.succeedSetup(si)
	return http.StatusOK, f.setupJSON(si, expand)
}

func (f *fakeStripe) succeedSetup(si *fakeSetup) {
	si.Status, si.LastSetupError = "succeeded", nil
	if si.Customer != "" {
		f.attached[si.PaymentMethod] = si.Customer
	}
}

// CompleteSetup plays the buyer passing 3-D Secure for a SetupIntent.
func (f *fakeStripe) CompleteSetup(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	si, ok := f.setups[id]
	if !ok || si.Status != "requires_action" {
		return fmt.Errorf("fake stripe: no setup intent %s waiting for the buyer", id)
	}
	f.succeedSetup(si)
	return nil
}

// FailSetup plays the buyer failing 3-D Secure for a SetupIntent.
func (f *fakeStripe) FailSetup(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	si, ok := f.setups[id]
	if !ok || si.Status != "requires_action" {
		return fmt.Errorf("fake stripe: no setup intent %s waiting for the buyer", id)
	}
	si.Status = "requires_payment_method"
	si.LastSetupError = &fakeError{Type: "invalid_request_error", Code: "setup_intent_authentication_failure",
		Message: "We are unable to authenticate your payment method."}
	return nil
}

// Attached returns the customer a payment method is attached to, "" when none.
func (f *fakeStripe) Attached(pm string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attached[pm]
}

// offSession answers an off-session confirmation the saved-card rules
// decide; done is false when the intent's usual confirmation applies.
func (f *fakeStripe) offSession(pi *fakeIntent, form url.Values) (status int, body any, done bool) {
	pm := pi.PaymentMethod
	if pi.Customer == "" || f.attached[pm] != pi.Customer {
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Param: "payment_method",
			Message: "The provided PaymentMethod is not attached to the customer of this PaymentIntent."}), true
	}
	decline := ""
	switch pm {
	case "pm_card_threeDSecure2Required":
		pi.authenticated = true // set up for off-session use
		return 0, nil, false
	case "pm_card_authenticationRequired":
		decline = "authentication_required"
	case "pm_card_chargeCustomerFail":
		decline = "generic_decline"
	default:
		return 0, nil, false
	}
	ch := f.newCharge(pi, "failed")
	pi.LatestCharge = ch.ID
	pi.Status = "requires_payment_method"
	code := "card_declined"
	if decline == "authentication_required" {
		code = "authentication_required"
	}
	pi.LastPaymentError = &fakeError{Type: "card_error", Code: code, DeclineCode: decline, Message: "Your card was declined."}
	e := *pi.LastPaymentError
	e.PaymentIntent = f.intentJSON(pi, expands(form, "latest_charge"))
	return http.StatusPaymentRequired, errorBody(e), true
}

// setupJSON renders si; payment_method is an object only when expanded.
func (f *fakeStripe) setupJSON(si *fakeSetup, expandPM bool) map[string]any {
	m := map[string]any{
		"id": si.ID, "object": "setup_intent", "status": si.Status, "client_secret": si.ClientSecret,
		"customer": nilIfEmpty(si.Customer), "payment_method": nilIfEmpty(si.PaymentMethod), "usage": "off_session",
		"metadata": si.Metadata, "created": si.Created, "livemode": false, "last_setup_error": nil, "next_action": nil,
		"payment_method_types": []string{"card"},
	}
	if si.LastSetupError != nil {
		m["last_setup_error"] = si.LastSetupError
	}
	if si.Status == "requires_action" {
		m["next_action"] = map[string]any{"type": "use_stripe_sdk", "use_stripe_sdk": map[string]any{}}
	}
	if expandPM && si.PaymentMethod != "" {
		m["payment_method"] = f.paymentMethodJSON(si.PaymentMethod)
	}
	return m
}

// paymentMethodJSON renders a test payment method: a Mastercard ending
// 4444 for "pm_card_mastercard", a Visa ending 4242 otherwise.
func (f *fakeStripe) paymentMethodJSON(id string) map[string]any {
	brand, last4 := "visa", "4242"
	if id == "pm_card_mastercard" {
		brand, last4 = "mastercard", "4444"
	}
	return map[string]any{
		"id": id, "object": "payment_method", "type": "card", "customer": nilIfEmpty(f.attached[id]), "livemode": false,
		"card": map[string]any{"brand": brand, "last4": last4, "exp_month": 12, "exp_year": 2034, "country": "US"},
	}
}
