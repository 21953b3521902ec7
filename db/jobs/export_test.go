package jobs

import "github.com/prometheus/client_golang/prometheus/testutil"

// Runs is the count of kind's runs with outcome ("completed", "failed").
func (q *Queue) Runs(kind, outcome string) float64 {
	return testutil.ToFloat64(q.metrics.runs.WithLabelValues(kind, outcome))
}

// SQLiteJobsFile is sqliteJobsFile.
var SQLiteJobsFile = sqliteJobsFile
