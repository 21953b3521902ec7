package installments

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mercadopago/sdk-go/pkg/mperror"

	"github.com/tallyhq/tally/domain"
)

// DefaultQuoteMethod is the card brand quoted when InstallmentCounts is
// given no payment method.
const DefaultQuoteMethod = "visa"

// installmentQuote is one entry of GET /v1/payment_methods/installments,
// which the SDK does not wrap.
type installmentQuote struct {
	PaymentMethodID string      `json:"payment_method_id"`
	PaymentTypeID   string      `json:"payment_type_id"`
	PayerCosts      []payerCost `json:"payer_costs"`
}

// payerCost is one installment option the provider offers.
type payerCost struct {
	Installments       int     `json:"installments"`
	InstallmentRate    float64 `json:"installment_rate"`
	InstallmentAmount  float64 `json:"installment_amount"`
	TotalAmount        float64 `json:"total_amount"`
	MinAllowedAmount   float64 `json:"min_allowed_amount"`
	MaxAllowedAmount   float64 `json:"max_allowed_amount"`
	RecommendedMessage string  `json:"recommended_message"`
}

// InstallmentCounts returns, in ascending order, the installment counts
// (up to Config.MaxInstallments) Mercado Pago offers for amount paid with
// paymentMethodID: a brand ("visa"), a PaymentMethodID as CreatePayment
// takes it ("visa:TOKEN"), or a card's first 6 to 8 digits (its BIN); ""
// quotes DefaultQuoteMethod. Tally uses it to check that a count is
// offered; the commission is Tally's own pricing, so the provider's
// installment_rate is not read (an account that does not absorb the
// interest would make the buyer pay it on top). Errors: INVALID_INPUT (not
// BRL, not positive, a method Mercado Pago does not know),
// GATEWAY_UNAVAILABLE.
func (g *Gateway) InstallmentCounts(ctx context.Context, amount domain.Money, paymentMethodID string) ([]int, error) {
	quotes, err := g.quote(ctx, amount, paymentMethodID)
	if err != nil {
		return nil, err
	}
	var counts []int
	for _, q := range quotes {
		for _, c := range q.PayerCosts {
			if c.Installments >= 1 && c.Installments <= g.cfg.MaxInstallments && !slices.Contains(counts, c.Installments) {
				counts = append(counts, c.Installments)
			}
		}
	}
	slices.Sort(counts)
	return counts, nil
}

// quote calls GET /v1/payment_methods/installments?amount=…&payment_method_id=…
// (or bin=…) through the same transport as the SDK.
func (g *Gateway) quote(ctx context.Context, amount domain.Money, paymentMethodID string) ([]installmentQuote, error) {
	if amount.Currency != domain.BRL {
		return nil, domain.InvalidInput("currency", "installments are quoted in BRL only, not %q", amount.Currency)
	}
	if amount.AmountMinor <= 0 {
		return nil, domain.InvalidInput("amount", "the amount must be positive")
	}
	if amount.AmountMinor > maxCentavos {
		return nil, tooLarge()
	}
	q := url.Values{"amount": {amount.Decimal()}}
	method, _, _ := strings.Cut(paymentMethodID, ":")
	switch {
	case method == "":
		q.Set("payment_method_id", DefaultQuoteMethod)
	case isBIN(method):
		q.Set("bin", method)
	default:
		q.Set("payment_method_id", strings.ToLower(method))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet,
		"https://"+sdkHost+"/v1/payment_methods/installments?"+q.Encode(), nil)
	if err != nil {
		return nil, providerError("quote installments", "", err)
	}
	req.Header.Set("Authorization", "Bearer "+g.cfg.AccessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := g.transport.Do(req)
	if err != nil {
		return nil, providerError("quote installments", "", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body) // at most maxAnswerBytes (transport)
	if err != nil {
		return nil, providerError("quote installments", "", err)
	}
	if resp.StatusCode > 399 {
		return nil, providerError("quote installments", "paymentMethodId",
			&mperror.ResponseError{StatusCode: resp.StatusCode, Message: string(body), Headers: resp.Header})
	}
	var quotes []installmentQuote
	if err := json.Unmarshal(body, &quotes); err != nil {
		return nil, providerError("quote installments", "", err)
	}
	if quotes == nil { // null
		return nil, g.unusable(ctx, "quote installments", "no quote in the answer")
	}
	return quotes, nil
}

// isBIN reports whether s looks like a card's first 6 to 8 digits.
func isBIN(s string) bool {
	if len(s) < 6 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
