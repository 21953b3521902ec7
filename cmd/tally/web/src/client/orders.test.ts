import { describe, expect, it } from "vitest";
import type { Document, Sink, Transport } from "./client";
import { TallyError } from "./errors";
import { OrderNotPaidError, watchOrder, type WatchedOrder } from "./orders";

const order = (id: string, status: WatchedOrder["status"], extra: Partial<WatchedOrder> = {}): WatchedOrder => ({
  id,
  number: `ORD-${id}`,
  status,
  credits: 1000,
  total: { amount: "5.95", currency: "EUR" },
  failureReason: null,
  invoice: null,
  ...extra,
});

/**
 * A Transport whose order query answers from `reads` (one per call, the last
 * repeated) and whose subscriptions the test pushes events into.
 */
function fakeTransport(reads: (WatchedOrder | null | TallyError)[]) {
  const sinks: Sink<unknown>[] = [];
  let stopped = 0;
  let requests = 0;
  const t: Transport = {
    async request<R, V>(_doc: Document<R, V>, vars?: V) {
      requests++;
      expect(vars).toHaveProperty("id");
      const r = reads.length > 1 ? reads.shift()! : reads[0];
      if (r instanceof TallyError) throw r;
      return { order: r } as R;
    },
    subscribe<R, V>(_doc: Document<R, V>, vars: V, sink: Sink<R>) {
      expect(vars).toEqual({ orgId: "org1" });
      sinks.push(sink as Sink<unknown>);
      return () => void stopped++;
    },
  };
  const push = (o: WatchedOrder) => sinks.forEach((s) => s.next({ orderUpdated: o }));
  const fail = (e: TallyError) => sinks.forEach((s) => s.error?.(e));
  return { t, push, fail, stopped: () => stopped, requests: () => requests };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("watchOrder", () => {
  it("resolves when the order turns PAID, ignoring other orders, and stops listening", async () => {
    const f = fakeTransport([order("o1", "REQUIRES_ACTION")]);
    const updates: string[] = [];
    const p = watchOrder(f.t, { orgId: "org1", orderId: "o1", pollInterval: 0, onUpdate: (o) => updates.push(o.status) });
    await flush();
    f.push(order("other", "PAID"));
    f.push(order("o1", "PROCESSING"));
    f.push(order("o1", "PAID", { invoice: { id: "i1", number: "INV-1", pdfUrl: "/invoices/i1.pdf" } }));
    const paid = await p;
    expect(paid.status).toBe("PAID");
    expect(paid.invoice?.number).toBe("INV-1");
    expect(updates).toEqual(["REQUIRES_ACTION", "PROCESSING", "PAID"]);
    expect(f.stopped()).toBe(1);
  });

  it("resolves from the first read when the order was paid before the socket opened", async () => {
    const f = fakeTransport([order("o1", "PAID")]);
    const paid = await watchOrder(f.t, { orgId: "org1", orderId: "o1", pollInterval: 0 });
    expect(paid.id).toBe("o1");
    expect(f.stopped()).toBe(1);
  });

  it("counts an order refunded meanwhile as paid", async () => {
    const f = fakeTransport([order("o1", "PARTIALLY_REFUNDED")]);
    expect((await watchOrder(f.t, { orgId: "org1", orderId: "o1", pollInterval: 0 })).status).toBe("PARTIALLY_REFUNDED");
  });

  it.each([
    ["FAILED", "the payment was declined", /failed: the payment was declined/],
    ["CANCELED", null, /was canceled/],
  ] as const)("rejects with PAYMENT_FAILED when the order is %s", async (status, reason, message) => {
    const f = fakeTransport([order("o1", "PENDING")]);
    const p = watchOrder(f.t, { orgId: "org1", orderId: "o1", pollInterval: 0 });
    await flush();
    f.push(order("o1", status, { failureReason: reason }));
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderNotPaidError);
    expect((err as OrderNotPaidError).code).toBe("PAYMENT_FAILED");
    expect((err as OrderNotPaidError).order.status).toBe(status);
    expect((err as Error).message).toMatch(message);
  });

  it("rejects NOT_FOUND for an order the caller cannot see", async () => {
    const f = fakeTransport([null]);
    const err = await watchOrder(f.t, { orgId: "org1", orderId: "o1", pollInterval: 0 }).catch((e: unknown) => e);
    expect((err as TallyError).code).toBe("NOT_FOUND");
  });

  it("rejects with a read's lasting error but waits out a retryable one", async () => {
    const forbidden = fakeTransport([new TallyError({ code: "FORBIDDEN", message: "MEMBER may not read orders" })]);
    const err = await watchOrder(forbidden.t, { orgId: "org1", orderId: "o1", pollInterval: 0 }).catch((e: unknown) => e);
    expect((err as TallyError).code).toBe("FORBIDDEN");

    const flaky = fakeTransport([new TallyError({ code: "UNAVAILABLE", message: "db restarting", retryAfter: 1 }), order("o1", "PROCESSING")]);
    const p = watchOrder(flaky.t, { orgId: "org1", orderId: "o1", pollInterval: 0 });
    await flush();
    flaky.push(order("o1", "PAID"));
    expect((await p).status).toBe("PAID");
  });

  it("rejects when the subscription ends with a lasting error", async () => {
    const f = fakeTransport([order("o1", "PENDING")]);
    const p = watchOrder(f.t, { orgId: "org1", orderId: "o1", pollInterval: 0 });
    await flush();
    f.fail(new TallyError({ code: "UNAUTHENTICATED", message: "token expired" }));
    expect(((await p.catch((e: unknown) => e)) as TallyError).code).toBe("UNAUTHENTICATED");
  });

  it("reads the order again every pollInterval, in case an event was missed", async () => {
    const f = fakeTransport([order("o1", "PROCESSING"), order("o1", "PROCESSING"), order("o1", "PAID")]);
    const paid = await watchOrder(f.t, { orgId: "org1", orderId: "o1", pollInterval: 1 });
    expect(paid.status).toBe("PAID");
    expect(f.requests()).toBe(3);
  });

  it("rejects with the signal's reason when aborted, and stops listening", async () => {
    const f = fakeTransport([order("o1", "PENDING")]);
    const ctl = new AbortController();
    const p = watchOrder(f.t, { orgId: "org1", orderId: "o1", pollInterval: 0, signal: ctl.signal });
    await flush();
    ctl.abort(new Error("left the page"));
    expect(((await p.catch((e: unknown) => e)) as Error).message).toBe("left the page");
    expect(f.stopped()).toBe(1);
  });
});
