package gateways

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tallyhq/tally/domain"
)

// Rule sends purchases that match it to its gateways, in order of
// preference. Empty match fields match anything; a rule with Methods matches
// only purchases that name one of them.
type Rule struct {
	Countries  []string
	Currencies []domain.Currency
	Methods    []domain.PaymentMethodKind
	// MinInstallments matches purchases split into at least this many
	// installments (0 matches any).
	MinInstallments int
	Gateways        []string
}

func (r Rule) matches(req domain.RouteRequest) bool {
	if len(r.Countries) > 0 && !slices.Contains(r.Countries, strings.ToUpper(req.Country)) {
		return false
	}
	if len(r.Currencies) > 0 && !slices.Contains(r.Currencies, req.Currency) {
		return false
	}
	if len(r.Methods) > 0 && !slices.Contains(r.Methods, req.Method) {
		return false
	}
	return installments(req) >= r.MinInstallments
}

func installments(req domain.RouteRequest) int {
	if req.Installments < 1 {
		return 1
	}
	return req.Installments
}

// Registry holds the configured gateways by name and routes purchases to
// them. It implements domain.Gateways.
type Registry struct {
	byName map[string]domain.Gateway
	order  []string
	rules  []Rule
}

var _ domain.Gateways = (*Registry)(nil)

// New registers gws and the routing rules. With no rules, every gateway is
// a candidate for every purchase, in registration order, and the first
// whose capabilities fit wins.
func New(rules []Rule, gws ...domain.Gateway) (*Registry, error) {
	r := &Registry{byName: map[string]domain.Gateway{}}
	for _, g := range gws {
		if err := r.Register(g); err != nil {
			return nil, err
		}
	}
	for _, rule := range rules {
		for _, name := range rule.Gateways {
			if _, ok := r.byName[name]; !ok {
				return nil, fmt.Errorf("gateways: rule names unknown gateway %q", name)
			}
		}
	}
	r.rules = rules
	return r, nil
}

// Register adds a gateway under its name; a name registers once.
func (r *Registry) Register(g domain.Gateway) error {
	name := g.Name()
	if name == "" {
		return fmt.Errorf("gateways: a gateway needs a name")
	}
	if _, dup := r.byName[name]; dup {
		return fmt.Errorf("gateways: %q registered twice", name)
	}
	r.byName[name] = g
	r.order = append(r.order, name)
	return nil
}

// Get returns a registered gateway.
func (r *Registry) Get(name string) (domain.Gateway, bool) {
	g, ok := r.byName[name]
	return g, ok
}

// Names lists the registered gateways in registration order.
func (r *Registry) Names() []string { return slices.Clone(r.order) }

// candidates lists, in preference order, the gateways the rules allow for
// req.
func (r *Registry) candidates(req domain.RouteRequest) []string {
	if len(r.rules) == 0 {
		return r.order
	}
	var out []string
	for _, rule := range r.rules {
		if !rule.matches(req) {
			continue
		}
		for _, name := range rule.Gateways {
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// Route picks the gateway for a purchase: the explicit choice when the rules
// allow it and it can take the purchase, otherwise the first allowed gateway
// that can. INVALID_INPUT (field "gateway" or "installments") when none can.
func (r *Registry) Route(req domain.RouteRequest) (domain.Gateway, error) {
	allowed := r.candidates(req)
	if req.Gateway != "" {
		g, ok := r.byName[req.Gateway]
		if !ok {
			return nil, domain.InvalidInput("gateway", "unknown gateway %q", req.Gateway)
		}
		if !slices.Contains(allowed, req.Gateway) {
			return nil, domain.InvalidInput("gateway", "gateway %q is not available for this purchase", req.Gateway)
		}
		if err := Fits(g.Capabilities(), req); err != nil {
			return nil, err
		}
		return g, nil
	}
	var firstErr error
	for _, name := range allowed {
		g := r.byName[name]
		err := Fits(g.Capabilities(), req)
		if err == nil {
			return g, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil || installments(req) == 1 {
		return nil, domain.InvalidInput("gateway", "no payment gateway is available for this purchase")
	}
	return nil, firstErr
}

// Fits reports, as an INVALID_INPUT error, why a gateway with caps cannot
// take req; nil when it can.
func Fits(caps domain.GatewayCapabilities, req domain.RouteRequest) error {
	if len(caps.Countries) > 0 && !slices.Contains(caps.Countries, strings.ToUpper(req.Country)) {
		return domain.InvalidInput("gateway", "this gateway does not serve orgs in %q", req.Country)
	}
	if !slices.Contains(caps.Currencies, req.Currency) {
		return domain.InvalidInput("gateway", "this gateway does not charge in %s", req.Currency)
	}
	if req.Method != "" && !slices.Contains(caps.Methods, req.Method) {
		return domain.InvalidInput("gateway", "this gateway does not take %s payments", req.Method)
	}
	if n := installments(req); n > max(caps.MaxInstallments, 1) {
		return domain.InvalidInput("installments", "at most %d installments with this gateway", max(caps.MaxInstallments, 1))
	}
	return nil
}
