package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tallyhq/tally/graph/model"
)

// org resolves Query.org. When the query asks for the org's balance too,
// the org and its balance are authorized together and read in one
// statement (domain.Service.OrgWithBalance), the open grants only when the
// query asks for them; Org.balance then answers from the org.
func (r *queryResolver) org(ctx context.Context, orgID string) (*model.Org, error) {
	balance, grants := balanceSelected(ctx)
	if !balance {
		o, err := r.svc.Org(ctx, orgID)
		if err != nil {
			return nil, err
		}
		return toOrg(o), nil
	}
	o, b, ok, err := r.svc.OrgWithBalance(ctx, orgID, grants)
	if err != nil {
		return nil, err
	}
	out := toOrg(o)
	if ok {
		out.ReadBalance = toBalance(b)
	}
	return out, nil
}

// balanceSelected reports whether the selection of the field resolving in
// ctx (an Org) holds balance, and whether any balance holds grants.
func balanceSelected(ctx context.Context) (balance, grants bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return false, false
	}
	opCtx := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(opCtx, fc.Field.Selections, []string{"Org"}) {
		if f.Name != "balance" {
			continue
		}
		balance = true
		for _, g := range graphql.CollectFields(opCtx, f.Selections, []string{"Balance"}) {
			if g.Name == "grants" {
				grants = true
			}
		}
	}
	return balance, grants
}
