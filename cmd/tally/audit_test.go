package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/db"
	"github.com/tallyhq/tally/db/dbtest"
	"github.com/tallyhq/tally/domain"
)

// auditedStore fills the store at url with two orgs, each given credits
// and spending some, through the domain service, and returns their ids.
func auditedStore(t *testing.T, url string) []string {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d.Close() }()
	if err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := domain.NewService(d, domain.Config{SignupGrant: 500})
	u, err := svc.EnsureUser(ctx, "test|owner", "owner@example.com", "Owner")
	if err != nil {
		t.Fatal(err)
	}
	owner := domain.WithActor(ctx, domain.Actor{UserID: u.ID, Email: u.Email, EmailVerified: true})
	var orgs []string
	for i := range 2 {
		org, err := svc.CreateOrg(owner, domain.CreateOrgInput{Name: fmt.Sprintf("Org %d", i), Country: "DE", Currency: domain.EUR})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Consume(owner, domain.ConsumeInput{OrgID: org.ID, Amount: 120, IdempotencyKey: "k"}); err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, org.ID)
	}
	return orgs
}

// corrupt runs stmt on the store at url.
func corrupt(t *testing.T, url, stmt string) {
	t.Helper()
	d, err := db.Open(context.Background(), url, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d.Close() }()
	if err := d.Gorm().Exec(stmt).Error; err != nil {
		t.Fatal(err)
	}
}

// metricsFile parses a textfile written by --metrics-file.
func metricsFile(t *testing.T, path string) map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(f)
	if err != nil {
		t.Fatalf("%s is not in the Prometheus text format: %v", path, err)
	}
	out := map[string]float64{}
	for name, fam := range fams {
		for _, m := range fam.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += "{" + l.GetName() + "=" + l.GetValue() + "}"
			}
			out[key] = m.GetGauge().GetValue()
		}
	}
	return out
}

// TestAuditCommand runs the real binary on both stores: exit 0 and a
// summary on a clean store; exit 1, the discrepancy and its org, in text
// and JSON, on a corrupted one; exit 2 on a store it cannot audit (never
// migrated: the audit does not migrate it). Each run writes the metrics
// file.
func TestAuditCommand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "tally.db") }},
		{"postgres", func(t *testing.T) string { return dbtest.PostgresURL(t) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			url := tt.url(t)
			orgs := auditedStore(t, url)
			env := []string{"DATABASE_URL=" + url}
			prom := filepath.Join(t.TempDir(), "tally_audit.prom")

			out, errOut, code := tallytest.Run(t, env, "audit", "--batch-size", "1", "--metrics-file", prom)
			if code != 0 || !strings.Contains(out, "2 orgs, 4 ledger entries, 2 grants") || !strings.Contains(out, "No discrepancies.") {
				t.Fatalf("clean store: exit %d\n%s%s", code, out, errOut)
			}
			m := metricsFile(t, prom)
			if m["tally_audit_last_success"] != 1 || m["tally_audit_discrepancies{kind=LEDGER_BALANCE}"] != 0 ||
				m["tally_audit_last_run_timestamp_seconds"] == 0 || len(m) != 3+len(domain.AuditKinds) {
				t.Fatalf("metrics after a clean audit: %v", m)
			}

			corrupt(t, url, fmt.Sprintf("UPDATE org_balances SET total = total + 7, free = free + 7 WHERE org_id = '%s'", orgs[1]))
			out, errOut, code = tallytest.Run(t, env, "audit", "--metrics-file", prom)
			if code != 1 || !strings.Contains(out, "1 discrepancies:") ||
				!strings.Contains(out, "LEDGER_BALANCE org "+orgs[1]+" [org_balances:"+orgs[1]+"]: ledger sums to 380, balance is 387") {
				t.Fatalf("corrupted store: exit %d\n%s%s", code, out, errOut)
			}
			if m := metricsFile(t, prom); m["tally_audit_discrepancies{kind=LEDGER_BALANCE}"] != 1 || m["tally_audit_last_success"] != 1 {
				t.Fatalf("metrics after finding one: %v", m)
			}
			out, _, code = tallytest.Run(t, env, "audit", "--json")
			var rep domain.AuditReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 {
				t.Fatalf("--json: exit %d, %v\n%s", code, err, out)
			}
			if rep.Found[domain.AuditLedgerBalance] != 1 || len(rep.Listed) != 1 || rep.Listed[0].OrgID != orgs[1] || rep.Checked.Orgs != 2 {
				t.Fatalf("--json report: %+v", rep)
			}
			if out, _, code = tallytest.Run(t, env, "audit", "--max-list", "0"); code != 1 || strings.Contains(out, orgs[1]) {
				t.Fatalf("--max-list 0: exit %d, lists\n%s", code, out)
			}
		})
	}
	t.Run("cannot run", func(t *testing.T) {
		t.Parallel()
		empty := filepath.Join(t.TempDir(), "never-migrated.db")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		missing := filepath.Join(t.TempDir(), "missing.db")
		for _, url := range []string{
			"sqlite://" + empty,
			"sqlite://" + missing,
			dbtest.EmptyPostgresURL(t),
			"postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2",
		} {
			prom := filepath.Join(t.TempDir(), "tally_audit.prom")
			out, errOut, code := tallytest.Run(t, []string{"DATABASE_URL=" + url}, "audit", "--metrics-file", prom)
			if code != 2 || out != "" || !strings.Contains(errOut, "tally: error: ") {
				t.Fatalf("%s: exit %d\n%s%s", url, code, out, errOut)
			}
			if m := metricsFile(t, prom); m["tally_audit_last_success"] != 0 || m["tally_audit_last_run_timestamp_seconds"] < float64(time.Now().Add(-time.Hour).Unix()) {
				t.Fatalf("%s: metrics %v", url, m)
			}
		}
		if _, err := os.Stat(missing); err == nil {
			t.Fatal("the audit created the SQLite file it was asked to audit")
		}
		if _, _, code := tallytest.Run(t, []string{"DATABASE_URL=sqlite://" + empty}, "audit", "--batch-size", "0"); code != 2 {
			t.Fatalf("--batch-size 0: exit %d, want 2", code)
		}
	})
}

// TestAuditSweep: the periodic audit sets the gauges from what it found,
// and when it cannot run says so without forgetting the last counts.
func TestAuditSweep(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	orgs := auditedStore(t, url)
	d, err := db.Open(context.Background(), url, db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	m := newAuditMetrics(reg)
	sw := auditSweep(d, m, 0, slog.New(slog.DiscardHandler))
	for _, step := range []struct {
		name        string
		before      func()
		wantErr     bool
		success     float64
		grantKind   float64
		ledgerCount float64
	}{
		{name: "clean", success: 1},
		{name: "one found", before: func() {
			corrupt(t, url, fmt.Sprintf("UPDATE grants SET remaining = remaining - 1 WHERE org_id = '%s'", orgs[0]))
		}, success: 1, grantKind: 1, ledgerCount: 1},
		{name: "cannot run", before: func() { _ = d.Close() }, wantErr: true, success: 0, grantKind: 1, ledgerCount: 1},
	} {
		if step.before != nil {
			step.before()
		}
		err := sw.Run(context.Background())
		if (err != nil) != step.wantErr {
			t.Fatalf("%s: run error %v", step.name, err)
		}
		got := []float64{testutil.ToFloat64(m.lastSuccess), testutil.ToFloat64(m.discrepancies.WithLabelValues(string(domain.AuditGrantRemaining))),
			testutil.ToFloat64(m.discrepancies.WithLabelValues(string(domain.AuditLedgerBalance)))}
		want := []float64{step.success, step.grantKind, step.ledgerCount}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%s: success, GRANT_REMAINING, LEDGER_BALANCE = %v, want %v", step.name, got, want)
		}
		if testutil.ToFloat64(m.lastRun) == 0 {
			t.Fatalf("%s: no last run time", step.name)
		}
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 3+len(domain.AuditKinds) {
		t.Fatalf("%d series gathered (%v)", n, err)
	}
}

// TestServeAudits: `tally serve` runs the audit as a periodic job (River
// runs each when the leader starts) and serves its gauges on /metrics.
func TestServeAudits(t *testing.T) {
	t.Parallel()
	url := "sqlite://" + filepath.Join(t.TempDir(), "tally.db")
	auditedStore(t, url)
	s := tallytest.StartReady(t, []string{"DATABASE_URL=" + url, "TALLY_AUDIT_INTERVAL=1h"})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), "\ntally_audit_last_success 1\n") {
			if !strings.Contains(string(body), `tally_audit_discrepancies{kind="LEDGER_BALANCE"} 0`) {
				t.Fatalf("/metrics after the audit:\n%s", body)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no successful audit on /metrics within 30s:\n%s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
