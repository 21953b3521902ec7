package domain

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// PricingConfig holds the operator-set numbers that price an order.
type PricingConfig struct {
	// TaxRates is the tax rate per org country (ISO 3166-1 alpha-2), in
	// basis points (1900 = 19%). Countries not listed pay no tax.
	TaxRates map[string]int
	// InstallmentCommission is the commission per installment count, in
	// basis points of the items' price; counts not listed pay none
	// (by default from 7 installments up).
	InstallmentCommission map[int]int
	// MaxQuantity is the most packs one order may buy.
	MaxQuantity int
	// MaxInstallments is the most installments a card payment may be split
	// into (1 pays at once).
	MaxInstallments int
	// InstallmentCountries and InstallmentCurrencies say who may pay in
	// more than one installment (by default orgs in Brazil, in BRL).
	InstallmentCountries  []string
	InstallmentCurrencies []Currency
}

// DefaultPricing returns the defaults: EU VAT for a few countries, no tax
// elsewhere, installments for orgs in Brazil paying BRL with a commission
// from 7 installments (4.99% rising to 9.99% at 12), at most 12
// installments, at most 100 packs per order.
func DefaultPricing() PricingConfig {
	return PricingConfig{
		TaxRates: map[string]int{
			"DE": 1900, "FR": 2000, "NL": 2100, "ES": 2100, "IT": 2200, "PT": 2300, "AT": 2000, "BE": 2100, "IE": 2300,
		},
		InstallmentCommission: map[int]int{7: 499, 8: 599, 9: 699, 10: 799, 11: 899, 12: 999},
		MaxQuantity:           100,
		MaxInstallments:       12,
		InstallmentCountries:  []string{"BR"},
		InstallmentCurrencies: []Currency{BRL},
	}
}

// Quote is a priced purchase before it becomes an order.
type Quote struct {
	Lines     []OrderLine
	Subtotal  Money
	TaxRateBP int
	Tax       Money
	Total     Money
	Credits   int64
	Validity  ValidityPolicy
	// Installments is set when the buyer pays in more than one installment.
	Installments *InstallmentPlan
}

// QuoteInput is what a pack purchase is priced from.
type QuoteInput struct {
	Pack     Pack
	Quantity int
	// Credits is the amount of a custom pack (0 for a fixed pack).
	Credits  int64
	Currency Currency
	Country  string
	// Installments is the installment count, 1 (at once) to
	// PricingConfig.MaxInstallments.
	Installments int
	// TermMonths is the term of a RECURRING pack (an add-on) in months, at
	// least the pack's RecurringMonths (0 takes that minimum); the caller
	// checks the upper bound against the subscription (addonTerms). Other
	// packs take none.
	TermMonths int
}

// maxInstallments is MaxInstallments, or the default when unset.
func (cfg PricingConfig) maxInstallments() int {
	if cfg.MaxInstallments <= 0 {
		return DefaultPricing().MaxInstallments
	}
	return cfg.MaxInstallments
}

// checkInstallments accepts 1 to maxInstallments; INVALID_INPUT on
// "installments" otherwise.
func (cfg PricingConfig) checkInstallments(n int) error {
	if most := cfg.maxInstallments(); n < 1 || n > most {
		return InvalidInput("installments", "must be between 1 and %d", most)
	}
	return nil
}

// PricePack prices a pack purchase: the pack line, the installment
// commission line (from the configured threshold up), and tax on the
// subtotal at the org country's rate. Amounts are rounded half up to the
// minor unit. A RECURRING pack (an add-on) is priced for its term: one
// PACK line of the pack's (monthly) price × term months per pack, granting
// the pack's credits × quantity each month; the quote's Credits are the
// first month's. INVALID_INPUT names the offending field.
func PricePack(cfg PricingConfig, in QuoteInput) (Quote, error) {
	maxQty := cfg.MaxQuantity
	if maxQty <= 0 {
		maxQty = DefaultPricing().MaxQuantity
	}
	if in.Quantity < 1 || in.Quantity > maxQty {
		return Quote{}, InvalidInput("quantity", "must be between 1 and %d", maxQty)
	}
	if err := cfg.checkInstallments(in.Installments); err != nil {
		return Quote{}, err
	}
	if in.Installments > 1 && !cfg.installmentsAllowed(in.Country, in.Currency) {
		return Quote{}, InvalidInput("installments", "installments are only offered to orgs in %s paying in %s",
			strings.Join(cfg.InstallmentCountries, ", "), joinCurrencies(cfg.InstallmentCurrencies))
	}
	p := in.Pack
	credits, unit, err := packUnit(p, in.Credits, in.Currency)
	if err != nil {
		return Quote{}, err
	}
	qty := int64(in.Quantity)
	if credits > MaxCredits/qty || unit.AmountMinor > (1<<53)/qty {
		return Quote{}, InvalidInput("quantity", "too large")
	}
	desc := fmt.Sprintf("%s (%s credits)", p.Name, groupDigits(credits))
	lines := []OrderLine{{
		Kind: LinePack, Description: desc, Quantity: qty, UnitPrice: unit,
		Amount: Money{AmountMinor: unit.AmountMinor * qty, Currency: in.Currency}, PackID: p.ID, Credits: credits * qty,
	}}
	if p.Validity == ValidityRecurring {
		months := in.TermMonths
		if months == 0 {
			months = max(p.RecurringMonths, 1)
		}
		if months < max(p.RecurringMonths, 1) || months > 1200 {
			return Quote{}, InvalidInput("termMonths", "must be at least %d months", max(p.RecurringMonths, 1))
		}
		if lines[0], err = addonLine(p, qty, credits, unit, months, ""); err != nil {
			return Quote{}, err
		}
	} else if in.TermMonths != 0 {
		return Quote{}, InvalidInput("termMonths", "pack %s is not a recurring add-on: it takes no term", p.Code)
	}
	q, err := finishQuote(cfg, lines, PriceTarget{Currency: in.Currency, Country: in.Country, Installments: in.Installments})
	if err != nil {
		return Quote{}, err
	}
	q.Credits, q.Validity = credits*qty, p.Validity
	return q, nil
}

// installmentsAllowed reports whether an org in country paying in currency
// may split a payment into installments.
func (cfg PricingConfig) installmentsAllowed(country string, currency Currency) bool {
	return slices.Contains(cfg.InstallmentCountries, country) && slices.Contains(cfg.InstallmentCurrencies, currency)
}

func joinCurrencies(cs []Currency) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return strings.Join(out, ", ")
}

// packUnit returns the credits and price of one pack: the catalog's for a
// fixed pack; for a custom pack, credits from the pack's minimum upwards in
// whole steps, priced per step.
func packUnit(p Pack, credits int64, c Currency) (int64, Money, error) {
	if !p.Custom {
		if credits != 0 && credits != p.Credits {
			return 0, Money{}, InvalidInput("credits", "pack %s has a fixed amount of %d credits", p.Code, p.Credits)
		}
		price, ok := p.PriceIn(c)
		if !ok {
			return 0, Money{}, InvalidInput("packId", "pack %s is not sold in %s", p.Code, c)
		}
		return p.Credits, price.Money(), nil
	}
	if credits == 0 {
		credits = p.Credits
	}
	if p.StepCredits <= 0 || credits < p.Credits || credits > MaxCredits || credits%p.StepCredits != 0 {
		return 0, Money{}, InvalidInput("credits", "must be at least %d in steps of %d", p.Credits, p.StepCredits)
	}
	step, ok := priceIn(p.StepPrices, c)
	if !ok {
		return 0, Money{}, InvalidInput("packId", "pack %s is not sold in %s", p.Code, c)
	}
	steps := credits / p.StepCredits
	if step.AmountMinor > 0 && steps > (1<<53)/step.AmountMinor {
		return 0, Money{}, InvalidInput("credits", "too large")
	}
	return credits, Money{AmountMinor: steps * step.AmountMinor, Currency: c}, nil
}

// basisPoints returns amount × bp / 10000 rounded half up.
func basisPoints(amount int64, bp int) int64 {
	if bp <= 0 || amount <= 0 {
		return 0
	}
	return (amount*int64(bp) + 5000) / 10000
}

func divRoundUp(a, b int64) int64 { return (a + b - 1) / b }

// percent renders basis points as a percentage: 1900 -> "19%", 750 -> "7.5%".
func percent(bp int) string {
	if bp%100 == 0 {
		return fmt.Sprintf("%d%%", bp/100)
	}
	s := fmt.Sprintf("%d.%02d", bp/100, bp%100)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s + "%"
}

// groupDigits renders n with thousands separators: 2500000 -> "2,500,000".
func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// InstallmentOption is one way to split a purchase.
type InstallmentOption struct {
	Count      int
	Amount     Money // each installment
	Commission Money
	Total      Money
}

// InstallmentOptions prices a pack for every installment count a gateway
// can take for the org (1 = at once). Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID_INPUT.
func (s *Service) InstallmentOptions(ctx context.Context, orgID, packID string, quantity int) ([]InstallmentOption, error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return nil, err
	}
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return nil, asDomainError(err)
	}
	if !ValidID(packID) {
		return nil, InvalidInput("packId", "unknown pack")
	}
	pack, err := s.store.PackByID(ctx, packID)
	if IsCode(err, CodeNotFound) || (err == nil && !pack.Active) {
		return nil, InvalidInput("packId", "unknown pack")
	}
	if err != nil {
		return nil, asDomainError(err)
	}
	var out []InstallmentOption
	for n := 1; n <= s.pricing.maxInstallments(); n++ {
		if s.gateways == nil || (n > 1 && !s.pricing.installmentsAllowed(org.Country, org.Currency)) {
			break
		}
		if _, err := s.gateways.Route(RouteRequest{Country: org.Country, Currency: org.Currency, Method: MethodCard, Installments: n}); err != nil {
			continue
		}
		q, err := PricePack(s.pricing, QuoteInput{Pack: pack, Quantity: quantity, Currency: org.Currency, Country: org.Country, Installments: n})
		if err != nil {
			return nil, err
		}
		out = append(out, installmentOption(n, &q, org.Currency))
	}
	return out, nil
}

// installmentOption is what paying quote q in n installments costs: the
// per-installment amount and the commission when q is paid in installments.
func installmentOption(n int, q *Quote, currency Currency) InstallmentOption {
	opt := InstallmentOption{Count: n, Amount: q.Total, Commission: Money{Currency: currency}, Total: q.Total}
	if q.Installments != nil {
		opt.Amount, opt.Commission = q.Installments.Amount, q.Installments.Commission
	}
	return opt
}
