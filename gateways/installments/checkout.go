package installments

import (
	"context"

	"github.com/mercadopago/sdk-go/pkg/payment"
	"github.com/mercadopago/sdk-go/pkg/preference"

	"github.com/tallyhq/tally/domain"
)

// prefPrefix marks a payment id that is a Checkout Pro preference.
const prefPrefix = "pref:"

// excludedPaymentTypes keeps Checkout Pro to cards: no boleto, Pix or ATM.
var excludedPaymentTypes = []preference.ExcludedPaymentTypeRequest{{ID: "ticket"}, {ID: "bank_transfer"}, {ID: "atm"}}

// createCheckout creates a Checkout Pro preference (POST
// /checkout/preferences) for the buyer to pay on Mercado Pago's page: one
// item of the whole amount, cards only, at most n installments with n
// preselected. The buyer may choose fewer installments there but never
// more, so the commission Tally priced for n is never short.
func (g *Gateway) createCheckout(ctx context.Context, req domain.PaymentRequest, n int) (domain.Payment, error) {
	body := preference.Request{
		Items: []preference.ItemRequest{{
			ID: req.OrderID, Title: description(req), Quantity: 1,
			CurrencyID: string(domain.BRL), UnitPrice: decimalBRL(req.Amount.AmountMinor),
		}},
		Payer: &preference.PayerRequest{Email: req.Customer.Email},
		PaymentMethods: &preference.PaymentMethodsRequest{
			ExcludedPaymentTypes: excludedPaymentTypes,
			Installments:         n,
			DefaultInstallments:  n,
		},
		ExternalReference: req.OrderID,
		NotificationURL:   g.cfg.NotificationURL,
		Metadata:          metadata(req),
	}
	if req.ReturnURL != "" {
		body.BackURLs = &preference.BackURLsRequest{Success: req.ReturnURL, Pending: req.ReturnURL, Failure: req.ReturnURL}
		body.AutoReturn = "approved"
	}
	pref, err := g.prefs.Create(withIdempotencyKey(ctx, req.IdempotencyKey), body)
	if err != nil {
		return domain.Payment{}, providerError("create preference", "", err)
	}
	amount, err := g.checkPreference(ctx, "create preference", pref, "", req.Amount.AmountMinor)
	if err != nil {
		return domain.Payment{}, err
	}
	return pendingCheckout(pref, amount), nil
}

// pendingCheckout is a preference nobody has paid yet: PENDING, with a
// redirect to its init_point. amount is its total (see checkPreference).
func pendingCheckout(pref *preference.Response, amount int64) domain.Payment {
	return domain.Payment{
		ID:         prefPrefix + pref.ID,
		Status:     domain.PaymentPending,
		Amount:     domain.Money{AmountMinor: amount, Currency: domain.BRL},
		NextAction: &domain.NextAction{Kind: domain.NextActionRedirect, URL: pref.InitPoint},
	}
}

// checkoutPayment resolves a preference to the payment the buyer made on
// Checkout Pro. Mercado Pago does not link them directly, so it reads the
// preference (GET /checkout/preferences/{id}: external_reference, amount,
// init_point) and searches the payments with that external reference (GET
// /v1/payments/search, newest first), taking the newest that collected the
// money, else the newest still under way, else the newest failed one.
// With none the preference is still PENDING with its redirect. The result
// keeps the "pref:<id>" id; the second value is the Mercado Pago payment id
// found (0 if none). Both answers are checked: a preference other than
// prefID, or a search result that is not a well-formed payment for the
// preference's order, is GATEWAY_UNAVAILABLE (see answer.go).
func (g *Gateway) checkoutPayment(ctx context.Context, prefID string) (domain.Payment, int, error) {
	if prefID == "" {
		return domain.Payment{}, 0, domain.NotFound("mercado pago preference")
	}
	pref, err := g.prefs.Get(ctx, prefID)
	if err != nil {
		return domain.Payment{}, 0, providerError("get preference", "", err)
	}
	amount, err := g.checkPreference(ctx, "get preference", pref, prefID, 0)
	if err != nil {
		return domain.Payment{}, 0, err
	}
	pending := pendingCheckout(pref, amount)
	if pref.ExternalReference == "" {
		return pending, 0, nil
	}
	found, err := g.payments.Search(ctx, payment.SearchRequest{
		Limit: 50,
		Filters: map[string]string{
			"external_reference": pref.ExternalReference,
			"sort":               "date_created",
			"criteria":           "desc",
		},
	})
	if err != nil {
		return domain.Payment{}, 0, providerError("search payments", "", err)
	}
	states, err := g.checkSearch(ctx, "search payments", found, pref.ExternalReference)
	if err != nil {
		return domain.Payment{}, 0, err
	}
	best, bestRank := -1, 0
	for i, s := range states {
		if r := checkoutRank(s.Status); r > bestRank {
			best, bestRank = i, r
		}
	}
	if best < 0 {
		return pending, 0, nil
	}
	p := normalize(states[best])
	p.ID = pending.ID
	return p, found.Results[best].ID, nil
}

// checkoutRank orders a preference's payments: money collected first, then
// under way, then failed.
func checkoutRank(status string) int {
	switch status {
	case mpApproved, mpRefunded, mpChargedBack, mpInMediation:
		return 3
	case mpPending, mpInProcess, mpAuthorized:
		return 2
	default:
		return 1
	}
}
