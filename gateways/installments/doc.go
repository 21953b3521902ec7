// Package installments is the regional installment gateway for Brazil:
// card payments in BRL, in 1 to 12 installments, for orgs whose country is
// BR, on Mercado Pago's public API through its official Go SDK
// (github.com/mercadopago/sdk-go). See README.md for the flows, the state
// mapping and the configuration. Every answer of Mercado Pago is checked
// before it is used (answer.go): one that is not the resource asked for,
// well formed, in a currency Tally knows, is GATEWAY_UNAVAILABLE and
// nothing is settled on it.
//
// Tally prices the installment commission itself (an order line); the
// amount handed to CreatePayment is the whole total and is charged as it
// is, split into the requested number of installments.
package installments
