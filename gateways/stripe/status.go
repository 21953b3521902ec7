package stripe

import (
	"strings"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
)

// toPayment normalizes a PaymentIntent:
//
//	succeeded                                  SUCCEEDED
//	processing, requires_capture               PROCESSING
//	requires_action                            REQUIRES_ACTION + client secret
//	requires_confirmation                      PENDING + client secret
//	requires_payment_method, no failure        PENDING + client secret
//	requires_payment_method after a failure    FAILED, reason = decline code
//	canceled                                   CANCELED
//
// A failed attempt leaves a PaymentIntent in requires_payment_method with
// last_payment_error set; Stripe sends payment_intent.payment_failed for
// it, so GetPayment reports it FAILED too and reconciliation agrees with
// the webhook. Refunded is the latest charge's amount_refunded (the intent
// must be fetched with latest_charge expanded).
func toPayment(pi *stripe.PaymentIntent) domain.Payment {
	p := domain.Payment{
		ID:     pi.ID,
		Status: domain.PaymentProcessing,
		Amount: money(pi.Amount, pi.Currency),
	}
	if pi.LatestCharge != nil {
		p.Refunded = pi.LatestCharge.AmountRefunded
	}
	secret := &domain.NextAction{Kind: domain.NextActionConfirmClientSecret, ClientSecret: pi.ClientSecret}
	switch pi.Status {
	case stripe.PaymentIntentStatusSucceeded:
		p.Status = domain.PaymentSucceeded
	case stripe.PaymentIntentStatusProcessing, stripe.PaymentIntentStatusRequiresCapture:
		p.Status = domain.PaymentProcessing
	case stripe.PaymentIntentStatusRequiresAction:
		p.Status, p.NextAction = domain.PaymentRequiresAction, secret
	case stripe.PaymentIntentStatusRequiresConfirmation:
		p.Status, p.NextAction = domain.PaymentPending, secret
	case stripe.PaymentIntentStatusRequiresPaymentMethod:
		if reason := failureReason(pi.LastPaymentError); reason != "" {
			p.Status, p.FailureReason = domain.PaymentFailed, reason
		} else {
			p.Status, p.NextAction = domain.PaymentPending, secret
		}
	case stripe.PaymentIntentStatusCanceled:
		p.Status = domain.PaymentCanceled
	}
	return p
}

// failureReason is the decline code, else the error code, of a payment
// attempt's error; "" when the error names neither (no real failure).
func failureReason(e *stripe.Error) string {
	switch {
	case e == nil:
		return ""
	case e.DeclineCode != "":
		return string(e.DeclineCode)
	default:
		return string(e.Code)
	}
}

// money converts a Stripe amount and lower-case currency.
func money(amount int64, cur stripe.Currency) domain.Money {
	return domain.Money{AmountMinor: amount, Currency: domain.Currency(strings.ToUpper(string(cur)))}
}
