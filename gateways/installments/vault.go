package installments

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mercadopago/sdk-go/pkg/customer"
	"github.com/mercadopago/sdk-go/pkg/customercard"
	"github.com/mercadopago/sdk-go/pkg/mperror"
	"github.com/mercadopago/sdk-go/pkg/payment"

	"github.com/tallyhq/tally/domain"
)

// Saved cards are Mercado Pago customers and their cards (the SDK's
// customer and customercard clients), charged without the buyer the way
// Mercado Pago's Automatic Payments (card on file) documents: each charge
// makes a fresh card token from the saved card's id with no security code
// (POST /v1/card_tokens {card_id, customer_id}) and pays with it as the
// customer (payer.type "customer", payer.id). The SDK's cardtoken client
// cannot send a card_id (its Request has card-number fields only), so that
// one call is a small typed request through the SDK's transport, as the
// installment quote is. The Mercado Pago account must be approved for
// Automatic Payments: otherwise Mercado Pago refuses a payment whose token
// has no security code, and every off-session charge fails (as
// domain.FailureAuthRequired: the buyer has to pay on session).

var _ domain.MethodVault = (*Gateway)(nil)

// mpSecurityCodeRequired is the error cause of a payment with a saved card
// token and no security code on an account without Automatic Payments.
const mpSecurityCodeRequired = "3031"

// SaveMethod implements domain.MethodVault: it saves the card of req.Token
// (a card token of MP.js's card form, bare or as CreatePayment's
// "<payment_method_id>:<card token>[:<issuer_id>]") to the org's Mercado
// Pago customer: req.CustomerRef, else the customer with the buyer's
// email (GET /v1/customers/search), else a new one (POST /v1/customers).
// The card (POST /v1/customers/{id}/cards, X-Idempotency-Key =
// IdempotencyKey) is Ready at once: Ref the card id, CustomerRef the
// customer, Brand its payment_method_id ("visa", "master", …), Last4 and
// expiry. Mercado Pago has no hosted flow to save a card: Token "" is
// INVALID_INPUT, as is a card Mercado Pago refuses (400).
func (g *Gateway) SaveMethod(ctx context.Context, req domain.SaveMethodRequest) (domain.SavedMethod, error) {
	tok, err := parseSaveToken(req.Token)
	if err != nil {
		return domain.SavedMethod{}, err
	}
	custID := req.CustomerRef
	if custID == "" {
		if custID, err = g.customerFor(ctx, req.Customer, req.IdempotencyKey); err != nil {
			return domain.SavedMethod{}, err
		}
	}
	body := customercard.Request{Token: tok.token, PaymentMethodID: tok.method}
	if tok.issuer != "" {
		body.Issuer = &customercard.IssuerRequest{ID: tok.issuer}
	}
	c, err := g.cards.Create(withIdempotencyKey(ctx, req.IdempotencyKey), custID, body)
	if err != nil && req.CustomerRef != "" && statusOf(err) == http.StatusNotFound {
		// The org's customer is gone at Mercado Pago: find or make it anew.
		if custID, err = g.customerFor(ctx, req.Customer, req.IdempotencyKey); err != nil {
			return domain.SavedMethod{}, err
		}
		c, err = g.cards.Create(withIdempotencyKey(ctx, "card-"+req.IdempotencyKey), custID, body)
	}
	if err != nil {
		return domain.SavedMethod{}, providerError("save card", "token", err)
	}
	return g.savedCard(ctx, "save card", c, custID)
}

// parseSaveToken reads a bare card token or "<payment_method_id>:<card
// token>[:<issuer_id>]".
func parseSaveToken(s string) (card, error) {
	if s == "" {
		return card{}, domain.InvalidInput("token", "mercado pago saves a card from a card token of its card form; it has no page to save one on")
	}
	if !strings.Contains(s, ":") {
		return card{token: s}, nil
	}
	c, err := parseCard(s)
	if err != nil {
		return card{}, domain.InvalidInput("token", "want a card token, or <payment_method_id>:<card token>[:<issuer_id>]")
	}
	return c, nil
}

// customerFor returns the id of the Mercado Pago customer with the
// buyer's email, creating it when there is none. Mercado Pago keeps one
// customer per email, so two saves racing to create it end with the same
// one.
func (g *Gateway) customerFor(ctx context.Context, c domain.Customer, key string) (string, error) {
	email := strings.TrimSpace(c.Email)
	if !strings.Contains(email, "@") {
		return "", domain.InvalidInput("email", "mercado pago needs the buyer's email to keep their cards")
	}
	if id, err := g.findCustomer(ctx, email); id != "" || err != nil {
		return id, err
	}
	body := customer.Request{Email: email, Description: "Tally org " + c.OrgID}
	if c.Name != "" {
		body.FirstName = c.Name
	}
	created, err := g.customers.Create(withIdempotencyKey(ctx, "customer-"+key), body)
	if err != nil {
		if statusOf(err) == http.StatusBadRequest {
			// "the customer already exist": another save made it first.
			if id, ferr := g.findCustomer(ctx, email); id != "" || ferr != nil {
				return id, ferr
			}
		}
		return "", providerError("create customer", "email", err)
	}
	if created == nil || created.ID == "" {
		return "", g.unusable(ctx, "create customer", "a customer without an id")
	}
	return created.ID, nil
}

// findCustomer returns the id of the customer with email, "" when none.
func (g *Gateway) findCustomer(ctx context.Context, email string) (string, error) {
	found, err := g.customers.Search(ctx, customer.SearchRequest{Limit: 1, Filters: map[string]string{"email": email}})
	if err != nil {
		return "", providerError("search customers", "", err)
	}
	if found == nil {
		return "", g.unusable(ctx, "search customers", "no results in the answer")
	}
	for _, c := range found.Results {
		if c.ID != "" && strings.EqualFold(c.Email, email) {
			return c.ID, nil
		}
	}
	return "", nil
}

// savedCard checks a card answer and maps it.
func (g *Gateway) savedCard(ctx context.Context, op string, c *customercard.Response, custID string) (domain.SavedMethod, error) {
	switch {
	case c == nil || c.ID == "":
		return domain.SavedMethod{}, g.unusable(ctx, op, "a card without an id")
	case c.CustomerID != "" && c.CustomerID != custID:
		return domain.SavedMethod{}, g.unusable(ctx, op, fmt.Sprintf("card %s is of customer %s, not %s", c.ID, c.CustomerID, custID))
	case c.PaymentMethod.ID == "":
		return domain.SavedMethod{}, g.unusable(ctx, op, fmt.Sprintf("card %s has no payment method", c.ID))
	}
	return domain.SavedMethod{
		Ref: c.ID, CustomerRef: custID, Kind: domain.MethodCard,
		Brand: strings.ToLower(c.PaymentMethod.ID), Last4: c.LastFourDigits,
		ExpMonth: c.ExpirationMonth, ExpYear: c.ExpirationYear, Ready: true,
	}, nil
}

// CompleteSave implements domain.MethodVault: a saved card needs no buyer
// to finish, so it reads the card (GET /v1/customers/{id}/cards/{card_id})
// and returns it Ready with its current details. Errors: NOT_FOUND (the
// card or customer is gone), GATEWAY_UNAVAILABLE.
func (g *Gateway) CompleteSave(ctx context.Context, m domain.SavedMethod) (domain.SavedMethod, error) {
	if m.Ref == "" || m.CustomerRef == "" {
		return domain.SavedMethod{}, domain.NotFound("mercado pago card")
	}
	c, err := g.cards.Get(ctx, m.CustomerRef, m.Ref)
	if err != nil {
		if statusOf(err) == http.StatusNotFound {
			return domain.SavedMethod{}, domain.NotFound("mercado pago card")
		}
		return domain.SavedMethod{}, providerError("read card", "", err)
	}
	return g.savedCard(ctx, "read card", c, m.CustomerRef)
}

// RemoveMethod implements domain.MethodVault: it deletes the card from
// its customer (DELETE /v1/customers/{id}/cards/{card_id}); a card or
// customer Mercado Pago no longer knows (404, or 400 for an id it could
// never have issued) is removed already.
func (g *Gateway) RemoveMethod(ctx context.Context, m domain.SavedMethod) error {
	if m.Ref == "" || m.CustomerRef == "" {
		return nil
	}
	_, err := g.cards.Delete(ctx, m.CustomerRef, m.Ref)
	if err == nil {
		return nil
	}
	if st := statusOf(err); st == http.StatusNotFound || st == http.StatusBadRequest {
		return nil
	}
	e := providerError("delete card", "", err)
	if domain.ErrorCode(e) != domain.CodeGatewayUnavailable {
		e = &domain.Error{Code: domain.CodeGatewayUnavailable, Message: "mercado pago refused to delete the card", Err: e}
	}
	return e
}

// checkSaved refuses a saved method CreatePayment cannot charge.
func checkSaved(req domain.PaymentRequest) error {
	s := req.Saved
	switch {
	case s.Kind != "" && s.Kind != domain.MethodCard:
		return domain.InvalidInput("paymentMethod", "the installments gateway charges saved cards only")
	case !s.Ready || s.Ref == "" || s.CustomerRef == "":
		return domain.InvalidInput("paymentMethod", "the saved card is not ready to charge")
	case s.Brand == "":
		return domain.InvalidInput("paymentMethod", "the saved card has no brand (payment_method_id)")
	case req.PaymentMethodID != "":
		return domain.InvalidInput("paymentMethodId", "a saved method and a payment method id exclude each other")
	}
	return nil
}

// chargeSaved charges a saved card without the buyer in n installments:
// a card token of the saved card (POST /v1/card_tokens, X-Idempotency-Key
// "cardtoken-" + IdempotencyKey, so a retry replays the same token), then
// POST /v1/payments with it as the customer (X-Idempotency-Key =
// IdempotencyKey). Outcomes as CreatePayment's, except that nothing waits
// for the buyer: a payment the issuer wants authenticated (a 3-D Secure
// challenge) is cancelled and returned FAILED with
// domain.FailureAuthRequired, as is a refusal for want of the security
// code (an account without Automatic Payments). A card Mercado Pago no
// longer has is FAILED too ("card_not_found"). Declines come with
// PAYMENT_FAILED.
func (g *Gateway) chargeSaved(ctx context.Context, req domain.PaymentRequest, n int) (domain.Payment, error) {
	s := req.Saved
	token, err := g.savedCardToken(withIdempotencyKey(ctx, "cardtoken-"+req.IdempotencyKey), s.Ref, s.CustomerRef)
	if err != nil {
		if statusOf(err) == http.StatusNotFound {
			p := domain.Payment{Status: domain.PaymentFailed, Amount: req.Amount, FailureReason: "card_not_found", Method: domain.MethodCard}
			return p, declined(p)
		}
		var de *domain.Error
		if errors.As(err, &de) {
			return domain.Payment{}, de
		}
		return domain.Payment{}, providerError("create card token", "", err)
	}
	body := payment.Request{
		TransactionAmount: decimalBRL(req.Amount.AmountMinor),
		Token:             token,
		PaymentMethodID:   s.Brand,
		Installments:      n,
		Payer:             &payment.PayerRequest{Type: "customer", ID: s.CustomerRef, Email: req.Customer.Email},
		ExternalReference: req.OrderID,
		Description:       description(req),
		Metadata:          metadata(req),
		NotificationURL:   g.cfg.NotificationURL,
		Capture:           true,
	}
	resp, err := g.payments.Create(withIdempotencyKey(ctx, req.IdempotencyKey), body)
	if err != nil {
		if hasCause(err, mpSecurityCodeRequired) {
			g.cfg.Logger.WarnContext(ctx, "installments: mercado pago refused a saved card without its security code; the account needs Automatic Payments", "order", req.OrderID)
			p := domain.Payment{Status: domain.PaymentFailed, Amount: req.Amount, FailureReason: domain.FailureAuthRequired, Method: domain.MethodCard}
			return p, declined(p)
		}
		return domain.Payment{}, providerError("create payment", "", err)
	}
	st, err := g.checkPayment(ctx, "create payment", resp, expected{ref: req.OrderID})
	if err != nil {
		return domain.Payment{}, err
	}
	p := normalize(st)
	p.Method = domain.MethodCard
	if p.Status == domain.PaymentRequiresAction {
		// Nobody is there to pass the challenge: give the payment up.
		if _, cerr := g.payments.Cancel(ctx, resp.ID); cerr != nil {
			g.cfg.Logger.WarnContext(ctx, "installments: could not cancel an off-session payment waiting for 3-D Secure", "payment", p.ID, "error", cerr)
		}
		p.Status, p.NextAction, p.FailureReason = domain.PaymentFailed, nil, domain.FailureAuthRequired
	}
	if p.Status == domain.PaymentFailed {
		return p, declined(p)
	}
	return p, nil
}

// cardTokenRequest is the body of POST /v1/card_tokens for a saved card.
type cardTokenRequest struct {
	CardID     string `json:"card_id"`
	CustomerID string `json:"customer_id,omitempty"`
}

// cardTokenResponse is the part of a card token Tally reads.
type cardTokenResponse struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// savedCardToken makes a one-use card token of saved card cardID through
// the SDK's transport (the SDK's cardtoken client cannot send card_id).
// A failed call is an *mperror.ResponseError as the SDK's are.
func (g *Gateway) savedCardToken(ctx context.Context, cardID, customerID string) (string, error) {
	raw, err := json.Marshal(cardTokenRequest{CardID: cardID, CustomerID: customerID})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+sdkHost+"/v1/card_tokens", bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+g.cfg.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := g.transport.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // at most maxAnswerBytes (transport)
	if err != nil {
		return "", err
	}
	if resp.StatusCode > 399 {
		return "", &mperror.ResponseError{StatusCode: resp.StatusCode, Message: string(body), Headers: resp.Header}
	}
	var tok cardTokenResponse
	if err := json.Unmarshal(body, &tok); err != nil {
		return "", err
	}
	if tok.ID == "" {
		return "", unusableErr(fmt.Errorf("mercado pago create card token: a card token without an id"))
	}
	return tok.ID, nil
}

// statusOf is the HTTP status of a Mercado Pago error answer, 0 for none.
func statusOf(err error) int {
	var re *mperror.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

// hasCause reports whether err is an error answer with cause code.
func hasCause(err error, code string) bool {
	var re *mperror.ResponseError
	if !errors.As(err, &re) {
		return false
	}
	var body apiError
	if json.Unmarshal([]byte(re.Message), &body) != nil {
		return false
	}
	for _, c := range body.Cause {
		if fmt.Sprint(c.Code) == code {
			return true
		}
	}
	return false
}
