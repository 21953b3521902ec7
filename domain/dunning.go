package domain

import "time"

// DunningConfig is the schedule of a failed renewal: when the off-session
// retries run, how long service continues unpaid, how long a suspended
// org's data is kept before it is CLOSED.
type DunningConfig struct {
	// Retries are the delays after the renewal first failed at which its
	// payment is retried off session (default 1 and 2 days).
	Retries []time.Duration
	// Grace is how long a PAST_DUE org keeps spending before it is
	// SUSPENDED (default 3 days).
	Grace time.Duration
	// Retention is how long a SUSPENDED org is kept before it is CLOSED
	// (default 30 days).
	Retention time.Duration
}

// DunningStore keeps what dunning needs beyond subscriptions and orgs.
type DunningStore interface{}
