package domain

import (
	"fmt"
	"strconv"
)

// Currency is an ISO 4217 currency code.
type Currency string

// Currencies Tally prices in.
const (
	EUR Currency = "EUR"
	USD Currency = "USD"
	BRL Currency = "BRL"
)

// currencyExponent is the number of minor-unit digits per supported currency.
var currencyExponent = map[Currency]int{EUR: 2, USD: 2, BRL: 2}

// Valid reports whether c is a currency Tally supports.
func (c Currency) Valid() bool { _, ok := currencyExponent[c]; return ok }

// Currencies lists the supported currencies in a stable order.
func Currencies() []Currency { return []Currency{EUR, USD, BRL} }

// ParseCurrency validates a currency code for the named input field.
func ParseCurrency(field, s string) (Currency, error) {
	c := Currency(s)
	if !c.Valid() {
		return "", InvalidInput(field, "unsupported currency %q", s)
	}
	return c, nil
}

// Money is an amount in integer minor units of a currency. Never a float.
type Money struct {
	AmountMinor int64
	Currency    Currency
}

// Decimal renders the amount as a decimal string, e.g. "5.00".
func (m Money) Decimal() string {
	exp := currencyExponent[m.Currency]
	if exp == 0 {
		return strconv.FormatInt(m.AmountMinor, 10)
	}
	neg := m.AmountMinor < 0
	v := m.AmountMinor
	if neg {
		v = -v
	}
	pow := int64(1)
	for i := 0; i < exp; i++ {
		pow *= 10
	}
	s := fmt.Sprintf("%d.%0*d", v/pow, exp, v%pow)
	if neg {
		s = "-" + s
	}
	return s
}

// String renders the amount with its currency, e.g. "5.00 EUR".
func (m Money) String() string { return m.Decimal() + " " + string(m.Currency) }
