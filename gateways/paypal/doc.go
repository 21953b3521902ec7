// Package paypal is Tally's PayPal gateway plugin: PayPal Checkout through
// Orders v2 with intent CAPTURE, on github.com/plutov/paypal/v4 (which
// fetches and renews the OAuth token and decodes PayPal's errors).
//
// The flow: CreatePayment creates an order (custom_id = Tally's order id,
// invoice_id = its number, PayPal-Request-Id = the idempotency key) and
// returns a REDIRECT to PayPal's approval page; after the buyer approved,
// ConfirmPayment captures it; RefundPayment refunds the capture, in full or
// in part; GetPayment reads the order back for reconciliation; ParseWebhook
// verifies deliveries with PayPal's verify-webhook-signature call and maps
// capture and refund events. A Payment's ID is always the PayPal order id.
//
// Errors are *domain.Error wrapping the SDK's: 400 is INVALID_INPUT, 404
// NOT_FOUND, 422 PAYMENT_FAILED with PayPal's issue (INSTRUMENT_DECLINED,
// ...), and timeouts, network errors, 5xx, 429, 401 (bad credentials) and
// 403 are GATEWAY_UNAVAILABLE. The tests run against the emulator in
// gateways/gatewaytest/paypalemu.
package paypal
