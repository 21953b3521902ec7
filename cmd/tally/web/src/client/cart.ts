// A cart over a draft order (createOrder and its edits, then checkoutOrder at
// the version the buyer saw): find the org's open draft, add items to it,
// group its lines per item, reprice it in another installment count, and pay
// it without ever paying a quote the buyer did not see.
import { graphql } from "../gql";
import type { CartOrderFragment, CheckoutOrderInput, OrderItemInput } from "../gql/graphql";
import type { Transport } from "./client";
import { toTallyError } from "./errors";

/** The draft's fields the cart shows: its items, their lines and the server's totals. */
export const CartOrderFields = graphql(`
  fragment CartOrder on Order {
    id
    number
    status
    version
    credits
    subtotal { amount currency }
    tax { amount currency }
    total { amount currency }
    installments { count installmentAmount { amount currency } commission { amount currency } }
    lines { itemId kind description quantity unitPrice { amount currency } amount { amount currency } }
    items { id kind planId seats packId quantity termMonths amount credits validity grantId expiresAt }
  }
`);

export const CartDraftsDoc = graphql(`
  query CartDrafts($orgId: ID!) {
    org(id: $orgId) {
      id
      orders(first: 10, status: [DRAFT]) { edges { node { ...CartOrder createdAt } } }
    }
  }
`);

export const CartOrderDoc = graphql(`
  query CartOrder($id: ID!) {
    order(id: $id) { ...CartOrder }
  }
`);

export const CreateCartDoc = graphql(`
  mutation CartCreate($input: CreateOrderInput!) {
    createOrder(input: $input) { ...CartOrder }
  }
`);

export const AddCartItemDoc = graphql(`
  mutation CartAddItem($orderId: ID!, $item: OrderItemInput!) {
    addOrderItem(orderId: $orderId, item: $item) { ...CartOrder }
  }
`);

export const SetCartQuantityDoc = graphql(`
  mutation CartSetQuantity($orderId: ID!, $itemId: ID!, $quantity: Int64!) {
    setOrderItemQuantity(orderId: $orderId, itemId: $itemId, quantity: $quantity) { ...CartOrder }
  }
`);

export const RemoveCartItemDoc = graphql(`
  mutation CartRemoveItem($orderId: ID!, $itemId: ID!) {
    removeOrderItem(orderId: $orderId, itemId: $itemId) { ...CartOrder }
  }
`);

export const DiscardCartDoc = graphql(`
  mutation CartDiscard($orderId: ID!) {
    cancelOrder(orderId: $orderId) { id status }
  }
`);

export const CheckoutCartDoc = graphql(`
  mutation CartCheckout($input: CheckoutOrderInput!) {
    checkoutOrder(input: $input) {
      order { id number status failureReason credits total { amount currency } invoice { id number pdfUrl } }
      nextAction { kind redirectUrl clientSecret }
    }
  }
`);

/** A draft order as the cart reads it. */
export type CartOrder = CartOrderFragment;
/** One item of a cart. */
export type CartItem = CartOrder["items"][number];

/** The org's newest open draft, or undefined when it has none. */
export async function findDraft(t: Transport, orgId: string, init?: { signal?: AbortSignal }): Promise<CartOrder | undefined> {
  const r = await t.request(CartDraftsDoc, { orgId }, init);
  const drafts = (r.org?.orders.edges ?? []).map((e) => e.node).filter((o) => o.status === "DRAFT");
  drafts.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  return drafts[0];
}

/** What addToCart needs. */
export interface AddToCartOptions {
  orgId: string;
  /** The draft the buyer has; undefined (or one no longer a draft) starts a new one. */
  draftId?: string;
  item: OrderItemInput;
  /** Installments of a new draft; an existing draft keeps its own. */
  installments?: number;
}

/**
 * Adds item to the buyer's draft and returns the repriced draft. When there is
 * no draft, or the one given has left DRAFT (checkout started: CONFLICT) or is
 * gone (NOT_FOUND), a new draft is made with the item.
 */
export async function addToCart(t: Transport, o: AddToCartOptions): Promise<CartOrder> {
  if (o.draftId) {
    try {
      return (await t.request(AddCartItemDoc, { orderId: o.draftId, item: o.item })).addOrderItem;
    } catch (err) {
      const te = toTallyError(err);
      if (te.code !== "CONFLICT" && te.code !== "NOT_FOUND") throw te;
    }
  }
  const input = { orgId: o.orgId, items: [o.item], ...(o.installments && o.installments > 1 ? { installments: o.installments } : {}) };
  return (await t.request(CreateCartDoc, { input })).createOrder;
}

/** An item as createOrder takes it again (to reprice the draft in another installment count). */
export function itemInput(it: CartItem): OrderItemInput {
  const input: OrderItemInput = { kind: it.kind, quantity: it.quantity };
  if (it.kind === "PLAN") input.planId = it.planId;
  if (it.kind === "PLAN" || it.kind === "SEATS") input.seats = it.seats;
  if (it.kind === "PACK") {
    input.packId = it.packId;
    if (it.termMonths != null) input.termMonths = it.termMonths;
    if (it.amount != null) input.credits = it.amount;
  }
  if (it.kind === "EXTRA_CREDITS") input.credits = it.amount;
  return input;
}

/**
 * The draft again with the same items in another installment count: a new
 * draft (createOrder fixes the count), then the old one discarded. The new
 * draft is returned even when discarding the old one fails (it is swept after
 * 7 days untouched).
 */
export async function repriceDraft(t: Transport, orgId: string, draft: CartOrder, installments: number): Promise<CartOrder> {
  const next = (await t.request(CreateCartDoc, { input: { orgId, items: draft.items.map(itemInput), installments } })).createOrder;
  await t.request(DiscardCartDoc, { orderId: draft.id }).catch(() => undefined);
  return next;
}

/** One row of the cart: an item with its description and price from the draft's lines. */
export interface CartRow {
  item: CartItem;
  /** The item's line descriptions, joined. */
  description: string;
  /** The sum of the item's lines before tax, in the draft's currency. */
  price: { amount: string; currency: string };
}

/** The item's minor units in a decimal amount with the given digits ("12.34" → 1234). */
function toMinor(amount: string, digits: number): bigint {
  const neg = amount.startsWith("-");
  const [whole, frac = ""] = amount.replace(/^-/, "").split(".");
  const v = BigInt(whole || "0") * 10n ** BigInt(digits) + BigInt((frac + "0".repeat(digits)).slice(0, digits) || "0");
  return neg ? -v : v;
}

function fromMinor(v: bigint, digits: number): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const s = a.toString().padStart(digits + 1, "0");
  const out = digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  return neg ? `-${out}` : out;
}

/**
 * The cart's rows, in item order: each item's description and price from the
 * lines that name it (a plan item may have a plan line and a seats line), so
 * the page shows exactly what the server priced, with no arithmetic of its own
 * beyond adding an item's lines.
 */
export function cartRows(draft: Pick<CartOrder, "items" | "lines" | "subtotal">): CartRow[] {
  return draft.items.map((item) => {
    const lines = draft.lines.filter((l) => l.itemId === item.id);
    const currency = lines[0]?.amount.currency ?? draft.subtotal.currency;
    const digits = Math.max(0, ...lines.map((l) => l.amount.amount.split(".")[1]?.length ?? 0), draft.subtotal.amount.split(".")[1]?.length ?? 0);
    const sum = lines.reduce((s, l) => s + toMinor(l.amount.amount, digits), 0n);
    return { item, description: lines.map((l) => l.description).join("; ") || item.kind, price: { amount: fromMinor(sum, digits), currency } };
  });
}

/** What payDraft needs besides the draft: how to pay, as for checkoutOrder. */
export type PayDraftOptions = Omit<CheckoutOrderInput, "orderId" | "version" | "idempotencyKey"> & { idempotencyKey?: string };

/** What payDraft ends with. */
export type PayDraftResult =
  /** Checkout started at the version the buyer saw: follow the order. */
  | { kind: "started"; checkout: CheckoutCart }
  /**
   * The draft changed (or its prices moved, or checkout already started)
   * since the buyer saw it: nothing was charged; `draft` is the order as it
   * is now (still a DRAFT to show again, or already past it).
   */
  | { kind: "conflict"; draft?: CartOrder; message: string };

/** What checkoutOrder answers. */
export type CheckoutCart = Awaited<ReturnType<typeof runCheckout>>;

async function runCheckout(t: Transport, input: CheckoutOrderInput) {
  return (await t.request(CheckoutCartDoc, { input })).checkoutOrder;
}

/**
 * Pays the draft at exactly the version the buyer saw. On CONFLICT nothing was
 * charged: the draft is read again and handed back for the buyer to look at
 * before paying. Other errors reject as TallyError.
 */
export async function payDraft(t: Transport, seen: Pick<CartOrder, "id" | "version">, o: PayDraftOptions = {}): Promise<PayDraftResult> {
  const { idempotencyKey, ...rest } = o;
  const input: CheckoutOrderInput = { ...rest, orderId: seen.id, version: seen.version, idempotencyKey: idempotencyKey ?? crypto.randomUUID() };
  try {
    return { kind: "started", checkout: await runCheckout(t, input) };
  } catch (err) {
    const te = toTallyError(err);
    if (te.code !== "CONFLICT") throw te;
    const again = await t.request(CartOrderDoc, { id: seen.id }).catch(() => undefined);
    return { kind: "conflict", draft: again?.order ?? undefined, message: te.message };
  }
}
