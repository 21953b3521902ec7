package graph

import (
	"context"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// plan reads a subscription's plan (a plan no longer sold included).
func (r *Resolver) plan(ctx context.Context, id string) (*model.Plan, error) {
	p, err := r.svc.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	return toPlan(p), nil
}

// setSubscription runs one of the keyed switches of an org's subscription
// (cancelSubscription, resumeSubscription, setAutoRenew).
func (r *Resolver) setSubscription(ctx context.Context, orgID string, in domain.SubscriptionSetting,
	set func(context.Context, domain.SubscriptionSetting) (domain.Subscription, error),
) (*model.Subscription, error) {
	id, err := decodeIDOf("orgId", orgID, typeOrg)
	if err != nil {
		return nil, err
	}
	in.OrgID = id
	sub, err := set(ctx, in)
	if err != nil {
		return nil, err
	}
	return toSubscription(sub), nil
}
