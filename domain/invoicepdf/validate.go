package invoicepdf

import (
	"errors"
	"fmt"

	"github.com/tallyhq/tally/domain"
)

// ErrMalformed is wrapped by Render's error when the invoice is inconsistent
// and printing it would produce a wrong document.
var ErrMalformed = errors.New("invoicepdf: malformed invoice")

// validate checks what the printed document asserts: it is numbered and
// dated, every amount is in the invoice's currency, the lines add up to the
// subtotal and subtotal plus tax to the total.
func validate(inv domain.Invoice) error {
	switch {
	case inv.Number == "":
		return malformed("no invoice number")
	case inv.IssuedAt.IsZero():
		return malformed("no issue date")
	case statusLabels[inv.Status] == "":
		return malformed("unknown status %q", inv.Status)
	case len(inv.Lines) == 0:
		return malformed("no lines")
	case inv.TaxRateBP < 0:
		return malformed("negative tax rate %d bp", inv.TaxRateBP)
	}
	cur := inv.Total.Currency
	if !cur.Valid() {
		return malformed("unsupported currency %q", cur)
	}
	type amount struct {
		name string
		m    domain.Money
	}
	amounts := []amount{{"subtotal", inv.Subtotal}, {"tax", inv.Tax}}
	for i, l := range inv.Lines {
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
	for _, l := range inv.Lines {
		sum += l.Amount.AmountMinor
	}
	if sum != inv.Subtotal.AmountMinor {
		return malformed("lines add up to %s, subtotal is %s",
			domain.Money{AmountMinor: sum, Currency: cur}, inv.Subtotal)
	}
	if inv.Subtotal.AmountMinor+inv.Tax.AmountMinor != inv.Total.AmountMinor {
		return malformed("subtotal %s plus tax %s is not the total %s", inv.Subtotal, inv.Tax, inv.Total)
	}
	if inv.Refunded < 0 || inv.Refunded > inv.Total.AmountMinor {
		return malformed("refunded %d minor units of a total of %s", inv.Refunded, inv.Total)
	}
	return nil
}

// malformed builds the coded error Render returns for an inconsistent
// invoice: internal, because the domain should never hand one over.
func malformed(format string, args ...any) error {
	return domain.Internal(fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...)))
}
