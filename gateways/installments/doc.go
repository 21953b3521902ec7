// Package installments is the regional installment gateway for Brazil:
// card payments in BRL, in 1 to 12 installments, for orgs whose country is
// BR, on Mercado Pago's public API through its official Go SDK
// (github.com/mercadopago/sdk-go). See README.md for the flows, the state
// mapping and the configuration.
//
// Tally prices the installment commission itself (an order line); the
// amount handed to CreatePayment is the whole total and is charged as it
// is, split into the requested number of installments.
package installments
