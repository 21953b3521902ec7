// Package sandbox is Tally's built-in payment gateway for development and
// automated tests: the default when no real gateway keys are configured, so
// `tally serve` with no setup can sell packs end to end.
//
// Nothing leaves the process. Payments live in memory, a hosted page served by
// Tally (Handler, mounted under /sandbox/) plays the provider's checkout and
// 3-D Secure pages, and every state change is reported through the same
// webhook path a real gateway uses: a signed POST to
// BaseURL+"/webhooks/sandbox", sent in the background.
//
// # Test cards
//
// PaymentRequest.PaymentMethodID selects the outcome (spaces and dashes are
// ignored):
//
//	number             outcome of CreatePayment
//	4242424242424242   SUCCEEDED at once
//	4000000000000002   declined: PAYMENT_FAILED "card declined: generic_decline"
//	4000000000009995   declined: PAYMENT_FAILED "card declined: insufficient_funds"
//	4000002500003155   REQUIRES_ACTION, REDIRECT to BaseURL+"/sandbox/pay/{id}" (3-D Secure)
//	4000000000000259   PROCESSING; SUCCEEDED after DeliveryDelay, reported by webhook
//	"" (no card)       PENDING, REDIRECT to the hosted page where the buyer picks a card
//	anything else      INVALID_INPUT (field "paymentMethodId")
//
// A declined payment comes back FAILED together with its PAYMENT_FAILED
// error; its FailureReason is the bare decline code (generic_decline),
// exactly as GetPayment, the hosted page's "Decline" and the payment.failed
// webhook report it. Every payment is a card payment unless the request
// names PayPal (Payment.Method): the hosted page takes test cards only.
//
// # Saved cards
//
// The sandbox is a domain.MethodVault: SaveMethod takes a test card number
// as its token and saves it on the org's customer (a new cus_… when the
// request names none). What saving does, and what an off-session charge
// (CreatePayment with PaymentRequest.Saved) of the saved card does:
//
//	number             SaveMethod                          off-session charge
//	4242424242424242   ACTIVE                              SUCCEEDED
//	4000000000009995   ACTIVE                              FAILED insufficient_funds (PAYMENT_FAILED)
//	4000002760003184   ACTIVE                              FAILED authentication_required (PAYMENT_FAILED)
//	4000000000000259   ACTIVE                              PROCESSING; SUCCEEDED after DeliveryDelay
//	4000002500003155   PENDING, REDIRECT to the setup page SUCCEEDED (once authenticated)
//	4000000000000002   PAYMENT_FAILED generic_decline      -
//
// On session, 4000002760003184 is REQUIRES_ACTION like 4000002500003155.
// The setup page (BaseURL+"/sandbox/setup/{id}", or ApproveSetup and
// DeclineSetup in tests) passes or fails 3-D Secure; CompleteSave then
// reports the method ACTIVE, or PAYMENT_FAILED authentication_failed. A
// saved card's ref carries its number, so it can be charged after a
// restart; RemoveMethod makes charging it INVALID_INPUT.
//
// On the hosted page "Pay" settles the payment (with the card the buyer
// picks, for a PENDING one), "Decline" fails it and "Cancel" cancels it.
// Tests do the same with Approve, Decline and Cancel, and simulate a provider
// outage with SetOutage.
//
// # Webhooks
//
// Each event is JSON:
//
//	{"id":"evt_…","type":"payment.succeeded","created":1700000000,
//	 "data":{"payment_id":"pay_…","order_id":"…","amount_minor":500,"currency":"EUR",
//	         "refunded_minor":0,"failure_reason":""}}
//
// with type one of payment.succeeded, payment.failed, payment.canceled and
// payment.refunded (refunded_minor is cumulative), signed Stripe-style in the
// header "Tally-Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">"
// (see Sign). A delivery is retried with backoff on a non-2xx answer; events
// are not ordered, just as with real providers.
//
// # Limits
//
// The sandbox is single-process: its payments are in one process's memory
// (the development default runs on SQLite with one instance), are never
// evicted and are lost on restart. It collects no money and anyone who can
// reach the hosted page can approve a payment, so it must never be enabled
// where credits are sold for real.
package sandbox
