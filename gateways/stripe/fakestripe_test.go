package stripe

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
)

// fakeStripe is a small stateful emulator of the Stripe endpoints the
// plugin calls (customers search/create, PaymentIntents create, retrieve,
// confirm, refunds create). It follows the public REST API: form-encoded
// bodies, Bearer auth, the Stripe-Version header, Idempotency-Key replay,
// {"error":{…}} bodies with Stripe's types and codes.
//
// Test payment methods behave like Stripe's test cards: a
// "pm_card_chargeDeclined…" id declines (the suffix picks the decline code),
// "pm_card_threeDSecure2Required" and "pm_card_authenticationRequired" need
// 3-D Secure, any other "pm_…" succeeds.
type fakeStripe struct {
	*httptest.Server
	key string

	mu        sync.Mutex
	customers map[string]*fakeCustomer
	intents   map[string]*fakeIntent
	charges   map[string]*fakeCharge
	refunds   map[string]*fakeRefund
	setups    map[string]*fakeSetup // fakestripe_vault_test.go
	attached  map[string]string     // payment method → customer
	idem      map[string]fakeReplay
	down      bool
	hang      chan struct{} // non-nil: requests block until closed or canceled
	scripted  []fakeResponse
	requests  []fakeRequest
}

// fakeRequest records what the plugin sent.
type fakeRequest struct {
	Method, Path, IdempotencyKey string
	Form                         url.Values
}

// fakeResponse is a scripted answer.
type fakeResponse struct {
	status int
	body   string
}

// fakeReplay is a stored idempotent result.
type fakeReplay struct {
	fingerprint string
	status      int
	body        []byte
}

type fakeCustomer struct {
	ID       string            `json:"id"`
	Object   string            `json:"object"`
	Name     string            `json:"name,omitempty"`
	Email    string            `json:"email,omitempty"`
	Metadata map[string]string `json:"metadata"`
	Created  int64             `json:"created"`
}

type fakeIntent struct {
	ID                 string
	Amount             int64
	Currency           string
	Customer           string
	Description        string
	Metadata           map[string]string
	PaymentMethod      string
	Status             string
	ClientSecret       string
	LatestCharge       string
	LastPaymentError   *fakeError
	CancellationReason string
	Created            int64
	authenticated      bool // the buyer passed 3-D Secure
}

type fakeCharge struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	Amount         int64             `json:"amount"`
	AmountRefunded int64             `json:"amount_refunded"`
	Currency       string            `json:"currency"`
	PaymentIntent  string            `json:"payment_intent"`
	Metadata       map[string]string `json:"metadata"`
	Refunded       bool              `json:"refunded"`
	Paid           bool              `json:"paid"`
	Status         string            `json:"status"`
	Created        int64             `json:"created"`
}

type fakeRefund struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	Amount        int64             `json:"amount"`
	Currency      string            `json:"currency"`
	Charge        string            `json:"charge"`
	PaymentIntent string            `json:"payment_intent"`
	Metadata      map[string]string `json:"metadata"`
	Status        string            `json:"status"`
	Created       int64             `json:"created"`
}

type fakeError struct {
	Type          string         `json:"type"`
	Code          string         `json:"code,omitempty"`
	DeclineCode   string         `json:"decline_code,omitempty"`
	Message       string         `json:"message,omitempty"`
	Param         string         `json:"param,omitempty"`
	PaymentIntent map[string]any `json:"payment_intent,omitempty"`
}

// newFakeStripe starts an emulator accepting the secret key key.
func newFakeStripe(key string) *fakeStripe {
	f := &fakeStripe{
		key:       key,
		customers: map[string]*fakeCustomer{},
		intents:   map[string]*fakeIntent{},
		charges:   map[string]*fakeCharge{},
		refunds:   map[string]*fakeRefund{},
		setups:    map[string]*fakeSetup{},
		attached:  map[string]string{},
		idem:      map[string]fakeReplay{},
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// Outage makes every request fail with a 500 api_error until restore.
func (f *fakeStripe) Outage() (restore func()) {
	f.mu.Lock()
	f.down = true
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		f.down = false
		f.mu.Unlock()
	}
}

// Hang makes requests block until release is called or the client gives up.
func (f *fakeStripe) Hang() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.hang = ch
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.hang = nil
			f.mu.Unlock()
			close(ch)
		})
	}
}

// Script makes the next requests answer status with body, in order.
func (f *fakeStripe) Script(status int, body string) {
	f.mu.Lock()
	f.scripted = append(f.scripted, fakeResponse{status, body})
	f.mu.Unlock()
}

// Complete plays the buyer: a PaymentIntent waiting for 3-D Secure passes
// it, one waiting for a payment method gets a good card; either then waits
// for confirmation. A declining card stays declining.
func (f *fakeStripe) Complete(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	pi, ok := f.intents[id]
	if !ok {
		return fmt.Errorf("fake stripe: no payment intent %s", id)
	}
	switch pi.Status {
	case "requires_action":
		pi.authenticated = true
	case "requires_payment_method":
		if pi.PaymentMethod == "" {
			pi.PaymentMethod = "pm_card_visa"
		}
	default:
		return nil
	}
	pi.Status = "requires_confirmation"
	return nil
}

// DeleteCustomer deletes a customer, as the Dashboard does.
func (f *fakeStripe) DeleteCustomer(id string) {
	f.mu.Lock()
	delete(f.customers, id)
	f.mu.Unlock()
}

// Requests returns what the plugin sent so far.
func (f *fakeStripe) Requests() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeRequest(nil), f.requests...)
}

// Counts returns how many customers, intents and refunds exist.
func (f *fakeStripe) Counts() (customers, intents, refunds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.customers), len(f.intents), len(f.refunds)
}

// IntentJSON renders a PaymentIntent as Stripe does (latest_charge as an id,
// as in webhook payloads).
func (f *fakeStripe) IntentJSON(id string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	pi, ok := f.intents[id]
	if !ok {
		return nil
	}
	return f.intentJSON(pi, false)
}

// ChargeJSON renders the latest charge of a PaymentIntent.
func (f *fakeStripe) ChargeJSON(intentID string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	pi, ok := f.intents[intentID]
	if !ok || pi.LatestCharge == "" {
		return nil
	}
	return toMap(f.charges[pi.LatestCharge])
}

func (f *fakeStripe) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeStripeError(w, http.StatusBadRequest, fakeError{Type: "invalid_request_error", Message: err.Error()})
		return
	}
	idemKey := r.Header.Get("Idempotency-Key")
	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{Method: r.Method, Path: r.URL.Path, IdempotencyKey: idemKey, Form: r.Form})
	hang, down := f.hang, f.down
	var scripted *fakeResponse
	if len(f.scripted) > 0 {
		scripted = &f.scripted[0]
		f.scripted = f.scripted[1:]
	}
	f.mu.Unlock()

	if hang != nil {
		select {
		case <-hang:
		case <-r.Context().Done():
			return
		}
	}
	if down {
		writeStripeError(w, http.StatusInternalServerError, fakeError{Type: "api_error", Message: "fake outage"})
		return
	}
	if scripted != nil {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(scripted.status)
		_, _ = w.Write([]byte(scripted.body))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+f.key {
		writeStripeError(w, http.StatusUnauthorized, fakeError{Type: "invalid_request_error", Message: "Invalid API Key provided"})
		return
	}
	if v := r.Header.Get("Stripe-Version"); v != stripe.APIVersion {
		writeStripeError(w, http.StatusBadRequest, fakeError{Type: "invalid_request_error", Message: "unexpected Stripe-Version " + v})
		return
	}

	f.mu.Lock()
	defer f.mu.Unlock()
	fingerprint := r.Method + " " + r.URL.Path + "?" + canonicalForm(r.Form)
	if r.Method == http.MethodPost && idemKey != "" {
		if prev, ok := f.idem[idemKey]; ok {
			if prev.fingerprint != fingerprint {
				writeStripeError(w, http.StatusBadRequest, fakeError{Type: "idempotency_error",
					Message: "Keys for idempotent requests can only be used with the same parameters they were first used with."})
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prev.status)
			_, _ = w.Write(prev.body)
			return
		}
	}
	status, body := f.route(r)
	raw, _ := json.Marshal(body)
	// Stripe saves the result of a request that began executing; a request
	// refused by validation saves nothing and may be retried.
	if r.Method == http.MethodPost && idemKey != "" && (status < 400 || status == http.StatusPaymentRequired) {
		f.idem[idemKey] = fakeReplay{fingerprint: fingerprint, status: status, body: raw}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(raw)
}

var (
	intentPath  = regexp.MustCompile(`^/v1/payment_intents/([^/]+)$`)
	confirmPath = regexp.MustCompile(`^/v1/payment_intents/([^/]+)/confirm$`)
	metaQuery   = regexp.MustCompile(`^metadata\['([^']+)'\]:'((?:[^'\\]|\\.)*)'$`)
)

// route runs one request with f.mu held.
func (f *fakeStripe) route(r *http.Request) (int, any) {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && p == "/v1/customers/search":
		return f.searchCustomers(r.Form)
	case r.Method == http.MethodPost && p == "/v1/customers":
		return f.createCustomer(r.Form)
	case r.Method == http.MethodPost && p == "/v1/payment_intents":
		return f.createIntent(r.Form)
	case r.Method == http.MethodGet && intentPath.MatchString(p):
		pi, ok := f.intents[intentPath.FindStringSubmatch(p)[1]]
		if !ok {
			return missing(http.StatusNotFound, "payment_intent", intentPath.FindStringSubmatch(p)[1], "")
		}
		return http.StatusOK, f.intentJSON(pi, expands(r.Form, "latest_charge"))
	case r.Method == http.MethodPost && confirmPath.MatchString(p):
		pi, ok := f.intents[confirmPath.FindStringSubmatch(p)[1]]
		if !ok {
			return missing(http.StatusNotFound, "payment_intent", confirmPath.FindStringSubmatch(p)[1], "")
		}
		return f.confirmIntent(pi, r.Form)
	case r.Method == http.MethodPost && p == "/v1/refunds":
		return f.createRefund(r.Form)
	}
	if status, body, ok := f.routeVault(r); ok {
		return status, body
	}
	return http.StatusNotFound, errorBody(fakeError{Type: "invalid_request_error", Message: "Unrecognized request URL (" + r.Method + ": " + p + ")"})
}

// fakeSeq numbers objects across all fakes, so ids never collide between
// two emulated accounts.
var fakeSeq atomic.Int64

func (f *fakeStripe) id(prefix string) string {
	return fmt.Sprintf("%s_fake%06d", prefix, fakeSeq.Add(1))
}

func (f *fakeStripe) searchCustomers(form url.Values) (int, any) {
	m := metaQuery.FindStringSubmatch(form.Get("query"))
	if m == nil {
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Param: "query", Message: "fake stripe understands only metadata['k']:'v'"})
	}
	want := strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(m[2])
	data := []any{}
	ids := make([]string, 0, len(f.customers))
	for id := range f.customers {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if c := f.customers[id]; c.Metadata[m[1]] == want {
			data = append(data, c)
		}
	}
	return http.StatusOK, map[string]any{"object": "search_result", "url": "/v1/customers/search", "data": data, "has_more": false, "next_page": nil}
}

func (f *fakeStripe) createCustomer(form url.Values) (int, any) {
	c := &fakeCustomer{ID: f.id("cus"), Object: "customer", Name: form.Get("name"), Email: form.Get("email"),
		Metadata: metadata(form), Created: time.Now().Unix()}
	f.customers[c.ID] = c
	return http.StatusOK, c
}

func (f *fakeStripe) createIntent(form url.Values) (int, any) {
	amount, err := strconv.ParseInt(form.Get("amount"), 10, 64)
	if err != nil || amount < 50 {
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Code: "amount_too_small", Param: "amount",
			Message: "Amount must be at least 50 cents"})
	}
	cur := form.Get("currency")
	if cur == "" || strings.ToLower(cur) != cur {
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Code: "parameter_invalid_string", Param: "currency", Message: "Invalid currency"})
	}
	if c := form.Get("customer"); c != "" && f.customers[c] == nil {
		return missing(http.StatusBadRequest, "customer", c, "customer")
	}
	if form.Get("confirm") == "true" && form.Get("payment_method") == "" {
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Code: "parameter_missing", Param: "payment_method",
			Message: "confirm needs a payment method"})
	}
	pi := &fakeIntent{ID: f.id("pi"), Amount: amount, Currency: cur, Customer: form.Get("customer"), Description: form.Get("description"),
		Metadata: metadata(form), PaymentMethod: form.Get("payment_method"), Status: "requires_payment_method", Created: time.Now().Unix()}
	pi.ClientSecret = pi.ID + "_secret_fake"
	if pi.PaymentMethod != "" {
		pi.Status = "requires_confirmation"
	}
	f.intents[pi.ID] = pi
	if form.Get("confirm") == "true" {
		return f.confirmIntent(pi, form)
	}
	return http.StatusOK, f.intentJSON(pi, expands(form, "latest_charge"))
}

// declines maps test payment methods to the decline code they produce.
var declines = map[string]string{
	"pm_card_chargeDeclined":                  "generic_decline",
	"pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
	"pm_card_chargeDeclinedLostCard":          "lost_card",
	"pm_card_chargeDeclinedStolenCard":        "stolen_card",
	"pm_card_chargeDeclinedFraudulent":        "fraudulent",
}

// confirmIntent attempts a payment with the intent's payment method.
func (f *fakeStripe) confirmIntent(pi *fakeIntent, form url.Values) (int, any) {
	if pm := form.Get("payment_method"); pm != "" {
		pi.PaymentMethod = pm
	}
	expand := expands(form, "latest_charge")
	switch pi.Status {
	case "requires_confirmation", "requires_payment_method":
	default:
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Code: "payment_intent_unexpected_state",
			Message: "You cannot confirm this PaymentIntent because it has a status of " + pi.Status + "."})
	}
	pm := pi.PaymentMethod
	if !strings.HasPrefix(pm, "pm_") {
		return missing(http.StatusBadRequest, "payment_method", pm, "payment_method")
	}
	if form.Get("off_session") == "true" {
		if status, body, done := f.offSession(pi, form); done {
			return status, body
		}
	}
	if code, ok := declines[pm]; ok {
		ch := f.newCharge(pi, "failed")
		pi.LatestCharge = ch.ID
		pi.Status = "requires_payment_method"
		pi.LastPaymentError = &fakeError{Type: "card_error", Code: "card_declined", DeclineCode: code, Message: "Your card was declined."}
		e := *pi.LastPaymentError
		e.PaymentIntent = f.intentJSON(pi, expand)
		return http.StatusPaymentRequired, errorBody(e)
	}
	if (pm == "pm_card_threeDSecure2Required" || pm == "pm_card_authenticationRequired") && !pi.authenticated {
		pi.Status = "requires_action"
		return http.StatusOK, f.intentJSON(pi, expand)
	}
	ch := f.newCharge(pi, "succeeded")
	pi.LatestCharge = ch.ID
	pi.Status = "succeeded"
	pi.LastPaymentError = nil
	return http.StatusOK, f.intentJSON(pi, expand)
}

// newCharge records a charge attempt; Stripe copies the intent's metadata.
func (f *fakeStripe) newCharge(pi *fakeIntent, status string) *fakeCharge {
	md := map[string]string{}
	for k, v := range pi.Metadata {
		md[k] = v
	}
	ch := &fakeCharge{ID: f.id("ch"), Object: "charge", Amount: pi.Amount, Currency: pi.Currency, PaymentIntent: pi.ID,
		Metadata: md, Paid: status == "succeeded", Status: status, Created: time.Now().Unix()}
	f.charges[ch.ID] = ch
	return ch
}

func (f *fakeStripe) createRefund(form url.Values) (int, any) {
	id := form.Get("payment_intent")
	pi, ok := f.intents[id]
	if !ok {
		return missing(http.StatusBadRequest, "payment_intent", id, "payment_intent")
	}
	if pi.Status != "succeeded" {
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Code: "charge_not_refundable",
			Message: "This PaymentIntent does not have a successful charge to refund."})
	}
	ch := f.charges[pi.LatestCharge]
	left := ch.Amount - ch.AmountRefunded
	if left == 0 {
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Code: "charge_already_refunded",
			Message: "Charge " + ch.ID + " has already been refunded."})
	}
	amount := left
	if s := form.Get("amount"); s != "" {
		var err error
		if amount, err = strconv.ParseInt(s, 10, 64); err != nil || amount <= 0 {
			return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Code: "parameter_invalid_integer", Param: "amount", Message: "Invalid integer"})
		}
	}
	if amount > left {
		return http.StatusBadRequest, errorBody(fakeError{Type: "invalid_request_error", Code: "amount_too_large", Param: "amount",
			Message: fmt.Sprintf("Refund amount (%d) is greater than unrefunded amount on charge (%d)", amount, left)})
	}
	ch.AmountRefunded += amount
	ch.Refunded = ch.AmountRefunded == ch.Amount
	re := &fakeRefund{ID: f.id("re"), Object: "refund", Amount: amount, Currency: ch.Currency, Charge: ch.ID, PaymentIntent: pi.ID,
		Metadata: metadata(form), Status: "succeeded", Created: time.Now().Unix()}
	f.refunds[re.ID] = re
	return http.StatusOK, re
}

// intentJSON renders pi; latest_charge is an object only when expanded.
func (f *fakeStripe) intentJSON(pi *fakeIntent, expandCharge bool) map[string]any {
	m := map[string]any{
		"id": pi.ID, "object": "payment_intent", "amount": pi.Amount, "currency": pi.Currency,
		"status": pi.Status, "client_secret": pi.ClientSecret, "metadata": pi.Metadata, "created": pi.Created,
		"description": nilIfEmpty(pi.Description), "customer": nilIfEmpty(pi.Customer),
		"payment_method": nilIfEmpty(pi.PaymentMethod), "latest_charge": nilIfEmpty(pi.LatestCharge),
		"last_payment_error": nil, "next_action": nil, "livemode": false,
	}
	if pi.LastPaymentError != nil {
		m["last_payment_error"] = pi.LastPaymentError
	}
	if pi.Status == "requires_action" {
		m["next_action"] = map[string]any{"type": "use_stripe_sdk", "use_stripe_sdk": map[string]any{}}
	}
	if expandCharge && pi.LatestCharge != "" {
		m["latest_charge"] = f.charges[pi.LatestCharge]
	}
	return m
}

// webhookEvent renders an event as Stripe delivers it, in the pinned API
// version unless apiVersion says otherwise.
func webhookEvent(id, typ, apiVersion string, object map[string]any, created time.Time) []byte {
	if apiVersion == "" {
		apiVersion = stripe.APIVersion
	}
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": apiVersion, "created": created.Unix(), "type": typ,
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": object},
		"request": map[string]any{"id": nil, "idempotency_key": nil},
	})
	if err != nil {
		panic(err)
	}
	return b
}

func expands(form url.Values, field string) bool {
	for k, vs := range form {
		if k == "expand" || strings.HasPrefix(k, "expand[") {
			for _, v := range vs {
				if v == field {
					return true
				}
			}
		}
	}
	return false
}

func metadata(form url.Values) map[string]string {
	md := map[string]string{}
	for k := range form {
		if strings.HasPrefix(k, "metadata[") && strings.HasSuffix(k, "]") {
			md[k[len("metadata["):len(k)-1]] = form.Get(k)
		}
	}
	return md
}

func canonicalForm(form url.Values) string { return form.Encode() } // Encode sorts by key

func missing(status int, kind, id, param string) (int, any) {
	return status, errorBody(fakeError{Type: "invalid_request_error", Code: "resource_missing", Param: param,
		Message: fmt.Sprintf("No such %s: '%s'", kind, id)})
}

func errorBody(e fakeError) map[string]any { return map[string]any{"error": e} }

func writeStripeError(w http.ResponseWriter, status int, e fakeError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(errorBody(e))
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func toMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}
