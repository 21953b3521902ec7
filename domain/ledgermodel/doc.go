// Package ledgermodel holds no code: its tests check Tally's ledger
// against a model of the billing rules.
//
// TestLedgerModel is a stateful property test (pgregory.net/rapid). Each
// check starts a domain.Service on a fresh, migrated store (a copy of
// dbtest's template database on PostgreSQL, a copy of a migrated file on
// SQLite), with the sandbox gateway whose webhooks are held back, and
// drives a random sequence of operations through the service's exported
// API, as the GraphQL resolvers and the webhook endpoint do:
//
//   - grantCredits of every kind, with and without an expiry;
//   - consumeCredits with new keys, a repeated key with the same input
//     (the first answer again, applied once), a key reused with other
//     input or by another operation (CONFLICT, nothing changes) and more
//     than the balance (INSUFFICIENT_CREDITS, nothing changes);
//   - purchasePack of a never-expiring and a billing-cycle pack with each
//     sandbox test card (paid at once, declined, 3-D Secure, hosted page),
//     repeated and reused keys;
//   - the buyer paying, declining or canceling on the gateway's page, and
//     cancelOrder in Tally (a payment collected afterwards still pays);
//   - the gateway's webhooks delivered late, twice and in any order;
//   - reconciliation;
//   - refundOrder, partial and full, with repeated and reused keys, and
//     refunds an operator makes at the provider, which Tally learns from
//     the webhook or from reconciliation;
//   - subscribe (paid with the org's saved card), the renewal job and
//     cancelSubscription: included credits as SUBSCRIPTION grants until
//     the monthly reset, billing-cycle packs expiring at that reset;
//   - the clock moving on and the expiry job.
//
// The model (model_test.go) is plain Go written from the rules in README
// ("Credits and errors", "Buying credits"), not from package domain:
// grants with their amount, remaining credit and expiry, the spending
// order, expired credit written off by the next change of the balance or
// by the expiry job, idempotency keys and their first results, orders at
// Tally and payments at the gateway, and the share of credits a refund
// takes back. After every step the test compares the operation's outcome
// (value or error code), the balance and both chips, the open grants in
// spending order, every grant's remaining credit, the stored balance with
// the ledger's sum, every order's status, refunded total and grant, and
// the webhooks the gateway sent; after the sequence it walks the whole
// ledger. On a difference rapid shrinks the sequence to a minimal one and
// the failure prints it, one numbered step a line.
//
// The package is its own so that it runs in parallel with domain's long
// tests. TALLY_MODEL_CHECKS and TALLY_MODEL_STEPS size a run (README,
// Testing).
package ledgermodel
