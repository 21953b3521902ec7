package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/cmd/tally/internal/tallytest"
	"github.com/tallyhq/tally/db/dbtest"
)

func TestMain(m *testing.M) { tallytest.Main(m) }

// TestRunSmall runs every scenario at its tiny size against real servers
// on PostgreSQL and SQLite: each must run, print its row and pass its
// checks (acknowledged debits = ledger entries on each store, every
// subscriber sees its org's final balance, usage totals exact), and both
// PostgreSQL stores must pass `tally audit` afterwards. No figure is
// looked at. Every measured run must have its row of CPU accounting (on
// Linux: the servers' and PostgreSQL's CPU found) and, with ProfileDir,
// its servers' profile saved and summed up.
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts several servers")
	}
	if _, err := exec.LookPath("pgbench"); err != nil {
		t.Skip("pgbench is not installed")
	}
	mainURL, growthURL := dbtest.PostgresURL(t), dbtest.PostgresURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out bytes.Buffer
	profiles := t.TempDir()
	rep, err := RunReport(ctx, Options{
		Binary: tallytest.Binary(t), DatabaseURL: mainURL, GrowthDatabaseURL: growthURL, Small: true, ProfileDir: profiles,
	}, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, c := range rep.Failed() {
		t.Errorf("check failed: %s: %s", c.Name, c.Note)
	}
	for _, figure := range []string{
		"start-up, PostgreSQL", "idle RSS, PostgreSQL", "start-up, SQLite", "idle RSS, SQLite",
		"`{ __typename }`", "consumeCredits, 1 org", "consumeCredits, 10 orgs", "`org(id) { balance { total } }`",
		"consumeCredits with 20 subscribers over 5 orgs", "push latency, 20 subscribers over 5 orgs", "server RSS per subscriber, one instance",
		"consumeCredits with 20 subscribers over 5 orgs, 2 instances", "push latency, 20 subscribers over 5 orgs, 2 instances",
		"server RSS per subscriber, 2 instances", "usage ingest",
		"SQLite consumeCredits, 1 org", "SQLite consumeCredits, 5 orgs",
		"consumeCredits over 2 orgs", "consumeCredits over 5 orgs", "consumeCredits over 20 orgs", "consumeCredits over 5 orgs, 2 instances",
	} {
		if _, ok := rep.Row(figure); !ok {
			t.Errorf("no row %q", figure)
		}
	}
	if !strings.Contains(out.String(), "| figure | value | ratio | compared with |") {
		t.Errorf("no table printed:\n%s", out.String())
	}
	checkCPURows(t, rep, out.String())
	if t.Failed() {
		t.Logf("output:\n%s", out.String())
	}
	tallytest.AuditClean(t, mainURL)
	checked := tallytest.AuditClean(t, growthURL)
	if checked["ledgerEntries"] < 2000 {
		t.Errorf("audit of the growth store checked %d ledger entries, want the 2,000 seeded and more", checked["ledgerEntries"])
	}
}

// checkCPURows checks the CPU table and the profiles of a small run.
func checkCPURows(t *testing.T, rep Report, out string) {
	t.Helper()
	if !strings.Contains(out, "| run | ops/s | server | PostgreSQL | client | other | machine idle |") {
		t.Errorf("no CPU table printed")
	}
	runs := map[string]CPURow{}
	for _, r := range rep.CPU {
		runs[r.Run] = r
	}
	served := 0 // runs against Tally servers: each has a profile
	for _, name := range []string{
		"{ __typename } (API key)", "consumeCredits, 1 org", "pgbench hot-row (reference)", "consumeCredits, 10 orgs",
		"pgbench TPC-B (reference)", "org { balance } (API key)", "plain net/http + pgx handler (reference)",
		"consumeCredits, 5 orgs, no subscribers, one instance", "consumeCredits, 5 orgs, 20 subscribers, one instance",
		"consumeCredits, 5 orgs, no subscribers, 2 instances", "consumeCredits, 5 orgs, 20 subscribers, 2 instances",
		"usage ingest, batches of 20 (per event)", "SQLite consumeCredits, 1 org", "SQLite consumeCredits, 5 orgs",
		"spread over 2 orgs, 2,000 entries", "spread over 5 orgs, 2,000 entries", "spread over 20 orgs, 2,000 entries",
		"spread over 5 orgs, 2 instances",
	} {
		r, ok := runs[name]
		if !ok {
			t.Errorf("no CPU row %q", name)
			continue
		}
		if !cpuAvailable() {
			continue
		}
		u := r.Use
		switch {
		case u == nil || u.Busy+u.Idle == 0 || u.Ops == 0:
			t.Errorf("CPU row %q: nothing measured: %+v", name, u)
		case !strings.HasPrefix(name, "pgbench") && u.Server == 0:
			t.Errorf("CPU row %q: no server CPU found", name)
		case !strings.HasPrefix(name, "SQLite") && !strings.HasPrefix(name, "{") && u.Postgres == 0:
			t.Errorf("CPU row %q: no PostgreSQL CPU found", name)
		case u.Client == 0:
			t.Errorf("CPU row %q: no client CPU found", name)
		}
	}
	for _, r := range rep.CPU {
		if !strings.HasSuffix(r.Run, "(reference)") {
			served++
		}
	}
	if len(rep.Profiles) != served || served < 15 {
		t.Errorf("%d profiles, want one per run against Tally servers (%d)", len(rep.Profiles), served)
	}
	for _, p := range rep.Profiles {
		if p.Err != nil {
			t.Errorf("profile of %q: %v", p.Run, p.Err)
			continue
		}
		if _, err := os.Stat(p.File); err != nil {
			t.Errorf("profile of %q: %v", p.Run, err)
		}
	}
	if !strings.Contains(out, "profile: consumeCredits, 1 org → ") {
		t.Errorf("no profile summary printed")
	}
}
