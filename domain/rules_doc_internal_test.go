package domain

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// rulesDoc is the rule book, beside this file.
const rulesDoc = "RULES.md"

// docNumbers are the values of RULES.md's table "The numbers", keyed by
// its first column, as the code has them.
func docNumbers() map[string]string {
	// DefaultConfig is what cmd/tally's defaults match; withDefaults adds
	// the few defaults with no setting (gateway event retention).
	c := DefaultConfig().withDefaults()
	p := DefaultPricing()
	l := DefaultPurchaseLimits()
	w := WebhookConfig{}.withDefaults()
	m := map[string]string{
		"signup-credits":                     fmt.Sprint(c.SignupGrant),
		"signup-credits-ttl":                 docDuration(c.SignupGrantTTL),
		"free-seats":                         fmt.Sprint(c.FreeSeats),
		"max-seats":                          fmt.Sprint(MaxSeats),
		"invitation-ttl":                     docDuration(c.InvitationTTL),
		"idempotency-retention":              docDuration(c.IdempotencyRetention),
		"gateway-event-retention":            docDuration(c.GatewayEventRetention),
		"api-key-cache-ttl":                  docDuration(c.APIKeyCacheTTL),
		"max-credits":                        fmt.Sprint(MaxCredits),
		"idempotency-key-max-bytes":          fmt.Sprint(maxIdempotencyKeyLen),
		"reason-max-bytes":                   fmt.Sprint(maxReasonLen),
		"metadata-max-bytes":                 fmt.Sprint(maxMetadataBytes),
		"tax-rates":                          docTaxRates(p.TaxRates),
		"installment-commission":             docCommission(p.InstallmentCommission),
		"max-installments":                   fmt.Sprint(p.MaxInstallments),
		"installments-for":                   strings.Join(p.InstallmentCountries, ", ") + " in " + joinCurrencies(p.InstallmentCurrencies),
		"max-pack-quantity":                  fmt.Sprint(p.MaxQuantity),
		"topup-max-presets":                  fmt.Sprint(maxTopUpPresets),
		"order-items-max":                    fmt.Sprint(MaxOrderItems),
		"open-drafts-max":                    fmt.Sprint(MaxOpenDrafts),
		"draft-ttl":                          docDuration(c.DraftTTL),
		"purchase-window":                    docDuration(l.Window),
		"purchases-per-org":                  fmt.Sprint(l.PerOrg),
		"purchases-per-user":                 fmt.Sprint(l.PerUser),
		"declines-per-org":                   fmt.Sprint(l.DeclinesPerOrg),
		"extra-credits-block":                fmt.Sprint(ExtraCreditsBlock),
		"extra-credits-min-block-price":      fmt.Sprint(minBlockPrice),
		"dunning-retries":                    docDurations(c.Dunning.Retries),
		"dunning-grace":                      docDuration(c.Dunning.Grace),
		"dunning-retention":                  docDuration(c.Dunning.Retention),
		"auto-recharge-default-limit":        fmt.Sprint(c.AutoRecharge.DefaultLimitMinor),
		"auto-recharge-overage-unit":         fmt.Sprint(c.AutoRecharge.OverageUnit),
		"auto-recharge-overage-surcharge-bp": fmt.Sprint(c.AutoRecharge.OverageSurchargeBP),
		"usage-warning-at":                   fmt.Sprint(c.Usage.WarningAt),
		"usage-exceeded-at":                  fmt.Sprint(c.Usage.ExceededAt),
		"usage-batch-max":                    fmt.Sprint(c.Usage.BatchMax),
		"usage-event-id-max":                 fmt.Sprint(MaxUsageEventIDLen),
		"usage-counter-max":                  fmt.Sprint(MaxUsageQuantity),
		"usage-gauge-max":                    fmt.Sprint(MaxUsageGauge),
		"usage-clock-skew":                   docDuration(UsageClockSkew),
		"webhook-retries":                    docDurations(w.Retries),
		"webhook-disable-after":              docDuration(w.DisableAfter),
		"webhook-endpoints-max":              fmt.Sprint(maxWebhookEndpoints),
		"webhook-secret-overlap":             docDuration(DefaultSecretOverlap),
		"spend-batch":                        fmt.Sprint(c.SpendBatch),
	}
	for k, v := range extraTransferDocNumbers() {
		m[k] = v
	}
	return m
}

// docDuration writes d in its largest whole unit: 720h, 5m, 30s.
func docDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

func docDurations(ds []time.Duration) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = docDuration(d)
	}
	return strings.Join(out, ", ")
}

func docTaxRates(rates map[string]int) string {
	var out []string
	for c, bp := range rates {
		out = append(out, c+" "+percent(bp))
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func docCommission(bps map[int]int) string {
	var counts []int
	for n := range bps {
		counts = append(counts, n)
	}
	slices.Sort(counts)
	out := make([]string, len(counts))
	for i, n := range counts {
		out[i] = fmt.Sprintf("%d: %s", n, percent(bps[n]))
	}
	return strings.Join(out, ", ")
}

// TestRulesDocNumbers: every row of RULES.md's numbers table says what
// the code does, and every number the test knows has its row; a setting
// the row names is one the binary reads.
func TestRulesDocNumbers(t *testing.T) {
	doc, err := os.ReadFile(rulesDoc)
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| `([^`]*)` \\| (`(TALLY_[A-Z0-9_]+)`)? *\\|")
	want := docNumbers()
	seen := map[string]bool{}
	cmdSource := readGoSources(t, filepath.Join("..", "cmd", "tally"))
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		key, got, setting := m[1], m[2], m[4]
		if seen[key] {
			t.Errorf("%s: row %s appears twice", rulesDoc, key)
		}
		seen[key] = true
		w, ok := want[key]
		if !ok {
			t.Errorf("%s: row %s has no value in docNumbers; add what the code says", rulesDoc, key)
			continue
		}
		if got != w {
			t.Errorf("%s: %s is %q in the table, %q in the code", rulesDoc, key, got, w)
		}
		if setting != "" && !strings.Contains(cmdSource, `"`+setting+`"`) {
			t.Errorf("%s: %s names setting %s, which cmd/tally does not read", rulesDoc, key, setting)
		}
	}
	for key := range want {
		if !seen[key] {
			t.Errorf("%s: the numbers table has no row %s", rulesDoc, key)
		}
	}
}

// TestRulesDocNames: every Go-looking name the rule book cites in
// backquotes (SortForSpending, Config.SignupGrant, settleTx) is declared
// in this package, or is a name of the GraphQL schema or the catalog file
// (purchasePack, recurringMonths), so a renamed function cannot leave the
// book pointing at nothing.
func TestRulesDocNames(t *testing.T) {
	doc, err := os.ReadFile(rulesDoc)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch d := n.(type) {
			case *ast.FuncDecl:
				declared[d.Name.Name] = true
			case *ast.TypeSpec:
				declared[d.Name.Name] = true
			case *ast.ValueSpec:
				for _, id := range d.Names {
					declared[id.Name] = true
				}
			case *ast.Field:
				for _, id := range d.Names {
					declared[id.Name] = true
				}
			}
			return true
		})
	}
	var elsewhere strings.Builder
	schemas, _ := filepath.Glob(filepath.Join("..", "graph", "schema", "*.graphqls"))
	for _, p := range append(schemas, filepath.Join("..", "cmd", "tally", "catalog", "default.yaml")) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		elsewhere.Write(b)
	}
	other := elsewhere.String()
	ident := regexp.MustCompile("`([A-Za-z][A-Za-z0-9]*(?:\\.[A-Za-z][A-Za-z0-9]*)?)`")
	mixed := regexp.MustCompile(`[a-z][A-Z]|^[A-Z][a-z]`)
	for _, m := range ident.FindAllStringSubmatch(string(doc), -1) {
		for _, part := range strings.Split(m[1], ".") {
			if !mixed.MatchString(part) || declared[part] || strings.HasPrefix(part, "Test") {
				continue
			}
			if !regexp.MustCompile(`\b` + part + `\b`).MatchString(other) {
				t.Errorf("%s cites %s, which is neither declared in domain nor a schema or catalog name", rulesDoc, m[1])
			}
		}
	}
}

// readGoSources concatenates the non-test Go files of dir.
func readGoSources(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(body)
	}
	return b.String()
}
