// Package domain holds Tally's business model: organizations, members, the
// catalog, credit grants and the append-only ledger, and the services that
// apply the billing rules to them.
//
// The package depends on nothing but the standard library and small pure
// libraries. Storage, payment gateways and event delivery are interfaces
// declared here (Store, Publisher, Clock) and implemented in db and gateways;
// cmd/tally wires them together.
package domain
