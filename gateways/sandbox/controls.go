package sandbox

import (
	"time"

	"github.com/tallyhq/tally/domain"
)

// action is what the buyer does on the hosted page.
type action string

// Buyer actions, as posted by the hosted page's buttons.
const (
	actionPay     action = "pay"
	actionDecline action = "decline"
	actionCancel  action = "cancel"
)

// Approve does what the hosted page's "Pay" button does with the card that
// always succeeds: a PENDING, REQUIRES_ACTION or PROCESSING payment
// succeeds and payment.succeeded is sent. Errors: NOT_FOUND, CONFLICT (the
// payment is already finished).
func (g *Gateway) Approve(paymentID string) error {
	_, err := g.act(paymentID, actionPay, CardSucceeds)
	return err
}

// Decline does what the hosted page's "Decline" button does: the payment
// fails (generic_decline, or authentication_failed for a 3-D Secure
// challenge) and payment.failed is sent. Errors: NOT_FOUND, CONFLICT.
func (g *Gateway) Decline(paymentID string) error {
	_, err := g.act(paymentID, actionDecline, "")
	return err
}

// Cancel does what the hosted page's "Cancel" button does: a payment the
// buyer has not finished is canceled and payment.canceled is sent.
// Errors: NOT_FOUND, CONFLICT (finished or already processing).
func (g *Gateway) Cancel(paymentID string) error {
	_, err := g.act(paymentID, actionCancel, "")
	return err
}

// act applies a buyer action to a payment; cardNumber is the card chosen
// for a PENDING payment ("" for the one that succeeds). It returns the
// payment as it is afterwards. Errors: NOT_FOUND, CONFLICT, INVALID_INPUT
// (an unknown action or card).
func (g *Gateway) act(paymentID string, a action, cardNumber string) (domain.Payment, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	p, ok := g.payments[paymentID]
	if !ok {
		return domain.Payment{}, domain.NotFound("payment")
	}
	if p.finished() {
		return domain.Payment{}, domain.Errorf(domain.CodeConflict, "the payment is already %s", p.status)
	}
	var ev string
	switch a {
	case actionPay:
		switch p.status {
		case domain.PaymentPending:
			if cardNumber == "" {
				cardNumber = CardSucceeds
			}
			c, ok := lookupCard(cardNumber)
			if !ok {
				return domain.Payment{}, domain.InvalidInput("card", "unknown sandbox test card")
			}
			var later bool
			if ev, later = p.charge(c); later {
				g.settleLater(p.id)
			}
		default: // 3-D Secure passed, or processing settled early
			ev = p.succeed()
		}
	case actionDecline:
		code := "generic_decline"
		if p.status == domain.PaymentRequiresAction {
			code = "authentication_failed"
		}
		ev = p.fail(code)
	case actionCancel:
		if !p.open() {
			return domain.Payment{}, domain.Errorf(domain.CodeConflict, "a %s payment cannot be canceled", p.status)
		}
		ev = p.cancel()
	default:
		return domain.Payment{}, domain.InvalidInput("action", "unknown action %q", a)
	}
	g.emitLocked(p, ev, g.cfg.DeliveryDelay)
	return p.view(g.pageURL(p.id)), nil
}

// settleLater makes a PROCESSING payment succeed after DeliveryDelay and
// sends payment.succeeded at once. Call it with g.mu held.
func (g *Gateway) settleLater(paymentID string) {
	g.goLocked(func() {
		if !g.sleep(g.cfg.DeliveryDelay) {
			return
		}
		g.mu.Lock()
		defer g.mu.Unlock()
		if p := g.payments[paymentID]; p.status == domain.PaymentProcessing {
			g.emitLocked(p, p.succeed(), 0)
		}
	})
}

// goLocked runs f in a goroutine Close waits for, unless the gateway is
// closed. Call it with g.mu held.
func (g *Gateway) goLocked(f func()) {
	if g.closed {
		return
	}
	g.wg.Go(f)
}

// sleep waits d and reports false when Close came first.
func (g *Gateway) sleep(d time.Duration) bool {
	if d <= 0 {
		return g.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-g.ctx.Done():
		return false
	}
}
