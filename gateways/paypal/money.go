package paypal

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/tallyhq/tally/domain"
)

// valueRE matches PayPal's decimal amounts with at most two decimals.
var valueRE = regexp.MustCompile(`^([0-9]{1,15})(?:\.([0-9]{1,2}))?$`)

// toAmount renders m as PayPal's money object ("5.00").
func toAmount(m domain.Money) amount {
	return amount{CurrencyCode: string(m.Currency), Value: m.Decimal()}
}

// fromAmount parses PayPal's money object; every currency Tally supports
// has two decimals.
func fromAmount(a *amount) (domain.Money, error) {
	if a == nil {
		return domain.Money{}, fmt.Errorf("paypal: missing amount")
	}
	cur := domain.Currency(a.CurrencyCode)
	if !cur.Valid() {
		return domain.Money{}, fmt.Errorf("paypal: unsupported currency %q", a.CurrencyCode)
	}
	m := valueRE.FindStringSubmatch(a.Value)
	if m == nil {
		return domain.Money{}, fmt.Errorf("paypal: malformed amount %q", a.Value)
	}
	units, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return domain.Money{}, fmt.Errorf("paypal: malformed amount %q: %w", a.Value, err)
	}
	var cents int64
	if m[2] != "" {
		cents, _ = strconv.ParseInt(m[2], 10, 64)
		if len(m[2]) == 1 {
			cents *= 10
		}
	}
	return domain.Money{AmountMinor: units*100 + cents, Currency: cur}, nil
}
