import { describe, expect, it } from "vitest";
import type { Document, Transport } from "./client";
import { addToCart, cartRows, findDraft, itemInput, payDraft, repriceDraft, type CartItem, type CartOrder } from "./cart";
import { TallyError } from "./errors";

const money = (amount: string) => ({ amount, currency: "EUR" as const });

const item = (id: string, extra: Partial<CartItem> = {}): CartItem => ({
  id,
  kind: "PACK",
  planId: null,
  seats: null,
  packId: `pack-${id}`,
  quantity: 1,
  termMonths: null,
  amount: null,
  credits: 1000,
  validity: "NEVER",
  grantId: null,
  expiresAt: null,
  ...extra,
});

const draft = (id: string, version: number, extra: Partial<CartOrder> = {}): CartOrder => ({
  id,
  number: "",
  status: "DRAFT",
  version,
  credits: 1000,
  subtotal: money("5.00"),
  tax: money("0.95"),
  total: money("5.95"),
  installments: null,
  lines: [],
  items: [item("i1")],
  ...extra,
});

/** A Transport answering each operation (by its name) from handlers, recording the calls. */
function fake(handlers: Record<string, (vars: Record<string, unknown>) => unknown>) {
  const calls: { op: string; vars: Record<string, unknown> }[] = [];
  const t: Transport = {
    async request<R, V>(doc: Document<R, V>, vars?: V) {
      const op = /(?:query|mutation)\s+(\w+)/.exec(String(doc))?.[1] ?? "?";
      calls.push({ op, vars: vars as Record<string, unknown> });
      const h = handlers[op];
      if (!h) throw new Error(`unexpected ${op}`);
      const r = h(vars as Record<string, unknown>);
      if (r instanceof Error) throw r;
      return r as R;
    },
    subscribe() {
      throw new Error("no subscriptions");
    },
  };
  return { t, calls };
}

const conflict = () => new TallyError({ code: "CONFLICT", message: "the draft changed" });

describe("findDraft", () => {
  it("returns the newest DRAFT, or undefined", async () => {
    const edges = [
      { node: { ...draft("old", 1), createdAt: "2026-12-01T10:00:00Z" } },
      { node: { ...draft("new", 3), createdAt: "2026-12-02T10:00:00Z" } },
    ];
    const f = fake({ CartDrafts: () => ({ org: { id: "org1", orders: { edges } } }) });
    expect((await findDraft(f.t, "org1"))?.id).toBe("new");
    expect(f.calls[0].vars).toEqual({ orgId: "org1" });
    const none = fake({ CartDrafts: () => ({ org: { id: "org1", orders: { edges: [] } } }) });
    expect(await findDraft(none.t, "org1")).toBeUndefined();
  });
});

describe("addToCart", () => {
  const it1 = { kind: "PACK" as const, packId: "p1", quantity: 2 };

  it("adds to the draft it is given", async () => {
    const f = fake({ CartAddItem: () => ({ addOrderItem: draft("d1", 2) }) });
    const d = await addToCart(f.t, { orgId: "org1", draftId: "d1", item: it1 });
    expect(d.version).toBe(2);
    expect(f.calls).toEqual([{ op: "CartAddItem", vars: { orderId: "d1", item: it1 } }]);
  });

  it("starts a new draft without one, or when the one given left DRAFT or is gone", async () => {
    for (const draftId of [undefined, "paid", "gone"]) {
      const f = fake({
        CartAddItem: (v) => (v.orderId === "paid" ? conflict() : new TallyError({ code: "NOT_FOUND", message: "no such order" })),
        CartCreate: () => ({ createOrder: draft("d2", 1) }),
      });
      const d = await addToCart(f.t, { orgId: "org1", draftId, item: it1 });
      expect(d.id).toBe("d2");
      expect(f.calls.at(-1)).toEqual({ op: "CartCreate", vars: { input: { orgId: "org1", items: [it1] } } });
    }
  });

  it("passes other errors through and makes no new draft", async () => {
    const f = fake({ CartAddItem: () => new TallyError({ code: "INVALID_INPUT", message: "bad quantity", field: "item.quantity" }) });
    await expect(addToCart(f.t, { orgId: "org1", draftId: "d1", item: it1 })).rejects.toMatchObject({ code: "INVALID_INPUT", field: "item.quantity" });
    expect(f.calls.map((c) => c.op)).toEqual(["CartAddItem"]);
  });
});

describe("itemInput and repriceDraft", () => {
  it("turns each kind of item back into its input", () => {
    expect(itemInput(item("a", { quantity: 3 }))).toEqual({ kind: "PACK", packId: "pack-a", quantity: 3 });
    expect(itemInput(item("b", { termMonths: 2, validity: "RECURRING" }))).toEqual({ kind: "PACK", packId: "pack-b", quantity: 1, termMonths: 2 });
    expect(itemInput(item("c", { kind: "PLAN", packId: null, planId: "plan1", seats: 4 }))).toEqual({ kind: "PLAN", planId: "plan1", seats: 4, quantity: 1 });
    expect(itemInput(item("d", { kind: "EXTRA_CREDITS", packId: null, amount: 5000 }))).toEqual({ kind: "EXTRA_CREDITS", credits: 5000, quantity: 1 });
  });

  it("makes a draft with the same items in the new count and discards the old one", async () => {
    const f = fake({ CartCreate: () => ({ createOrder: draft("d2", 1) }), CartDiscard: () => ({ cancelOrder: { id: "d1", status: "CANCELED" } }) });
    const d = await repriceDraft(f.t, "org1", draft("d1", 4), 3);
    expect(d.id).toBe("d2");
    expect(f.calls).toEqual([
      { op: "CartCreate", vars: { input: { orgId: "org1", items: [{ kind: "PACK", packId: "pack-i1", quantity: 1 }], installments: 3 } } },
      { op: "CartDiscard", vars: { orderId: "d1" } },
    ]);
  });
});

describe("cartRows", () => {
  it("gives each item its lines' description and their sum, exactly", () => {
    const line = (itemId: string | null, description: string, amount: string) => ({
      itemId,
      kind: "PACK" as const,
      description,
      quantity: 1,
      unitPrice: money(amount),
      amount: money(amount),
    });
    const rows = cartRows({
      subtotal: money("60.30"),
      items: [item("p", { kind: "PLAN" }), item("k")],
      lines: [line("p", "Team plan", "49.00"), line("p", "2 seats", "0.10"), line("k", "Starter (1,000 credits)", "11.10"), line(null, "Commission", "0.10")],
    });
    expect(rows.map((r) => [r.item.id, r.description, r.price.amount])).toEqual([
      ["p", "Team plan; 2 seats", "49.10"],
      ["k", "Starter (1,000 credits)", "11.10"],
    ]);
  });
});

describe("payDraft", () => {
  it("checks out at the version seen", async () => {
    const checkout = { order: { id: "d1", number: "ORD-1", status: "PAID" }, nextAction: { kind: "NONE" } };
    const f = fake({ CartCheckout: () => ({ checkoutOrder: checkout }) });
    const r = await payDraft(f.t, { id: "d1", version: 7 }, { paymentMethodId: "4242424242424242", idempotencyKey: "k1" });
    expect(r).toEqual({ kind: "started", checkout });
    expect(f.calls[0].vars).toEqual({ input: { orderId: "d1", version: 7, paymentMethodId: "4242424242424242", idempotencyKey: "k1" } });
  });

  it("on CONFLICT charges nothing and hands back the draft as it is now", async () => {
    const f = fake({ CartCheckout: conflict, CartOrder: () => ({ order: draft("d1", 8) }) });
    const r = await payDraft(f.t, { id: "d1", version: 7 });
    expect(r.kind).toBe("conflict");
    if (r.kind === "conflict") {
      expect(r.draft?.version).toBe(8);
      expect(r.message).toBe("the draft changed");
    }
    expect(f.calls.map((c) => c.op)).toEqual(["CartCheckout", "CartOrder"]);
    expect((f.calls[0].vars.input as { idempotencyKey: string }).idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("rejects other errors", async () => {
    const f = fake({ CartCheckout: () => new TallyError({ code: "PAYMENT_FAILED", message: "declined" }) });
    await expect(payDraft(f.t, { id: "d1", version: 1 })).rejects.toMatchObject({ code: "PAYMENT_FAILED" });
  });
});
