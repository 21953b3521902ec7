package paypalemu

import (
	"fmt"
	"regexp"
	"strconv"
)

// currencies lists the two-decimal currencies PayPal accepts; the emulator
// leaves out the zero-decimal ones (HUF, JPY, TWD).
var currencies = map[string]bool{
	"AUD": true, "BRL": true, "CAD": true, "CNY": true, "CZK": true, "DKK": true,
	"EUR": true, "HKD": true, "ILS": true, "MXN": true, "NZD": true, "NOK": true,
	"PHP": true, "PLN": true, "GBP": true, "SGD": true, "SEK": true, "CHF": true,
	"THB": true, "USD": true,
}

var (
	valueRE     = regexp.MustCompile(`^([0-9]{1,10})(?:\.([0-9]{1,2}))?$`)
	precisionRE = regexp.MustCompile(`^[0-9]{1,10}\.[0-9]{3,}$`)
)

// money is an amount in minor units.
type money struct {
	minor    int64
	currency string
}

// json renders m the way PayPal does ("5.00").
func (m money) json() amountJSON {
	return amountJSON{CurrencyCode: m.currency, Value: formatMinor(m.minor)}
}

// formatMinor renders minor units with two decimals.
func formatMinor(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// parseAmount validates an amount object; the issue names what is wrong in
// PayPal's vocabulary, "" when it is fine.
func parseAmount(a *amountJSON) (money, string) {
	if a == nil || a.CurrencyCode == "" || a.Value == "" {
		return money{}, "MISSING_REQUIRED_PARAMETER"
	}
	if !currencies[a.CurrencyCode] {
		return money{}, "CURRENCY_NOT_SUPPORTED"
	}
	if precisionRE.MatchString(a.Value) {
		return money{}, "DECIMAL_PRECISION"
	}
	m := valueRE.FindStringSubmatch(a.Value)
	if m == nil {
		return money{}, "INVALID_PARAMETER_SYNTAX"
	}
	units, _ := strconv.ParseInt(m[1], 10, 64)
	cents := int64(0)
	if m[2] != "" {
		cents, _ = strconv.ParseInt(m[2], 10, 64)
		if len(m[2]) == 1 {
			cents *= 10
		}
	}
	v := units*100 + cents
	if v <= 0 {
		return money{}, "INVALID_PARAMETER_VALUE"
	}
	return money{minor: v, currency: a.CurrencyCode}, ""
}

// fee is the emulated PayPal fee: 3.49% plus 0.49.
func fee(m money) money {
	return money{minor: min(m.minor*349/10000+49, m.minor), currency: m.currency}
}
