package mercadopagoemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Saved cards follow Mercado Pago's Customers and Cards APIs and its
// Automatic Payments (card on file): a customer (POST /v1/customers,
// GET /v1/customers/search?email=…), a card saved to it from a card token
// (POST /v1/customers/{id}/cards), and for each charge without the buyer
// a fresh card token made from the saved card's id with no security code
// (POST /v1/card_tokens {card_id, customer_id}), paid with payer.type
// "customer" and payer.id. An account without Automatic Payments is
// refused such a payment (400, security_code_id can't be null; see
// RequireSecurityCode).

// Routes of the customer and card endpoints, as Tamper takes them.
const (
	RouteCreateCustomer  = "POST /v1/customers"
	RouteSearchCustomers = "GET /v1/customers/search"
	RouteGetCustomer     = "GET /v1/customers/{id}"
	RouteCreateCard      = "POST /v1/customers/{id}/cards"
	RouteListCards       = "GET /v1/customers/{id}/cards"
	RouteGetCard         = "GET /v1/customers/{id}/cards/{card_id}"
	RouteDeleteCard      = "DELETE /v1/customers/{id}/cards/{card_id}"
	RouteCreateCardToken = "POST /v1/card_tokens"
	RouteUpdatePayment   = "PUT /v1/payments/{id}"
)

// Error causes of the customer and card endpoints.
const (
	codeCustomerExists     = 101
	codeCustomerNotFound   = 105
	codeEmailInvalid       = 106
	codeCardRequired       = 119
	codeCardNotFound       = 120
	codeCardInvalid        = 122
	codeSecurityCodeNeeded = 3031
	codePayerMismatch      = 2034
	codeCardMethodMismatch = 3034
	codeNotCancellable     = 2079
)

// customer is an emulated customer.
type customer struct {
	id                  string
	email               string
	firstName, lastName string
	created, updated    time.Time
	cards               []*savedCard
}

// savedCard is a card saved to a customer.
type savedCard struct {
	id               string
	customerID       string
	token            string // the test token it was saved from
	methodID, issuer string
	outcome          cardOutcome
	decline          string // a forced rejection detail for later payments
	idempotencyKey   string
	created, updated time.Time
	deleted          bool
}

// cardToken is a card token made from a saved card.
type cardToken struct {
	id           string
	card         *savedCard
	securityCode bool
	used         bool
	created      time.Time
}

// customerRequest is the part of POST /v1/customers the emulator reads.
type customerRequest struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
}

func (e *Emulator) createCustomer(_ *http.Request, body []byte) (int, any) {
	var req customerRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest(codeInvalidJSON, "invalid JSON body: "+err.Error())
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if !strings.Contains(email, "@") {
		return badRequest(codeEmailInvalid, "the email format is invalid.")
	}
	for _, c := range e.customers {
		if c.email == email {
			return badRequest(codeCustomerExists, "the customer already exist.")
		}
	}
	now := time.Now()
	e.nextCustomer++
	c := &customer{
		id:    strconv.FormatInt(CollectorID, 10) + "-" + strconv.FormatInt(e.nextCustomer, 36) + "emuCUS",
		email: email, firstName: req.FirstName, lastName: req.LastName, created: now, updated: now,
	}
	e.customers[c.id] = c
	return http.StatusCreated, e.renderCustomer(c)
}

func (e *Emulator) searchCustomers(r *http.Request, _ []byte) (int, any) {
	email := strings.ToLower(r.URL.Query().Get("email"))
	found := []*customer{}
	for _, c := range e.customers {
		if email == "" || c.email == email {
			found = append(found, c)
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].created.Before(found[j].created) })
	limit, offset := atoiOr(r.URL.Query().Get("limit"), 10), atoiOr(r.URL.Query().Get("offset"), 0)
	total := len(found)
	offset = min(max(offset, 0), len(found))
	found = found[offset:]
	if limit >= 0 && limit < len(found) {
		found = found[:limit]
	}
	results := make([]customerJSON, 0, len(found))
	for _, c := range found {
		results = append(results, e.renderCustomer(c))
	}
	return http.StatusOK, map[string]any{
		"paging":  map[string]int{"total": total, "limit": limit, "offset": offset},
		"results": results,
	}
}

func (e *Emulator) getCustomer(r *http.Request, _ []byte) (int, any) {
	c, ok := e.customers[r.PathValue("id")]
	if !ok {
		return notFound(codeCustomerNotFound, "the customer id is invalid.")
	}
	return http.StatusOK, e.renderCustomer(c)
}

// cardRequest is the body of POST /v1/customers/{id}/cards.
type cardRequest struct {
	Token           string `json:"token"`
	PaymentMethodID string `json:"payment_method_id"`
	Issuer          *struct {
		ID string `json:"id"`
	} `json:"issuer"`
}

// createCard saves a card from a test card token (see tokens.go). Saving
// the same card again returns the card saved before, as Mercado Pago does.
func (e *Emulator) createCard(r *http.Request, body []byte) (int, any) {
	c, ok := e.customers[r.PathValue("id")]
	if !ok {
		return notFound(codeCustomerNotFound, "the customer id is invalid.")
	}
	var req cardRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest(codeInvalidJSON, "invalid JSON body: "+err.Error())
	}
	if req.Token == "" {
		return badRequest(codeCardRequired, "the card is required.")
	}
	outcome, ok := testTokens[req.Token]
	if !ok {
		return badRequest(codeCardInvalid, "the card data is invalid.")
	}
	method := req.PaymentMethodID
	if method == "" {
		method = brandOfBIN(outcome.firstSix)
	}
	issuer, ok := brands[method]
	if !ok {
		return badRequest(codePaymentMethod, "invalid parameter. Cannot resolve the payment method of card, check the payment_method_id and issuer_id.")
	}
	if req.Issuer != nil && req.Issuer.ID != "" {
		issuer = req.Issuer.ID
	}
	now := time.Now()
	for _, sc := range c.cards {
		if !sc.deleted && sc.token == req.Token {
			sc.updated = now
			return http.StatusOK, e.renderCard(sc)
		}
	}
	e.nextCard++
	sc := &savedCard{
		id: strconv.FormatInt(e.nextCard, 10), customerID: c.id, token: req.Token,
		methodID: method, issuer: issuer, outcome: outcome,
		idempotencyKey: r.Header.Get("X-Idempotency-Key"), created: now, updated: now,
	}
	c.cards = append(c.cards, sc)
	c.updated = now
	e.cards[sc.id] = sc
	return http.StatusCreated, e.renderCard(sc)
}

// card returns the customer's saved card the path names, or the 404.
func (e *Emulator) card(r *http.Request) (*savedCard, int, any) {
	if _, ok := e.customers[r.PathValue("id")]; !ok {
		st, body := notFound(codeCustomerNotFound, "the customer id is invalid.")
		return nil, st, body
	}
	sc, ok := e.cards[r.PathValue("card_id")]
	if !ok || sc.deleted || sc.customerID != r.PathValue("id") {
		st, body := notFound(codeCardNotFound, "card not found.")
		return nil, st, body
	}
	return sc, 0, nil
}

func (e *Emulator) getCard(r *http.Request, _ []byte) (int, any) {
	sc, st, body := e.card(r)
	if sc == nil {
		return st, body
	}
	return http.StatusOK, e.renderCard(sc)
}

func (e *Emulator) listCards(r *http.Request, _ []byte) (int, any) {
	c, ok := e.customers[r.PathValue("id")]
	if !ok {
		return notFound(codeCustomerNotFound, "the customer id is invalid.")
	}
	out := []cardJSON{}
	for _, sc := range c.cards {
		if !sc.deleted {
			out = append(out, e.renderCard(sc))
		}
	}
	return http.StatusOK, out
}

// deleteCard removes a saved card and answers with it, as Mercado Pago
// does.
func (e *Emulator) deleteCard(r *http.Request, _ []byte) (int, any) {
	sc, st, body := e.card(r)
	if sc == nil {
		return st, body
	}
	sc.deleted, sc.updated = true, time.Now()
	return http.StatusOK, e.renderCard(sc)
}

// cardTokenRequest is the body of POST /v1/card_tokens the emulator
// takes: a saved card's id (card on file), optionally with its customer
// and security code.
type cardTokenRequest struct {
	CardID       string `json:"card_id"`
	CustomerID   string `json:"customer_id"`
	SecurityCode string `json:"security_code"`
}

// createCardToken makes a one-use card token of a saved card.
func (e *Emulator) createCardToken(_ *http.Request, body []byte) (int, any) {
	var req cardTokenRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest(codeInvalidJSON, "invalid JSON body: "+err.Error())
	}
	if req.CardID == "" {
		return badRequest(codeCardRequired, "card_id is required: the emulator tokenizes saved cards only (card numbers come from MP.js)")
	}
	sc, ok := e.cards[req.CardID]
	if !ok || sc.deleted || (req.CustomerID != "" && req.CustomerID != sc.customerID) {
		return notFound(codeCardNotFound, "card not found.")
	}
	e.nextToken++
	ct := &cardToken{
		id:   fmt.Sprintf("emu-cot-%08x%024d", e.nextToken, e.nextToken),
		card: sc, securityCode: req.SecurityCode != "", created: time.Now(),
	}
	e.cardTokens[ct.id] = ct
	return http.StatusCreated, e.renderCardToken(ct)
}

// savedCardPayment resolves the token of a payment by a customer: a card
// token made from one of the customer's saved cards, used at most once.
// It returns the card and the outcome of the payment, or the 400 Mercado
// Pago answers.
func (e *Emulator) savedCardPayment(req paymentRequest) (*savedCard, cardOutcome, int, any) {
	ct, ok := e.cardTokens[req.Token]
	if !ok || ct.used {
		st, body := badRequest(codeTokenNotFound, "Card Token not found")
		return nil, cardOutcome{}, st, body
	}
	sc := ct.card
	if req.Payer.Type == "customer" && req.Payer.ID != sc.customerID {
		st, body := badRequest(codePayerMismatch, "Invalid users involved")
		return nil, cardOutcome{}, st, body
	}
	if req.PaymentMethodID != sc.methodID {
		st, body := badRequest(codeCardMethodMismatch, "payment_method_id does not match the card")
		return nil, cardOutcome{}, st, body
	}
	if !ct.securityCode && e.requireCVV {
		st, body := badRequest(codeSecurityCodeNeeded, "security_code_id can't be null")
		return nil, cardOutcome{}, st, body
	}
	ct.used = true
	outcome := sc.outcome
	if sc.decline != "" {
		outcome.status, outcome.detail, outcome.challenge = "rejected", sc.decline, false
	}
	return sc, outcome, 0, nil
}

// customerJSON is Mercado Pago's customer resource.
type customerJSON struct {
	ID              string     `json:"id"`
	Email           string     `json:"email"`
	FirstName       string     `json:"first_name"`
	LastName        string     `json:"last_name"`
	DateCreated     string     `json:"date_created"`
	DateLastUpdated string     `json:"date_last_updated"`
	Cards           []cardJSON `json:"cards"`
	DefaultCard     string     `json:"default_card,omitempty"`
	Status          string     `json:"status"`
	LiveMode        bool       `json:"live_mode"`
}

// cardJSON is Mercado Pago's customer card resource.
type cardJSON struct {
	ID              string         `json:"id"`
	CustomerID      string         `json:"customer_id"`
	UserID          string         `json:"user_id"`
	FirstSixDigits  string         `json:"first_six_digits"`
	LastFourDigits  string         `json:"last_four_digits"`
	ExpirationMonth int            `json:"expiration_month"`
	ExpirationYear  int            `json:"expiration_year"`
	PaymentMethod   map[string]any `json:"payment_method"`
	Issuer          map[string]any `json:"issuer"`
	SecurityCode    map[string]any `json:"security_code"`
	Cardholder      map[string]any `json:"cardholder"`
	DateCreated     string         `json:"date_created"`
	DateLastUpdated string         `json:"date_last_updated"`
	LiveMode        bool           `json:"live_mode"`
}

func (e *Emulator) renderCustomer(c *customer) customerJSON {
	out := customerJSON{
		ID: c.id, Email: c.email, FirstName: c.firstName, LastName: c.lastName,
		DateCreated: mpTime(c.created), DateLastUpdated: mpTime(c.updated), Cards: []cardJSON{}, Status: "active",
	}
	for _, sc := range c.cards {
		if !sc.deleted {
			out.Cards = append(out.Cards, e.renderCard(sc))
			out.DefaultCard = sc.id
		}
	}
	return out
}

func (e *Emulator) renderCard(sc *savedCard) cardJSON {
	issuer, _ := strconv.Atoi(sc.issuer)
	return cardJSON{
		ID: sc.id, CustomerID: sc.customerID, UserID: strconv.FormatInt(CollectorID, 10),
		FirstSixDigits: sc.outcome.firstSix, LastFourDigits: sc.outcome.lastFour,
		ExpirationMonth: 11, ExpirationYear: 2030,
		PaymentMethod: map[string]any{"id": sc.methodID, "name": sc.methodID, "payment_type_id": "credit_card"},
		Issuer:        map[string]any{"id": issuer, "name": sc.methodID},
		SecurityCode:  map[string]any{"length": 3, "card_location": "back"},
		Cardholder:    map[string]any{"name": "APRO", "identification": map[string]any{"type": "CPF", "number": "19119119100"}},
		DateCreated:   mpTime(sc.created), DateLastUpdated: mpTime(sc.updated),
	}
}

func (e *Emulator) renderCardToken(ct *cardToken) map[string]any {
	sc := ct.card
	status := "active"
	if ct.used {
		status = "used"
	}
	return map[string]any{
		"id": ct.id, "card_id": sc.id, "status": status,
		"first_six_digits": sc.outcome.firstSix, "last_four_digits": sc.outcome.lastFour,
		"expiration_month": 11, "expiration_year": 2030,
		"cardholder":   map[string]any{"name": "APRO", "identification": map[string]any{"type": "CPF", "number": "19119119100"}},
		"date_created": mpTime(ct.created), "date_last_updated": mpTime(ct.created),
		"date_due":        mpTime(ct.created.Add(7 * 24 * time.Hour)),
		"luhn_validation": true, "live_mode": false, "require_esc": false,
		"card_number_length": 16, "security_code_length": 3,
	}
}

// RequireSecurityCode makes the emulated account one without Automatic
// Payments while on: a payment with a card token made from a saved card
// without its security code is refused (400, security_code_id can't be
// null), as Mercado Pago refuses it.
func (e *Emulator) RequireSecurityCode(on bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requireCVV = on
}

// DeclineCard makes every later payment with saved card cardID rejected
// with detail (cc_rejected_insufficient_amount, cc_rejected_other_reason,
// …); "" lifts it. A card also keeps the outcome of the test token it was
// saved from (a card saved from TokenInsufficientAmount is always
// rejected).
func (e *Emulator) DeclineCard(cardID, detail string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	sc, ok := e.cards[cardID]
	if !ok {
		return fmt.Errorf("mercadopagoemu: no saved card %q", cardID)
	}
	sc.decline = detail
	return nil
}

// CardInfo is a snapshot of a saved card.
type CardInfo struct {
	ID, CustomerID, PaymentMethodID string
	// IdempotencyKey is the X-Idempotency-Key it was saved with.
	IdempotencyKey string
	Deleted        bool
}

// CustomerInfo is a snapshot of a customer.
type CustomerInfo struct {
	ID, Email string
	Cards     []string // ids of its saved cards, deleted ones too
}

// Card returns a snapshot of saved card id.
func (e *Emulator) Card(id string) (CardInfo, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	sc, ok := e.cards[id]
	if !ok {
		return CardInfo{}, false
	}
	return CardInfo{ID: sc.id, CustomerID: sc.customerID, PaymentMethodID: sc.methodID, IdempotencyKey: sc.idempotencyKey, Deleted: sc.deleted}, true
}

// Customer returns a snapshot of customer id.
func (e *Emulator) Customer(id string) (CustomerInfo, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.customers[id]
	if !ok {
		return CustomerInfo{}, false
	}
	info := CustomerInfo{ID: c.id, Email: c.email}
	for _, sc := range c.cards {
		info.Cards = append(info.Cards, sc.id)
	}
	return info, true
}

// Customers is how many customers the emulated account has.
func (e *Emulator) Customers() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.customers)
}

// updatePayment is PUT /v1/payments/{id}; the emulator takes
// {"status": "cancelled"} of a payment not yet settled (pending,
// in_process, authorized), as the SDK's Cancel sends.
func (e *Emulator) updatePayment(r *http.Request, body []byte) (int, any) {
	p := e.lookup(r.PathValue("id"))
	if p == nil {
		return notFound(codePaymentNotFound, "Payment not found")
	}
	var req struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest(codeInvalidJSON, "invalid JSON body: "+err.Error())
	}
	if req.Status != "cancelled" {
		return badRequest(codeInvalidJSON, "the emulator updates a payment's status to cancelled only")
	}
	switch p.status {
	case "pending", "in_process", "authorized":
		e.setStatus(p, "cancelled", "by_collector")
		return http.StatusOK, e.render(p)
	}
	return badRequest(codeNotCancellable, "Payment cannot be cancelled: it is "+p.status)
}
