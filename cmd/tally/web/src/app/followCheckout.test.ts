import { describe, expect, it } from "vitest";
import { OrderNotPaidError, type WatchedOrder } from "../client";
import { followCheckout, type CheckoutAnswer } from "./followCheckout";

const order = (status: string): WatchedOrder => ({ id: "T3JkZXI6MQ==", number: "ORD-2026-000001", status, failureReason: null, credits: 1000, invoice: null }) as unknown as WatchedOrder;

/** Runs followCheckout and records what it asked of the form. */
async function run(answer: CheckoutAnswer<WatchedOrder>, confirm?: (secret: string) => Promise<void>) {
  const calls: string[] = [];
  let error: unknown;
  const step = await followCheckout(answer, {
    failed: (e) => {
      error = e;
      calls.push(`failed:${e.code}`);
    },
    paid: (o) => calls.push(`paid:${o.status}`),
    redirect: (url) => void calls.push(`redirect:${url}`),
    watch: (o) => calls.push(`watch:${o.status}`),
    resume: { confirm, navigate: (u) => calls.push(`navigated:${u}`) },
  });
  return { step, calls, error };
}

describe("followCheckout", () => {
  it.each([
    ["FAILED", "failed", ["failed:PAYMENT_FAILED"]],
    ["CANCELED", "failed", ["failed:PAYMENT_FAILED"]],
    ["PAID", "paid", ["paid:PAID"]],
    ["PROCESSING", "watch", ["watch:PROCESSING"]],
    ["PENDING", "watch", ["watch:PENDING"]],
  ])("an order %s without a next action: %s", async (status, step, calls) => {
    const r = await run({ order: order(status), nextAction: null });
    expect(r.step).toBe(step);
    expect(r.calls).toEqual(calls);
    if (step === "failed") expect(r.error).toBeInstanceOf(OrderNotPaidError);
  });

  it("leaves a hosted page to the form's redirect, never navigating itself", async () => {
    const r = await run({ order: order("REQUIRES_ACTION"), nextAction: { kind: "REDIRECT", redirectUrl: "https://pay.example/p1" } });
    expect(r.step).toBe("redirect");
    expect(r.calls).toEqual(["redirect:https://pay.example/p1"]);
  });

  it("confirms a client secret on the page, then watches the order", async () => {
    const secrets: string[] = [];
    const r = await run({ order: order("REQUIRES_ACTION"), nextAction: { kind: "CONFIRM", clientSecret: "pi_secret" } }, async (s) => void secrets.push(s));
    expect(r.step).toBe("watch");
    expect(secrets).toEqual(["pi_secret"]);
    expect(r.calls).toEqual(["watch:REQUIRES_ACTION"]);
  });

  it("fails, without watching, a next action it cannot take", async () => {
    const r = await run({ order: order("REQUIRES_ACTION"), nextAction: { kind: "CONFIRM", clientSecret: "pi_secret" } });
    expect(r.step).toBe("failed");
    expect(r.calls).toEqual(["failed:INVALID_INPUT"]);
  });

  it("reads a paid status before any next action", async () => {
    const r = await run({ order: order("PAID"), nextAction: { kind: "REDIRECT", redirectUrl: "https://pay.example/p1" } });
    expect(r.calls).toEqual(["paid:PAID"]);
  });
});
