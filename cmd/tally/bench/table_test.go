package bench

import (
	"bytes"
	"strings"
	"testing"
)

func TestThousands(t *testing.T) {
	tests := []struct {
		n    float64
		want string
	}{{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {12516.4, "12,516"}, {1234567, "1,234,567"}, {-4200, "-4,200"}, {100000, "100,000"}}
	for _, tt := range tests {
		if got := thousands(tt.n); got != tt.want {
			t.Errorf("thousands(%v) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestWriteTable(t *testing.T) {
	var rep Report
	rep.Machine = Machine{CPU: "Test CPU", Cores: 2, Postgres: "15.20", Fdatasyncs: 2200}
	rep.add("consumeCredits, 1 org", "3,316 debits/s", times(10.04), "pgbench hot-row 330 tps")
	rep.add("a | b", "1", times(0), "")
	rep.check("ledger", true, "%d acknowledged", 5)
	rep.check("pushes", false, "%d of %d", 1, 2)
	var b bytes.Buffer
	if err := WriteTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	want := "machine: Test CPU, 2 cores, PostgreSQL 15.20, fdatasync 2200/s (8 KiB writes, temp dir)\n\n" +
		"| figure | value | ratio | compared with |\n|---|---|---|---|\n" +
		"| consumeCredits, 1 org | 3,316 debits/s | 10.04× | pgbench hot-row 330 tps |\n" +
		"| a \\| b | 1 | – | – |\n\n" +
		"check:   ledger: ok (5 acknowledged)\n" +
		"check:   pushes: FAILED (1 of 2)\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if f := rep.Failed(); len(f) != 1 || f[0].Name != "pushes" {
		t.Errorf("Failed() = %+v", f)
	}
	if r, ok := rep.Row("consumeCredits"); !ok || !strings.HasPrefix(r.Value, "3,316") {
		t.Errorf("Row = %+v, %v", r, ok)
	}
}

func TestSeededIDs(t *testing.T) {
	if got, want := seededOrgID(100000), "000186a0-0000-4000-8000-000000000000"; got != want {
		t.Errorf("seededOrgID = %q, want %q", got, want)
	}
	if a, b := seededOrgID(9), seededOrgID(10); a >= b {
		t.Errorf("seeded IDs do not ascend: %q, %q", a, b)
	}
	tg := seededTargets(2)
	if len(tg) != 2 || tg[1].OrgID != orgGlobalID(seededOrgID(2)) || !strings.HasPrefix(tg[1].APIKey, "tly_") || len(tg[1].APIKey) != 36 {
		t.Errorf("seededTargets = %+v", tg)
	}
}

func TestOptionsDefaults(t *testing.T) {
	base := Options{Binary: "tally", DatabaseURL: "postgres://x/y"}
	full, err := base.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if full.Subscribers != 10000 || full.SubscriberOrgs != 1000 || full.SeedEntries != 10_000_000 || len(full.GrowthOrgs) != 3 || full.GrowthOrgs[2] != 100_000 {
		t.Errorf("full defaults %+v", full)
	}
	small := base
	small.Small = true
	if small, err = small.withDefaults(); err != nil || small.Orgs != 10 || small.Subscribers != 20 {
		t.Errorf("small defaults %+v, %v", small, err)
	}
	bad := []Options{
		{DatabaseURL: "postgres://x/y"},
		{Binary: "tally", DatabaseURL: "sqlite://x.db"},
		{Binary: "tally", DatabaseURL: "postgres://x/y", GrowthOrgs: []int{10, 5}},
		{Binary: "tally", DatabaseURL: "postgres://x/y", GrowthOrgs: []int{10, 100}, SeedEntries: 50},
		{Binary: "tally", DatabaseURL: "postgres://x/y", Duration: 100},
		{Binary: "tally", DatabaseURL: "postgres://x/y", Only: []string{"reads", "writes"}},
	}
	for i, o := range bad {
		if _, err := o.withDefaults(); err == nil {
			t.Errorf("options %d accepted: %+v", i, o)
		}
	}
}
