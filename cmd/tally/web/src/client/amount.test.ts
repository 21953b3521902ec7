import { describe, expect, it } from "vitest";
import { parseAmount } from "./amount";

describe("parseAmount", () => {
  it("converts decimals to minor units exactly", () => {
    expect(parseAmount("50")).toEqual({ ok: true, minor: 5000, decimal: "50.00" });
    expect(parseAmount(" 50.5 ")).toEqual({ ok: true, minor: 5050, decimal: "50.50" });
    expect(parseAmount("0.01")).toEqual({ ok: true, minor: 1, decimal: "0.01" });
    expect(parseAmount("1000.00")).toEqual({ ok: true, minor: 100000, decimal: "1000.00" });
    expect(parseAmount("007.10")).toEqual({ ok: true, minor: 710, decimal: "7.10" });
    // 0.1 + 0.2 is not 0.3 in floating point; here it never meets one.
    expect(parseAmount("0.29").ok && parseAmount("0.29")).toMatchObject({ minor: 29 });
  });

  it("refuses what the server would refuse", () => {
    for (const s of ["", "  ", "-5", "+5", "5e2", "5.", ".5", "1,000", "50.001", "abc", "5 0", "NaN", "Infinity"]) {
      expect(parseAmount(s).ok, s).toBe(false);
    }
    expect(parseAmount("50.001")).toEqual({ ok: false, reason: "At most 2 decimals." });
    expect(parseAmount("99999999999999999999").ok).toBe(false);
  });

  it("follows the currency's decimals", () => {
    expect(parseAmount("5", 0)).toEqual({ ok: true, minor: 5, decimal: "5" });
    expect(parseAmount("5.1", 0).ok).toBe(false);
  });
});
