package sandbox

import (
	"github.com/tallyhq/tally/domain"
)

// payment is one sandbox payment as kept in memory.
type payment struct {
	id           string
	orderID      string
	orderNumber  string
	description  string
	returnURL    string
	amount       domain.Money
	installments int
	// card is the test card the payment was created with, "" when the buyer
	// picks one on the hosted page.
	card string
	// method is how the buyer pays: the method the request named, else a
	// card (the hosted page takes test cards only).
	method        domain.PaymentMethodKind
	status        domain.PaymentStatus
	refunded      int64
	failureReason string
	// refunds holds the refunds made with an idempotency key, by key.
	refunds map[string]domain.Refund
}

// open reports whether the buyer can still act on the payment.
func (p *payment) open() bool {
	return p.status == domain.PaymentPending || p.status == domain.PaymentRequiresAction
}

// finished reports whether the payment has reached a final state.
func (p *payment) finished() bool {
	switch p.status {
	case domain.PaymentSucceeded, domain.PaymentFailed, domain.PaymentCanceled:
		return true
	}
	return false
}

// sameRequest reports whether req, charging the test card cardNumber (""
// for none), repeats the request p was created from, so an idempotent
// retry may return p.
func (p *payment) sameRequest(req domain.PaymentRequest, cardNumber string) bool {
	return p.orderID == req.OrderID && p.amount == req.Amount && p.card == cardNumber
}

// view is p as the domain sees it; pageURL is the hosted page's address.
func (p *payment) view(pageURL string) domain.Payment {
	out := domain.Payment{
		ID:            p.id,
		Status:        p.status,
		Amount:        p.amount,
		Refunded:      p.refunded,
		FailureReason: p.failureReason,
		Method:        p.method,
	}
	if p.open() {
		out.NextAction = &domain.NextAction{Kind: domain.NextActionRedirect, URL: pageURL}
	}
	return out
}

// charge applies c's outcome to a payment waiting for its card and says
// which event to emit ("" for none) and whether the payment settles later.
func (p *payment) charge(c card) (eventType string, settleLater bool) {
	p.card = c.number
	p.status = c.status
	switch c.status {
	case domain.PaymentSucceeded:
		return EventSucceeded, false
	case domain.PaymentFailed:
		p.failureReason = c.decline
		return EventFailed, false
	case domain.PaymentProcessing:
		return "", true
	}
	return "", false
}

// succeed collects the payment.
func (p *payment) succeed() string {
	p.status = domain.PaymentSucceeded
	return EventSucceeded
}

// fail declines the payment with a decline code.
func (p *payment) fail(code string) string {
	p.status = domain.PaymentFailed
	p.failureReason = code
	return EventFailed
}

// cancel abandons the payment.
func (p *payment) cancel() string {
	p.status = domain.PaymentCanceled
	return EventCanceled
}
