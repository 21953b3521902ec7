package gateways

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// ParseRules reads routing rules from their text form, one rule per
// ";"-separated part, first match first:
//
//	country=BR currency=BRL installments=2+ -> installments
//	method=PAYPAL -> paypal
//	* -> stripe, sandbox
//
// Conditions are space-separated key=value pairs with comma-separated
// values (country, currency, method) or a minimum (installments=N+); "*"
// matches every purchase. The gateways after "->" are tried in order.
func ParseRules(s string) ([]Rule, error) {
	var rules []Rule
	for i, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		cond, gws, ok := strings.Cut(part, "->")
		if !ok {
			return nil, fmt.Errorf("gateway rule %d %q: want CONDITIONS -> GATEWAYS", i+1, part)
		}
		var r Rule
		for _, g := range strings.Split(gws, ",") {
			if g = strings.TrimSpace(g); g != "" {
				r.Gateways = append(r.Gateways, g)
			}
		}
		if len(r.Gateways) == 0 {
			return nil, fmt.Errorf("gateway rule %d %q names no gateway", i+1, part)
		}
		for _, c := range strings.Fields(cond) {
			if c == "*" {
				continue
			}
			k, v, ok := strings.Cut(c, "=")
			if !ok || v == "" {
				return nil, fmt.Errorf("gateway rule %d: condition %q is not key=value", i+1, c)
			}
			vals := strings.Split(strings.ToUpper(v), ",")
			switch strings.ToLower(k) {
			case "country":
				r.Countries = append(r.Countries, vals...)
			case "currency":
				for _, cur := range vals {
					if !domain.Currency(cur).Valid() {
						return nil, fmt.Errorf("gateway rule %d: unsupported currency %q", i+1, cur)
					}
					r.Currencies = append(r.Currencies, domain.Currency(cur))
				}
			case "method":
				for _, m := range vals {
					if m != string(domain.MethodCard) && m != string(domain.MethodPayPal) {
						return nil, fmt.Errorf("gateway rule %d: unknown method %q", i+1, m)
					}
					r.Methods = append(r.Methods, domain.PaymentMethodKind(m))
				}
			case "installments":
				n, err := strconv.Atoi(strings.TrimSuffix(v, "+"))
				if err != nil || n < 1 || !strings.HasSuffix(v, "+") {
					return nil, fmt.Errorf("gateway rule %d: installments must be N+ with N of 1 or more, got %q", i+1, v)
				}
				r.MinInstallments = n
			default:
				return nil, fmt.Errorf("gateway rule %d: unknown condition %q (country, currency, method, installments)", i+1, k)
			}
		}
		rules = append(rules, r)
	}
	return rules, nil
}
