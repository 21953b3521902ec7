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
// Saved wallets (domain.MethodVault, vault.go) use PayPal's Payment Method
// Tokens v3 API: SaveMethod creates a setup token and returns a REDIRECT
// to PayPal's approve page; CompleteSave exchanges the approved setup
// token for a payment token (the vault id, SavedMethod.Ref, with PayPal's
// customer id as CustomerRef); CreatePayment with PaymentRequest.Saved
// creates an order with payment_source.paypal.vault_id, which PayPal
// captures at once without the buyer; RemoveMethod deletes the payment
// token. The SDK has none of these calls, so they go through its
// NewRequest and SendWithAuth. The PayPal account must be approved for
// vaulting PayPal wallets (PayPal's "Vault" app feature and billing
// agreement approval); without it PayPal refuses the v3 calls. PayPal
// offers no installments, and a saved wallet keeps none.
//
// Errors are *domain.Error wrapping the SDK's: 400 is INVALID_INPUT, 404
// NOT_FOUND, 422 PAYMENT_FAILED with PayPal's issue (INSTRUMENT_DECLINED,
// ...), and timeouts, network errors, 5xx, 429, 401 (bad credentials) and
// 403 are GATEWAY_UNAVAILABLE. The tests run against the emulator in
// gateways/gatewaytest/paypalemu.
package paypal
