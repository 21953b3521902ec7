package bench

import (
	"bytes"
	"context"
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
// looked at.
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
	rep, err := RunReport(ctx, Options{
		Binary: tallytest.Binary(t), DatabaseURL: mainURL, GrowthDatabaseURL: growthURL, Small: true,
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
	if t.Failed() {
		t.Logf("output:\n%s", out.String())
	}
	tallytest.AuditClean(t, mainURL)
	checked := tallytest.AuditClean(t, growthURL)
	if checked["ledgerEntries"] < 2000 {
		t.Errorf("audit of the growth store checked %d ledger entries, want the 2,000 seeded and more", checked["ledgerEntries"])
	}
}
