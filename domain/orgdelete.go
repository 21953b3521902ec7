package domain

import (
	"context"
	"fmt"
	"time"
)

// DeleteOrgInput is what deleteOrg takes: the org and, to confirm, its
// name exactly as it is.
type DeleteOrgInput struct {
	OrgID       string
	ConfirmName string
}

// OrgDeletion is the outcome of DeleteOrg.
type OrgDeletion struct {
	OrgID     string
	DeletedAt time.Time
	// CreditsForfeited is the balance the org had; it went with the org.
	CreditsForfeited int64
}

// DeletedOrgName replaces a deleted org's name: the name a customer gave
// their org may name a person, and nothing needs it any more. Invoices keep
// the name they were issued to (BilledTo), unchanged.
const DeletedOrgName = "Deleted org"

// inFlightStatuses are the order statuses in which money may still move:
// the payment has not settled. Orders held for review (Order.Review) count
// too, whatever their status. Refunds are recorded when the provider
// accepts them (RefundOrder), so a started refund leaves no state to wait for.
var inFlightStatuses = []OrderStatus{OrderPending, OrderRequiresAction, OrderProcessing}

// neverInvoicedStatuses are the statuses of orders that never became an
// invoice; their checkout invoice details are personal data no record
// needs once the org is deleted.
var neverInvoicedStatuses = []OrderStatus{OrderFailed, OrderCanceled}

// DeleteOrg deletes an org for good (OWNER only; API keys never). It is
// refused with CONFLICT while money is in flight: an order not yet paid,
// failed or canceled, or one held for review. Otherwise, in one
// transaction under the org's lock (so no spend, grant, role change or
// second deletion runs in between):
//
//   - the remaining credits are forfeited: one ADJUST entry per open grant
//     takes its remainder to zero, so the ledger still sums to the balance
//     (now 0). ADJUST and not a new entry kind, because the API's entry
//     kinds are a closed list clients switch on, and ADJUST is what a
//     balance correction made by someone, not by time, already is;
//   - the org is marked deleted and CLOSED and its name replaced by
//     DeletedOrgName; its orders, invoices and ledger stay, as the law asks;
//   - invoice details of orders that never became an invoice are removed;
//   - its invitations and webhook endpoints are deleted, its API keys
//     revoked, its members removed and its saved payment methods
//     forgotten.
//
// After commit the saved methods are removed at their gateways too (best
// effort, see detachMethods), the keys are dropped from this instance's key cache and
// announced revoked to every instance, and each former member's sessions
// are told their membership changed. From then on the org is in nobody's
// memberships and every operation on it answers NOT_FOUND (a grant by a
// platform admin included, see GrantCredits); a spend by a key another
// instance still caches is refused, the org being CLOSED with no credits;
// money a gateway still collects for one of its failed or canceled orders
// grants nothing: the order is held for review (fulfil). A purchase racing
// the deletion either makes its order first, and the deletion is refused,
// or finds the org deleted (OrderStore.CreateOrder).
//
// deleteOrg takes no idempotency key: a repeat cannot have a second
// effect, it answers NOT_FOUND. Codes: UNAUTHENTICATED, NOT_FOUND,
// FORBIDDEN, INVALID_INPUT (confirmName), CONFLICT.
func (s *Service) DeleteOrg(ctx context.Context, in DeleteOrgInput) (OrgDeletion, error) {
	acc, err := s.authorize(ctx, in.OrgID, ActionOwn)
	if err != nil {
		return OrgDeletion{}, err
	}
	var (
		out     OrgDeletion
		members []string
		keys    []string
		methods []PaymentMethod
		version int64
	)
	err = s.store.InTx(ctx, func(tx Store) error {
		if _, err := s.lockOrgAs(ctx, tx, in.OrgID, acc, ActionOwn); err != nil {
			return err
		}
		org, err := tx.OrgByID(ctx, in.OrgID)
		if err != nil {
			return err
		}
		if org.DeletedAt != nil {
			return NotFound("org")
		}
		if in.ConfirmName != org.Name {
			return InvalidInput("confirmName", "must be the org's name exactly as it is shown, to confirm its deletion")
		}
		// Marked first, counted after: a purchase creating an order waits
		// for the mark or is seen by the count (OrderStore.CreateOrder
		// refuses a deleted org). A refusal rolls the mark back.
		now := s.clock.Now()
		if err := tx.MarkOrgDeleted(ctx, in.OrgID, DeletedOrgName, now); err != nil {
			return err
		}
		n, err := tx.CountOrdersInFlight(ctx, in.OrgID, inFlightStatuses)
		if err != nil {
			return err
		}
		if n > 0 {
			return Errorf(CodeConflict, "the org cannot be deleted while money is in flight: %s not settled yet (awaiting payment or held for review); cancel %s or wait until %s settled, then try again",
				plural(n, "order is", "orders are"), pick(n, "it", "them"), pick(n, "it is", "they are"))
		}
		res, err := s.applyCreditsTx(ctx, tx, in.OrgID, func(b *Balance, open []Grant, _ time.Time) (change, error) {
			out.CreditsForfeited = b.Total
			return forfeitChange(open, acc.Actor), nil
		})
		if err != nil {
			return err
		}
		version = res.Balance.Version
		if _, err := tx.ForgetInvoiceDetails(ctx, in.OrgID, neverInvoicedStatuses); err != nil {
			return err
		}
		if _, err := tx.DeleteOrgInvitations(ctx, in.OrgID); err != nil {
			return err
		}
		// Its webhook endpoints go, with their delivery logs: nothing is
		// posted about a deleted org.
		hooks, herr := tx.ListWebhookEndpoints(ctx, in.OrgID)
		if herr != nil {
			return herr
		}
		for _, h := range hooks {
			if err := tx.DeleteWebhookEndpoint(ctx, h.ID); err != nil {
				return err
			}
		}
		if keys, err = tx.RevokeOrgAPIKeys(ctx, in.OrgID, now); err != nil {
			return err
		}
		if members, err = tx.DeleteOrgMembers(ctx, in.OrgID); err != nil {
			return err
		}
		// Saved payment methods go: nothing may charge a deleted org.
		if methods, err = tx.ListPaymentMethods(ctx, in.OrgID); err != nil {
			return err
		}
		for _, m := range methods {
			if err := tx.DeletePaymentMethod(ctx, in.OrgID, m.ID); err != nil {
				return err
			}
		}
		out.OrgID, out.DeletedAt = in.OrgID, now
		return nil
	})
	if err != nil {
		return OrgDeletion{}, asDomainError(err)
	}
	for _, id := range keys {
		s.keys.forget(id)
		s.publish(ctx, Event{Kind: EventAPIKeyRevoked, OrgID: SystemTopic, RefID: id})
	}
	for _, id := range members {
		s.publishMembershipChanged(ctx, id)
	}
	s.detachMethods(ctx, methods)
	if out.CreditsForfeited > 0 {
		s.publish(ctx, Event{Kind: EventBalance, OrgID: in.OrgID, Version: version})
	}
	return out, nil
}

// forfeitChange takes every open grant's remainder to zero, one ADJUST
// entry per grant, caused by the owner who deleted the org.
func forfeitChange(open []Grant, by Actor) change {
	var ch change
	for _, g := range open {
		if g.Remaining <= 0 {
			continue
		}
		amt := g.Remaining
		g.Remaining = 0
		ch.touched = append(ch.touched, g)
		ch.entries = append(ch.entries, LedgerEntry{
			Kind: EntryAdjust, Amount: -amt, Reason: "credits forfeited: the org was deleted",
			Allocations: []Allocation{{GrantID: g.ID, Amount: -amt}},
			ActorKind:   by.Kind(), ActorID: by.ID(),
		})
	}
	return ch
}

// plural says n with the singular or plural noun: "1 order is", "3 orders are".
func plural(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, pick(n, one, many))
}

// pick chooses the singular or plural form for n.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// detachMethods removes a deleted org's saved methods at their gateways,
// so the cards are no longer stored there either. It is best effort: the
// methods are gone from Tally already, and a failure is logged for an
// operator to finish by hand.
func (s *Service) detachMethods(ctx context.Context, methods []PaymentMethod) {
	ctx = context.WithoutCancel(ctx)
	for _, m := range methods {
		_, vault, err := s.vault(m.Gateway)
		if err == nil {
			err = vault.RemoveMethod(ctx, m.Saved())
		}
		if err != nil {
			s.log.WarnContext(ctx, "a deleted org's saved payment method could not be removed at its gateway; remove it there by hand",
				"org", m.OrgID, "gateway", m.Gateway, "ref", m.Ref, "err", err)
		}
	}
}
