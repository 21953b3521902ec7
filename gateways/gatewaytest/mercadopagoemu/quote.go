package mercadopagoemu

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// payerCost is one installment option of the quote endpoint.
type payerCost struct {
	Installments             int         `json:"installments"`
	InstallmentRate          json.Number `json:"installment_rate"`
	DiscountRate             json.Number `json:"discount_rate"`
	ReimbursementRate        *string     `json:"reimbursement_rate"`
	Labels                   []string    `json:"labels"`
	InstallmentRateCollector []string    `json:"installment_rate_collector"`
	MinAllowedAmount         json.Number `json:"min_allowed_amount"`
	MaxAllowedAmount         json.Number `json:"max_allowed_amount"`
	RecommendedMessage       string      `json:"recommended_message"`
	InstallmentAmount        json.Number `json:"installment_amount"`
	TotalAmount              json.Number `json:"total_amount"`
	PaymentMethodOptionID    string      `json:"payment_method_option_id"`
}

// quoteInstallments answers GET /v1/payment_methods/installments for an
// amount and a payment_method_id or bin: one entry for the card brand whose
// payer_costs are 1 to 12 interest-free installments (the seller absorbs
// the cost, so total_amount is the amount), leaving out counts whose
// installment would fall below the minimum set with
// SetMinInstallmentAmount.
func (e *Emulator) quoteInstallments(r *http.Request, _ []byte) (int, any) {
	q := r.URL.Query()
	amount, ok := minorUnits(json.Number(q.Get("amount")))
	if q.Get("amount") == "" || !ok || amount <= 0 {
		return badRequest(codeAmount, "Invalid amount")
	}
	method := q.Get("payment_method_id")
	if method == "" {
		method = brandOfBIN(q.Get("bin"))
	}
	issuer, ok := brands[method]
	if !ok {
		return badRequest(codePaymentMethod, "Not found payment_method")
	}
	costs := []payerCost{}
	for n := 1; n <= maxInstallments; n++ {
		each := perInstallment(amount, n)
		if n > 1 && each < e.minInstallment {
			break
		}
		costs = append(costs, payerCost{
			Installments: n, InstallmentRate: "0", DiscountRate: "0",
			Labels: []string{}, InstallmentRateCollector: []string{"MERCADOPAGO"},
			MinAllowedAmount: "0.50", MaxAllowedAmount: "60000",
			RecommendedMessage: recommended(n, each, amount),
			InstallmentAmount:  decimal(each), TotalAmount: decimal(amount),
			PaymentMethodOptionID: fmt.Sprintf("emu-option-%s-%d", method, n),
		})
	}
	return http.StatusOK, []map[string]any{{
		"payment_method_id": method, "payment_type_id": "credit_card",
		"thumbnail": "", "secure_thumbnail": "",
		"issuer":          map[string]any{"id": issuer, "name": strings.ToUpper(method[:1]) + method[1:], "thumbnail": "", "secure_thumbnail": ""},
		"processing_mode": "aggregator", "merchant_account_id": nil,
		"payer_costs": costs, "agreements": nil,
	}}
}

// recommended is the buyer-facing line, in Brazilian Portuguese as the
// MLB site writes it.
func recommended(n int, each, total int64) string {
	parcel := "parcela"
	if n > 1 {
		parcel = "parcelas"
	}
	return strconv.Itoa(n) + " " + parcel + " de R$ " + brl(each) + " (R$ " + brl(total) + ")"
}

func brl(minor int64) string {
	return strings.Replace(string(decimal(minor)), ".", ",", 1)
}

// SetMinInstallmentAmount makes the quote leave out installment counts whose
// installment would be below minor centavos (0, the default, offers 1 to 12
// for any amount).
func (e *Emulator) SetMinInstallmentAmount(minor int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.minInstallment = minor
}
