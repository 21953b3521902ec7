package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/jobs"
	"github.com/tallyhq/tally/domain"
)

// Exit statuses of `tally audit`: clean, discrepancies found, could not run.
const (
	auditClean     = 0
	auditFound     = 1
	auditCannotRun = 2
)

// auditJob is the periodic audit's job kind.
const auditJob = "audit"

// auditTimeout bounds one periodic audit.
const auditTimeout = time.Hour

// AuditCmd checks a store's invariants, read-only.
type AuditCmd struct {
	StoreOptions `embed:""`
	EnvOptions   `embed:""`

	BatchSize   int    `name:"batch-size" default:"500" help:"Orgs checked per batch (one set of queries each)."`
	MaxList     int    `name:"max-list" default:"100" help:"Most discrepancies listed (all are counted; 0: none listed)."`
	JSON        bool   `name:"json" help:"Print the report as JSON."`
	MetricsFile string `name:"metrics-file" help:"Also write the result as Prometheus metrics to this file (node_exporter textfile format, replaced atomically)."`
}

// Run audits DATABASE_URL in one read-only snapshot and prints the report.
// It never migrates. Exit status: 0 clean, 1 discrepancies found, 2 the
// audit could not run (bad settings, unreachable or unmigrated database).
func (a AuditCmd) Run() error {
	c, err := storeCommon(a.StoreOptions, a.EnvOptions)
	if err != nil {
		return exitError{auditCannotRun, err}
	}
	if a.BatchSize < 1 || a.BatchSize > 100_000 {
		return exitError{auditCannotRun, errors.New("--batch-size must be between 1 and 100000")}
	}
	if a.MaxList < 0 {
		return exitError{auditCannotRun, errors.New("--max-list must not be negative")}
	}
	logger := newLogger(os.Stderr, c.Production, c.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	maxList := a.MaxList
	if maxList == 0 {
		maxList = -1 // db: list none
	}
	rep, err := auditStore(ctx, c, db.AuditOptions{BatchSize: a.BatchSize, MaxList: maxList}, logger)
	if a.MetricsFile != "" {
		reg := prometheus.NewRegistry()
		newAuditMetrics(reg).observe(rep, err)
		if werr := prometheus.WriteToTextfile(a.MetricsFile, reg); werr != nil {
			err = errors.Join(err, fmt.Errorf("write %s: %w", a.MetricsFile, werr))
		}
	}
	if err != nil {
		return exitError{auditCannotRun, err}
	}
	if a.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = printAudit(os.Stdout, rep)
	}
	if err != nil {
		return exitError{auditCannotRun, err}
	}
	if !rep.Clean() {
		return exitError{code: auditFound}
	}
	return nil
}

// auditStore opens the store without migrating it and audits it. A
// SQLite file that does not exist is refused rather than created.
func auditStore(ctx context.Context, c Common, opts db.AuditOptions, logger *slog.Logger) (domain.AuditReport, error) {
	if path, ok := strings.CutPrefix(c.DatabaseURL, "sqlite://"); ok {
		path, _, _ = strings.Cut(path, "?")
		if _, err := os.Stat(strings.TrimPrefix(path, "file:")); err != nil && path != ":memory:" {
			return domain.NewAuditReport(time.Now().UTC()), fmt.Errorf("no SQLite database to audit: %w", err)
		}
	}
	d, err := db.Open(ctx, c.DatabaseURL, db.Options{MaxOpenConns: c.DBMaxConns, Logger: logger})
	if err != nil {
		// The attempt is still a run, for the metrics' timestamp.
		return domain.NewAuditReport(time.Now().UTC()), databaseError(c.DatabaseURL, err)
	}
	defer func() { _ = d.Close() }()
	return d.Audit(ctx, opts)
}

// printAudit writes the report for a person: what was read, the count of
// each kind, then each listed discrepancy.
func printAudit(w io.Writer, rep domain.AuditReport) error {
	ch := rep.Checked
	fmt.Fprintf(w, "Audited in %s: %d orgs, %d ledger entries, %d grants, %d orders, %d invoices, %d credit notes, %d idempotency records.\n",
		rep.Duration.Round(time.Millisecond), ch.Orgs, ch.LedgerEntries, ch.Grants, ch.Orders, ch.Invoices, ch.CreditNotes, ch.Idempotency)
	if rep.Clean() {
		_, err := fmt.Fprintln(w, "No discrepancies.")
		return err
	}
	fmt.Fprintf(w, "%d discrepancies:\n", rep.Total())
	for _, k := range rep.SortedKinds() {
		if n := rep.Found[k]; n > 0 {
			fmt.Fprintf(w, "  %-22s %d\n", k, n)
		}
	}
	fmt.Fprintln(w)
	for _, d := range rep.Listed {
		fmt.Fprintln(w, d.String())
	}
	if rep.Truncated {
		fmt.Fprintf(w, "(%d of %d listed; raise --max-list for more)\n", len(rep.Listed), rep.Total())
	}
	return nil
}

// auditMetrics are the gauges of the last audit.
type auditMetrics struct {
	discrepancies *prometheus.GaugeVec
	lastRun       prometheus.Gauge
	lastDuration  prometheus.Gauge
	lastSuccess   prometheus.Gauge
}

// newAuditMetrics registers the audit's gauges on reg.
func newAuditMetrics(reg prometheus.Registerer) *auditMetrics {
	m := &auditMetrics{
		discrepancies: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tally_audit_discrepancies",
			Help: "Discrepancies the last completed audit found, by kind."}, []string{"kind"}),
		lastRun: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tally_audit_last_run_timestamp_seconds",
			Help: "When the last audit started (Unix time)."}),
		lastDuration: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tally_audit_last_duration_seconds",
			Help: "How long the last audit took."}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{Name: "tally_audit_last_success",
			Help: "1 when the last audit ran to the end (whatever it found), 0 when it could not."}),
	}
	reg.MustRegister(m.discrepancies, m.lastRun, m.lastDuration, m.lastSuccess)
	return m
}

// observe records an audit's outcome; a failed audit keeps the counts of
// the last one that completed.
func (m *auditMetrics) observe(rep domain.AuditReport, err error) {
	m.lastRun.Set(float64(rep.StartedAt.UnixNano()) / 1e9)
	m.lastDuration.Set(rep.Duration.Seconds())
	if err != nil {
		m.lastSuccess.Set(0)
		return
	}
	m.lastSuccess.Set(1)
	for _, k := range rep.SortedKinds() {
		m.discrepancies.WithLabelValues(string(k)).Set(float64(rep.Found[k]))
	}
}

// auditor is what the periodic audit runs: db.(*DB).Audit.
type auditor interface {
	Audit(ctx context.Context, opts db.AuditOptions) (domain.AuditReport, error)
}

// auditSweep is the periodic audit of `tally serve`: every interval, on
// the instance the job queue picks, it audits the store and sets the
// gauges; discrepancies are logged as errors. The job itself succeeds
// either way (the gauges say what it found); it fails, for a retry, only
// when the audit could not run.
func auditSweep(store auditor, m *auditMetrics, every time.Duration, logger *slog.Logger) sweep {
	return sweep{Periodic: jobs.Periodic{Name: auditJob, Every: every, Timeout: auditTimeout,
		Run: func(ctx context.Context) error {
			rep, err := store.Audit(ctx, db.AuditOptions{MaxList: 20})
			m.observe(rep, err)
			if err != nil {
				return fmt.Errorf("audit: %w", err)
			}
			if rep.Clean() {
				logger.Info("audit clean", "duration", rep.Duration, "orgs", rep.Checked.Orgs)
				return nil
			}
			logger.Error("audit found discrepancies", "count", rep.Total(), "found", rep.Found, "first", rep.Listed)
			return nil
		}}}
}
