// Package db stores Tally's domain in PostgreSQL or SQLite. It implements
// domain.Store; rows are unexported structs converted to and from domain
// types by named functions, and the schema comes from versioned, embedded
// goose migrations (never AutoMigrate).
//
// # Three ways to the database, each where it pays
//
//   - gorm, for records: orgs, users, memberships, API keys, invitations,
//     the catalog, orders and invoices. Their statements are simple and
//     not on a measured path; gorm maps rows and builds the queries, and
//     outside a transaction caches prepared statements.
//   - database/sql with hand-written SQL (DB.conn), for the statements the
//     load benchmark measures and the ones that must be exact: the balance
//     lock, the ledger write, idempotency lookups, number series, rate
//     windows and gateway event records. One statement, one round trip;
//     on PostgreSQL the pgx driver caches their prepared form per
//     connection.
//   - pgx itself, for what database/sql cannot say: the pipelined
//     transaction (pgTx: BEGIN, the balance lock and the open grants in
//     one flight, the ledger write sent with COMMIT) and LISTEN/NOTIFY in
//     package bus.
//
// Inside a transaction all three run on the one connection the
// transaction holds. Their one meeting point is DB.db: before gorm sends
// a statement in a PostgreSQL transaction it calls pgTx.ready, which sends
// what the pipeline still holds back (BEGIN, a pending ledger write), so
// gorm never runs ahead of the hand-written statements. Nothing else may
// touch a transaction's connection.
//
// On SQLite every write first takes writeLock, which serializes writers
// of this process and of any other process on the same file, so waiting
// for the single writer is latency and never an error. Transactions run
// on one connection the writer keeps (writeLock.conn), whose page cache
// outlives its transactions.
package db
