package domain

import (
	"fmt"
	"strings"
	"time"
)

// Periods and proration.
//
// A subscription's periods are counted from its anchor (the moment it was
// first paid) in whole months, twelve of them for an annual plan. Adding
// months keeps the anchor's day and time of day and clamps the day to the
// month's last day, so an anchor on 31 January gives 28 (or 29) February,
// 31 March, 30 April: every period end is computed from the anchor, never
// from the previous end, and the renewal date never drifts.
//
// Proration charges the part of a period that is left, by days:
//
//	amount × daysLeft / daysInPeriod, rounded half up to the minor unit
//
// where daysInPeriod is the number of days from the period's start to its
// end and daysLeft the number of days from now to the end, a started day
// counting as a whole day left (so a change on the period's first day pays
// the whole period, one on its last day one day). Amounts per seat are
// prorated first and multiplied by the seat count after, so an order line's
// unit price times its quantity is its amount. Included credits granted
// with a change are prorated the same way over the current month of
// credits, rounded down.

// AddMonths returns t plus n months with t's day clamped to the last day of
// the resulting month; time of day and location are kept.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// IntervalMonths is the length of a billing interval in months.
func IntervalMonths(i BillingInterval) int {
	if i == Annually {
		return 12
	}
	return 1
}

// PeriodBounds returns the start and end of the k-th period (0 first) of a
// subscription anchored at anchor on a plan billed every interval.
func PeriodBounds(anchor time.Time, interval BillingInterval, k int) (time.Time, time.Time) {
	m := IntervalMonths(interval)
	return AddMonths(anchor, k*m), AddMonths(anchor, (k+1)*m)
}

// NextReset returns the first monthly reset of included credits after t
// for a subscription anchored at anchor: the anchor plus a whole number of
// months.
func NextReset(anchor, t time.Time) time.Time {
	// Start from an estimate and correct it; month lengths differ.
	n := (t.Year()-anchor.Year())*12 + int(t.Month()) - int(anchor.Month()) - 1
	n = max(n, 0)
	for !AddMonths(anchor, n).After(t) {
		n++
	}
	for n > 1 && AddMonths(anchor, n-1).After(t) {
		n--
	}
	return AddMonths(anchor, n)
}

// day is the unit of proration.
const day = 24 * time.Hour

// ProrationDays returns the days left in [start, end) at now (a started day
// counts as whole) and the days in the period. Both are at least 1 for a
// non-empty period; daysLeft is 0 when now is at or after end.
func ProrationDays(now, start, end time.Time) (left, total int64) {
	total = max(int64((end.Sub(start)+day/2)/day), 1)
	if !now.Before(end) {
		return 0, total
	}
	if now.Before(start) {
		now = start
	}
	left = int64((end.Sub(now) + day - 1) / day)
	return min(left, total), total
}

// prorate returns amount × left / total rounded half up (amount ≥ 0).
func prorate(amount, left, total int64) int64 {
	if total <= 0 || left <= 0 || amount <= 0 {
		return 0
	}
	return (amount*left*2 + total) / (total * 2)
}

// ChangeKind says what a subscription change is and when it takes effect.
type ChangeKind string

// Subscription change kinds.
const (
	// ChangeSubscribe: a new subscription, charged for its first period.
	ChangeSubscribe ChangeKind = "SUBSCRIBE"
	// ChangeUpgrade: a dearer plan (or more seats with it) in the same
	// interval; charged now for the rest of the period with credit for the
	// unused part of the old one.
	ChangeUpgrade ChangeKind = "UPGRADE"
	// ChangeAddSeats: more seats on the same plan, charged now pro rata.
	ChangeAddSeats ChangeKind = "ADD_SEATS"
	// ChangeDowngrade: a cheaper plan, or a plan of the other interval;
	// scheduled for the end of the period, nothing charged now.
	ChangeDowngrade ChangeKind = "DOWNGRADE"
	// ChangeRemoveSeats: fewer seats, scheduled for the end of the period.
	ChangeRemoveSeats ChangeKind = "REMOVE_SEATS"
	// ChangeRenew: the next period, charged in full.
	ChangeRenew ChangeKind = "RENEW"
	// ChangeNone: the subscription already is what was asked for.
	ChangeNone ChangeKind = "NONE"
)

// SubscriptionQuote is a priced subscription change: what is charged now
// (the embedded Quote; zero Total for a scheduled change) and what the
// subscription becomes.
type SubscriptionQuote struct {
	Quote
	Kind ChangeKind
	// Immediate changes are charged and applied now; the others are
	// scheduled for EffectiveAt (the period's end) at no charge now.
	Immediate   bool
	EffectiveAt time.Time
	Plan        Plan
	Seats       int
	// PeriodStart and PeriodEnd are the period the charge pays for (the
	// rest of the current period for a change).
	PeriodStart time.Time
	PeriodEnd   time.Time
	// Renewal is what the next renewal will charge (tax included) once the
	// change is made.
	Renewal Money
}

// PriceTarget is everything a subscription price depends on besides the
// plans: the org's currency, country (tax) and installment count.
type PriceTarget struct {
	Currency     Currency
	Country      string
	Installments int
}

// planLine is a PLAN line: seats of plan at unit each.
func planLine(p Plan, seats int, unit Money, what string) OrderLine {
	return OrderLine{
		Kind: LinePlan, Description: fmt.Sprintf("%s (%s), %s", p.Name, intervalWord(p.Interval), what),
		Quantity: int64(seats), UnitPrice: unit, Amount: Money{AmountMinor: unit.AmountMinor * int64(seats), Currency: unit.Currency},
	}
}

func intervalWord(i BillingInterval) string {
	if i == Annually {
		return "annual"
	}
	return "monthly"
}

func seatWord(n int) string {
	if n == 1 {
		return "1 seat"
	}
	return fmt.Sprintf("%d seats", n)
}

// planPrice is the per-seat price of p in t's currency.
func planPrice(p Plan, c Currency, field string) (Money, error) {
	pr, ok := p.PriceIn(c)
	if !ok {
		return Money{}, InvalidInput(field, "plan %s is not sold in %s", p.Code, c)
	}
	return pr.Money(), nil
}

// PriceSubscribe prices a new subscription to plan for seats: its first
// full period from now, with the first month's included credits.
func PriceSubscribe(cfg PricingConfig, plan Plan, seats int, t PriceTarget, now time.Time) (SubscriptionQuote, error) {
	unit, err := planPrice(plan, t.Currency, "planId")
	if err != nil {
		return SubscriptionQuote{}, err
	}
	if unit.AmountMinor <= 0 {
		return SubscriptionQuote{}, InvalidInput("planId", "plan %s is free: an org is on it without subscribing", plan.Code)
	}
	start, end := PeriodBounds(now, plan.Interval, 0)
	lines := []OrderLine{planLine(plan, seats, unit, seatWord(seats))}
	q, err := finishQuote(cfg, lines, t)
	if err != nil {
		return SubscriptionQuote{}, err
	}
	q.Credits = plan.IncludedCreditsPerSeat * int64(seats)
	return SubscriptionQuote{
		Quote: q, Kind: ChangeSubscribe, Immediate: true, EffectiveAt: now, Plan: plan, Seats: seats,
		PeriodStart: start, PeriodEnd: end, Renewal: q.Total,
	}, nil
}

// PriceRenewal prices the next full period of plan for seats, with the
// PACK lines of the add-ons renewing with it (addons).
func PriceRenewal(cfg PricingConfig, plan Plan, seats int, t PriceTarget, start, end time.Time, addons ...OrderLine) (SubscriptionQuote, error) {
	unit, err := planPrice(plan, t.Currency, "planId")
	if err != nil {
		return SubscriptionQuote{}, err
	}
	lines := []OrderLine{planLine(plan, seats, unit, fmt.Sprintf("%s, %s to %s", seatWord(seats), start.Format(time.DateOnly), end.Format(time.DateOnly)))}
	lines = append(lines, addons...)
	q, err := finishQuote(cfg, lines, t)
	if err != nil {
		return SubscriptionQuote{}, err
	}
	q.Credits = plan.IncludedCreditsPerSeat * int64(seats)
	return SubscriptionQuote{
		Quote: q, Kind: ChangeRenew, Immediate: true, EffectiveAt: start, Plan: plan, Seats: seats,
		PeriodStart: start, PeriodEnd: end, Renewal: q.Total,
	}, nil
}

// ChangeInput is a change of an active subscription: its current plan and
// seats, the plan and seats asked for, the current period, the next
// monthly reset of included credits and now.
type ChangeInput struct {
	Current      Plan
	CurrentSeats int
	Next         Plan
	Seats        int
	PeriodStart  time.Time
	PeriodEnd    time.Time
	ResetStart   time.Time // start of the current month of included credits
	NextReset    time.Time
	Now          time.Time
}

// PriceChange prices a change of plan and/or seats:
//   - the same plan and seats: ChangeNone;
//   - another interval (monthly ↔ annual): scheduled for the period's end,
//     when the next renewal charges the new plan for its own interval;
//   - the same plan, more seats: ADD_SEATS now, the added seats at the
//     plan's price prorated;
//   - the same plan, fewer seats: REMOVE_SEATS at the period's end;
//   - another plan of the same interval whose price for the new seats is
//     higher than the current plan's for the current seats: UPGRADE now,
//     the new plan prorated minus the unused part of the current one (a
//     PRORATION line), with the included credits the change adds
//     prorated over the current month;
//   - otherwise DOWNGRADE at the period's end.
func PriceChange(cfg PricingConfig, in ChangeInput, t PriceTarget) (SubscriptionQuote, error) {
	cur, err := planPrice(in.Current, t.Currency, "planId")
	if err != nil {
		return SubscriptionQuote{}, err
	}
	next, err := planPrice(in.Next, t.Currency, "planId")
	if err != nil {
		return SubscriptionQuote{}, err
	}
	renewal, err := PriceRenewal(cfg, in.Next, in.Seats, t, in.PeriodEnd, AddMonths(in.PeriodEnd, IntervalMonths(in.Next.Interval)))
	if err != nil {
		return SubscriptionQuote{}, err
	}
	sq := SubscriptionQuote{
		Plan: in.Next, Seats: in.Seats, EffectiveAt: in.PeriodEnd, PeriodStart: in.Now, PeriodEnd: in.PeriodEnd,
		Renewal: renewal.Total,
	}
	zero, _ := finishQuote(cfg, nil, t)
	sq.Quote = zero
	samePlan := in.Current.ID == in.Next.ID
	curAmount, nextAmount := cur.AmountMinor*int64(in.CurrentSeats), next.AmountMinor*int64(in.Seats)
	switch {
	case samePlan && in.Seats == in.CurrentSeats:
		sq.Kind, sq.EffectiveAt = ChangeNone, in.Now
		return sq, nil
	case in.Current.Interval != in.Next.Interval:
		sq.Kind = ChangeDowngrade
		return sq, nil
	case samePlan && in.Seats < in.CurrentSeats:
		sq.Kind = ChangeRemoveSeats
		return sq, nil
	case !samePlan && nextAmount <= curAmount:
		sq.Kind = ChangeDowngrade
		return sq, nil
	}
	left, total := ProrationDays(in.Now, in.PeriodStart, in.PeriodEnd)
	cLeft, cTotal := ProrationDays(in.Now, in.ResetStart, in.NextReset)
	var lines []OrderLine
	var credits int64
	if samePlan {
		added := in.Seats - in.CurrentSeats
		unit := Money{AmountMinor: prorate(next.AmountMinor, left, total), Currency: t.Currency}
		lines = append(lines, OrderLine{
			Kind: LineSeats, Description: fmt.Sprintf("%s on %s (%s), %d of %d days", seatWord(added), in.Next.Name, intervalWord(in.Next.Interval), left, total),
			Quantity: int64(added), UnitPrice: unit, Amount: Money{AmountMinor: unit.AmountMinor * int64(added), Currency: t.Currency},
		})
		credits = in.Next.IncludedCreditsPerSeat * int64(added) * cLeft / cTotal
		sq.Kind = ChangeAddSeats
	} else {
		unit := Money{AmountMinor: prorate(next.AmountMinor, left, total), Currency: t.Currency}
		lines = append(lines, planLine(in.Next, in.Seats, unit, fmt.Sprintf("%s, %d of %d days", seatWord(in.Seats), left, total)))
		back := Money{AmountMinor: -prorate(cur.AmountMinor, left, total), Currency: t.Currency}
		lines = append(lines, OrderLine{
			Kind: LineProration, Description: fmt.Sprintf("Unused time on %s (%s), %d of %d days", in.Current.Name, seatWord(in.CurrentSeats), left, total),
			Quantity: int64(in.CurrentSeats), UnitPrice: back, Amount: Money{AmountMinor: back.AmountMinor * int64(in.CurrentSeats), Currency: t.Currency},
		})
		more := in.Next.IncludedCreditsPerSeat*int64(in.Seats) - in.Current.IncludedCreditsPerSeat*int64(in.CurrentSeats)
		credits = max(more, 0) * cLeft / cTotal
		sq.Kind = ChangeUpgrade
	}
	q, err := finishQuote(cfg, lines, t)
	if err != nil {
		return SubscriptionQuote{}, err
	}
	q.Credits = credits
	sq.Quote, sq.Immediate, sq.EffectiveAt = q, true, in.Now
	return sq, nil
}

// finishQuote adds to the item lines the installment commission (from the
// configured count up, on the items' sum) and the tax at the country's
// rate, both rounded half up. A negative sum (credit beyond the charge) is
// refused: callers price only changes that cost something.
func finishQuote(cfg PricingConfig, lines []OrderLine, t PriceTarget) (Quote, error) {
	n := max(t.Installments, 1)
	if err := cfg.checkInstallments(n); err != nil {
		return Quote{}, err
	}
	if n > 1 && !cfg.installmentsAllowed(t.Country, t.Currency) {
		return Quote{}, InvalidInput("installments", "installments are only offered to orgs in %s paying in %s",
			strings.Join(cfg.InstallmentCountries, ", "), joinCurrencies(cfg.InstallmentCurrencies))
	}
	var items int64
	for _, l := range lines {
		items += l.Amount.AmountMinor
	}
	if items < 0 {
		return Quote{}, Errorf(CodeInternal, "a change priced below zero")
	}
	subtotal := items
	var plan *InstallmentPlan
	if n > 1 {
		bp := cfg.InstallmentCommission[n]
		commission := Money{AmountMinor: basisPoints(items, bp), Currency: t.Currency}
		if commission.AmountMinor > 0 {
			lines = append(lines, OrderLine{
				Kind:        LineInstallmentCommission,
				Description: fmt.Sprintf("Installment commission (%d × %s)", n, percent(bp)),
				Quantity:    1, UnitPrice: commission, Amount: commission,
			})
			subtotal += commission.AmountMinor
		}
		plan = &InstallmentPlan{Count: n, Commission: commission}
	}
	rate := cfg.TaxRates[t.Country]
	tax := basisPoints(subtotal, rate)
	q := Quote{
		Lines:     lines,
		Subtotal:  Money{AmountMinor: subtotal, Currency: t.Currency},
		TaxRateBP: rate,
		Tax:       Money{AmountMinor: tax, Currency: t.Currency},
		Total:     Money{AmountMinor: subtotal + tax, Currency: t.Currency},
	}
	if plan != nil {
		plan.Total = q.Total
		plan.Amount = Money{AmountMinor: divRoundUp(q.Total.AmountMinor, int64(n)), Currency: t.Currency}
		q.Installments = plan
	}
	return q, nil
}
