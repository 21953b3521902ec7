package graph

import (
	"context"

	"github.com/tallyhq/tally/domain"
	"github.com/tallyhq/tally/graph/model"
)

// node loads the object a decoded global ID names, through the Service
// method that authorizes reading it; an unknown type is NOT_FOUND.
func (r *Resolver) node(ctx context.Context, typ, id string) (model.Node, error) {
	switch typ {
	case typeOrg:
		o, err := r.svc.Org(ctx, id)
		if err != nil {
			return nil, err
		}
		return toOrg(o), nil
	case typeUser:
		u, _, err := r.svc.Viewer(ctx) // a user can see their own user only
		if err != nil {
			return nil, err
		}
		if u.ID != id {
			return nil, domain.NotFound("user")
		}
		return toUser(u), nil
	case typeCreditGrant:
		g, err := r.svc.Grant(ctx, id)
		if err != nil {
			return nil, err
		}
		return toGrant(g), nil
	case typeLedgerEntry:
		e, err := r.svc.LedgerEntry(ctx, id)
		if err != nil {
			return nil, err
		}
		return toLedgerEntry(e), nil
	case typeInvitation:
		inv, err := r.svc.Invitation(ctx, id)
		if err != nil {
			return nil, err
		}
		return toInvitation(inv), nil
	case typeWebhookEndpoint:
		e, err := r.svc.WebhookEndpoint(ctx, id)
		if err != nil {
			return nil, err
		}
		return toWebhookEndpoint(e), nil
	case typeWebhookDelivery:
		d, err := r.svc.WebhookDelivery(ctx, id)
		if err != nil {
			return nil, err
		}
		return toWebhookDelivery(d), nil
	case typeAPIKey:
		k, err := r.svc.APIKey(ctx, id)
		if err != nil {
			return nil, err
		}
		return toAPIKey(k), nil
	case typePlan:
		p, err := r.svc.Plan(ctx, id)
		if err != nil {
			return nil, err
		}
		return toPlan(p), nil
	case typeOrder:
		o, err := r.svc.Order(ctx, id)
		if err != nil {
			return nil, err
		}
		return toOrder(o), nil
	case typeInvoice:
		inv, err := r.svc.Invoice(ctx, id)
		if err != nil {
			return nil, err
		}
		return toInvoice(inv), nil
	case typeCreditNote:
		cn, err := r.svc.CreditNote(ctx, id)
		if err != nil {
			return nil, err
		}
		return toCreditNote(cn), nil
	case typeSubscription:
		sub, err := r.svc.SubscriptionByID(ctx, id)
		if err != nil {
			return nil, err
		}
		return toSubscription(sub), nil
	case typePack:
		p, err := r.svc.Pack(ctx, id)
		if err != nil {
			return nil, err
		}
		return toPack(p), nil
	case typePaymentMethod:
		m, err := r.svc.PaymentMethod(ctx, id)
		if err != nil {
			return nil, err
		}
		return toPaymentMethod(m), nil
	}
	return nil, domain.NotFound(typ)
}
