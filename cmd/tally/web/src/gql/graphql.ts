/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Saving a payment method with a gateway. */
export type AddPaymentMethodInput = {
  /** Name of the gateway to save with, e.g. "stripe" or "sandbox"; one that cannot save methods is INVALID_INPUT. */
  gateway: string;
  /** A key unique to this request: a retry with the same key and input returns the first method and saves nothing twice; with other input, CONFLICT. */
  idempotencyKey: string;
  /** Makes the method the org's default; the org's first method becomes the default anyway. */
  makeDefault?: boolean;
  /** Global ID of the org the method is for. */
  orgId: string | number;
  /** Where a hosted flow (3-D Secure page, approval) sends the buyer back to, under the rules of purchasePack's returnUrl. */
  returnUrl?: string | null | undefined;
  /** What the SPA collected: a Stripe PaymentMethod id (pm_…), a sandbox test card number; empty starts the gateway's hosted flow where it has one (PayPal). */
  token?: string;
};

/** What an automatic top-up buys. */
export type AutoRechargeMode =
  /** Overage units (10,000 credits by default) at the plan's own unit price plus a surcharge (30% by default, a SURCHARGE order line), at most as many credits per billing period as the plan includes. Needs a paid plan. */
  | 'OVERAGE'
  /** The configured pack, `quantity` of it, at the catalog price. */
  | 'PACK';

/** How often a plan is billed. */
export type BillingInterval =
  /** Every year (included credits still reset monthly). */
  | 'ANNUALLY'
  /** Every month. */
  | 'MONTHLY';

/** What a subscription change is and when it takes effect. */
export type ChangeKind =
  /** More seats on the same plan: the added seats charged now for the rest of the period; effective at once. */
  | 'ADD_SEATS'
  /** A cheaper plan, or one of the other billing interval: scheduled for the end of the period, nothing charged now. */
  | 'DOWNGRADE'
  /** Nothing to change: the subscription already has this plan and these seats (asking for it cancels a scheduled change). */
  | 'NONE'
  /** Fewer seats: scheduled for the end of the period, nothing charged now. */
  | 'REMOVE_SEATS'
  /** The next period, charged in full. */
  | 'RENEW'
  /** A new subscription, charged now for its first period. */
  | 'SUBSCRIBE'
  /** A dearer plan of the same interval: charged now for the rest of the period, less the unused part of the current plan (a PRORATION line); effective at once. */
  | 'UPGRADE';

/** What changePlan takes. */
export type ChangePlanInput = {
  /** A key unique to this change: a retry with the same key and input returns the first result; with other input, CONFLICT. */
  idempotencyKey: string;
  /** Global ID of the org (OWNER or BILLING). */
  orgId: string | number;
  /** What pays an upgrade now: the global ID of a saved PaymentMethod or a gateway-side token; null charges the subscription's saved method, or lets the buyer pay on the gateway's page when it has none. */
  paymentMethodId?: string | null | undefined;
  /** Global ID of the plan to move to. */
  planId: string | number;
  /** Where a hosted payment page sends the buyer back to, under the rules of `PurchasePackInput.returnUrl`. */
  returnUrl?: string | null | undefined;
  /** Seats on the new plan; null keeps the current seats. */
  seats?: number | null | undefined;
};

/** What changeSeats takes. */
export type ChangeSeatsInput = {
  /** A key unique to this change: a retry with the same key and input returns the first result; with other input, CONFLICT. */
  idempotencyKey: string;
  /** Global ID of the org (OWNER or BILLING). */
  orgId: string | number;
  /** What pays added seats now: the global ID of a saved PaymentMethod or a gateway-side token; null charges the subscription's saved method, or lets the buyer pay on the gateway's page when it has none. */
  paymentMethodId?: string | null | undefined;
  /** Where a hosted payment page sends the buyer back to, under the rules of `PurchasePackInput.returnUrl`. */
  returnUrl?: string | null | undefined;
  /** Seats wanted, 1 to 10,000; at least the org's members and pending invitations. */
  seats: number;
};

/** What checkoutOrder takes: the draft at the version the buyer saw, and how to pay, as for purchasePack. */
export type CheckoutOrderInput = {
  /** Name of the gateway to pay with; null lets the routing rules choose (a saved payment method fixes it). */
  gateway?: string | null | undefined;
  /** A key unique to this checkout: a retry with the same key and input returns the first order and makes no second payment; with other input, CONFLICT. */
  idempotencyKey: string;
  /** Number of installments to pay in, checked as purchasePack checks it: 1 (at once) to the server's configured maximum, more than 1 only where the org's country and currency allow it and a gateway takes it, an add-on's or seats' count the subscription's (INVALID_INPUT on `installments` otherwise, nothing charged). Null takes the draft's count. Another count charges the draft priced in that count: its `installmentOptions` entry at the version given. */
  installments?: number | null | undefined;
  /** Billing details for the invoice. */
  invoiceDetails?: InvoiceDetailsInput | null | undefined;
  /** How the buyer pays; null lets the gateway offer its own choice. */
  method?: PaymentMethodKind | null | undefined;
  /** Global ID of the draft order. */
  orderId: string | number;
  /** A saved payment method's global ID, or a gateway-side payment method (a card token, a sandbox test card); null lets the buyer choose on the gateway's page. */
  paymentMethodId?: string | null | undefined;
  /** Where a hosted payment page sends the buyer back to, under the rules of purchasePack's returnUrl. */
  returnUrl?: string | null | undefined;
  /** The draft's `version` the buyer saw; another version is CONFLICT and nothing is charged. */
  version: number;
};

/** What consumeCredits takes. */
export type ConsumeCreditsInput = {
  /** Credits to spend, at least 1. */
  amount: number;
  /** A key unique to this spend: a retry with the same key and input returns the first result; with other input, CONFLICT. */
  idempotencyKey: string;
  /** A JSON object to keep with the entry (at most 4 KiB). */
  metadata?: unknown;
  /** Global ID of the org. */
  orgId: string | number;
  /** Why the credits are spent (at most 500 bytes). */
  reason?: string | null | undefined;
};

/** What createOrder takes. */
export type CreateOrderInput = {
  /** The currency the buyer expects; when given it must be the org's (the order is always priced in the org's currency). */
  currency?: Currency | null | undefined;
  /** Number of card installments the draft is priced in, 1 (at once, the default) to the server's configured maximum; add-ons and seats are paid in the subscription's count. It is only the count the draft shows: checkoutOrder may pay in another (see the draft's `installmentOptions`). */
  installments?: number;
  /** The items, at most 20; may be empty. */
  items: Array<OrderItemInput>;
  /** Global ID of the org that buys (OWNER or BILLING). */
  orgId: string | number;
};

/** What createOrg takes. */
export type CreateOrgInput = {
  /** ISO 3166-1 alpha-2 country code. */
  country: string;
  /** The currency the org is billed in. */
  currency: Currency;
  /** Display name, 1 to 100 characters. */
  name: string;
};

/** An ISO 4217 currency Tally prices in. */
export type Currency =
  /** Brazilian real. */
  | 'BRL'
  /** Euro. */
  | 'EUR'
  /** United States dollar. */
  | 'USD';

/** Where a grant's credits came from. */
export type GrantKind =
  /** A manual adjustment (Paid chip). */
  | 'ADJUSTMENT'
  /** An automatic top-up (Paid chip). */
  | 'AUTO_RECHARGE'
  /** Complimentary credit, e.g. the sign-up gift (Free chip). */
  | 'FREE'
  /** Promotional credit (Free chip). */
  | 'PROMO'
  /** A bought pack (Paid chip). */
  | 'PURCHASED'
  /** A subscription's included credit (Paid chip). */
  | 'SUBSCRIPTION';

/** Billing details to print on the invoice, given at checkout; every field is optional. */
export type InvoiceDetailsInput = {
  /** Postal address, at most 300 bytes; newlines are kept. */
  address?: string | null | undefined;
  /** Company or person name, at most 300 bytes (default: the org's name). */
  companyName?: string | null | undefined;
  /** ISO 3166-1 alpha-2 country code (default: the org's country). */
  country?: string | null | undefined;
  /** Tax identifier, at most 300 bytes. */
  taxId?: string | null | undefined;
};

/** Where an invoice stands with its refunds: worked out from its credit notes, never printed on the invoice itself. */
export type InvoiceStatus =
  /** Paid, nothing given back. */
  | 'PAID'
  /** Paid, then part of it given back by credit notes. */
  | 'PARTIALLY_REFUNDED'
  /** Paid, then all of it given back by credit notes. */
  | 'REFUNDED';

/** What a ledger entry did to the balance. */
export type LedgerEntryKind =
  /** A manual correction. */
  | 'ADJUST'
  /** Credits were spent. */
  | 'CONSUME'
  /** Credits expired. */
  | 'EXPIRE'
  /** Credits were added. */
  | 'GRANT'
  /** Credits were taken back by a refund. */
  | 'REFUND';

/** What the SPA must do to complete a checkout. */
export type NextActionKind =
  /** Confirm the payment with `clientSecret` in the browser (Stripe Elements). */
  | 'CONFIRM'
  /** Nothing: the order is paid, or its payment completes without the buyer (watch `orderUpdated`). */
  | 'NONE'
  /** Send the buyer to `redirectUrl` (PayPal approval, a hosted page). */
  | 'REDIRECT';

/** One item asked for: the fields of its kind, the others left null. */
export type OrderItemInput = {
  /** PACK of a custom pack: its credits; EXTRA_CREDITS: the credits to buy, a positive multiple of the plan's block. */
  credits?: number | null | undefined;
  /** What the item buys. */
  kind: OrderItemKind;
  /** PACK: global ID of the pack, priced in the org's currency. */
  packId?: string | number | null | undefined;
  /** PLAN: global ID of the plan. */
  planId?: string | number | null | undefined;
  /** PACK: how many packs, 1 to the configured maximum (100 by default). */
  quantity?: number;
  /** PLAN: seats, 1 to 10,000, at least the org's members and pending invitations; SEATS: seats to add. */
  seats?: number | null | undefined;
  /** PACK of a RECURRING pack (an add-on): the term in months, from the pack's minimum to the months left in the subscription's billing period (or the plan's period when the order holds the plan); null takes the minimum. */
  termMonths?: number | null | undefined;
};

/** What an order item buys. */
export type OrderItemKind =
  /** Extra credits at the plan's unit price, in whole blocks. */
  | 'EXTRA_CREDITS'
  /** Credit packs; a RECURRING pack is an add-on of the subscription for a term in months. */
  | 'PACK'
  /** A plan subscription with its seats (subscribe, in the same order): only for an org without a subscription, at most one per order. */
  | 'PLAN'
  /** Seats added to the org's active subscription, charged pro rata for the rest of the period. */
  | 'SEATS';

/** What an order, invoice or credit note line is for. */
export type OrderLineKind =
  /** The commission of an installment plan. */
  | 'INSTALLMENT_COMMISSION'
  /** A credit pack. */
  | 'PACK'
  /** A plan subscription. */
  | 'PLAN'
  /** A pro rata charge or credit for a mid-cycle change. */
  | 'PRORATION'
  /** Money given back on a credit note for part of an invoice (the net amount; the note's tax is separate). */
  | 'REFUND'
  /** Extra seats. */
  | 'SEATS'
  /** A surcharge, e.g. on overage credits. */
  | 'SURCHARGE'
  /** Tax. */
  | 'TAX'
  /** A top-up by amount: the amount paid and the credits it buys. */
  | 'TOP_UP';

/** Where an order stands. */
export type OrderStatus =
  /** Canceled before payment. */
  | 'CANCELED'
  /** A draft being edited (createOrder): never charged, not awaiting payment; checkoutOrder makes it PENDING. */
  | 'DRAFT'
  /** The payment failed. */
  | 'FAILED'
  /** Paid; its credits are available. */
  | 'PAID'
  /** Partly refunded. */
  | 'PARTIALLY_REFUNDED'
  /** Created, not yet paid. */
  | 'PENDING'
  /** The gateway is processing the payment. */
  | 'PROCESSING'
  /** Fully refunded. */
  | 'REFUNDED'
  /** The buyer must act (approve, confirm a card). */
  | 'REQUIRES_ACTION';

/** An organization's lifecycle state. */
export type OrgStatus =
  /** In good standing. */
  | 'ACTIVE'
  /** Closed, for good. Deleted by its owner (`deleteOrg`): nobody reaches it any more; it shows only where a retained order or invoice names it. Closed by dunning (the retention after suspension ended): its subscription ended, spending and buying are refused, and its members still read everything it kept (balance, ledger, orders, invoices, members) and may delete it. */
  | 'CLOSED'
  /** A renewal payment failed; retries run during the grace period and spending continues. A payment makes it ACTIVE at once. */
  | 'PAST_DUE'
  /** The grace period ended unpaid (`suspendedAt`): spending is refused with ORG_SUSPENDED (API keys too) and so is buying credits; reading works, and paying the renewal (`retrySubscriptionPayment`, or a new card with `addPaymentMethod`) makes it ACTIVE at once. Unpaid at `closesAt`, it is CLOSED. */
  | 'SUSPENDED';

/** How a buyer pays. */
export type PaymentMethodKind =
  /** A card (Stripe, or the installment gateway in Brazil). */
  | 'CARD'
  /** PayPal. */
  | 'PAYPAL';

/** Whether a saved payment method can be charged. */
export type PaymentMethodStatus =
  /** Saved and chargeable without the buyer (renewals, automatic top-ups). */
  | 'ACTIVE'
  /** Saving waits for the buyer (3-D Secure, an approval); the method cannot be charged yet. */
  | 'PENDING';

/** What previewChange takes. */
export type PreviewChangeInput = {
  /** Installments of a new subscription, 1 (the default) to the server's configured maximum; a change of a live subscription is priced in the subscription's own installments. */
  installments?: number | null | undefined;
  /** Global ID of the org (OWNER or BILLING). */
  orgId: string | number;
  /** Global ID of the plan wanted (the current plan to change only the seats). */
  planId: string | number;
  /** Seats wanted, 1 to 10,000; at least the org's members and pending invitations. */
  seats: number;
};

/** What purchasePack takes. */
export type PurchasePackInput = {
  /** Credits of a custom pack: at least its `credits`, in multiples of its `stepCredits`; null for a fixed pack. */
  credits?: number | null | undefined;
  /** Name of the gateway to pay with, e.g. "stripe"; null lets the routing rules choose. A gateway the rules do not allow is INVALID_INPUT. */
  gateway?: string | null | undefined;
  /** A key unique to this purchase: a retry with the same key and input returns the first order and makes no second payment; with other input, CONFLICT. */
  idempotencyKey: string;
  /** Number of card installments, 1 (at once, the default) to the server's configured maximum (12 by default); more than 1 only where a gateway takes installments (orgs in BR paying in BRL). */
  installments?: number;
  /** Billing details for the invoice. */
  invoiceDetails?: InvoiceDetailsInput | null | undefined;
  /** How the buyer pays; null lets the gateway offer its own choice. */
  method?: PaymentMethodKind | null | undefined;
  /** Global ID of the org that buys (OWNER or BILLING). */
  orgId: string | number;
  /** Global ID of the pack, priced in the org's currency. */
  packId: string | number;
  /** A gateway-side payment method to charge (a saved card, a card token, a sandbox test card); null lets the buyer choose on the gateway's page. One the gateway does not know is INVALID_INPUT and no order is made. */
  paymentMethodId?: string | null | undefined;
  /** How many packs, 1 to the configured maximum (100 by default). */
  quantity?: number;
  /** Where a hosted payment page sends the buyer back to: an absolute http(s) URL on one of the configured front-end origins (TALLY_ALLOWED_ORIGINS) or the server's own public origin, at most 2048 bytes; anything else is INVALID_INPUT. Null leaves the end of the flow to the gateway: the sandbox shows its own result page, PayPal returns to the server's public URL, Mercado Pago keeps the buyer on its own page. */
  returnUrl?: string | null | undefined;
  /** Term of a recurring add-on pack (validity RECURRING) in months: from the pack's `recurringMonths` up to the months left in the subscription's current billing period when that is longer (annual plans); null takes the minimum. Only an org with an ACTIVE paid subscription buys an add-on (else INVALID_INPUT on `packId`), priced the pack's monthly price × quantity × term months, and in the subscription's installment count (another count is INVALID_INPUT on `installments`). Other packs take no term (INVALID_INPUT). */
  termMonths?: number | null | undefined;
};

/**
 * A member's role in an org. What each role may do:
 *
 * | may | OWNER | ADMIN | BILLING | MEMBER |
 * |---|---|---|---|---|
 * | read the org, its seats, plan subscription and balance; their own usage and ledger entries | yes | yes | yes | yes |
 * | spend credits (`consumeCredits`) | yes | yes | yes | yes |
 * | manage members, invitations, roles and API keys | yes | yes | no | no |
 * | manage webhook endpoints, their secrets and delivery log | yes | yes | no | no |
 * | billing: buy, subscribe and manage the plan subscription, orders, invoices and credit notes, payment methods, auto-recharge; the org-wide ledger and usage | yes | no | yes | no |
 * | delete the org, transfer ownership | yes | no | no | no |
 *
 * Someone who is not a member gets `NOT_FOUND` for the org; a member without the right gets
 * `FORBIDDEN`. An org API key may read its org (its subscription too) and balance and spend its credits, nothing
 * else. A platform admin may grant credits, read any org's orders, invoices and credit notes,
 * and refund orders.
 */
export type Role =
  /** Members, invitations, roles, API keys and webhook endpoints. */
  | 'ADMIN'
  /** Purchases, payment methods, invoices, credit notes and org-wide usage. */
  | 'BILLING'
  /** Reads the org and spends its credits. */
  | 'MEMBER'
  /** Everything, including deleting the org and transferring ownership. */
  | 'OWNER';

/** Auto-recharge settings to save. */
export type SetAutoRechargeInput = {
  /** Switches top-ups on or off. Off keeps the other saved settings and ignores the rest of this input. */
  enabled: boolean;
  /** A key unique to this request: a retry with the same key and input returns the current settings and changes nothing; with other input, CONFLICT. */
  idempotencyKey: string;
  /** What a top-up buys; required when enabled. */
  mode?: AutoRechargeMode | null | undefined;
  /** Global ID of the org (OWNER or BILLING). */
  orgId: string | number;
  /** Global ID of the pack to buy (PACK mode): active, sold in the org's currency, not a recurring add-on or custom pack. */
  packId?: string | number | null | undefined;
  /** Global ID of the saved card to charge (cards only, ACTIVE); null takes the org's default method. */
  paymentMethodId?: string | number | null | undefined;
  /** How many of the pack per top-up (PACK mode), 1 when null. */
  quantity?: number | null | undefined;
  /** The most top-ups may cost per billing period, in minor units of the org's currency (e.g. 5000 for 50.00); at least one top-up's price. Null takes the default (50.00). */
  spendingLimitMinor?: number | null | undefined;
  /** Buy when the balance drops below this many credits (1 or more); required when enabled. */
  threshold?: number | null | undefined;
};

/** What subscribe takes. */
export type SubscribeInput = {
  /** Name of the gateway to pay with, e.g. "stripe"; null lets the routing rules choose (a saved payment method fixes its own gateway). */
  gateway?: string | null | undefined;
  /** A key unique to this subscribe: a retry with the same key and input returns the first result and makes no second payment; with other input, CONFLICT. */
  idempotencyKey: string;
  /** Number of card installments for this and every renewal, 1 (at once, the default) to the server's configured maximum; more than 1 only where a gateway takes installments (orgs in BR paying in BRL). */
  installments?: number;
  /** Billing details for the invoice. */
  invoiceDetails?: InvoiceDetailsInput | null | undefined;
  /** How the buyer pays; null lets the gateway offer its own choice (a saved payment method's kind). */
  method?: PaymentMethodKind | null | undefined;
  /** Global ID of the org that subscribes (OWNER or BILLING). */
  orgId: string | number;
  /** The global ID of a saved PaymentMethod (charged now and on every renewal), or a gateway-side token for this payment only (a card token, a sandbox test card); null lets the buyer pay on the gateway's page. Renewals need a saved method. */
  paymentMethodId?: string | null | undefined;
  /** Global ID of a paid plan of the catalog. */
  planId: string | number;
  /** Where a hosted payment page sends the buyer back to, under the rules of `PurchasePackInput.returnUrl`. */
  returnUrl?: string | null | undefined;
  /** Seats, 1 to 10,000; at least the org's members and pending invitations. */
  seats: number;
};

/** Where a plan subscription stands. */
export type SubscriptionStatus =
  /** Paid for the current period. */
  | 'ACTIVE'
  /** Paid, and canceled: it ends with the current period (`cancelAtPeriodEnd`) unless resumed before. An INCOMPLETE or PAST_DUE subscription that is canceled keeps its status, which says that money is owed; `cancelAtPeriodEnd` shows the cancellation. */
  | 'CANCELED'
  /** Over (canceled, not renewed, or its first payment never made); the org is on the Free plan. */
  | 'ENDED'
  /** Subscribed, its first payment not collected yet (see `latestOrder`); the org is still on the Free plan. */
  | 'INCOMPLETE'
  /** A renewal's payment failed (see `renewalFailure`): the plan, its seats and credits continue, the payment is retried on a schedule (`nextRetryAt`) and the buyer may pay at once with `retrySubscriptionPayment` or a new card; unpaid at `graceEndsAt`, the org is SUSPENDED. */
  | 'PAST_DUE';

/** What topUp takes. The amount is given either in minor units (`amountMinor`) or as a decimal (`amount`), exactly one; errors about it name `amount`. */
export type TopUpInput = {
  /** The amount as a decimal in major units of the org's currency, before tax ("100.00"); more decimals than the currency has is INVALID_INPUT. */
  amount?: string | null | undefined;
  /** The amount in minor units of the org's currency, before tax (10000 is 100.00), from the currency's `min` to its `max`. */
  amountMinor?: number | null | undefined;
  /** Name of the gateway to pay with; null lets a saved payment method or the routing rules choose. */
  gateway?: string | null | undefined;
  /** A key unique to this top-up: a retry with the same key and input returns the first order and makes no second payment; with other input, CONFLICT. */
  idempotencyKey: string;
  /** Number of card installments, as for purchasePack. */
  installments?: number;
  /** Billing details for the invoice. */
  invoiceDetails?: InvoiceDetailsInput | null | undefined;
  /** How the buyer pays; null lets the gateway offer its own choice (a saved payment method's kind). */
  method?: PaymentMethodKind | null | undefined;
  /** Global ID of the org that buys (OWNER or BILLING). */
  orgId: string | number;
  /** The global ID of a saved PaymentMethod (charged off session on its own gateway), or a gateway-side token for this payment (a card token, a sandbox test card). Null with no `gateway` pays with the org's default saved payment method when it has one, else on the gateway's page. */
  paymentMethodId?: string | null | undefined;
  /** Where a hosted payment page sends the buyer back to, as for purchasePack. */
  returnUrl?: string | null | undefined;
};

/** How close an org-wide total is to its limit; the fractions are server settings (TALLY_USAGE_WARNING_AT, TALLY_USAGE_EXCEEDED_AT). */
export type UsageLevel =
  /** From the exceeded fraction (default 100%) of the limit. */
  | 'EXCEEDED'
  /** Below the warning fraction, or unlimited. */
  | 'OK'
  /** From the warning fraction (default 80%) of the limit. */
  | 'WARNING';

/** A metered usage metric, one per plan limit. */
export type UsageMetric =
  /** Bytes transferred (a counter). Its limit in a period grows with the extra credits paid in that period (the plan's `extraCredits`). */
  | 'DATA_TRANSFER_BYTES'
  /** Enrichments (a counter). */
  | 'ENRICHMENTS'
  /** Product events (a counter). */
  | 'EVENTS'
  /** Sessions started (a counter: events add up in their period). */
  | 'SESSIONS'
  /** Bytes stored (a gauge: the value of the latest event by its time). */
  | 'STORAGE_BYTES';

/** Whose entries a usage report or a ledger list covers: the role of the caller decides, not an argument. */
export type UsageScope =
  /** Only the entries the caller caused (ADMIN, MEMBER). */
  | 'MEMBER'
  /** Every entry of the org, whoever or whatever caused it (OWNER, BILLING). */
  | 'ORG';

/** When credits bought in a pack expire. */
export type ValidityPolicy =
  /** At the end of the current billing cycle (on an annual plan, at the next monthly reset). */
  | 'BILLING_CYCLE'
  /** Never. */
  | 'NEVER'
  /** A recurring add-on that renews with the subscription for a minimum term and resets each cycle. */
  | 'RECURRING';

export type BillingViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type BillingViewerQuery = { viewer: { user: { id: string, email: string, name: string }, memberships: Array<{ role: Role, org: { id: string, name: string, currency: Currency, country: string, status: OrgStatus } }> } };

export type BillingCreateOrgMutationVariables = Exact<{
  input: CreateOrgInput;
}>;


export type BillingCreateOrgMutation = { createOrg: { org: { id: string, name: string, currency: Currency, country: string, status: OrgStatus } } };

export type BalanceFieldsFragment = { total: number, free: number, paid: number, updatedAt: string, grants: Array<{ id: string, kind: GrantKind, paid: boolean, amount: number, remaining: number, expiresAt: string | null, reason: string }> };

export type BillingOverviewQueryVariables = Exact<{
  orgId: string | number;
}>;


export type BillingOverviewQuery = { org: { id: string, name: string, currency: Currency, country: string, status: OrgStatus, seats: { total: number, used: number, available: number, pending: number }, balance: { total: number, free: number, paid: number, updatedAt: string, grants: Array<{ id: string, kind: GrantKind, paid: boolean, amount: number, remaining: number, expiresAt: string | null, reason: string }> } } | null };

export type BillingBalanceUpdatedSubscriptionVariables = Exact<{
  orgId: string | number;
}>;


export type BillingBalanceUpdatedSubscription = { balanceUpdated: { balance: { total: number, free: number, paid: number, updatedAt: string, grants: Array<{ id: string, kind: GrantKind, paid: boolean, amount: number, remaining: number, expiresAt: string | null, reason: string }> }, entry: { id: string, kind: LedgerEntryKind, amount: number, reason: string } | null } };

export type BillingPacksQueryVariables = Exact<{
  currency: Currency;
}>;


export type BillingPacksQuery = { packs: Array<{ id: string, code: string, name: string, credits: number, custom: boolean, validity: ValidityPolicy, recurringMonths: number | null, price: { amount: string, amountMinor: number, currency: Currency } | null }> };

export type BillingPurchaseMutationVariables = Exact<{
  input: PurchasePackInput;
}>;


export type BillingPurchaseMutation = { purchasePack: { order: { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency }, invoice: { id: string, number: string, pdfUrl: string } | null }, nextAction: { kind: NextActionKind, redirectUrl: string | null, clientSecret: string | null } | null } };

export type BillingTopUpOptionsQueryVariables = Exact<{
  currency: Currency;
}>;


export type BillingTopUpOptionsQuery = { topUpOptions: { credits: number, validity: ValidityPolicy, rounding: string, per: { amount: string, currency: Currency }, presets: Array<{ amount: string, amountMinor: number, currency: Currency }>, min: { amount: string, amountMinor: number, currency: Currency }, max: { amount: string, amountMinor: number, currency: Currency } } | null };

export type BillingTopUpQuoteQueryVariables = Exact<{
  orgId: string | number;
  amount: string;
}>;


export type BillingTopUpQuoteQuery = { topUpQuote: { credits: number, rounding: string | null, taxRateBasisPoints: number, lines: Array<{ kind: OrderLineKind, description: string, amount: { amount: string, currency: Currency } }>, subtotal: { amount: string, currency: Currency }, tax: { amount: string, currency: Currency }, total: { amount: string, currency: Currency } } };

export type BillingTopUpMutationVariables = Exact<{
  input: TopUpInput;
}>;


export type BillingTopUpMutation = { topUp: { order: { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency }, invoice: { id: string, number: string, pdfUrl: string } | null }, nextAction: { kind: NextActionKind, redirectUrl: string | null, clientSecret: string | null } | null } };

export type BillingOrdersQueryVariables = Exact<{
  orgId: string | number;
}>;


export type BillingOrdersQuery = { org: { id: string, orders: { edges: Array<{ node: { id: string, number: string, status: OrderStatus, credits: number, createdAt: string, failureReason: string | null, total: { amount: string, currency: Currency }, invoice: { id: string, number: string } | null } }> }, invoices: { edges: Array<{ node: { id: string, number: string, issuedAt: string, status: InvoiceStatus, pdfUrl: string, orderNumber: string, total: { amount: string, currency: Currency }, lines: Array<{ description: string, amount: { amount: string, currency: Currency } }> } }> } } | null };

export type BillingCartInstallmentsQueryVariables = Exact<{
  orgId: string | number;
  packId: string | number;
  quantity: number;
}>;


export type BillingCartInstallmentsQuery = { installmentOptions: Array<{ count: number }> };

export type BillingCancelOrderMutationVariables = Exact<{
  id: string | number;
}>;


export type BillingCancelOrderMutation = { cancelOrder: { id: string, status: OrderStatus } };

export type BillingMembersQueryVariables = Exact<{
  orgId: string | number;
}>;


export type BillingMembersQuery = { org: { id: string, seats: { total: number, used: number, available: number, pending: number }, members: { edges: Array<{ node: { role: Role, createdAt: string, user: { id: string, email: string, name: string } } }> } } | null };

export type BillingInvitationsQueryVariables = Exact<{
  orgId: string | number;
}>;


export type BillingInvitationsQuery = { org: { id: string, invitations: Array<{ id: string, email: string, role: Role, expiresAt: string, acceptedAt: string | null, revokedAt: string | null }> } | null };

export type BillingInviteMutationVariables = Exact<{
  orgId: string | number;
  email: string;
  role: Role;
}>;


export type BillingInviteMutation = { inviteMember: { token: string, invitation: { id: string, email: string, role: Role, expiresAt: string } } };

export type BillingRevokeInvitationMutationVariables = Exact<{
  id: string | number;
}>;


export type BillingRevokeInvitationMutation = { revokeInvitation: { invitation: { id: string, revokedAt: string | null } } };

export type BillingSetRoleMutationVariables = Exact<{
  orgId: string | number;
  userId: string | number;
  role: Role;
}>;


export type BillingSetRoleMutation = { setMemberRole: { member: { role: Role, user: { id: string } } } };

export type BillingRemoveMemberMutationVariables = Exact<{
  orgId: string | number;
  userId: string | number;
}>;


export type BillingRemoveMemberMutation = { removeMember: { userId: string } };

export type BillingApiKeysQueryVariables = Exact<{
  orgId: string | number;
}>;


export type BillingApiKeysQuery = { org: { id: string, apiKeys: Array<{ id: string, name: string, prefix: string, createdAt: string, lastUsedAt: string | null, revokedAt: string | null, createdBy: { name: string, email: string } | null }> } | null };

export type BillingCreateApiKeyMutationVariables = Exact<{
  orgId: string | number;
  name: string;
}>;


export type BillingCreateApiKeyMutation = { createApiKey: { secret: string, apiKey: { id: string, name: string, prefix: string } } };

export type BillingRevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type BillingRevokeApiKeyMutation = { revokeApiKey: { apiKey: { id: string, revokedAt: string | null } } };

export type BillingPlanQueryVariables = Exact<{
  orgId: string | number;
}>;


export type BillingPlanQuery = { org: { id: string, seats: { total: number, used: number, available: number, pending: number }, usage: { scope: UsageScope, periodStart: string, periodEnd: string, creditsConsumed: number, extraCredits: number, metrics: Array<{ metric: UsageMetric, quantity: number, limit: number | null, limitFromExtraCredits: number, fractionUsed: number | null, level: UsageLevel, overLimit: boolean }> }, subscription: { id: string, status: SubscriptionStatus, seats: number, autoRenew: boolean, currentPeriodEnd: string, renewsAt: string | null, cancelAtPeriodEnd: boolean, includedCreditsPerMonth: number, includedCreditsLeft: number, scheduledChange: { seats: number, effectiveAt: string, plan: { id: string, name: string } } | null, plan: { id: string, name: string, interval: BillingInterval } } | null } | null };

export type BillingSubscriptionUpdatedSubscriptionVariables = Exact<{
  orgId: string | number;
}>;


export type BillingSubscriptionUpdatedSubscription = { subscriptionUpdated: { id: string, status: SubscriptionStatus, seats: number } | null };

export type BillingPlansQueryVariables = Exact<{
  currency: Currency;
}>;


export type BillingPlansQuery = { plans: Array<{ id: string, code: string, name: string, interval: BillingInterval, includedCreditsPerSeat: number, price: { amount: string, currency: Currency } | null }> };

export type BillingPreviewChangeQueryVariables = Exact<{
  input: PreviewChangeInput;
}>;


export type BillingPreviewChangeQuery = { previewChange: { kind: ChangeKind, immediate: boolean, effectiveAt: string, seats: number, credits: number, plan: { id: string, name: string }, lines: Array<{ kind: OrderLineKind, description: string, amount: { amount: string, currency: Currency } }>, subtotal: { amount: string, currency: Currency }, tax: { amount: string, currency: Currency }, total: { amount: string, currency: Currency }, renewal: { amount: string, currency: Currency } } };

export type SubscriptionCheckoutFieldsFragment = { subscription: { id: string, status: SubscriptionStatus, seats: number, plan: { id: string, name: string } }, order: { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency } } | null, nextAction: { kind: NextActionKind, redirectUrl: string | null, clientSecret: string | null } };

export type BillingSubscribeMutationVariables = Exact<{
  input: SubscribeInput;
}>;


export type BillingSubscribeMutation = { subscribe: { subscription: { id: string, status: SubscriptionStatus, seats: number, plan: { id: string, name: string } }, order: { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency } } | null, nextAction: { kind: NextActionKind, redirectUrl: string | null, clientSecret: string | null } } };

export type BillingChangePlanMutationVariables = Exact<{
  input: ChangePlanInput;
}>;


export type BillingChangePlanMutation = { changePlan: { subscription: { id: string, status: SubscriptionStatus, seats: number, plan: { id: string, name: string } }, order: { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency } } | null, nextAction: { kind: NextActionKind, redirectUrl: string | null, clientSecret: string | null } } };

export type BillingChangeSeatsMutationVariables = Exact<{
  input: ChangeSeatsInput;
}>;


export type BillingChangeSeatsMutation = { changeSeats: { subscription: { id: string, status: SubscriptionStatus, seats: number, plan: { id: string, name: string } }, order: { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency } } | null, nextAction: { kind: NextActionKind, redirectUrl: string | null, clientSecret: string | null } } };

export type BillingCancelSubscriptionMutationVariables = Exact<{
  orgId: string | number;
  key: string;
}>;


export type BillingCancelSubscriptionMutation = { cancelSubscription: { id: string, status: SubscriptionStatus, cancelAtPeriodEnd: boolean } };

export type BillingResumeSubscriptionMutationVariables = Exact<{
  orgId: string | number;
  key: string;
}>;


export type BillingResumeSubscriptionMutation = { resumeSubscription: { id: string, status: SubscriptionStatus, cancelAtPeriodEnd: boolean } };

export type BillingPaymentMethodsQueryVariables = Exact<{
  orgId: string | number;
}>;


export type BillingPaymentMethodsQuery = { org: { id: string, paymentMethods: Array<{ id: string, brand: string, last4: string | null, expMonth: number | null, expYear: number | null, isDefault: boolean, gateway: string, kind: PaymentMethodKind, status: PaymentMethodStatus }> } | null };

export type BillingAddPaymentMethodMutationVariables = Exact<{
  input: AddPaymentMethodInput;
}>;


export type BillingAddPaymentMethodMutation = { addPaymentMethod: { paymentMethod: { id: string, brand: string, last4: string | null, status: PaymentMethodStatus, isDefault: boolean }, nextAction: { kind: NextActionKind, redirectUrl: string | null } } };

export type BillingSetDefaultPaymentMethodMutationVariables = Exact<{
  id: string | number;
}>;


export type BillingSetDefaultPaymentMethodMutation = { setDefaultPaymentMethod: { id: string, isDefault: boolean } };

export type BillingRemovePaymentMethodMutationVariables = Exact<{
  id: string | number;
}>;


export type BillingRemovePaymentMethodMutation = { removePaymentMethod: { paymentMethod: { id: string, status: PaymentMethodStatus } } };

export type BillingSetAutoRechargeMutationVariables = Exact<{
  input: SetAutoRechargeInput;
}>;


export type BillingSetAutoRechargeMutation = { setAutoRecharge: { enabled: boolean, threshold: number, quantity: number } };

export type BillingAutoRechargeQueryVariables = Exact<{
  orgId: string | number;
}>;


export type BillingAutoRechargeQuery = { org: { id: string, autoRecharge: { enabled: boolean, mode: AutoRechargeMode, threshold: number, quantity: number, paused: boolean, pauseReason: string | null, periodEnd: string, spendingLimit: { amount: string, currency: Currency }, spentThisPeriod: { amount: string, currency: Currency }, pack: { id: string, name: string } | null, paymentMethod: { id: string, brand: string, last4: string | null } | null } | null } | null };

export type BillingAcceptInvitationMutationVariables = Exact<{
  token: string;
}>;


export type BillingAcceptInvitationMutation = { acceptInvitation: { membership: { role: Role, org: { id: string, name: string } } } };

export type BillingSpendMutationVariables = Exact<{
  input: ConsumeCreditsInput;
}>;


export type BillingSpendMutation = { consumeCredits: { entry: { id: string, amount: number, balanceAfter: number } } };

export type CartOrderFragment = { id: string, number: string, status: OrderStatus, version: number, credits: number, subtotal: { amount: string, currency: Currency }, tax: { amount: string, currency: Currency }, total: { amount: string, currency: Currency }, installments: { count: number, installmentAmount: { amount: string, currency: Currency }, commission: { amount: string, currency: Currency } } | null, lines: Array<{ itemId: string | null, kind: OrderLineKind, description: string, quantity: number, unitPrice: { amount: string, currency: Currency }, amount: { amount: string, currency: Currency } }>, items: Array<{ id: string, kind: OrderItemKind, planId: string | null, seats: number | null, packId: string | null, quantity: number, termMonths: number | null, amount: number | null, credits: number, validity: ValidityPolicy, grantId: string | null, expiresAt: string | null }> };

export type CartDraftsQueryVariables = Exact<{
  orgId: string | number;
}>;


export type CartDraftsQuery = { org: { id: string, orders: { edges: Array<{ node: { createdAt: string, id: string, number: string, status: OrderStatus, version: number, credits: number, subtotal: { amount: string, currency: Currency }, tax: { amount: string, currency: Currency }, total: { amount: string, currency: Currency }, installments: { count: number, installmentAmount: { amount: string, currency: Currency }, commission: { amount: string, currency: Currency } } | null, lines: Array<{ itemId: string | null, kind: OrderLineKind, description: string, quantity: number, unitPrice: { amount: string, currency: Currency }, amount: { amount: string, currency: Currency } }>, items: Array<{ id: string, kind: OrderItemKind, planId: string | null, seats: number | null, packId: string | null, quantity: number, termMonths: number | null, amount: number | null, credits: number, validity: ValidityPolicy, grantId: string | null, expiresAt: string | null }> } }> } } | null };

export type CartOrderQueryVariables = Exact<{
  id: string | number;
}>;


export type CartOrderQuery = { order: { id: string, number: string, status: OrderStatus, version: number, credits: number, subtotal: { amount: string, currency: Currency }, tax: { amount: string, currency: Currency }, total: { amount: string, currency: Currency }, installments: { count: number, installmentAmount: { amount: string, currency: Currency }, commission: { amount: string, currency: Currency } } | null, lines: Array<{ itemId: string | null, kind: OrderLineKind, description: string, quantity: number, unitPrice: { amount: string, currency: Currency }, amount: { amount: string, currency: Currency } }>, items: Array<{ id: string, kind: OrderItemKind, planId: string | null, seats: number | null, packId: string | null, quantity: number, termMonths: number | null, amount: number | null, credits: number, validity: ValidityPolicy, grantId: string | null, expiresAt: string | null }> } | null };

export type CartCreateMutationVariables = Exact<{
  input: CreateOrderInput;
}>;


export type CartCreateMutation = { createOrder: { id: string, number: string, status: OrderStatus, version: number, credits: number, subtotal: { amount: string, currency: Currency }, tax: { amount: string, currency: Currency }, total: { amount: string, currency: Currency }, installments: { count: number, installmentAmount: { amount: string, currency: Currency }, commission: { amount: string, currency: Currency } } | null, lines: Array<{ itemId: string | null, kind: OrderLineKind, description: string, quantity: number, unitPrice: { amount: string, currency: Currency }, amount: { amount: string, currency: Currency } }>, items: Array<{ id: string, kind: OrderItemKind, planId: string | null, seats: number | null, packId: string | null, quantity: number, termMonths: number | null, amount: number | null, credits: number, validity: ValidityPolicy, grantId: string | null, expiresAt: string | null }> } };

export type CartAddItemMutationVariables = Exact<{
  orderId: string | number;
  item: OrderItemInput;
}>;


export type CartAddItemMutation = { addOrderItem: { id: string, number: string, status: OrderStatus, version: number, credits: number, subtotal: { amount: string, currency: Currency }, tax: { amount: string, currency: Currency }, total: { amount: string, currency: Currency }, installments: { count: number, installmentAmount: { amount: string, currency: Currency }, commission: { amount: string, currency: Currency } } | null, lines: Array<{ itemId: string | null, kind: OrderLineKind, description: string, quantity: number, unitPrice: { amount: string, currency: Currency }, amount: { amount: string, currency: Currency } }>, items: Array<{ id: string, kind: OrderItemKind, planId: string | null, seats: number | null, packId: string | null, quantity: number, termMonths: number | null, amount: number | null, credits: number, validity: ValidityPolicy, grantId: string | null, expiresAt: string | null }> } };

export type CartSetQuantityMutationVariables = Exact<{
  orderId: string | number;
  itemId: string | number;
  quantity: number;
}>;


export type CartSetQuantityMutation = { setOrderItemQuantity: { id: string, number: string, status: OrderStatus, version: number, credits: number, subtotal: { amount: string, currency: Currency }, tax: { amount: string, currency: Currency }, total: { amount: string, currency: Currency }, installments: { count: number, installmentAmount: { amount: string, currency: Currency }, commission: { amount: string, currency: Currency } } | null, lines: Array<{ itemId: string | null, kind: OrderLineKind, description: string, quantity: number, unitPrice: { amount: string, currency: Currency }, amount: { amount: string, currency: Currency } }>, items: Array<{ id: string, kind: OrderItemKind, planId: string | null, seats: number | null, packId: string | null, quantity: number, termMonths: number | null, amount: number | null, credits: number, validity: ValidityPolicy, grantId: string | null, expiresAt: string | null }> } };

export type CartRemoveItemMutationVariables = Exact<{
  orderId: string | number;
  itemId: string | number;
}>;


export type CartRemoveItemMutation = { removeOrderItem: { id: string, number: string, status: OrderStatus, version: number, credits: number, subtotal: { amount: string, currency: Currency }, tax: { amount: string, currency: Currency }, total: { amount: string, currency: Currency }, installments: { count: number, installmentAmount: { amount: string, currency: Currency }, commission: { amount: string, currency: Currency } } | null, lines: Array<{ itemId: string | null, kind: OrderLineKind, description: string, quantity: number, unitPrice: { amount: string, currency: Currency }, amount: { amount: string, currency: Currency } }>, items: Array<{ id: string, kind: OrderItemKind, planId: string | null, seats: number | null, packId: string | null, quantity: number, termMonths: number | null, amount: number | null, credits: number, validity: ValidityPolicy, grantId: string | null, expiresAt: string | null }> } };

export type CartDiscardMutationVariables = Exact<{
  orderId: string | number;
}>;


export type CartDiscardMutation = { cancelOrder: { id: string, status: OrderStatus } };

export type CartCheckoutMutationVariables = Exact<{
  input: CheckoutOrderInput;
}>;


export type CartCheckoutMutation = { checkoutOrder: { order: { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency }, invoice: { id: string, number: string, pdfUrl: string } | null }, nextAction: { kind: NextActionKind, redirectUrl: string | null, clientSecret: string | null } | null } };

export type WatchedOrderFragment = { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency }, invoice: { id: string, number: string, pdfUrl: string } | null };

export type WatchOrderQueryVariables = Exact<{
  id: string | number;
}>;


export type WatchOrderQuery = { order: { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency }, invoice: { id: string, number: string, pdfUrl: string } | null } | null };

export type WatchOrderUpdatesSubscriptionVariables = Exact<{
  orgId: string | number;
}>;


export type WatchOrderUpdatesSubscription = { orderUpdated: { id: string, number: string, status: OrderStatus, failureReason: string | null, credits: number, total: { amount: string, currency: Currency }, invoice: { id: string, number: string, pdfUrl: string } | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const BalanceFieldsFragmentDoc = new TypedDocumentString(`
    fragment BalanceFields on Balance {
  total
  free
  paid
  updatedAt
  grants {
    id
    kind
    paid
    amount
    remaining
    expiresAt
    reason
  }
}
    `, {"fragmentName":"BalanceFields"}) as unknown as TypedDocumentString<BalanceFieldsFragment, unknown>;
export const SubscriptionCheckoutFieldsFragmentDoc = new TypedDocumentString(`
    fragment SubscriptionCheckoutFields on SubscriptionCheckout {
  subscription {
    id
    status
    seats
    plan {
      id
      name
    }
  }
  order {
    id
    number
    status
    failureReason
    credits
    total {
      amount
      currency
    }
  }
  nextAction {
    kind
    redirectUrl
    clientSecret
  }
}
    `, {"fragmentName":"SubscriptionCheckoutFields"}) as unknown as TypedDocumentString<SubscriptionCheckoutFieldsFragment, unknown>;
export const CartOrderFragmentDoc = new TypedDocumentString(`
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
  subtotal {
    amount
    currency
  }
  tax {
    amount
    currency
  }
  total {
    amount
    currency
  }
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}
    `, {"fragmentName":"CartOrder"}) as unknown as TypedDocumentString<CartOrderFragment, unknown>;
export const WatchedOrderFragmentDoc = new TypedDocumentString(`
    fragment WatchedOrder on Order {
  id
  number
  status
  failureReason
  credits
  total {
    amount
    currency
  }
  invoice {
    id
    number
    pdfUrl
  }
}
    `, {"fragmentName":"WatchedOrder"}) as unknown as TypedDocumentString<WatchedOrderFragment, unknown>;
export const BillingViewerDocument = new TypedDocumentString(`
    query BillingViewer {
  viewer {
    user {
      id
      email
      name
    }
    memberships {
      role
      org {
        id
        name
        currency
        country
        status
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BillingViewerQuery, BillingViewerQueryVariables>;
export const BillingCreateOrgDocument = new TypedDocumentString(`
    mutation BillingCreateOrg($input: CreateOrgInput!) {
  createOrg(input: $input) {
    org {
      id
      name
      currency
      country
      status
    }
  }
}
    `) as unknown as TypedDocumentString<BillingCreateOrgMutation, BillingCreateOrgMutationVariables>;
export const BillingOverviewDocument = new TypedDocumentString(`
    query BillingOverview($orgId: ID!) {
  org(id: $orgId) {
    id
    name
    currency
    country
    status
    seats {
      total
      used
      available
      pending
    }
    balance {
      ...BalanceFields
    }
  }
}
    fragment BalanceFields on Balance {
  total
  free
  paid
  updatedAt
  grants {
    id
    kind
    paid
    amount
    remaining
    expiresAt
    reason
  }
}`) as unknown as TypedDocumentString<BillingOverviewQuery, BillingOverviewQueryVariables>;
export const BillingBalanceUpdatedDocument = new TypedDocumentString(`
    subscription BillingBalanceUpdated($orgId: ID!) {
  balanceUpdated(orgId: $orgId) {
    balance {
      ...BalanceFields
    }
    entry {
      id
      kind
      amount
      reason
    }
  }
}
    fragment BalanceFields on Balance {
  total
  free
  paid
  updatedAt
  grants {
    id
    kind
    paid
    amount
    remaining
    expiresAt
    reason
  }
}`) as unknown as TypedDocumentString<BillingBalanceUpdatedSubscription, BillingBalanceUpdatedSubscriptionVariables>;
export const BillingPacksDocument = new TypedDocumentString(`
    query BillingPacks($currency: Currency!) {
  packs(currency: $currency) {
    id
    code
    name
    credits
    custom
    validity
    recurringMonths
    price(currency: $currency) {
      amount
      amountMinor
      currency
    }
  }
}
    `) as unknown as TypedDocumentString<BillingPacksQuery, BillingPacksQueryVariables>;
export const BillingPurchaseDocument = new TypedDocumentString(`
    mutation BillingPurchase($input: PurchasePackInput!) {
  purchasePack(input: $input) {
    order {
      id
      number
      status
      failureReason
      credits
      total {
        amount
        currency
      }
      invoice {
        id
        number
        pdfUrl
      }
    }
    nextAction {
      kind
      redirectUrl
      clientSecret
    }
  }
}
    `) as unknown as TypedDocumentString<BillingPurchaseMutation, BillingPurchaseMutationVariables>;
export const BillingTopUpOptionsDocument = new TypedDocumentString(`
    query BillingTopUpOptions($currency: Currency!) {
  topUpOptions(currency: $currency) {
    credits
    per {
      amount
      currency
    }
    presets {
      amount
      amountMinor
      currency
    }
    min {
      amount
      amountMinor
      currency
    }
    max {
      amount
      amountMinor
      currency
    }
    validity
    rounding
  }
}
    `) as unknown as TypedDocumentString<BillingTopUpOptionsQuery, BillingTopUpOptionsQueryVariables>;
export const BillingTopUpQuoteDocument = new TypedDocumentString(`
    query BillingTopUpQuote($orgId: ID!, $amount: String!) {
  topUpQuote(orgId: $orgId, amount: $amount) {
    credits
    rounding
    lines {
      kind
      description
      amount {
        amount
        currency
      }
    }
    subtotal {
      amount
      currency
    }
    tax {
      amount
      currency
    }
    taxRateBasisPoints
    total {
      amount
      currency
    }
  }
}
    `) as unknown as TypedDocumentString<BillingTopUpQuoteQuery, BillingTopUpQuoteQueryVariables>;
export const BillingTopUpDocument = new TypedDocumentString(`
    mutation BillingTopUp($input: TopUpInput!) {
  topUp(input: $input) {
    order {
      id
      number
      status
      failureReason
      credits
      total {
        amount
        currency
      }
      invoice {
        id
        number
        pdfUrl
      }
    }
    nextAction {
      kind
      redirectUrl
      clientSecret
    }
  }
}
    `) as unknown as TypedDocumentString<BillingTopUpMutation, BillingTopUpMutationVariables>;
export const BillingOrdersDocument = new TypedDocumentString(`
    query BillingOrders($orgId: ID!) {
  org(id: $orgId) {
    id
    orders(first: 50) {
      edges {
        node {
          id
          number
          status
          credits
          createdAt
          failureReason
          total {
            amount
            currency
          }
          invoice {
            id
            number
          }
        }
      }
    }
    invoices(first: 50) {
      edges {
        node {
          id
          number
          issuedAt
          status
          pdfUrl
          orderNumber
          total {
            amount
            currency
          }
          lines {
            description
            amount {
              amount
              currency
            }
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BillingOrdersQuery, BillingOrdersQueryVariables>;
export const BillingCartInstallmentsDocument = new TypedDocumentString(`
    query BillingCartInstallments($orgId: ID!, $packId: ID!, $quantity: Int!) {
  installmentOptions(orgId: $orgId, packId: $packId, quantity: $quantity) {
    count
  }
}
    `) as unknown as TypedDocumentString<BillingCartInstallmentsQuery, BillingCartInstallmentsQueryVariables>;
export const BillingCancelOrderDocument = new TypedDocumentString(`
    mutation BillingCancelOrder($id: ID!) {
  cancelOrder(orderId: $id) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<BillingCancelOrderMutation, BillingCancelOrderMutationVariables>;
export const BillingMembersDocument = new TypedDocumentString(`
    query BillingMembers($orgId: ID!) {
  org(id: $orgId) {
    id
    seats {
      total
      used
      available
      pending
    }
    members(first: 100) {
      edges {
        node {
          role
          createdAt
          user {
            id
            email
            name
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BillingMembersQuery, BillingMembersQueryVariables>;
export const BillingInvitationsDocument = new TypedDocumentString(`
    query BillingInvitations($orgId: ID!) {
  org(id: $orgId) {
    id
    invitations {
      id
      email
      role
      expiresAt
      acceptedAt
      revokedAt
    }
  }
}
    `) as unknown as TypedDocumentString<BillingInvitationsQuery, BillingInvitationsQueryVariables>;
export const BillingInviteDocument = new TypedDocumentString(`
    mutation BillingInvite($orgId: ID!, $email: String!, $role: Role!) {
  inviteMember(orgId: $orgId, email: $email, role: $role) {
    token
    invitation {
      id
      email
      role
      expiresAt
    }
  }
}
    `) as unknown as TypedDocumentString<BillingInviteMutation, BillingInviteMutationVariables>;
export const BillingRevokeInvitationDocument = new TypedDocumentString(`
    mutation BillingRevokeInvitation($id: ID!) {
  revokeInvitation(id: $id) {
    invitation {
      id
      revokedAt
    }
  }
}
    `) as unknown as TypedDocumentString<BillingRevokeInvitationMutation, BillingRevokeInvitationMutationVariables>;
export const BillingSetRoleDocument = new TypedDocumentString(`
    mutation BillingSetRole($orgId: ID!, $userId: ID!, $role: Role!) {
  setMemberRole(orgId: $orgId, userId: $userId, role: $role) {
    member {
      role
      user {
        id
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BillingSetRoleMutation, BillingSetRoleMutationVariables>;
export const BillingRemoveMemberDocument = new TypedDocumentString(`
    mutation BillingRemoveMember($orgId: ID!, $userId: ID!) {
  removeMember(orgId: $orgId, userId: $userId) {
    userId
  }
}
    `) as unknown as TypedDocumentString<BillingRemoveMemberMutation, BillingRemoveMemberMutationVariables>;
export const BillingApiKeysDocument = new TypedDocumentString(`
    query BillingApiKeys($orgId: ID!) {
  org(id: $orgId) {
    id
    apiKeys {
      id
      name
      prefix
      createdAt
      lastUsedAt
      revokedAt
      createdBy {
        name
        email
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BillingApiKeysQuery, BillingApiKeysQueryVariables>;
export const BillingCreateApiKeyDocument = new TypedDocumentString(`
    mutation BillingCreateApiKey($orgId: ID!, $name: String!) {
  createApiKey(orgId: $orgId, name: $name) {
    secret
    apiKey {
      id
      name
      prefix
    }
  }
}
    `) as unknown as TypedDocumentString<BillingCreateApiKeyMutation, BillingCreateApiKeyMutationVariables>;
export const BillingRevokeApiKeyDocument = new TypedDocumentString(`
    mutation BillingRevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    apiKey {
      id
      revokedAt
    }
  }
}
    `) as unknown as TypedDocumentString<BillingRevokeApiKeyMutation, BillingRevokeApiKeyMutationVariables>;
export const BillingPlanDocument = new TypedDocumentString(`
    query BillingPlan($orgId: ID!) {
  org(id: $orgId) {
    id
    seats {
      total
      used
      available
      pending
    }
    usage {
      scope
      periodStart
      periodEnd
      creditsConsumed
      extraCredits
      metrics {
        metric
        quantity
        limit
        limitFromExtraCredits
        fractionUsed
        level
        overLimit
      }
    }
    subscription {
      id
      status
      seats
      autoRenew
      scheduledChange {
        seats
        effectiveAt
        plan {
          id
          name
        }
      }
      currentPeriodEnd
      renewsAt
      cancelAtPeriodEnd
      includedCreditsPerMonth
      includedCreditsLeft
      plan {
        id
        name
        interval
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BillingPlanQuery, BillingPlanQueryVariables>;
export const BillingSubscriptionUpdatedDocument = new TypedDocumentString(`
    subscription BillingSubscriptionUpdated($orgId: ID!) {
  subscriptionUpdated(orgId: $orgId) {
    id
    status
    seats
  }
}
    `) as unknown as TypedDocumentString<BillingSubscriptionUpdatedSubscription, BillingSubscriptionUpdatedSubscriptionVariables>;
export const BillingPlansDocument = new TypedDocumentString(`
    query BillingPlans($currency: Currency!) {
  plans(currency: $currency) {
    id
    code
    name
    interval
    includedCreditsPerSeat
    price(currency: $currency) {
      amount
      currency
    }
  }
}
    `) as unknown as TypedDocumentString<BillingPlansQuery, BillingPlansQueryVariables>;
export const BillingPreviewChangeDocument = new TypedDocumentString(`
    query BillingPreviewChange($input: PreviewChangeInput!) {
  previewChange(input: $input) {
    kind
    immediate
    effectiveAt
    seats
    plan {
      id
      name
    }
    lines {
      kind
      description
      amount {
        amount
        currency
      }
    }
    subtotal {
      amount
      currency
    }
    tax {
      amount
      currency
    }
    total {
      amount
      currency
    }
    credits
    renewal {
      amount
      currency
    }
  }
}
    `) as unknown as TypedDocumentString<BillingPreviewChangeQuery, BillingPreviewChangeQueryVariables>;
export const BillingSubscribeDocument = new TypedDocumentString(`
    mutation BillingSubscribe($input: SubscribeInput!) {
  subscribe(input: $input) {
    ...SubscriptionCheckoutFields
  }
}
    fragment SubscriptionCheckoutFields on SubscriptionCheckout {
  subscription {
    id
    status
    seats
    plan {
      id
      name
    }
  }
  order {
    id
    number
    status
    failureReason
    credits
    total {
      amount
      currency
    }
  }
  nextAction {
    kind
    redirectUrl
    clientSecret
  }
}`) as unknown as TypedDocumentString<BillingSubscribeMutation, BillingSubscribeMutationVariables>;
export const BillingChangePlanDocument = new TypedDocumentString(`
    mutation BillingChangePlan($input: ChangePlanInput!) {
  changePlan(input: $input) {
    ...SubscriptionCheckoutFields
  }
}
    fragment SubscriptionCheckoutFields on SubscriptionCheckout {
  subscription {
    id
    status
    seats
    plan {
      id
      name
    }
  }
  order {
    id
    number
    status
    failureReason
    credits
    total {
      amount
      currency
    }
  }
  nextAction {
    kind
    redirectUrl
    clientSecret
  }
}`) as unknown as TypedDocumentString<BillingChangePlanMutation, BillingChangePlanMutationVariables>;
export const BillingChangeSeatsDocument = new TypedDocumentString(`
    mutation BillingChangeSeats($input: ChangeSeatsInput!) {
  changeSeats(input: $input) {
    ...SubscriptionCheckoutFields
  }
}
    fragment SubscriptionCheckoutFields on SubscriptionCheckout {
  subscription {
    id
    status
    seats
    plan {
      id
      name
    }
  }
  order {
    id
    number
    status
    failureReason
    credits
    total {
      amount
      currency
    }
  }
  nextAction {
    kind
    redirectUrl
    clientSecret
  }
}`) as unknown as TypedDocumentString<BillingChangeSeatsMutation, BillingChangeSeatsMutationVariables>;
export const BillingCancelSubscriptionDocument = new TypedDocumentString(`
    mutation BillingCancelSubscription($orgId: ID!, $key: String!) {
  cancelSubscription(orgId: $orgId, idempotencyKey: $key) {
    id
    status
    cancelAtPeriodEnd
  }
}
    `) as unknown as TypedDocumentString<BillingCancelSubscriptionMutation, BillingCancelSubscriptionMutationVariables>;
export const BillingResumeSubscriptionDocument = new TypedDocumentString(`
    mutation BillingResumeSubscription($orgId: ID!, $key: String!) {
  resumeSubscription(orgId: $orgId, idempotencyKey: $key) {
    id
    status
    cancelAtPeriodEnd
  }
}
    `) as unknown as TypedDocumentString<BillingResumeSubscriptionMutation, BillingResumeSubscriptionMutationVariables>;
export const BillingPaymentMethodsDocument = new TypedDocumentString(`
    query BillingPaymentMethods($orgId: ID!) {
  org(id: $orgId) {
    id
    paymentMethods {
      id
      brand
      last4
      expMonth
      expYear
      isDefault
      gateway
      kind
      status
    }
  }
}
    `) as unknown as TypedDocumentString<BillingPaymentMethodsQuery, BillingPaymentMethodsQueryVariables>;
export const BillingAddPaymentMethodDocument = new TypedDocumentString(`
    mutation BillingAddPaymentMethod($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) {
    paymentMethod {
      id
      brand
      last4
      status
      isDefault
    }
    nextAction {
      kind
      redirectUrl
    }
  }
}
    `) as unknown as TypedDocumentString<BillingAddPaymentMethodMutation, BillingAddPaymentMethodMutationVariables>;
export const BillingSetDefaultPaymentMethodDocument = new TypedDocumentString(`
    mutation BillingSetDefaultPaymentMethod($id: ID!) {
  setDefaultPaymentMethod(id: $id) {
    id
    isDefault
  }
}
    `) as unknown as TypedDocumentString<BillingSetDefaultPaymentMethodMutation, BillingSetDefaultPaymentMethodMutationVariables>;
export const BillingRemovePaymentMethodDocument = new TypedDocumentString(`
    mutation BillingRemovePaymentMethod($id: ID!) {
  removePaymentMethod(id: $id) {
    paymentMethod {
      id
      status
    }
  }
}
    `) as unknown as TypedDocumentString<BillingRemovePaymentMethodMutation, BillingRemovePaymentMethodMutationVariables>;
export const BillingSetAutoRechargeDocument = new TypedDocumentString(`
    mutation BillingSetAutoRecharge($input: SetAutoRechargeInput!) {
  setAutoRecharge(input: $input) {
    enabled
    threshold
    quantity
  }
}
    `) as unknown as TypedDocumentString<BillingSetAutoRechargeMutation, BillingSetAutoRechargeMutationVariables>;
export const BillingAutoRechargeDocument = new TypedDocumentString(`
    query BillingAutoRecharge($orgId: ID!) {
  org(id: $orgId) {
    id
    autoRecharge {
      enabled
      mode
      threshold
      quantity
      paused
      pauseReason
      spendingLimit {
        amount
        currency
      }
      spentThisPeriod {
        amount
        currency
      }
      periodEnd
      pack {
        id
        name
      }
      paymentMethod {
        id
        brand
        last4
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BillingAutoRechargeQuery, BillingAutoRechargeQueryVariables>;
export const BillingAcceptInvitationDocument = new TypedDocumentString(`
    mutation BillingAcceptInvitation($token: String!) {
  acceptInvitation(token: $token) {
    membership {
      role
      org {
        id
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<BillingAcceptInvitationMutation, BillingAcceptInvitationMutationVariables>;
export const BillingSpendDocument = new TypedDocumentString(`
    mutation BillingSpend($input: ConsumeCreditsInput!) {
  consumeCredits(input: $input) {
    entry {
      id
      amount
      balanceAfter
    }
  }
}
    `) as unknown as TypedDocumentString<BillingSpendMutation, BillingSpendMutationVariables>;
export const CartDraftsDocument = new TypedDocumentString(`
    query CartDrafts($orgId: ID!) {
  org(id: $orgId) {
    id
    orders(first: 10, status: [DRAFT]) {
      edges {
        node {
          ...CartOrder
          createdAt
        }
      }
    }
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
  subtotal {
    amount
    currency
  }
  tax {
    amount
    currency
  }
  total {
    amount
    currency
  }
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`) as unknown as TypedDocumentString<CartDraftsQuery, CartDraftsQueryVariables>;
export const CartOrderDocument = new TypedDocumentString(`
    query CartOrder($id: ID!) {
  order(id: $id) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
  subtotal {
    amount
    currency
  }
  tax {
    amount
    currency
  }
  total {
    amount
    currency
  }
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`) as unknown as TypedDocumentString<CartOrderQuery, CartOrderQueryVariables>;
export const CartCreateDocument = new TypedDocumentString(`
    mutation CartCreate($input: CreateOrderInput!) {
  createOrder(input: $input) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
  subtotal {
    amount
    currency
  }
  tax {
    amount
    currency
  }
  total {
    amount
    currency
  }
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`) as unknown as TypedDocumentString<CartCreateMutation, CartCreateMutationVariables>;
export const CartAddItemDocument = new TypedDocumentString(`
    mutation CartAddItem($orderId: ID!, $item: OrderItemInput!) {
  addOrderItem(orderId: $orderId, item: $item) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
  subtotal {
    amount
    currency
  }
  tax {
    amount
    currency
  }
  total {
    amount
    currency
  }
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`) as unknown as TypedDocumentString<CartAddItemMutation, CartAddItemMutationVariables>;
export const CartSetQuantityDocument = new TypedDocumentString(`
    mutation CartSetQuantity($orderId: ID!, $itemId: ID!, $quantity: Int64!) {
  setOrderItemQuantity(orderId: $orderId, itemId: $itemId, quantity: $quantity) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
  subtotal {
    amount
    currency
  }
  tax {
    amount
    currency
  }
  total {
    amount
    currency
  }
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`) as unknown as TypedDocumentString<CartSetQuantityMutation, CartSetQuantityMutationVariables>;
export const CartRemoveItemDocument = new TypedDocumentString(`
    mutation CartRemoveItem($orderId: ID!, $itemId: ID!) {
  removeOrderItem(orderId: $orderId, itemId: $itemId) {
    ...CartOrder
  }
}
    fragment CartOrder on Order {
  id
  number
  status
  version
  credits
  subtotal {
    amount
    currency
  }
  tax {
    amount
    currency
  }
  total {
    amount
    currency
  }
  installments {
    count
    installmentAmount {
      amount
      currency
    }
    commission {
      amount
      currency
    }
  }
  lines {
    itemId
    kind
    description
    quantity
    unitPrice {
      amount
      currency
    }
    amount {
      amount
      currency
    }
  }
  items {
    id
    kind
    planId
    seats
    packId
    quantity
    termMonths
    amount
    credits
    validity
    grantId
    expiresAt
  }
}`) as unknown as TypedDocumentString<CartRemoveItemMutation, CartRemoveItemMutationVariables>;
export const CartDiscardDocument = new TypedDocumentString(`
    mutation CartDiscard($orderId: ID!) {
  cancelOrder(orderId: $orderId) {
    id
    status
  }
}
    `) as unknown as TypedDocumentString<CartDiscardMutation, CartDiscardMutationVariables>;
export const CartCheckoutDocument = new TypedDocumentString(`
    mutation CartCheckout($input: CheckoutOrderInput!) {
  checkoutOrder(input: $input) {
    order {
      id
      number
      status
      failureReason
      credits
      total {
        amount
        currency
      }
      invoice {
        id
        number
        pdfUrl
      }
    }
    nextAction {
      kind
      redirectUrl
      clientSecret
    }
  }
}
    `) as unknown as TypedDocumentString<CartCheckoutMutation, CartCheckoutMutationVariables>;
export const WatchOrderDocument = new TypedDocumentString(`
    query WatchOrder($id: ID!) {
  order(id: $id) {
    ...WatchedOrder
  }
}
    fragment WatchedOrder on Order {
  id
  number
  status
  failureReason
  credits
  total {
    amount
    currency
  }
  invoice {
    id
    number
    pdfUrl
  }
}`) as unknown as TypedDocumentString<WatchOrderQuery, WatchOrderQueryVariables>;
export const WatchOrderUpdatesDocument = new TypedDocumentString(`
    subscription WatchOrderUpdates($orgId: ID!) {
  orderUpdated(orgId: $orgId) {
    ...WatchedOrder
  }
}
    fragment WatchedOrder on Order {
  id
  number
  status
  failureReason
  credits
  total {
    amount
    currency
  }
  invoice {
    id
    number
    pdfUrl
  }
}`) as unknown as TypedDocumentString<WatchOrderUpdatesSubscription, WatchOrderUpdatesSubscriptionVariables>;