package domain

import (
	"context"
	"fmt"
	"strings"
	"time"
)

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
	// DataTransferBytes is the bytes a period may transfer before extra
	// credits add to it (ExtraCredits).
	DataTransferBytes int64
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
	OverLimit              OverLimitAction // what usage past a limit does; "" is FLAG
	Seats                  int             // seats included by default (Free plan: configurable)
	Position               int             // display order
	Active                 bool
	UpdatedAt              time.Time

	// ExtraCredits is what extra credits bought in a period add to its
	// data-transfer allowance (extratransfer.go); zero adds nothing.
	ExtraCredits ExtraCreditsAllowance
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
	// TopUps are the top-up by amount rules, at most one per currency.
	TopUps []TopUpRule
}

// Plans lists the active catalog plans, only those priced in currency when
// it is given. Public: no sign-in needed.
func (s *Service) Plans(ctx context.Context, currency *Currency) ([]Plan, error) {
	ps, err := s.store.ListPlans(ctx)
	if err != nil {
		return nil, asDomainError(err)
	}
	return pricedIn(ps, currency), nil
}

// Packs lists the active credit packs, only those priced in currency when it
// is given. Public: no sign-in needed.
func (s *Service) Packs(ctx context.Context, currency *Currency) ([]Pack, error) {
	ps, err := s.store.ListPacks(ctx)
	if err != nil {
		return nil, asDomainError(err)
	}
	return pricedIn(ps, currency), nil
}

// pricedIn keeps the items priced in currency; all of them when it is nil.
func pricedIn[T interface{ PriceIn(Currency) (Price, bool) }](items []T, currency *Currency) []T {
	if currency == nil {
		return items
	}
	out := items[:0:0]
	for _, it := range items {
		if _, ok := it.PriceIn(*currency); ok {
			out = append(out, it)
		}
	}
	return out
}

// Plan returns one plan (public).
func (s *Service) Plan(ctx context.Context, id string) (Plan, error) {
	if !ValidID(id) {
		return Plan{}, NotFound("plan")
	}
	p, err := s.store.PlanByID(ctx, id)
	return p, asDomainError(err)
}

// Pack returns one pack (public).
func (s *Service) Pack(ctx context.Context, id string) (Pack, error) {
	if !ValidID(id) {
		return Pack{}, NotFound("pack")
	}
	p, err := s.store.PackByID(ctx, id)
	return p, asDomainError(err)
}

// LoadCatalog validates a catalog and upserts it by code in one transaction
// (the seed command). It returns the stored catalog. INVALID_INPUT names the
// first offending item.
func (s *Service) LoadCatalog(ctx context.Context, c Catalog) (Catalog, error) {
	if err := ValidateCatalog(c); err != nil {
		return Catalog{}, err
	}
	var out Catalog
	now := s.clock.Now()
	err := s.store.InTx(ctx, func(tx Store) error {
		for _, p := range c.Plans {
			if p.ID == "" {
				p.ID = newID()
			}
			p.UpdatedAt = now
			sp, err := tx.UpsertPlan(ctx, p)
			if err != nil {
				return err
			}
			out.Plans = append(out.Plans, sp)
		}
		for _, p := range c.Packs {
			if p.ID == "" {
				p.ID = newID()
			}
			p.UpdatedAt = now
			sp, err := tx.UpsertPack(ctx, p)
			if err != nil {
				return err
			}
			out.Packs = append(out.Packs, sp)
		}
		for _, r := range c.TopUps {
			r.UpdatedAt = now
			sr, err := tx.UpsertTopUpRule(ctx, r)
			if err != nil {
				return err
			}
			out.TopUps = append(out.TopUps, sr)
		}
		return nil
	})
	return out, asDomainError(err)
}

// ValidateCatalog checks codes are unique and present, amounts positive,
// currencies supported, policies known and the top-up rules sound
// (ValidateTopUpRule, one per currency).
func ValidateCatalog(c Catalog) error {
	seen := map[string]bool{}
	for i, p := range c.Plans {
		field := fmt.Sprintf("plans[%d]", i)
		if err := validCode(field, p.Code, seen); err != nil {
			return err
		}
		if strings.TrimSpace(p.Name) == "" {
			return InvalidInput(field+".name", "is required")
		}
		if p.Interval != Monthly && p.Interval != Annually {
			return InvalidInput(field+".interval", "must be MONTHLY or ANNUALLY")
		}
		if p.IncludedCreditsPerSeat < 0 || p.Seats < 0 {
			return InvalidInput(field, "credits and seats must not be negative")
		}
		if err := validPrices(field+".prices", p.Prices, true); err != nil {
			return err
		}
		if err := p.validLimits(field); err != nil {
			return err
		}
	}
	for i, p := range c.Packs {
		field := fmt.Sprintf("packs[%d]", i)
		if err := validCode(field, p.Code, seen); err != nil {
			return err
		}
		if strings.TrimSpace(p.Name) == "" {
			return InvalidInput(field+".name", "is required")
		}
		if p.Credits <= 0 || p.Credits > MaxCredits {
			return InvalidInput(field+".credits", "must be positive")
		}
		if !p.Validity.Valid() {
			return InvalidInput(field+".validity", "unknown validity policy %q", p.Validity)
		}
		if p.Validity == ValidityRecurring && p.RecurringMonths <= 0 {
			return InvalidInput(field+".recurringMonths", "a recurring pack needs a minimum term")
		}
		if err := validPrices(field+".prices", p.Prices, false); err != nil {
			return err
		}
		if p.Custom {
			if p.StepCredits <= 0 {
				return InvalidInput(field+".stepCredits", "a custom pack needs a positive step")
			}
			if err := validPrices(field+".stepPrices", p.StepPrices, false); err != nil {
				return err
			}
		}
	}
	return validTopUps(c.TopUps)
}

func validCode(field, code string, seen map[string]bool) error {
	if strings.TrimSpace(code) == "" {
		return InvalidInput(field+".code", "is required")
	}
	if seen[code] {
		return InvalidInput(field+".code", "duplicate code %q", code)
	}
	seen[code] = true
	return nil
}

func validPrices(field string, ps []Price, allowZero bool) error {
	if len(ps) == 0 {
		return InvalidInput(field, "at least one price is required")
	}
	cur := map[Currency]bool{}
	for _, p := range ps {
		if !p.Currency.Valid() {
			return InvalidInput(field, "unsupported currency %q", p.Currency)
		}
		if cur[p.Currency] {
			return InvalidInput(field, "two prices in %s", p.Currency)
		}
		cur[p.Currency] = true
		if p.AmountMinor < 0 || (p.AmountMinor == 0 && !allowZero) {
			return InvalidInput(field, "price in %s must be positive", p.Currency)
		}
	}
	return nil
}
