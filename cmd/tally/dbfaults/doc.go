// Package dbfaults tests the real tally binary while its PostgreSQL
// database fails under load: the server's connections terminated
// mid-transaction (pg_terminate_backend, on the shared test cluster, only
// the test's own database), and a private throwaway cluster restarted
// (fast shutdown) and crashed (immediate shutdown) while 64 clients spend
// with idempotency keys.
//
// What every test proves: the server keeps running; each answer is a
// success or a coded retryable error (UNAVAILABLE, RATE_LIMITED), never
// INTERNAL and never later than the client's deadline; clients retry with
// the same key until the answer is definite, which each key must reach
// within a minute of the faults ending; afterwards every acknowledged
// debit is in the ledger exactly once, none is doubled and the ledger sums
// to the balance (checkConsistent). The restart test also watches /readyz
// go unready and ready again, a probe in the gap answered UNAVAILABLE in
// time, a websocket balance subscription pushing again, and the job queue
// completing jobs after the database came back.
//
// The size is TALLY_FAULT_SCALE: "small" (the default: a few seconds of
// load, one or two faults of each kind) or "full" (longer load, many
// faults). The restart test needs PostgreSQL's server binaries
// (/usr/lib/postgresql/*/bin); it fails, never skips, without them.
package dbfaults
