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
// # Registering work
//
// A periodic job is a name, an interval and a function, passed to Open:
//
//	jobs.Options{Periodic: []jobs.Periodic{
//		{Name: "subscriptions_due", Every: time.Minute, Run: func(ctx context.Context) error { … }},
//	}}
//
// A one-off job is a kind with a worker, also passed to Open, and
// enqueued with JSON-encodable arguments and an optional unique key:
//
//	jobs.Options{Workers: []jobs.Worker{
//		jobs.Handle("renew_subscription", func(ctx context.Context, a renewArgs) error { … }),
//	}}
//	inserted, err := queue.Enqueue(ctx, "renew_subscription", renewArgs{ID: id, Period: p}, id+"/"+p)
//
// Inside a running job (a periodic sweep handing out work) the package
// function jobs.Enqueue(ctx, kind, args, uniqueKey) finds the queue in
// ctx. In a context from Queue.Inline, Enqueue runs the worker at once
// instead of queueing it: moving the test clock runs the sweeps that way,
// so the jobs they enqueue are done when it answers.
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
// PATH (an in-memory store gets an in-memory jobs database). Tally
// serializes its own SQLite writes with an in-process and flock(2) queue
// (db/writelock.go) because SQLite's busy handler is unfair; River writes
// to its tables all the time (leader election, fetching and completing
// jobs) and cannot join that queue, so on a shared file its writers poll
// in the busy handler against Tally's. Measured while writing (eight
// goroutines writing through the store, flat out, for six seconds, with a
// job enqueued every 5 ms): on one shared file nothing failed, but River
// was starved, about 60 enqueues against 350 on a sibling file, its
// slowest 0.6 s against 0.24 s; a longer burst would push its writes past
// the 10 s busy timeout into SQLITE_BUSY, and each River write that wins
// the lock is one more wait for Tally's requests. The jobs here are
// idempotent sweeps and keyed one-off jobs, so an enqueue need not share
// the domain's transaction, and a file of their own removes the contention
// for nothing. River's pool there has one connection, as its SQLite driver
// advises.
package jobs
