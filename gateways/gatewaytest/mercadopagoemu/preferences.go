package mercadopagoemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// preference is one emulated Checkout Pro preference.
type preference struct {
	id                  string
	amount              int64
	items               []itemJSON
	email               string
	backURLs            backURLs
	autoReturn          string
	installments        int
	defaultInstallments int
	excludedTypes       []idJSON
	externalRef         string
	notificationURL     string
	metadata            map[string]any
	merchantOrder       int64
	idempotencyKey      string
	created             time.Time
}

type itemJSON struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	CurrencyID  string      `json:"currency_id"`
	Quantity    int         `json:"quantity"`
	UnitPrice   json.Number `json:"unit_price"`
}

type backURLs struct {
	Success string `json:"success"`
	Pending string `json:"pending"`
	Failure string `json:"failure"`
}

type idJSON struct {
	ID string `json:"id"`
}

type preferenceRequest struct {
	Items []itemJSON `json:"items"`
	Payer struct {
		Email string `json:"email"`
	} `json:"payer"`
	BackURLs       backURLs `json:"back_urls"`
	AutoReturn     string   `json:"auto_return"`
	PaymentMethods struct {
		ExcludedPaymentTypes []idJSON `json:"excluded_payment_types"`
		Installments         int      `json:"installments"`
		DefaultInstallments  int      `json:"default_installments"`
	} `json:"payment_methods"`
	ExternalReference string         `json:"external_reference"`
	NotificationURL   string         `json:"notification_url"`
	Metadata          map[string]any `json:"metadata"`
}

func (e *Emulator) createPreference(r *http.Request, body []byte) (int, any) {
	var req preferenceRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest(codeInvalidJSON, "invalid JSON body: "+err.Error())
	}
	if len(req.Items) == 0 {
		return badRequest(codeAmount, "items needed")
	}
	var total int64
	for _, it := range req.Items {
		price, ok := minorUnits(it.UnitPrice)
		if !ok || price <= 0 || it.Quantity < 1 {
			return badRequest(codeAmount, "unit_price and quantity must be positive")
		}
		if it.CurrencyID != "" && it.CurrencyID != "BRL" {
			return badRequest(codeAmount, "currency_id invalid for site MLB")
		}
		total += price * int64(it.Quantity)
	}
	pm := req.PaymentMethods
	if pm.Installments < 0 || pm.Installments > maxInstallments || pm.DefaultInstallments < 0 ||
		(pm.Installments > 0 && pm.DefaultInstallments > pm.Installments) {
		return badRequest(codeInstallments, "Invalid installments")
	}
	if req.AutoReturn != "" && req.BackURLs.Success == "" {
		return badRequest(codeInvalidJSON, "auto_return invalid. back_url.success must be defined")
	}
	e.nextPref++
	p := &preference{
		id:     fmt.Sprintf("%d-%08x-0000-4000-8000-%012x", CollectorID, e.nextPref, e.nextPref),
		amount: total, items: req.Items, email: req.Payer.Email, backURLs: req.BackURLs,
		autoReturn: req.AutoReturn, installments: pm.Installments, defaultInstallments: pm.DefaultInstallments,
		excludedTypes: req.PaymentMethods.ExcludedPaymentTypes, externalRef: req.ExternalReference,
		notificationURL: req.NotificationURL, metadata: req.Metadata,
		idempotencyKey: r.Header.Get("X-Idempotency-Key"), created: time.Now(),
	}
	e.prefs[p.id] = p
	return http.StatusCreated, e.renderPreference(p)
}

func (e *Emulator) getPreference(r *http.Request, _ []byte) (int, any) {
	p, ok := e.prefs[r.PathValue("id")]
	if !ok {
		return notFound(codePreferenceNotFound, "preference not found")
	}
	return http.StatusOK, e.renderPreference(p)
}

func (e *Emulator) initPoint(p *preference) string {
	return e.srv.URL() + "/checkout/v1/redirect?pref_id=" + url.QueryEscape(p.id)
}

func (e *Emulator) renderPreference(p *preference) map[string]any {
	meta := p.metadata
	if meta == nil {
		meta = map[string]any{}
	}
	excluded := p.excludedTypes
	if excluded == nil {
		excluded = []idJSON{}
	}
	return map[string]any{
		"id": p.id, "collector_id": CollectorID, "client_id": "7001000000000000",
		"init_point": e.initPoint(p), "sandbox_init_point": e.initPoint(p),
		"items": p.items, "payer": map[string]any{"email": p.email},
		"back_urls": p.backURLs, "auto_return": p.autoReturn,
		"payment_methods": map[string]any{
			"excluded_payment_methods": []idJSON{}, "excluded_payment_types": excluded,
			"installments": p.installments, "default_installments": p.defaultInstallments,
		},
		"external_reference": p.externalRef, "notification_url": p.notificationURL,
		"metadata": meta, "operation_type": "regular_payment", "site_id": "MLB",
		"date_created": mpTime(p.created), "last_updated": mpTime(p.created),
		"expires": false, "binary_mode": false, "processing_modes": []string{"aggregator"},
	}
}

// payPreference plays the buyer paying a preference on Checkout Pro with a
// test card token; 3-D Secure happens inside the hosted page, so a
// challenge token is approved there.
func (e *Emulator) payPreference(p *preference, token string, installments int) (*payment, error) {
	outcome, ok := testTokens[token]
	if !ok {
		return nil, fmt.Errorf("mercadopagoemu: unknown test token %q", token)
	}
	if installments == 0 {
		installments = max(p.defaultInstallments, 1)
	}
	limit := p.installments
	if limit == 0 {
		limit = maxInstallments
	}
	if installments < 1 || installments > limit {
		return nil, fmt.Errorf("mercadopagoemu: %d installments not offered (at most %d)", installments, limit)
	}
	status, detail := outcome.status, outcome.detail
	if outcome.challenge {
		status, detail = "approved", "accredited"
	}
	if p.merchantOrder == 0 {
		e.nextMO++
		p.merchantOrder = e.nextMO
	}
	email := p.email
	if email == "" {
		email = "buyer@example.com"
	}
	now := time.Now()
	e.nextPayment++
	pay := &payment{
		id: e.nextPayment, status: status, detail: detail, amount: p.amount,
		installments: installments, methodID: "visa", issuer: brands["visa"], token: token,
		email: email, description: itemsTitle(p.items), externalRef: p.externalRef,
		notificationURL: p.notificationURL, metadata: p.metadata, preferenceID: p.id,
		merchantOrder: p.merchantOrder, firstSix: outcome.firstSix, lastFour: outcome.lastFour,
		created: now, updated: now,
	}
	if status == "approved" {
		pay.approved = now
	}
	e.payments[pay.id] = pay
	e.changed = append(e.changed, pay.id)
	return pay, nil
}

func itemsTitle(items []itemJSON) string {
	if len(items) == 0 {
		return ""
	}
	return items[0].Title
}

// PayPreference plays the buyer paying Checkout Pro preference prefID with
// a test token (TokenApprove, TokenInsufficientAmount, …) in installments
// (0: the preference's default). It returns the new payment's id.
func (e *Emulator) PayPreference(prefID, token string, installments int) (string, error) {
	e.mu.Lock()
	p, ok := e.prefs[prefID]
	if !ok {
		e.mu.Unlock()
		return "", fmt.Errorf("mercadopagoemu: no preference %q", prefID)
	}
	pay, err := e.payPreference(p, token, installments)
	deliver := e.takeNotifications()
	e.mu.Unlock()
	deliver()
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(pay.id, 10), nil
}

// checkoutPage is the hosted Checkout Pro page (the preference's
// init_point). Visiting it pays the preference at once with the card named
// by the token query parameter (default TokenApprove) in the installments
// given (default the preference's default), then sends the buyer to the
// matching back URL as Mercado Pago does, or shows a receipt when there is
// none.
func (e *Emulator) checkoutPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("token")
	if token == "" {
		token = TokenApprove
	}
	installments, _ := strconv.Atoi(q.Get("installments"))
	e.mu.Lock()
	p, ok := e.prefs[q.Get("pref_id")]
	if !ok {
		e.mu.Unlock()
		http.Error(w, "preference not found", http.StatusNotFound)
		return
	}
	pay, err := e.payPreference(p, token, installments)
	back := p.backURLs
	deliver := e.takeNotifications()
	e.mu.Unlock()
	deliver()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	target := back.Success
	switch pay.status {
	case "rejected":
		target = back.Failure
	case "pending", "in_process":
		target = back.Pending
	}
	if target == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = fmt.Fprintf(w, "<!doctype html><title>Mercado Pago</title><p>Payment %d: %s (%s)</p>\n", pay.id, pay.status, pay.detail)
		return
	}
	u, err := url.Parse(target)
	if err != nil {
		http.Error(w, "bad back url", http.StatusBadRequest)
		return
	}
	v := u.Query()
	id := strconv.FormatInt(pay.id, 10)
	v.Set("collection_id", id)
	v.Set("collection_status", pay.status)
	v.Set("payment_id", id)
	v.Set("status", pay.status)
	v.Set("external_reference", pay.externalRef)
	v.Set("payment_type", "credit_card")
	v.Set("merchant_order_id", strconv.FormatInt(pay.merchantOrder, 10))
	v.Set("preference_id", p.id)
	v.Set("site_id", "MLB")
	v.Set("processing_mode", "aggregator")
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}
