// Package domain holds Tally's business model: organizations, members, the
// catalog, credit grants and the append-only ledger, and the services that
// apply the billing rules to them.
//
// The package depends on nothing but the standard library and small pure
// libraries. Storage, payment gateways and event delivery are interfaces
// declared here (Store, Publisher, Clock) and implemented in db and gateways;
// cmd/tally wires them together. Store is composed of small stores by
// concept (OrgStore, LedgerStore, OrderStore, …), so code that needs part of
// the persistence names only that part; how a database implements them
// (transactions, locks, round trips) is db's business.
//
// # Where each rule lives
//
// RULES.md, beside this file, is the rule book: every billing rule with its
// numbers and the function below that applies it.
//
// Every file is named for one concept and holds its types together with the
// Service methods that apply its rules.
//
// Buying credits, from checkout to money back:
//
//   - purchase.go: purchasePack, its input checks, the credit ceiling
//     checked before any money is asked for, and replaying a repeated key.
//   - pricing.go: the price of a pack (tax by country, installment
//     commission) and the installment options offered to an org.
//   - addon.go: recurring add-ons (RECURRING packs) of a subscription:
//     who may buy one, its term and price, its monthly grants, renewing
//     with the subscription or ending with it.
//   - extracredits.go: extra credits at the plan's own unit price (the
//     block and rounding rule, buyExtraCredits).
//   - topup.go: top-ups by amount: the catalog's rule per currency
//     (credits per unit, presets, minimum, maximum), the credits an
//     amount buys (rounded down), its TOP_UP line, topUpQuote and topUp
//     (purchasePack's path, paid with the default saved method when none
//     is named).
//   - quote.go: pricing a purchase before it is made, with the code that
//     prices the order.
//   - payment.go: starting a payment with the routed gateway, confirming
//     one the buyer approved, and how a decline is recorded and reported.
//   - settle.go: applying a gateway-reported payment state to an order
//     (valid transitions, credits collected once, holds for review).
//   - fulfil.go: a paid order made PAID: its credits granted with the
//     pack's validity and its invoice issued.
//   - invoice.go: invoices, numbered without gaps per year, never changed
//     once issued, and their reads.
//   - creditnote.go: credit notes, the documents refunds issue against an
//     invoice (own gap-free series per year, the tax share of a partial
//     refund, never more than the invoice's total), the invoice status
//     derived from them, and their reads.
//   - refund.go: money back on a paid order, the share of its credits
//     taken back (or not recoverable), and the credit note it issues.
//   - cancel.go: cancelling an order that is not paid yet (a draft is
//     discarded).
//   - orderitem.go: orders with several items: item kinds, pricing each
//     into its line (priceItems), one grant per item with its own validity
//     once paid (fulfilItems), refunds per item (refundItems).
//   - draft.go: draft orders: creating, editing (conditional writes at the
//     version read), checkout at the version the buyer saw, discarding
//     stale drafts.
//   - webhook.go: verifying gateway webhooks, applying each event once,
//     purging old event records.
//   - reconcile.go: re-checking orders a gateway left unsettled.
//   - autorecharge.go: auto-recharge settings (validated, idempotent),
//     checkAutoRecharge (one top-up in flight per org: the settings row's
//     lock plus the in-flight unique index), the period and its spending
//     limit, overage pricing (OverageQuote: SURCHARGE line, cap per
//     period), pausing on a failed charge (settle's hook) and resuming.
//   - autorecharge_worker.go: the background worker a committed spend
//     pokes (coalescing per org, off the debit's path) for auto-recharge
//     and low-balance checks, and its Close.
//   - order.go: the Order type, its status transitions, reads and the
//     orderUpdated stream.
//   - gateway.go: the gateway interfaces and the payment vocabulary.
//   - returnurl.go: which return URLs a hosted payment page may use.
//   - throttle.go: limits on purchase attempts and declines.
//   - paymentmethod.go: saved payment methods, the gateway side of saving
//     them (MethodVault) and their store.
//   - paymentmethod_service.go: saving a method (one customer per org and
//     gateway, the first becomes the default), confirming one that waited
//     for the buyer, removing one, the default, and chargeMethod, the
//     method an off-session charge uses.
//
// Plans and subscriptions:
//
//   - subscription.go: the Subscription, its states, pending changes and
//     what a subscription order does once paid (OrderSubscription).
//   - proration.go: periods counted from a fixed anchor, monthly resets,
//     proration by days left (the rule and its rounding), and pricing a
//     subscribe, a renewal or a change with the code every preview uses.
//   - subscribe.go: subscribing (INCOMPLETE until paid), routing the
//     payment to a saved method or a gateway, reads.
//   - subchange.go: previews, changing plan and seats (upgrades and added
//     seats now, downgrades, interval moves and seat removals at the
//     renewal), cancel, resume and auto-renewal.
//   - renewal.go: applying a paid subscription order, renewals charged off
//     session with the saved method (one paid renewal per period), PAST_DUE
//     on failure and paying again on session, monthly resets of included
//     credits on annual plans.
//   - dunning.go: failed renewals ("Failed payments" of the billing rules): the
//     schedule (DunningConfig), the grace started by the first failure,
//     off-session retries, suspension after the grace and closing after
//     the retention (DueDunning/AdvanceDunning, the dunning_due sweep), a
//     new card paying at once, what a SUSPENDED or CLOSED org may still
//     buy (checkBuyer), and the org events of each step; the restore is in
//     applySubscriptionOrder and fulfil (renewalPaidTx).
//   - subread.go: previewChange pricing, included credits left, the
//     subscriptionUpdated stream.
//   - paymentmethod.go: saved payment methods and the gateway vault they
//     are saved in.
//
// Credits and the ledger:
//
//   - ledger.go: the ledger engine every balance change goes through
//     (applyOps: one transaction per batch, the MaxCredits ceiling, input
//     validation, the append-only entries it writes).
//   - idempotency.go: the one idempotency path of every money mutation
//     (once: find the key, compare the request, replay the first result or
//     run and record the key in the effect's transaction, retry when a
//     concurrent duplicate recorded first), purging old records.
//   - combine.go: batching concurrent consumes of one org into one write.
//   - spend.go: consuming credits and the spending order across grants.
//   - grant.go: grant kinds, granting credits and grant reads.
//   - expiry.go: when credits expire and expiring them when due.
//   - testclock.go: ManualClock, the clock development and test servers
//     run on, and moving it (platform admins), which runs the due work
//     (expiry, …) at once.
//   - freecredits.go: the Free plan's monthly FREE credits and their
//     per-org schedule (ResetFreeCredits).
//   - balance.go: balance reads and the balanceUpdated stream.
//   - entry.go: ledger entries and reading the ledger (scoped per role).
//   - usage.go: the usage report of one metering period (credits
//     consumed and each metered metric against the plan's limits, org-wide
//     or the caller's own as ledgerScope says, any past period by a time
//     inside it) and the list of periods with usage.
//   - usage_meter.go: usage metering: the metrics (counters and the
//     STORAGE_BYTES gauge), periods on the plan's monthly reset, event
//     validation (ids, quantities, the time window), IngestUsage (one
//     transaction per batch: org-wide totals locked in one sorted order,
//     events deduplicated by (org, id), totals upserted, refuse or flag at
//     a limit, one USAGE_THRESHOLD_CROSSED event per level, metric and
//     period) and its UsageStore.
//   - extratransfer.go: extra credits raise the DATA_TRANSFER_BYTES
//     allowance: the plan's rule (whole blocks of credits, rounded down),
//     which orders count as extra credits (recorded when paid), refunds'
//     share, and the ExtraCreditStore.
//
// Billing history and notifications:
//
//   - orgevent.go: OrgEvent, the org's history of billing transitions and
//     the outbox of their emails (which kinds are mailed, recording one
//     transition once by its key).
//   - outbox.go: the events of orders, credit notes and subscriptions
//     (ORDER_PAID, ORDER_FAILED, ORDER_REFUNDED, CREDIT_NOTE_ISSUED,
//     SUBSCRIPTION_*), each recorded in the transaction of its change with
//     a key per transition: the outbox outbound webhooks are sent from,
//     and the detail keys they carry.
//   - history.go: reading the history (OWNER, BILLING) and the orgEvents
//     stream of new events.
//   - notification.go: the Mailer interface and DeliverNotification: the
//     OWNER and BILLING members' emails, the message rendered from
//     domain/notice (one template per kind, text and HTML), a renewal
//     receipt's invoice PDF, a Message-ID derived from the event, sent
//     once (and the one crash window where it is not).
//   - lowbalance.go: the low balance alert: setting its threshold, one
//     LOW_BALANCE event per crossing (checkLowBalance, after a spend and
//     from the periodic sweep), re-armed once the balance is back up.
//
// Outbound webhooks (the org's events posted to its backend; not the
// inbound gateway webhooks of webhook.go):
//
//   - endpoint.go: WebhookEndpoint and its store, creating (the secret
//     shown once), changing, deleting and rotating the secret of an
//     endpoint (OWNER, ADMIN), URL and event type validation.
//   - endpoint_delivery.go: WebhookDelivery and its attempts; the fan-out
//     of newly recorded org events (org_events is the outbox) to the
//     subscribed endpoints; DeliverWebhook: claim with a lease, sign
//     (Standard Webhooks, SignWebhook), post through the OutboundSender
//     (cmd/tally/internal/hookpost: no private addresses, no redirects),
//     record the attempt, back off over about three days, disable an
//     endpoint failing for too long; redelivery and the test event.
//
// Orgs, people and access:
//
//   - org.go: organizations, their status, and creation with the
//     sign-up grant.
//   - member.go: roles, memberships, role changes and owner rules.
//   - ownership.go: handing an org to another member (OWNER only) and the
//     org lock every member change takes (lockOrgAs).
//   - orgdelete.go: deleting an org: refused while money is in flight;
//     orders, invoices and the ledger kept, credits forfeited, access
//     removed.
//   - invitation.go: inviting members and accepting invitations.
//   - seats.go: seat usage.
//   - user.go, actor.go: users and who is calling.
//   - session.go: telling long-lived sessions a credential was revoked.
//   - apikey.go, keycache.go: org API keys and their cache.
//   - policy.go: the role table and every authorization check.
//   - catalog.go: plans and packs, their prices and loading the catalog.
//
// Plumbing: service.go (the Service and its configuration), store.go (the
// storage interfaces), events.go (event delivery), errors.go (error codes),
// money.go (currencies and amounts), ids.go (identifiers and secrets).
package domain
