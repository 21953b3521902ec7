package mercadopagoemu

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// refundJSON is Mercado Pago's refund resource.
type refundJSON struct {
	ID                    int64          `json:"id"`
	PaymentID             int64          `json:"payment_id"`
	Amount                json.Number    `json:"amount"`
	AmountRefundedToPayer json.Number    `json:"amount_refunded_to_payer"`
	Metadata              map[string]any `json:"metadata"`
	Source                map[string]any `json:"source"`
	DateCreated           string         `json:"date_created"`
	UniqueSequenceNumber  *string        `json:"unique_sequence_number"`
	RefundMode            string         `json:"refund_mode"`
	AdjustmentAmount      json.Number    `json:"adjustment_amount"`
	Status                string         `json:"status"`
	Reason                *string        `json:"reason"`
	Labels                []string       `json:"labels"`
	PartitionDetails      []any          `json:"partition_details"`
}

func renderRefund(p *payment, rf refund) refundJSON {
	return refundJSON{
		ID: rf.id, PaymentID: p.id, Amount: decimal(rf.amount), AmountRefundedToPayer: decimal(rf.amount),
		Metadata:    map[string]any{},
		Source:      map[string]any{"id": strconv.Itoa(CollectorID), "name": "Emulated Seller", "type": "collector"},
		DateCreated: mpTime(rf.created), RefundMode: "standard", AdjustmentAmount: decimal(0),
		Status: "approved", Labels: []string{}, PartitionDetails: []any{},
	}
}

// createRefund refunds all that is left of a payment (no body or no
// amount) or the given amount. Only an approved payment can be refunded, and
// never for more than is left.
func (e *Emulator) createRefund(r *http.Request, body []byte) (int, any) {
	p := e.lookup(r.PathValue("id"))
	if p == nil {
		return notFound(codePaymentNotFound, "Payment not found")
	}
	var req struct {
		Amount *json.Number `json:"amount"`
	}
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			return badRequest(codeInvalidJSON, "invalid JSON body: "+err.Error())
		}
	}
	if p.status != "approved" && p.status != "refunded" {
		return badRequest(codeNotRefundable, "Payment not refundable in status "+p.status)
	}
	left := p.amount - p.refunded
	amount := left
	if req.Amount != nil {
		a, ok := minorUnits(*req.Amount)
		if !ok {
			return badRequest(codeRefundAmount, "Invalid refund amount")
		}
		amount = a
	}
	if amount <= 0 || amount > left {
		return badRequest(codeRefundAmount, "The refund amount exceeds the amount available to refund")
	}
	e.nextRefund++
	rf := refund{id: e.nextRefund, amount: amount, created: time.Now(), key: r.Header.Get("X-Idempotency-Key")}
	p.refunds = append(p.refunds, rf)
	e.refund(p, amount)
	return http.StatusCreated, renderRefund(p, rf)
}

// refund adds amount to a payment's refunded total and moves its status as
// Mercado Pago does: partially_refunded while some is left, refunded after.
func (e *Emulator) refund(p *payment, amount int64) {
	p.refunded += amount
	if p.refunded >= p.amount {
		e.setStatus(p, "refunded", "refunded")
		return
	}
	e.setStatus(p, "approved", "partially_refunded")
}

func (e *Emulator) listRefunds(r *http.Request, _ []byte) (int, any) {
	p := e.lookup(r.PathValue("id"))
	if p == nil {
		return notFound(codePaymentNotFound, "Payment not found")
	}
	out := make([]refundJSON, 0, len(p.refunds))
	for _, rf := range p.refunds {
		out = append(out, renderRefund(p, rf))
	}
	return http.StatusOK, out
}
