// Package faults injects faults into real `tally serve` processes while
// clients load them, and checks afterwards that nothing acknowledged was
// lost or applied twice. It holds only tests; they run apart from the
// end-to-end suite (cmd/tally/e2e) so that both run in parallel.
//
// The scenarios, each on loopback and bounded in time:
//
//   - TestKillMidLoad: the server is killed with SIGKILL while 64 clients
//     spend with API keys and idempotency keys, buy packs through the
//     sandbox gateway and the gateway's webhooks arrive, on PostgreSQL and
//     on SQLite; it is restarted on the same database and every client
//     retries each unanswered request with the same key until it gets a
//     definite answer.
//   - TestGracefulShutdownMidLoad: SIGTERM under the same load: requests
//     in flight are answered, new connections are refused, the process
//     exits within TALLY_SHUTDOWN_TIMEOUT.
//   - TestTwoInstancesOneKilled: two servers on one PostgreSQL database,
//     clients spread over both, the job queue's leader killed: clients
//     fail over, a webhook delivery the dead instance held is sent by the
//     survivor, its job is rescued (TALLY_JOB_RESCUE_AFTER), and periodic
//     jobs go on.
//
// After each scenario checkConsistent reads the store: every org's ledger
// adds up to its balance, which is never negative, and every paid order
// has exactly one grant and one invoice.
//
// Size: small by default (a few seconds of load, one kill). Set
// TALLY_FAULT_SCALE=full for longer load, more orgs and several kills at
// random moments; TALLY_FAULT_SEED replays the random choices of a run
// (every run logs its seed); TALLY_FAULT_LOG_LEVEL=info makes the servers
// log every request (a failing test prints its servers' output).
package faults
