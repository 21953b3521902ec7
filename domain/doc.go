// Package domain holds Tally's business model: organizations, members, the
// catalog, credit grants and the append-only ledger, and the services that
// apply the billing rules to them.
//
// The package depends on nothing but the standard library and small pure
// libraries. Storage, payment gateways and event delivery are interfaces
// declared here (Store, Publisher, Clock) and implemented in db and gateways;
// cmd/tally wires them together. Store is composed of small stores by
// concept (OrgStore, LedgerStore, OrderStore, …), so code that needs part of
// the persistence names only that part; how a database implements them
// (transactions, locks, round trips) is db's business.
package domain
