package domain

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Top-up by amount.
//
// An org may buy credits by choosing an amount of money rather than a
// pack: one of the catalog's preset amounts or any amount between the
// currency's minimum and maximum. The catalog prices credits per currency
// as Credits per UnitMinor minor units (EUR: 1,000,000 credits per 500,
// the Starter pack's list price), so a top-up costs exactly what the same
// credits cost in packs: no markup. The credits an amount buys are
//
//	floor(amount × Credits / UnitMinor)
//
// rounded down, so Tally never grants a credit that was not paid for; the
// fraction of a credit left over is the buyer's loss of at most one
// credit, which the quote states. The amount is the order's one TOP_UP
// line, before tax; installment commission and tax are added as for a
// pack (finishQuote). The order goes through purchasePack's checks,
// payment and idempotency path; its credits are PURCHASED with the rule's
// validity (NEVER by default).

// maxTopUpPresets is the most preset amounts one currency's rule may offer.
const maxTopUpPresets = 8

// TopUpRule is one currency's top-up by amount: the credit price, the
// preset amounts a billing page offers and the range of a custom amount.
type TopUpRule struct {
	Currency Currency
	// Credits per UnitMinor minor units is the credit price: kept as two
	// integers so it is exact (2,000 credits per cent is Credits 1,000,000
	// per UnitMinor 500).
	Credits   int64
	UnitMinor int64
	// PresetsMinor are the amounts offered as buttons, ascending, each
	// within [MinMinor, MaxMinor].
	PresetsMinor []int64
	// MinMinor and MaxMinor bound any amount, preset or custom.
	MinMinor int64
	MaxMinor int64
	// Validity is when the credits expire: NEVER or BILLING_CYCLE.
	Validity  ValidityPolicy
	Active    bool
	UpdatedAt time.Time
}

// Min returns the least amount as Money.
func (r TopUpRule) Min() Money { return Money{AmountMinor: r.MinMinor, Currency: r.Currency} }

// Max returns the greatest amount as Money.
func (r TopUpRule) Max() Money { return Money{AmountMinor: r.MaxMinor, Currency: r.Currency} }

// Unit returns the money the rule's Credits cost.
func (r TopUpRule) Unit() Money { return Money{AmountMinor: r.UnitMinor, Currency: r.Currency} }

// Presets returns the preset amounts as Money.
func (r TopUpRule) Presets() []Money {
	out := make([]Money, len(r.PresetsMinor))
	for i, p := range r.PresetsMinor {
		out[i] = Money{AmountMinor: p, Currency: r.Currency}
	}
	return out
}

// CreditsFor is what amountMinor buys under r: floor(amount × Credits /
// UnitMinor), computed without overflow. It checks nothing (TopUpCredits
// does).
func (r TopUpRule) CreditsFor(amountMinor int64) int64 {
	if r.UnitMinor <= 0 || amountMinor <= 0 || r.Credits <= 0 {
		return 0
	}
	n := new(big.Int).Mul(big.NewInt(amountMinor), big.NewInt(r.Credits))
	n.Quo(n, big.NewInt(r.UnitMinor))
	if !n.IsInt64() {
		return MaxCredits + 1
	}
	return n.Int64()
}

// TopUpCredits returns the credits amountMinor buys under r, refusing
// with INVALID_INPUT on "amount" an amount below the minimum, above the
// maximum, one that buys no credit, or credits over MaxCredits.
func TopUpCredits(r TopUpRule, amountMinor int64) (int64, error) {
	if amountMinor < r.MinMinor {
		return 0, InvalidInput("amount", "must be at least %s", r.Min())
	}
	if amountMinor > r.MaxMinor {
		return 0, InvalidInput("amount", "must be at most %s", r.Max())
	}
	credits := r.CreditsFor(amountMinor)
	if credits <= 0 {
		return 0, InvalidInput("amount", "%s buys no credit", Money{AmountMinor: amountMinor, Currency: r.Currency})
	}
	if credits > MaxCredits {
		return 0, InvalidInput("amount", "too large")
	}
	return credits, nil
}

// TopUpRuleText states r's rounding rule in words, for a billing page.
func TopUpRuleText(r TopUpRule) string {
	return fmt.Sprintf("An amount buys floor(amount × %s / %s) credits: rounded down to a whole credit, never up.",
		groupDigits(r.Credits), r.Unit())
}

// TopUpRounding is the sentence a quote shows about the rounding of
// amountMinor to credits under r: exact, or how much of a credit is not
// granted.
func TopUpRounding(r TopUpRule, amountMinor int64) string {
	if r.UnitMinor <= 0 {
		return ""
	}
	n := new(big.Int).Mul(big.NewInt(amountMinor), big.NewInt(r.Credits))
	_, rem := n.QuoRem(n, big.NewInt(r.UnitMinor), new(big.Int))
	price := fmt.Sprintf("%s credits per %s", groupDigits(r.Credits), r.Unit())
	if rem.Sign() == 0 {
		return fmt.Sprintf("At %s the amount buys a whole number of credits: nothing is rounded.", price)
	}
	return fmt.Sprintf("At %s the amount buys %s credits and a fraction of one; credits are rounded down, never up.",
		price, groupDigits(r.CreditsFor(amountMinor)))
}

// PriceTopUp prices a top-up of amountMinor under r: one TOP_UP line of
// the amount ("Top-up 100.00 EUR: 20,000,000 credits"), then installment
// commission and tax as for a pack. INVALID_INPUT on "amount" (see
// TopUpCredits) or "installments".
func PriceTopUp(cfg PricingConfig, r TopUpRule, amountMinor int64, t PriceTarget) (Quote, error) {
	if r.Currency != t.Currency {
		return Quote{}, InvalidInput("amount", "top-ups are not sold in %s", t.Currency)
	}
	credits, err := TopUpCredits(r, amountMinor)
	if err != nil {
		return Quote{}, err
	}
	amount := Money{AmountMinor: amountMinor, Currency: t.Currency}
	line := OrderLine{
		Kind: LineTopUp, Description: fmt.Sprintf("Top-up %s: %s credits", amount, groupDigits(credits)),
		Quantity: 1, UnitPrice: amount, Amount: amount, Credits: credits,
	}
	q, err := finishQuote(cfg, []OrderLine{line}, t)
	if err != nil {
		return Quote{}, err
	}
	q.Credits, q.Validity = credits, r.Validity
	if q.Validity == "" {
		q.Validity = ValidityNever
	}
	return q, nil
}

// ParseAmount converts a decimal amount in major units ("5", "5.0",
// "5.00") to minor units of c without floating point. More fraction
// digits than c has, a sign, or anything but digits and one dot is an
// error.
func ParseAmount(c Currency, s string) (int64, error) {
	digits := currencyExponent[c]
	s = strings.TrimSpace(s)
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || strings.ContainsAny(whole, "+-") || strings.ContainsAny(frac, "+-") {
		return 0, fmt.Errorf("%q is not a decimal amount", s)
	}
	if len(frac) > digits {
		return 0, fmt.Errorf("%q has more than %d decimals", s, digits)
	}
	frac += strings.Repeat("0", digits-len(frac))
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a decimal amount", s)
	}
	return v, nil
}

// ValidateTopUpRule checks one currency's rule; field prefixes the
// INVALID_INPUT's field ("topUps[0]"). The price must be positive, the
// range ordered and within what the ledger holds, the minimum must buy a
// credit, and the presets (at most maxTopUpPresets) ascending inside the
// range.
func ValidateTopUpRule(field string, r TopUpRule) error {
	if !r.Currency.Valid() {
		return InvalidInput(field+".currency", "unsupported currency %q", r.Currency)
	}
	if r.Credits <= 0 || r.Credits > MaxCredits {
		return InvalidInput(field+".credits", "must be positive")
	}
	if r.UnitMinor <= 0 || r.UnitMinor > 1<<53 {
		return InvalidInput(field+".per", "must be a positive amount")
	}
	if r.MinMinor <= 0 {
		return InvalidInput(field+".min", "must be positive")
	}
	if r.MaxMinor < r.MinMinor || r.MaxMinor > 1<<53 {
		return InvalidInput(field+".max", "must be at least min (%s)", r.Min())
	}
	if r.CreditsFor(r.MinMinor) <= 0 {
		return InvalidInput(field+".min", "%s buys no credit", r.Min())
	}
	if r.CreditsFor(r.MaxMinor) > MaxCredits {
		return InvalidInput(field+".max", "%s buys more than %d credits", r.Max(), int64(MaxCredits))
	}
	if len(r.PresetsMinor) > maxTopUpPresets {
		return InvalidInput(field+".presets", "at most %d presets", maxTopUpPresets)
	}
	for i, p := range r.PresetsMinor {
		if p < r.MinMinor || p > r.MaxMinor {
			return InvalidInput(field+".presets", "%s is outside %s to %s", Money{AmountMinor: p, Currency: r.Currency}, r.Min(), r.Max())
		}
		if i > 0 && p <= r.PresetsMinor[i-1] {
			return InvalidInput(field+".presets", "must be ascending without repeats")
		}
	}
	switch r.Validity {
	case "", ValidityNever, ValidityBillingCycle:
	default:
		return InvalidInput(field+".validity", "must be NEVER or BILLING_CYCLE")
	}
	return nil
}

// validTopUps checks every rule and that no currency has two.
func validTopUps(rs []TopUpRule) error {
	seen := map[Currency]bool{}
	for i, r := range rs {
		field := fmt.Sprintf("topUps[%d]", i)
		if err := ValidateTopUpRule(field, r); err != nil {
			return err
		}
		if seen[r.Currency] {
			return InvalidInput(field+".currency", "two top-up rules in %s", r.Currency)
		}
		seen[r.Currency] = true
	}
	return nil
}

// TopUpOptions returns the active top-up rule of currency (public: no
// sign-in needed). NOT_FOUND when top-ups are not sold in it.
func (s *Service) TopUpOptions(ctx context.Context, currency Currency) (TopUpRule, error) {
	if !currency.Valid() {
		return TopUpRule{}, InvalidInput("currency", "unsupported currency %q", currency)
	}
	r, err := s.store.TopUpRule(ctx, currency)
	if err == nil && !r.Active {
		return TopUpRule{}, NotFound("top-up rule")
	}
	return r, asDomainError(err)
}

// TopUpRules lists the active top-up rules by currency (public).
func (s *Service) TopUpRules(ctx context.Context) ([]TopUpRule, error) {
	rs, err := s.store.ListTopUpRules(ctx)
	return rs, asDomainError(err)
}

// priceTopUp prices a top-up of amountMinor for org, in its currency.
func (s *Service) priceTopUp(ctx context.Context, org Org, amountMinor int64, installments int) (Quote, error) {
	r, err := s.store.TopUpRule(ctx, org.Currency)
	if IsCode(err, CodeNotFound) || (err == nil && !r.Active) {
		return Quote{}, InvalidInput("amount", "top-ups by amount are not sold in %s", org.Currency)
	}
	if err != nil {
		return Quote{}, asDomainError(err)
	}
	return PriceTopUp(s.pricing, r, amountMinor, PriceTarget{Currency: org.Currency, Country: org.Country, Installments: max(installments, 1)})
}

// TopUpAmount is the amount of a top-up in the org's currency, given
// either in minor units or as a decimal in major units ("100.00"):
// exactly one of the two.
type TopUpAmount struct {
	Minor   int64
	Decimal string
}

// minor returns the amount in minor units of c: INVALID_INPUT on "amount"
// when both or neither form is given, or the decimal has more decimals
// than c or is not a plain non-negative decimal.
func (a TopUpAmount) minor(c Currency) (int64, error) {
	switch {
	case a.Decimal != "" && a.Minor != 0:
		return 0, InvalidInput("amount", "give the amount in minor units or as a decimal, not both")
	case a.Decimal == "" && a.Minor == 0:
		return 0, InvalidInput("amount", "is required")
	case a.Decimal == "":
		return a.Minor, nil
	}
	v, err := ParseAmount(c, a.Decimal)
	if err != nil {
		return 0, InvalidInput("amount", "%v", err)
	}
	return v, nil
}

// TopUpQuote prices a top-up of amount (in the org's currency) by the
// code TopUp prices the order with, and states its rounding
// (TopUpRounding); writes nothing. Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN (OWNER and BILLING only), INVALID_INPUT (amount,
// installments).
func (s *Service) TopUpQuote(ctx context.Context, orgID string, amount TopUpAmount, installments int) (Quote, string, error) {
	if _, err := s.authorize(ctx, orgID, ActionBilling); err != nil {
		return Quote{}, "", err
	}
	org, err := s.store.OrgByID(ctx, orgID)
	if err != nil {
		return Quote{}, "", asDomainError(err)
	}
	minor, err := amount.minor(org.Currency)
	if err != nil {
		return Quote{}, "", err
	}
	q, err := s.priceTopUp(ctx, org, minor, installments)
	if err != nil {
		return Quote{}, "", err
	}
	r, err := s.store.TopUpRule(ctx, org.Currency)
	if err != nil {
		return Quote{}, "", asDomainError(err)
	}
	return q, TopUpRounding(r, minor), nil
}

// TopUpInput is a request to buy credits by amount (TopUp).
type TopUpInput struct {
	OrgID string
	// AmountMinor is the amount in minor units of the org's currency,
	// before tax; or Amount, the same as a decimal in major units
	// ("100.00"): exactly one of them.
	AmountMinor     int64
	Amount          string
	Gateway         string
	Method          PaymentMethodKind
	Installments    int
	PaymentMethodID string
	IdempotencyKey  string
	InvoiceDetails  *InvoiceDetails
	ReturnURL       string
}

// TopUp buys the credits the amount pays for: an order with one TOP_UP
// line, paid as purchasePack's (same checks, routing, payment, limits and
// idempotency by key). With no payment method and no gateway named, the
// org's default saved payment method pays (off session, on its own
// gateway) when it has one; a saved method named without a gateway pays on
// its own gateway. Codes: as PurchasePack's, INVALID_INPUT on "amount".
func (s *Service) TopUp(ctx context.Context, in TopUpInput) (Checkout, error) {
	if err := validateKey(in.IdempotencyKey); err != nil {
		return Checkout{}, err
	}
	if _, err := s.authorize(ctx, in.OrgID, ActionBilling); err != nil {
		return Checkout{}, err
	}
	org, err := s.store.OrgByID(ctx, in.OrgID)
	if err != nil {
		return Checkout{}, asDomainError(err)
	}
	if in.AmountMinor, err = (TopUpAmount{Minor: in.AmountMinor, Decimal: in.Amount}).minor(org.Currency); err != nil {
		return Checkout{}, err
	}
	if in.AmountMinor <= 0 {
		return Checkout{}, InvalidInput("amount", "must be positive")
	}
	pmID, gateway, method, err := s.topUpMethod(ctx, in)
	if err != nil {
		return Checkout{}, err
	}
	return s.PurchasePack(ctx, PurchaseInput{
		OrgID: in.OrgID, TopUpMinor: in.AmountMinor, Quantity: 1, Gateway: gateway, Method: method,
		Installments: max(in.Installments, 1), PaymentMethodID: pmID, IdempotencyKey: in.IdempotencyKey,
		InvoiceDetails: in.InvoiceDetails, ReturnURL: in.ReturnURL,
	})
}

// topUpMethod is how a top-up pays: the org's default saved method when
// in names neither a payment method nor a gateway, the gateway a named
// saved method is saved with, else what in says.
func (s *Service) topUpMethod(ctx context.Context, in TopUpInput) (string, string, PaymentMethodKind, error) {
	pmID, gateway, method := in.PaymentMethodID, in.Gateway, in.Method
	if pmID == "" && gateway == "" {
		ms, err := s.store.ListPaymentMethods(ctx, in.OrgID)
		if err != nil {
			return "", "", "", asDomainError(err)
		}
		i := slices.IndexFunc(ms, func(m PaymentMethod) bool { return m.IsDefault && m.Status == MethodActive })
		if i < 0 {
			return "", "", method, nil
		}
		if _, _, err := s.vault(ms[i].Gateway); err != nil {
			return "", "", method, nil // its gateway is gone: pay on a page
		}
		pmID = ms[i].ID
	}
	saved, ok, err := s.savedMethodOf(ctx, in.OrgID, pmID)
	if err != nil || !ok {
		return pmID, gateway, method, err
	}
	if gateway == "" {
		gateway = saved.Gateway
	}
	if method == "" {
		method = saved.Kind
	}
	return pmID, gateway, method, nil
}
