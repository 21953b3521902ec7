package stripe

import (
	"context"
	"strings"

	stripe "github.com/stripe/stripe-go/v76"

	"github.com/tallyhq/tally/domain"
)

// orgMetadataKey tags a Stripe customer (and a PaymentIntent) with the org.
const orgMetadataKey = "tally_org_id"

// customerID returns the Stripe customer of the org, finding it by its
// tally_org_id metadata or creating it, and remembers it. An org without an
// id pays without a customer.
//
// Stripe's search index lags new customers by up to a minute; the create
// carries the idempotency key "customer-"+orgID, so a create that follows a
// search that missed a fresh customer gets that customer back instead of a
// second one (for the 24 hours Stripe keeps idempotency keys, by which time
// search has caught up).
func (g *Gateway) customerID(ctx context.Context, c domain.Customer) (string, error) {
	if c.OrgID == "" {
		return "", nil
	}
	g.mu.Lock()
	id, ok := g.customers[c.OrgID]
	g.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := g.findCustomer(ctx, c.OrgID)
	if err != nil {
		return "", err
	}
	if id == "" {
		if id, err = g.createCustomer(ctx, c); err != nil {
			return "", err
		}
	}
	g.mu.Lock()
	g.customers[c.OrgID] = id
	g.mu.Unlock()
	return id, nil
}

// findCustomer searches for the customer tagged with orgID; "" when none.
func (g *Gateway) findCustomer(ctx context.Context, orgID string) (string, error) {
	params := &stripe.CustomerSearchParams{}
	params.Context = ctx
	params.Query = "metadata['" + orgMetadataKey + "']:'" + searchQuote(orgID) + "'"
	params.Limit = stripe.Int64(10)
	params.Single = true
	it := g.api.Customers.Search(params)
	for it.Next() {
		// The query already matches the metadata; checking again guards
		// against a lax search (stripe-mock answers any query with fixtures).
		if c := it.Customer(); c.Metadata[orgMetadataKey] == orgID && !c.Deleted {
			return c.ID, nil
		}
	}
	if err := it.Err(); err != nil {
		return "", mapError(err, "customer")
	}
	return "", nil
}

// forgetCustomer drops the org's customer after Stripe said it does not
// exist (deleted in the Dashboard), so the next payment makes a new one.
func (g *Gateway) forgetCustomer(orgID, customerID string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.customers[orgID] == customerID {
		delete(g.customers, orgID)
		g.vanished[orgID] = customerID
	}
}

// createCustomer creates the org's customer, idempotently per org. The key
// of a customer replacing a vanished one names the vanished one: the plain
// key would replay the deleted customer for Stripe's 24 hours, while every
// instance that saw the same customer vanish still agrees on the new key.
func (g *Gateway) createCustomer(ctx context.Context, c domain.Customer) (string, error) {
	params := &stripe.CustomerParams{Metadata: map[string]string{orgMetadataKey: c.OrgID}}
	params.Context = ctx
	key := "customer-" + c.OrgID
	g.mu.Lock()
	if old := g.vanished[c.OrgID]; old != "" {
		key += "-after-" + old
	}
	g.mu.Unlock()
	if err := setIdempotencyKey(&params.Params, key); err != nil {
		return "", err
	}
	if c.Name != "" {
		params.Name = stripe.String(c.Name)
	}
	if c.Email != "" {
		params.Email = stripe.String(c.Email)
	}
	cus, err := g.api.Customers.New(params)
	if err != nil {
		return "", mapError(err, "customer")
	}
	return cus.ID, nil
}

// searchQuote escapes a value for a single-quoted term of Stripe's search
// query language.
func searchQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s)
}
