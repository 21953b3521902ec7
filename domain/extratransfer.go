package domain

import (
	"context"
	"time"
)

// Extra credits raise the data-transfer allowance (issue 16; seed 002).
//
// DATA_TRANSFER_BYTES is a counter like EVENTS, limited per period by the
// plan (UsageLimits.DataTransferBytes, 0 unlimited). Its limit in a period
// is the plan's plus what the extra credits paid in that period add: for
// the plan's rule (Plan.ExtraCredits, from the catalog)
//
//	extra bytes = ⌊net extra credits paid in the period ÷ DataTransferBlockCredits⌋ × DataTransferPerBlock
//
// Blocks are whole and rounded down: with blocks of 10,000 credits, 19,999
// credits are one block. The credits of every counted order paid in the
// period are added up before the division, so two purchases of 6,000 make
// one block.
//
// Extra credits are credits bought on top of a paid plan: the credits of
// an order that buys credits alone (buyExtraCredits, purchasePack of a
// NEVER or BILLING_CYCLE pack, an auto-recharge top-up in PACK or OVERAGE
// mode) paid while the org has a paid subscription (any live one that is
// not INCOMPLETE, the subscriptions whose plan metering uses). Never
// counted: a subscription's included credits, RECURRING add-ons (their
// credits come with the subscription each month), the Free plan's, sign-up,
// promotional and adjustment grants, and anything bought while on the Free
// plan. fulfil records a counted order with its credits and payment time in
// the transaction that makes it PAID (recordExtraCreditsTx).
//
// Refunds take back what the refund rule takes from the order's credits
// (refundCredits): an order counts credits − ⌊credits × refunded ÷ total⌋,
// so a fully refunded order counts nothing.
//
// Only the data-transfer limit grows; sessions, events, enrichments and
// storage keep the plan's limits. The allowance resets with the period: an
// order counts in the period containing its payment time only (its credits
// may last longer), and the next period starts from the plan's limit. An
// unlimited data-transfer limit stays unlimited. The rule applied is the
// org's current plan's, like the limits themselves (usagePlanOf).

// ExtraCreditsAllowance is a plan's rule for what extra credits add to the
// data-transfer allowance; the zero value adds nothing.
type ExtraCreditsAllowance struct {
	// DataTransferBlockCredits is the credits of one block.
	DataTransferBlockCredits int64
	// DataTransferPerBlock is the bytes one block adds to the period's
	// data-transfer limit.
	DataTransferPerBlock int64
}

// DataTransfer returns the bytes credits (net extra credits of one period)
// add: whole blocks only, ⌊credits ÷ block⌋ × bytes per block, at most
// MaxUsageTotal; 0 when the rule is off or credits is not positive.
func (a ExtraCreditsAllowance) DataTransfer(credits int64) int64 {
	if a.DataTransferBlockCredits <= 0 || a.DataTransferPerBlock <= 0 || credits <= 0 {
		return 0
	}
	blocks := credits / a.DataTransferBlockCredits
	if blocks > MaxUsageTotal/a.DataTransferPerBlock {
		return MaxUsageTotal
	}
	return blocks * a.DataTransferPerBlock
}

// ExtraCreditPurchase is one order's extra credits.
type ExtraCreditPurchase struct {
	OrderID string
	OrgID   string
	// Credits is what the order granted.
	Credits int64
	// PaidAt is when the order was paid: the period it counts in.
	PaidAt time.Time
	// OrderTotal and Refunded are the order's total and refunded amount
	// (minor units), as read with it; recording ignores them.
	OrderTotal int64
	Refunded   int64
}

// Net returns the credits that still count: Credits less the refund
// rule's share of them, ⌊Credits × Refunded ÷ OrderTotal⌋.
func (p ExtraCreditPurchase) Net() int64 {
	if p.OrderTotal <= 0 {
		return p.Credits
	}
	return p.Credits - mulDiv(p.Credits, min(max(p.Refunded, 0), p.OrderTotal), p.OrderTotal)
}

// NetExtraCredits adds up the net credits of ps (at most MaxCredits each;
// the sum stops at MaxUsageTotal).
func NetExtraCredits(ps []ExtraCreditPurchase) int64 {
	var sum int64
	for _, p := range ps {
		sum = min(sum+max(p.Net(), 0), MaxUsageTotal)
	}
	return sum
}

// ExtraCreditStore keeps the extra credits paid.
type ExtraCreditStore interface {
	// RecordExtraCredits records an order's extra credits once (a second
	// record of the order changes nothing).
	RecordExtraCredits(ctx context.Context, p ExtraCreditPurchase) error
	// ExtraCreditPurchases returns the org's extra credits paid in [from,
	// to), with each order's total and refunded amount, in one query.
	ExtraCreditPurchases(ctx context.Context, orgID string, from, to time.Time) ([]ExtraCreditPurchase, error)
}

// recordExtraCreditsTx records the credits of o, being paid at now, as
// extra credits when they count (see above): an order that buys credits
// alone, not an add-on, paid while the org has a paid subscription.
func (s *Service) recordExtraCreditsTx(ctx context.Context, tx Store, o *Order, now time.Time) error {
	credits := extraCreditsOf(o)
	if credits <= 0 {
		return nil
	}
	sub, err := tx.LiveSubscription(ctx, o.OrgID)
	if IsCode(err, CodeNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if sub.Status == SubIncomplete {
		return nil
	}
	return tx.RecordExtraCredits(ctx, ExtraCreditPurchase{OrderID: o.ID, OrgID: o.OrgID, Credits: credits, PaidAt: now})
}

// extraCreditsOf returns the credits of o that count as extra credits:
// all of an order that buys credits alone (not an add-on), or, for an
// order with items (checkoutOrder), its PACK items other than add-ons and
// its EXTRA_CREDITS items — also when the same order subscribes, since
// the subscription is applied before the items are granted. A refund of
// an order with items takes each item's credits back in proportion to the
// amount refunded, so the order-level share in Net holds for the sum.
func extraCreditsOf(o *Order) int64 {
	if o.Items == nil {
		if o.Subscription != nil || o.Validity == ValidityRecurring {
			return 0
		}
		return o.Credits
	}
	var n int64
	for _, it := range o.Items {
		if (it.Kind == ItemPack && it.Validity != ValidityRecurring) || it.Kind == ItemExtraCredits {
			n += it.Credits
		}
	}
	return n
}

// extraTransfer returns the net extra credits paid in period p and the
// bytes they add to the data-transfer limit of up's plan (0 when the
// plan's data transfer is unlimited): one read.
func extraTransfer(ctx context.Context, st ExtraCreditStore, orgID string, up usagePlan, p UsagePeriod) (credits, bytes int64, err error) {
	ps, err := st.ExtraCreditPurchases(ctx, orgID, p.Start, p.End)
	if err != nil {
		return 0, 0, err
	}
	credits = NetExtraCredits(ps)
	if up.limits.DataTransferBytes > 0 {
		bytes = up.extra.DataTransfer(credits)
	}
	return credits, bytes, nil
}

// limitWith returns the limit of metric m in a period whose extra credits
// add extraBytes to data transfer: the plan's, plus extraBytes for
// DATA_TRANSFER_BYTES when limited (at most MaxUsageTotal).
func (l UsageLimits) limitWith(m UsageMetric, extraBytes int64) int64 {
	limit := l.LimitOf(m)
	if m != MetricDataTransferBytes || limit <= 0 || extraBytes <= 0 {
		return limit
	}
	return min(limit, MaxUsageTotal-extraBytes) + extraBytes
}

// validLimits checks a catalog plan's limits and extra-credits rule:
// nothing negative, and the rule's two numbers both set or both 0.
func (p Plan) validLimits(field string) error {
	l := p.Limits
	if l.Sessions < 0 || l.Events < 0 || l.Enrichments < 0 || l.StorageBytes < 0 || l.DataTransferBytes < 0 {
		return InvalidInput(field+".limits", "limits must not be negative (0 is unlimited)")
	}
	a := p.ExtraCredits
	if a.DataTransferBlockCredits < 0 || a.DataTransferPerBlock < 0 ||
		(a.DataTransferBlockCredits == 0) != (a.DataTransferPerBlock == 0) {
		return InvalidInput(field+".extraCredits", "dataTransferBlockCredits and dataTransferPerBlock are both positive, or both 0 (extra credits add nothing)")
	}
	if a.DataTransferBlockCredits > MaxCredits {
		return InvalidInput(field+".extraCredits.dataTransferBlockCredits", "at most %d", MaxCredits)
	}
	return nil
}
