// Package stripe is the Stripe gateway plugin: card payments through
// PaymentIntents (stripe-go v76, API version 2023-10-16), one Stripe customer
// per Tally org, refunds, and signed webhooks. Stripe SDK types never leave
// this package; everything it returns is a domain type or a *domain.Error.
package stripe
