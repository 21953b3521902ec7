import { describe, expect, it } from "vitest";
import { resumeCheckout } from "./checkout";
import { TallyError } from "./errors";

describe("resumeCheckout", () => {
  it("does nothing for no action and NONE", async () => {
    const navigate = (u: string) => {
      throw new Error(`navigated to ${u}`);
    };
    expect(await resumeCheckout(null, { navigate })).toEqual({ kind: "none" });
    expect(await resumeCheckout(undefined, { navigate })).toEqual({ kind: "none" });
    expect(await resumeCheckout({ kind: "NONE", redirectUrl: null }, { navigate })).toEqual({ kind: "none" });
  });

  it("sends the buyer to the hosted page on REDIRECT", async () => {
    const went: string[] = [];
    const r = await resumeCheckout(
      { kind: "REDIRECT", redirectUrl: "http://localhost:8080/sandbox/pay/pay_1" },
      { navigate: (u) => went.push(u) },
    );
    expect(r).toEqual({ kind: "redirected", url: "http://localhost:8080/sandbox/pay/pay_1" });
    expect(went).toEqual(["http://localhost:8080/sandbox/pay/pay_1"]);
  });

  it("confirms the client secret on CONFIRM", async () => {
    const secrets: string[] = [];
    const r = await resumeCheckout({ kind: "CONFIRM", clientSecret: "pi_1_secret_2" }, { confirm: async (s) => void secrets.push(s) });
    expect(r).toEqual({ kind: "confirmed" });
    expect(secrets).toEqual(["pi_1_secret_2"]);
  });

  it.each([
    ["a REDIRECT without a URL", { kind: "REDIRECT" as const, redirectUrl: null }, {}],
    ["a CONFIRM without a secret", { kind: "CONFIRM" as const, clientSecret: "" }, { confirm: async () => {} }],
    ["a CONFIRM without a confirm function", { kind: "CONFIRM" as const, clientSecret: "pi_secret" }, {}],
  ])("refuses %s with INVALID_INPUT", async (_, action, opts) => {
    const err = await resumeCheckout(action, { navigate: () => {}, ...opts }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TallyError);
    expect((err as TallyError).code).toBe("INVALID_INPUT");
  });

  it("passes on a failed confirmation", async () => {
    const err = await resumeCheckout({ kind: "CONFIRM", clientSecret: "s" }, { confirm: async () => Promise.reject(new Error("card_declined")) }).catch((e: unknown) => e);
    expect((err as Error).message).toBe("card_declined");
  });
});
