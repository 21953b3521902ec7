// Package jobs is Tally's durable job queue, built on River
// (github.com/riverqueue/river). It runs two kinds of work:
//
//   - Periodic jobs ([Periodic]): a sweep that runs every interval, once
//     across all instances. River elects one leader among the running
//     clients and only the leader enqueues periodic jobs; each insert is
//     also unique per kind and interval bucket, so a leader change or a
//     restart inside one interval does not run the sweep twice.
//   - One-off jobs ([Queue.Enqueue]): a job of a registered kind
//     ([Worker]) with JSON arguments, optionally unique by a key (a job
//     with the same kind and key, queued, running, retrying or completed
//     and not yet cleaned, is not inserted again).
//
// Jobs live in the database, so they survive restarts: a job enqueued
// before a process stops is worked by the next one. A job that returns an
// error is retried with River's backoff (attempt⁴ seconds, with jitter)
// until its attempts run out, when it is discarded. Every failure is
// logged and counted (tally_jobs_total{kind,outcome="failed"}), and
// [Queue.Failures] lists the jobs waiting for a retry or discarded with
// their errors (`tally jobs`).
//
// Callers see none of River: the domain never imports this package;
// cmd/tally registers plain functions.
//
// # Where the jobs are stored
//
// On PostgreSQL, River's tables (river_job, river_leader, …) live in the
// same database as Tally's, created by River's own migrator (rivermigrate)
// from `tally migrate` and `tally serve --migrate`, under an advisory lock
// so that instances starting together migrate one at a time.
// River gets its own small pgx pool: it needs LISTEN/NOTIFY, which the
// domain's pool (database/sql through gorm) does not offer.
//
// On SQLite, River's tables live in a sibling file, PATH-jobs next to
// PATH (an in-memory database gets an in-memory jobs database). Tally
// serializes its own SQLite writes with an in-process and flock(2) lock
// (db/writelock.go) because SQLite's busy handler is unfair; River writes
// to its tables all the time (leader election, fetching, completing
// jobs) without that lock, so sharing one file would put River's writers
// and Tally's in SQLite's busy handler against each other, and a request
// could fail with SQLITE_BUSY behind River's housekeeping. The jobs here are idempotent
// sweeps and keyed one-off jobs, so an enqueue need not be in the domain's
// transaction, and a separate file costs nothing. River's connection pool
// on SQLite has one connection, as its driver recommends.
package jobs
