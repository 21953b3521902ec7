package invoicepdf

import (
	"errors"
	"fmt"

	"github.com/tallyhq/tally/domain"
)

// ErrMalformed is wrapped by Render's and RenderCreditNote's error when the
// document is inconsistent and printing it would produce a wrong document.
var ErrMalformed = errors.New("invoicepdf: malformed invoice")

// validate checks what the printed document asserts: it is numbered and
// dated, every amount is in the document's currency, the lines add up to
// the subtotal and subtotal plus tax to the total.
func (d document) validate() error {
	switch {
	case d.number == "":
		return malformed("no %s number", d.title)
	case d.issuedAt.IsZero():
		return malformed("no issue date")
	case len(d.lines) == 0:
		return malformed("no lines")
	case d.taxRateBP < 0:
		return malformed("negative tax rate %d bp", d.taxRateBP)
	}
	cur := d.total.Currency
	if !cur.Valid() {
		return malformed("unsupported currency %q", cur)
	}
	type amount struct {
		name string
		m    domain.Money
	}
	amounts := []amount{{"subtotal", d.subtotal}, {"tax", d.tax}}
	for i, l := range d.lines {
		amounts = append(amounts,
			amount{fmt.Sprintf("line %d unit price", i+1), l.UnitPrice},
			amount{fmt.Sprintf("line %d amount", i+1), l.Amount})
	}
	for _, a := range amounts {
		if a.m.Currency != cur {
			return malformed("%s is in %q, the total in %q", a.name, a.m.Currency, cur)
		}
	}
	var sum int64
	for _, l := range d.lines {
		sum += l.Amount.AmountMinor
	}
	if sum != d.subtotal.AmountMinor {
		return malformed("lines add up to %s, subtotal is %s",
			domain.Money{AmountMinor: sum, Currency: cur}, d.subtotal)
	}
	if d.subtotal.AmountMinor+d.tax.AmountMinor != d.total.AmountMinor {
		return malformed("subtotal %s plus tax %s is not the total %s", d.subtotal, d.tax, d.total)
	}
	return nil
}

// malformed builds the coded error Render returns for an inconsistent
// document: internal, because the domain should never hand one over.
func malformed(format string, args ...any) error {
	return domain.Internal(fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...)))
}
