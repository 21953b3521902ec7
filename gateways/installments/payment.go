package installments

import (
	"context"
	"strconv"
	"strings"

	"github.com/mercadopago/sdk-go/pkg/payment"

	"github.com/tallyhq/tally/domain"
)

// threeDSMode asks Mercado Pago to run 3-D Secure when the issuer wants it
// (the payment then waits in pending_challenge).
const threeDSMode = "optional"

// CreatePayment charges exactly req.Amount (Tally has already added any
// installment commission as an order line) in req.Installments
// installments.
//
// With a PaymentMethodID ("<payment_method_id>:<card token>[:<issuer_id>]",
// e.g. "visa:ff8080814c11e237014c1ff593b57b4d", as MP.js's card form gives
// them) it creates a card payment (POST /v1/payments) at once: approved is
// SUCCEEDED, rejected is PAYMENT_FAILED (the FAILED payment is returned
// with the error, its status_detail as the reason), a 3-D Secure challenge
// is REQUIRES_ACTION with a redirect, in_process is PROCESSING. Without one
// it creates a Checkout Pro preference: PENDING with a redirect to its
// init_point, payment id "pref:<preference id>".
//
// With req.Saved (a card saved through SaveMethod) it charges the card
// without the buyer in the same installments (see chargeSaved).
//
// req.OrderID is sent as external_reference and in metadata, and
// req.IdempotencyKey as X-Idempotency-Key. Installments of 0 mean 1.
func (g *Gateway) CreatePayment(ctx context.Context, req domain.PaymentRequest) (domain.Payment, error) {
	n, err := g.checkRequest(req)
	if err != nil {
		return domain.Payment{}, err
	}
	if req.Saved != nil {
		if err := checkSaved(req); err != nil {
			return domain.Payment{}, err
		}
		return g.chargeSaved(ctx, req, n)
	}
	if req.PaymentMethodID == "" {
		return g.createCheckout(ctx, req, n)
	}
	card, err := parseCard(req.PaymentMethodID)
	if err != nil {
		return domain.Payment{}, err
	}
	body := payment.Request{
		TransactionAmount: decimalBRL(req.Amount.AmountMinor),
		Token:             card.token,
		PaymentMethodID:   card.method,
		IssuerID:          card.issuer,
		Installments:      n,
		Payer:             &payment.PayerRequest{Email: req.Customer.Email},
		ExternalReference: req.OrderID,
		Description:       description(req),
		Metadata:          metadata(req),
		NotificationURL:   g.cfg.NotificationURL,
		ThreeDSecureMode:  threeDSMode,
		Capture:           true,
	}
	resp, err := g.payments.Create(withIdempotencyKey(ctx, req.IdempotencyKey), body)
	if err != nil {
		return domain.Payment{}, providerError("create payment", "", err)
	}
	s, err := g.checkPayment(ctx, "create payment", resp, expected{ref: req.OrderID})
	if err != nil {
		return domain.Payment{}, err
	}
	p := normalize(s)
	if p.Status == domain.PaymentFailed {
		return p, declined(p)
	}
	return p, nil
}

// CheckPayment implements domain.PaymentChecker: the INVALID_INPUT
// CreatePayment would answer req with before calling Mercado Pago (a
// currency, country, method or installment count it cannot take, a
// payment method id that is not "<payment_method_id>:<card token>").
func (g *Gateway) CheckPayment(req domain.PaymentRequest) error {
	if _, err := g.checkRequest(req); err != nil {
		return err
	}
	if req.Saved != nil {
		return checkSaved(req)
	}
	if req.PaymentMethodID == "" {
		return nil
	}
	_, err := parseCard(req.PaymentMethodID)
	return err
}

var _ domain.PaymentChecker = (*Gateway)(nil)

// checkRequest refuses what Mercado Pago in Brazil cannot charge and
// returns the installment count to send.
func (g *Gateway) checkRequest(req domain.PaymentRequest) (int, error) {
	if req.Amount.Currency != domain.BRL {
		return 0, domain.InvalidInput("currency", "the installments gateway charges BRL only, not %q", req.Amount.Currency)
	}
	if req.Amount.AmountMinor <= 0 {
		return 0, domain.InvalidInput("amount", "the amount must be positive")
	}
	if req.Amount.AmountMinor > maxCentavos {
		return 0, tooLarge()
	}
	if c := req.Customer.Country; c != "" && !strings.EqualFold(c, "BR") {
		return 0, domain.InvalidInput("country", "the installments gateway serves Brazil only, not %q", c)
	}
	if req.Method != "" && req.Method != domain.MethodCard {
		return 0, domain.InvalidInput("method", "the installments gateway takes cards only")
	}
	n := max(req.Installments, 1)
	if n > g.cfg.MaxInstallments {
		return 0, domain.InvalidInput("installments", "at most %d installments", g.cfg.MaxInstallments)
	}
	return n, nil
}

// card is a PaymentMethodID split into what POST /v1/payments takes.
type card struct {
	method, token, issuer string
}

// parseCard reads "<payment_method_id>:<card token>[:<issuer_id>]".
func parseCard(s string) (card, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return card{}, domain.InvalidInput("paymentMethodId",
			"want <payment_method_id>:<card token>[:<issuer_id>] from the Mercado Pago card form, e.g. visa:TOKEN")
	}
	c := card{method: strings.ToLower(parts[0]), token: parts[1]}
	if len(parts) == 3 {
		c.issuer = parts[2]
	}
	return c, nil
}

func description(req domain.PaymentRequest) string {
	if req.Description != "" {
		return req.Description
	}
	if req.OrderNumber != "" {
		return "Tally order " + req.OrderNumber
	}
	return "Tally order"
}

// metadata is echoed back on the payment (and copied from a preference to
// its payments).
func metadata(req domain.PaymentRequest) map[string]any {
	m := map[string]any{"order_id": req.OrderID}
	if req.OrderNumber != "" {
		m["order_number"] = req.OrderNumber
	}
	if req.Customer.OrgID != "" {
		m["org_id"] = req.Customer.OrgID
	}
	return m
}

// ConfirmPayment reads the payment's current state: card payments are
// captured on creation, so there is nothing to complete (idempotencyKey is
// unused). A rejected payment (a failed 3-D Secure challenge) is returned
// with a PAYMENT_FAILED error; "pref:<id>" resolves as in GetPayment.
func (g *Gateway) ConfirmPayment(ctx context.Context, paymentID, _ string) (domain.Payment, error) {
	p, err := g.GetPayment(ctx, paymentID)
	if err != nil {
		return p, err
	}
	if p.Status == domain.PaymentFailed {
		return p, declined(p)
	}
	return p, nil
}

// GetPayment fetches a payment (GET /v1/payments/{id}) and normalizes it.
// For "pref:<id>" it finds the preference's payment (see checkout.go). An
// id Mercado Pago cannot have issued is NOT_FOUND without a call.
func (g *Gateway) GetPayment(ctx context.Context, paymentID string) (domain.Payment, error) {
	if prefID, ok := strings.CutPrefix(paymentID, prefPrefix); ok {
		p, _, err := g.checkoutPayment(ctx, prefID)
		return p, err
	}
	id, ok := parsePaymentID(paymentID)
	if !ok {
		return domain.Payment{}, domain.NotFound("mercado pago payment")
	}
	_, s, err := g.getPayment(ctx, "get payment", id)
	if err != nil {
		return domain.Payment{}, err
	}
	return normalize(s), nil
}

// getPayment reads payment id (GET /v1/payments/{id}) and its state. A
// failed call is translated by providerError; an answer that is not
// payment id, well formed (see checkPayment), is GATEWAY_UNAVAILABLE.
func (g *Gateway) getPayment(ctx context.Context, op string, id int) (*payment.Response, paymentState, error) {
	resp, err := g.payments.Get(ctx, id)
	if err != nil {
		return nil, paymentState{}, providerError(op, "", err)
	}
	s, err := g.checkPayment(ctx, op, resp, expected{id: id})
	if err != nil {
		return nil, paymentState{}, err
	}
	return resp, s, nil
}

// parsePaymentID reads Mercado Pago's numeric payment id.
func parsePaymentID(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

func paymentIDString(id int) string { return strconv.Itoa(id) }
