package mercadopagoemu

import (
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// payment is one emulated payment.
type payment struct {
	id                 int64
	status, detail     string
	amount, refunded   int64 // minor units (centavos)
	installments       int
	methodID, issuer   string
	token              string
	email              string
	description        string
	externalRef        string
	notificationURL    string
	threeDSMode        string
	metadata           map[string]any
	preferenceID       string
	merchantOrder      int64
	idempotencyKey     string
	firstSix, lastFour string
	// payerType, payerID and cardID: a payment by a customer with a saved
	// card (card on file).
	payerType, payerID, cardID string
	created, updated           time.Time
	approved                   time.Time
	refunds                    []refund
}

type refund struct {
	id      int64
	amount  int64
	created time.Time
	key     string
}

// paymentRequest is the part of POST /v1/payments the emulator reads.
type paymentRequest struct {
	TransactionAmount json.Number `json:"transaction_amount"`
	Token             string      `json:"token"`
	Installments      int         `json:"installments"`
	PaymentMethodID   string      `json:"payment_method_id"`
	IssuerID          any         `json:"issuer_id"`
	Payer             struct {
		Email string `json:"email"`
		Type  string `json:"type"`
		ID    string `json:"id"`
	} `json:"payer"`
	ExternalReference string         `json:"external_reference"`
	Description       string         `json:"description"`
	NotificationURL   string         `json:"notification_url"`
	Metadata          map[string]any `json:"metadata"`
	ThreeDSecureMode  string         `json:"three_d_secure_mode"`
}

// maxInstallments is the most installments the emulated site (MLB) offers.
const maxInstallments = 12

func (e *Emulator) createPayment(r *http.Request, body []byte) (int, any) {
	var req paymentRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return badRequest(codeInvalidJSON, "invalid JSON body: "+err.Error())
	}
	amount, ok := minorUnits(req.TransactionAmount)
	if !ok || amount <= 0 {
		return badRequest(codeAmount, "Invalid transaction_amount")
	}
	_, cardOnFile := e.cardTokens[req.Token]
	byCustomer := cardOnFile || req.Payer.Type == "customer"
	if !byCustomer && !strings.Contains(req.Payer.Email, "@") {
		return badRequest(codePayerEmail, "payer.email must be a valid email")
	}
	outcome, ok := testTokens[req.Token]
	if !ok && !byCustomer {
		return badRequest(codeTokenNotFound, "Card Token not found")
	}
	issuer, ok := brands[req.PaymentMethodID]
	if !ok {
		return badRequest(codePaymentMethod, "Not found payment_method")
	}
	if req.Installments < 1 || req.Installments > maxInstallments {
		return badRequest(codeInstallments, "Invalid installments")
	}
	var card *savedCard
	if byCustomer {
		var st int
		var ans any
		if card, outcome, st, ans = e.savedCardPayment(req); card == nil {
			return st, ans
		}
		issuer, req.Payer.Email = card.issuer, e.customers[card.customerID].email
	}
	if s, ok := req.IssuerID.(string); ok && s != "" {
		issuer = s
	}
	status, detail := outcome.status, outcome.detail
	if outcome.challenge && req.ThreeDSecureMode != "optional" && req.ThreeDSecureMode != "mandatory" {
		status, detail = "rejected", "cc_rejected_high_risk"
	}
	now := time.Now()
	e.nextPayment++
	p := &payment{
		id: e.nextPayment, status: status, detail: detail,
		amount: amount, installments: req.Installments,
		methodID: req.PaymentMethodID, issuer: issuer, token: req.Token,
		email: req.Payer.Email, description: req.Description,
		externalRef: req.ExternalReference, notificationURL: req.NotificationURL,
		threeDSMode: req.ThreeDSecureMode, metadata: req.Metadata,
		idempotencyKey: r.Header.Get("X-Idempotency-Key"),
		firstSix:       outcome.firstSix, lastFour: outcome.lastFour,
		created: now, updated: now,
	}
	if card != nil {
		p.payerType, p.payerID, p.cardID = "customer", card.customerID, card.id
	}
	if status == "approved" {
		p.approved = now
	}
	e.payments[p.id] = p
	e.changed = append(e.changed, p.id)
	return http.StatusCreated, e.render(p)
}

func (e *Emulator) getPayment(r *http.Request, _ []byte) (int, any) {
	p := e.lookup(r.PathValue("id"))
	if p == nil {
		return notFound(codePaymentNotFound, "Payment not found")
	}
	return http.StatusOK, e.render(p)
}

func (e *Emulator) lookup(id string) *payment {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	return e.payments[n]
}

// searchPayments filters by external_reference and status, sorts by
// date_created (criteria desc by default) and pages with limit/offset.
func (e *Emulator) searchPayments(r *http.Request, _ []byte) (int, any) {
	q := r.URL.Query()
	var found []*payment
	for _, p := range e.payments {
		if ref := q.Get("external_reference"); ref != "" && p.externalRef != ref {
			continue
		}
		if st := q.Get("status"); st != "" && p.status != st {
			continue
		}
		found = append(found, p)
	}
	asc := q.Get("criteria") == "asc"
	sort.Slice(found, func(i, j int) bool {
		if asc {
			return found[i].id < found[j].id
		}
		return found[i].id > found[j].id
	})
	limit, offset := atoiOr(q.Get("limit"), 30), atoiOr(q.Get("offset"), 0)
	total := len(found)
	if offset > len(found) {
		offset = len(found)
	}
	found = found[offset:]
	if limit >= 0 && limit < len(found) {
		found = found[:limit]
	}
	results := make([]paymentJSON, 0, len(found))
	for _, p := range found {
		results = append(results, e.render(p))
	}
	return http.StatusOK, map[string]any{
		"paging":  map[string]int{"total": total, "limit": limit, "offset": offset},
		"results": results,
	}
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// minorUnits converts a JSON amount with at most two decimals to centavos.
func minorUnits(n json.Number) (int64, bool) {
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	c := math.Round(f * 100)
	if math.Abs(c-f*100) > 1e-6 || math.Abs(c) > 1e13 {
		return 0, false
	}
	return int64(c), true
}

// setStatus moves a payment to a new state and queues its notification.
func (e *Emulator) setStatus(p *payment, status, detail string) {
	now := time.Now()
	if status == "approved" && p.approved.IsZero() {
		p.approved = now
	}
	p.status, p.detail, p.updated = status, detail, now
	e.changed = append(e.changed, p.id)
}

// paymentJSON is Mercado Pago's payment resource, as much of it as a card
// payment fills in.
type paymentJSON struct {
	ID                        int64              `json:"id"`
	DateCreated               string             `json:"date_created"`
	DateApproved              *string            `json:"date_approved"`
	DateLastUpdated           string             `json:"date_last_updated"`
	MoneyReleaseDate          *string            `json:"money_release_date"`
	OperationType             string             `json:"operation_type"`
	IssuerID                  string             `json:"issuer_id"`
	PaymentMethodID           string             `json:"payment_method_id"`
	PaymentTypeID             string             `json:"payment_type_id"`
	PaymentMethod             map[string]string  `json:"payment_method"`
	Status                    string             `json:"status"`
	StatusDetail              string             `json:"status_detail"`
	CurrencyID                string             `json:"currency_id"`
	Description               string             `json:"description"`
	LiveMode                  bool               `json:"live_mode"`
	CollectorID               int64              `json:"collector_id"`
	Payer                     map[string]any     `json:"payer"`
	Metadata                  map[string]any     `json:"metadata"`
	Order                     map[string]string  `json:"order"`
	ExternalReference         string             `json:"external_reference"`
	TransactionAmount         json.Number        `json:"transaction_amount"`
	TransactionAmountRefunded json.Number        `json:"transaction_amount_refunded"`
	CouponAmount              json.Number        `json:"coupon_amount"`
	Installments              int                `json:"installments"`
	TransactionDetails        transactionDetails `json:"transaction_details"`
	FeeDetails                []any              `json:"fee_details"`
	Captured                  bool               `json:"captured"`
	BinaryMode                bool               `json:"binary_mode"`
	Card                      map[string]any     `json:"card"`
	Refunds                   []refundJSON       `json:"refunds"`
	NotificationURL           string             `json:"notification_url"`
	ProcessingMode            string             `json:"processing_mode"`
	ThreeDSInfo               *threeDSInfo       `json:"three_ds_info,omitempty"`
}

type transactionDetails struct {
	NetReceivedAmount   json.Number `json:"net_received_amount"`
	TotalPaidAmount     json.Number `json:"total_paid_amount"`
	OverpaidAmount      json.Number `json:"overpaid_amount"`
	InstallmentAmount   json.Number `json:"installment_amount"`
	ExternalResourceURL *string     `json:"external_resource_url"`
}

type threeDSInfo struct {
	ExternalResourceURL string `json:"external_resource_url"`
	Creq                string `json:"creq"`
}

func (e *Emulator) render(p *payment) paymentJSON {
	order := map[string]string{}
	if p.merchantOrder != 0 {
		order = map[string]string{"type": "mercadopago", "id": strconv.FormatInt(p.merchantOrder, 10)}
	}
	meta := p.metadata
	if meta == nil {
		meta = map[string]any{}
	}
	refunds := make([]refundJSON, 0, len(p.refunds))
	for _, rf := range p.refunds {
		refunds = append(refunds, renderRefund(p, rf))
	}
	out := paymentJSON{
		ID: p.id, DateCreated: mpTime(p.created), DateApproved: mpTimePtr(p.approved),
		DateLastUpdated: mpTime(p.updated), OperationType: "regular_payment",
		IssuerID: p.issuer, PaymentMethodID: p.methodID, PaymentTypeID: "credit_card",
		PaymentMethod: map[string]string{"id": p.methodID, "type": "credit_card", "issuer_id": p.issuer},
		Status:        p.status, StatusDetail: p.detail, CurrencyID: "BRL",
		Description: p.description, CollectorID: CollectorID,
		Payer:    e.renderPayer(p),
		Metadata: meta, Order: order, ExternalReference: p.externalRef,
		TransactionAmount: decimal(p.amount), TransactionAmountRefunded: decimal(p.refunded),
		CouponAmount: decimal(0), Installments: p.installments,
		TransactionDetails: transactionDetails{
			NetReceivedAmount: decimal(p.amount - p.refunded), TotalPaidAmount: decimal(p.amount),
			OverpaidAmount: decimal(0), InstallmentAmount: decimal(perInstallment(p.amount, p.installments)),
		},
		FeeDetails: []any{}, Captured: true,
		Card: map[string]any{
			"first_six_digits": p.firstSix, "last_four_digits": p.lastFour,
			"expiration_month": 11, "expiration_year": 2030,
			"cardholder": map[string]any{"name": "APRO", "identification": map[string]any{}},
		},
		Refunds: refunds, NotificationURL: p.notificationURL, ProcessingMode: "aggregator",
	}
	if p.status == "pending" && p.detail == "pending_challenge" {
		out.ThreeDSInfo = &threeDSInfo{
			ExternalResourceURL: e.srv.URL() + "/emu/3ds/" + strconv.FormatInt(p.id, 10),
			Creq:                "emu-creq-" + strconv.FormatInt(p.id, 10),
		}
	}
	return out
}

// perInstallment is one installment of amount split n ways, rounded up to
// the centavo as card issuers do.
func perInstallment(amount int64, n int) int64 {
	if n < 1 {
		n = 1
	}
	return (amount + int64(n) - 1) / int64(n)
}

// renderPayer is a payment's payer: a guest, or the customer whose saved
// card paid.
func (e *Emulator) renderPayer(p *payment) map[string]any {
	if p.payerType == "customer" {
		return map[string]any{"email": p.email, "type": "customer", "id": p.payerID, "identification": map[string]any{}}
	}
	return map[string]any{"email": p.email, "type": "guest", "identification": map[string]any{}}
}
