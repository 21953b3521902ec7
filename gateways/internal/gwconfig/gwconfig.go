// Package gwconfig holds the checks the gateway packages' Configs share;
// each Config keeps its own fields, defaults and messages' provider name.
package gwconfig

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/tallyhq/tally/domain"
)

// HTTPURL reports whether s is an absolute http or https URL with a host.
func HTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Currencies returns a copy of list, or of def when list is empty, after
// checking that Tally supports each; the error names provider and the first
// unsupported currency.
func Currencies(provider string, list, def []domain.Currency) ([]domain.Currency, error) {
	if len(list) == 0 {
		list = def
	}
	for _, c := range list {
		if !c.Valid() {
			return nil, fmt.Errorf("%s: unsupported currency %q", provider, c)
		}
	}
	return slices.Clone(list), nil
}
