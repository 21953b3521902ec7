// Package e2e tests Tally as its users meet it: the real `tally` binary
// serving GraphQL over HTTP and websockets, on real PostgreSQL and SQLite.
// Every test starts its own server processes on fresh databases.
package e2e
