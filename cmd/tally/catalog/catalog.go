// Package catalog reads Tally's catalog file (plans and credit packs, in YAML
// or JSON) and converts it to a domain.Catalog for `tally seed`. It also
// embeds the default catalog that `tally serve` loads into an empty SQLite
// store.
package catalog

import (
	_ "embed"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/tallyhq/tally/domain"
)

//go:embed default.yaml
var defaultFile []byte

// Default returns the embedded default catalog file.
func Default() []byte { return append([]byte(nil), defaultFile...) }

// File is the catalog file's shape. JSON is accepted too (it is YAML).
type File struct {
	// Currencies lists the currencies every paid plan must be priced in.
	Currencies []string `yaml:"currencies"`
	// Plans are expanded to one domain.Plan per billing interval.
	Plans []PlanSpec `yaml:"plans"`
	// Packs are credit packs, each priced in one or more currencies.
	Packs []PackSpec `yaml:"packs"`
	// TopUps are the top-up by amount rules, one per currency.
	TopUps []TopUpSpec `yaml:"topUps"`
}

// TopUpSpec is one currency's top-up by amount: credits per `per` (the
// credit price, as a decimal amount), the preset amounts and the range of
// any amount, all decimal strings in major units.
type TopUpSpec struct {
	Currency string   `yaml:"currency"`
	Credits  int64    `yaml:"credits"`
	Per      string   `yaml:"per"`
	Presets  []string `yaml:"presets"`
	Min      string   `yaml:"min"`
	Max      string   `yaml:"max"`
	// Validity is NEVER (default) or BILLING_CYCLE.
	Validity string `yaml:"validity"`
	Inactive bool   `yaml:"inactive"`
}

// PlanSpec is one plan with its monthly and annual per-seat prices.
type PlanSpec struct {
	Code                   string     `yaml:"code"`
	Name                   string     `yaml:"name"`
	Seats                  int        `yaml:"seats"`
	IncludedCreditsPerSeat int64      `yaml:"includedCreditsPerSeat"`
	Limits                 LimitsSpec `yaml:"limits"`
	// OverLimit is what usage past a limit does: "flag" (default) accepts
	// and marks it, "refuse" refuses further events of the metric.
	OverLimit string     `yaml:"overLimit"`
	Prices    PlanPrices `yaml:"prices"`
	Inactive  bool       `yaml:"inactive"`
	// ExtraCredits is what extra credits bought in a period add to its
	// data-transfer limit; absent adds nothing.
	ExtraCredits ExtraCreditsSpec `yaml:"extraCredits"`
}

// ExtraCreditsSpec is a plan's rule for extra credits: every whole block
// of DataTransferBlockCredits extra credits paid in a period adds
// DataTransferPerBlock bytes to that period's data-transfer limit.
type ExtraCreditsSpec struct {
	DataTransferBlockCredits int64 `yaml:"dataTransferBlockCredits"`
	DataTransferPerBlock     int64 `yaml:"dataTransferPerBlock"`
}

// PlanPrices holds a plan's per-seat prices by interval, each a map of
// currency code to decimal amount ("9.00"). An interval left out is not sold.
type PlanPrices struct {
	Monthly map[string]string `yaml:"monthly"`
	Annual  map[string]string `yaml:"annual"`
}

// LimitsSpec is a plan's usage limits per period; 0 or absent is unlimited.
type LimitsSpec struct {
	Sessions     int64 `yaml:"sessions"`
	Events       int64 `yaml:"events"`
	Enrichments  int64 `yaml:"enrichments"`
	StorageBytes int64 `yaml:"storageBytes"`
	// DataTransferBytes is the bytes transferred per period before extra
	// credits add to it.
	DataTransferBytes int64 `yaml:"dataTransferBytes"`
}

// PackSpec is one credit pack.
type PackSpec struct {
	Code            string            `yaml:"code"`
	Name            string            `yaml:"name"`
	Credits         int64             `yaml:"credits"`
	Prices          map[string]string `yaml:"prices"`
	Validity        string            `yaml:"validity"`
	RecurringMonths int               `yaml:"recurringMonths"`
	// StepCredits and StepPrices make a custom pack: any multiple of
	// StepCredits from Credits upwards, StepPrices per step.
	StepCredits int64             `yaml:"stepCredits"`
	StepPrices  map[string]string `yaml:"stepPrices"`
	Inactive    bool              `yaml:"inactive"`
}

// Plan code suffixes appended per billing interval.
const (
	MonthlySuffix = "-monthly"
	AnnualSuffix  = "-annual"
)

// Parse decodes a catalog file (YAML or JSON), converts it and validates the
// result. Unknown fields are errors, so a typo cannot silently drop a price.
func Parse(data []byte) (domain.Catalog, error) {
	var f File
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.DisallowUnknownField()); err != nil {
		return domain.Catalog{}, domain.InvalidInput("file", "cannot parse catalog: %v", err)
	}
	return f.Catalog()
}

// ReadFile parses the catalog file at path.
func ReadFile(path string) (domain.Catalog, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return domain.Catalog{}, domain.InvalidInput("file", "cannot read catalog: %v", err)
	}
	return Parse(data)
}

// Catalog converts the file to a domain.Catalog and validates it: the
// domain's rules (unique codes, positive credits, known policies) plus every
// plan priced in every listed currency and no price outside them.
func (f File) Catalog() (domain.Catalog, error) {
	listed := map[domain.Currency]bool{}
	for _, c := range f.Currencies {
		cur, err := domain.ParseCurrency("currencies", c)
		if err != nil {
			return domain.Catalog{}, err
		}
		listed[cur] = true
	}
	if len(listed) == 0 {
		return domain.Catalog{}, domain.InvalidInput("currencies", "list at least one currency")
	}
	var out domain.Catalog
	for i, p := range f.Plans {
		field := fmt.Sprintf("plans[%d]", i)
		overLimit := domain.OverLimitFlag
		switch strings.ToLower(p.OverLimit) {
		case "", "flag":
		case "refuse":
			overLimit = domain.OverLimitRefuse
		default:
			return domain.Catalog{}, domain.InvalidInput(field+".overLimit", "overLimit is flag or refuse, not %q", p.OverLimit)
		}
		intervals := []struct {
			interval domain.BillingInterval
			suffix   string
			prices   map[string]string
		}{
			{domain.Monthly, MonthlySuffix, p.Prices.Monthly},
			{domain.Annually, AnnualSuffix, p.Prices.Annual},
		}
		sold := 0
		for _, iv := range intervals {
			if iv.prices == nil {
				continue
			}
			sold++
			prices, err := parsePrices(field+".prices."+strings.ToLower(string(iv.interval)), iv.prices, listed, true)
			if err != nil {
				return domain.Catalog{}, err
			}
			out.Plans = append(out.Plans, domain.Plan{
				Code:                   p.Code + iv.suffix,
				Name:                   p.Name,
				Interval:               iv.interval,
				Prices:                 prices,
				IncludedCreditsPerSeat: p.IncludedCreditsPerSeat,
				Limits: domain.UsageLimits{
					Sessions: p.Limits.Sessions, Events: p.Limits.Events,
					Enrichments: p.Limits.Enrichments, StorageBytes: p.Limits.StorageBytes,
					DataTransferBytes: p.Limits.DataTransferBytes,
				},
				ExtraCredits: domain.ExtraCreditsAllowance{
					DataTransferBlockCredits: p.ExtraCredits.DataTransferBlockCredits,
					DataTransferPerBlock:     p.ExtraCredits.DataTransferPerBlock,
				},
				OverLimit: overLimit,
				Seats:     p.Seats,
				Position:  len(out.Plans),
				Active:    !p.Inactive,
			})
		}
		if sold == 0 {
			return domain.Catalog{}, domain.InvalidInput(field+".prices", "plan %q has neither monthly nor annual prices", p.Code)
		}
	}
	for i, p := range f.Packs {
		field := fmt.Sprintf("packs[%d]", i)
		prices, err := parsePrices(field+".prices", p.Prices, listed, false)
		if err != nil {
			return domain.Catalog{}, err
		}
		pack := domain.Pack{
			Code:            p.Code,
			Name:            p.Name,
			Credits:         p.Credits,
			Prices:          prices,
			Validity:        domain.ValidityPolicy(strings.ToUpper(p.Validity)),
			RecurringMonths: p.RecurringMonths,
			Position:        i,
			Active:          !p.Inactive,
		}
		if p.StepCredits != 0 || p.StepPrices != nil {
			pack.Custom = true
			pack.StepCredits = p.StepCredits
			if pack.StepPrices, err = parsePrices(field+".stepPrices", p.StepPrices, listed, false); err != nil {
				return domain.Catalog{}, err
			}
		}
		out.Packs = append(out.Packs, pack)
	}
	for i, t := range f.TopUps {
		r, err := t.rule(fmt.Sprintf("topUps[%d]", i), listed)
		if err != nil {
			return domain.Catalog{}, err
		}
		out.TopUps = append(out.TopUps, r)
	}
	if err := domain.ValidateCatalog(out); err != nil {
		return domain.Catalog{}, err
	}
	return out, nil
}

// rule converts one top-up spec; its currency must be a listed one.
func (t TopUpSpec) rule(field string, listed map[domain.Currency]bool) (domain.TopUpRule, error) {
	cur, err := domain.ParseCurrency(field+".currency", t.Currency)
	if err != nil {
		return domain.TopUpRule{}, err
	}
	if !listed[cur] {
		return domain.TopUpRule{}, domain.InvalidInput(field+".currency", "currency %s is not in the catalog's currencies", cur)
	}
	amount := func(name, s string) (int64, error) {
		v, err := ParseAmount(cur, s)
		if err != nil {
			return 0, domain.InvalidInput(field+"."+name, "%v", err)
		}
		return v, nil
	}
	r := domain.TopUpRule{
		Currency: cur, Credits: t.Credits, Validity: domain.ValidityPolicy(strings.ToUpper(t.Validity)), Active: !t.Inactive,
	}
	if r.Validity == "" {
		r.Validity = domain.ValidityNever
	}
	if r.UnitMinor, err = amount("per", t.Per); err != nil {
		return domain.TopUpRule{}, err
	}
	if r.MinMinor, err = amount("min", t.Min); err != nil {
		return domain.TopUpRule{}, err
	}
	if r.MaxMinor, err = amount("max", t.Max); err != nil {
		return domain.TopUpRule{}, err
	}
	for _, p := range t.Presets {
		v, err := amount("presets", p)
		if err != nil {
			return domain.TopUpRule{}, err
		}
		r.PresetsMinor = append(r.PresetsMinor, v)
	}
	return r, nil
}

// parsePrices converts a currency → decimal map into prices sorted by
// currency. Plans (all) must cover every listed currency; any price must be
// in a listed one.
func parsePrices(field string, m map[string]string, listed map[domain.Currency]bool, all bool) ([]domain.Price, error) {
	prices := make([]domain.Price, 0, len(m))
	for code, amount := range m {
		cur, err := domain.ParseCurrency(field, code)
		if err != nil {
			return nil, err
		}
		if !listed[cur] {
			return nil, domain.InvalidInput(field, "currency %s is not in the catalog's currencies", cur)
		}
		minor, err := ParseAmount(cur, amount)
		if err != nil {
			return nil, domain.InvalidInput(field, "%s: %v", cur, err)
		}
		prices = append(prices, domain.Price{Currency: cur, AmountMinor: minor})
	}
	if all {
		for cur := range listed {
			if _, ok := m[string(cur)]; !ok {
				return nil, domain.InvalidInput(field, "missing a price in %s", cur)
			}
		}
	}
	sort.Slice(prices, func(i, j int) bool { return prices[i].Currency < prices[j].Currency })
	return prices, nil
}

// ParseAmount converts a decimal string ("5", "5.0", "5.00") to minor units
// of cur without floating point (domain.ParseAmount); more fraction digits
// than the currency has is an error.
func ParseAmount(cur domain.Currency, s string) (int64, error) {
	return domain.ParseAmount(cur, s)
}
