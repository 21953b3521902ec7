package domain

import "time"

// BillingInterval is how often a plan is billed.
type BillingInterval string

// Plan billing intervals.
const (
	Monthly  BillingInterval = "MONTHLY"
	Annually BillingInterval = "ANNUALLY"
)

// ValidityPolicy says when credits from a pack expire.
type ValidityPolicy string

// Pack validity policies (README, Credits and errors).
const (
	ValidityNever        ValidityPolicy = "NEVER"
	ValidityBillingCycle ValidityPolicy = "BILLING_CYCLE"
	ValidityRecurring    ValidityPolicy = "RECURRING"
)

// Valid reports whether v is a known policy.
func (v ValidityPolicy) Valid() bool {
	switch v {
	case ValidityNever, ValidityBillingCycle, ValidityRecurring:
		return true
	}
	return false
}

// Price is one currency's price of a catalog item, in minor units.
type Price struct {
	Currency    Currency
	AmountMinor int64
}

// Money returns the price as Money.
func (p Price) Money() Money { return Money{AmountMinor: p.AmountMinor, Currency: p.Currency} }

// UsageLimits are a plan's per-period limits; zero means unlimited.
type UsageLimits struct {
	Sessions     int64
	Events       int64
	Enrichments  int64
	StorageBytes int64
}

// Plan is a catalog subscription plan, priced per seat.
type Plan struct {
	ID                     string
	Code                   string // stable catalog key, e.g. "team"
	Name                   string
	Interval               BillingInterval
	Prices                 []Price // per seat per interval
	IncludedCreditsPerSeat int64   // per month
	Limits                 UsageLimits
	Seats                  int // seats included by default (Free plan: configurable)
	Position               int // display order
	Active                 bool
	UpdatedAt              time.Time
}

// PriceIn returns the plan's price in currency c.
func (p Plan) PriceIn(c Currency) (Price, bool) { return priceIn(p.Prices, c) }

// Pack is a catalog credit pack.
type Pack struct {
	ID              string
	Code            string // stable catalog key, e.g. "starter-eur"
	Name            string
	Credits         int64
	Prices          []Price
	Validity        ValidityPolicy
	RecurringMonths int // minimum term for RECURRING packs
	// Custom packs may be bought in any multiple of StepCredits from Credits
	// upwards, priced StepPrice per step (Scale Custom).
	Custom      bool
	StepCredits int64
	StepPrices  []Price
	Position    int
	Active      bool
	UpdatedAt   time.Time
}

// PriceIn returns the pack's price in currency c.
func (p Pack) PriceIn(c Currency) (Price, bool) { return priceIn(p.Prices, c) }

func priceIn(ps []Price, c Currency) (Price, bool) {
	for _, p := range ps {
		if p.Currency == c {
			return p, true
		}
	}
	return Price{}, false
}

// Catalog is the whole public catalog, as loaded by `tally seed`.
type Catalog struct {
	Plans []Plan
	Packs []Pack
}
