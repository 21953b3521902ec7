import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ERROR_CODES, TallyError, errorCode, fromGraphQLErrors, toTallyError } from "./errors";

const repo = (p: string) => fileURLToPath(new URL(`../../../../../${p}`, import.meta.url));

describe("ERROR_CODES", () => {
  it("lists exactly the codes domain/errors.go defines", () => {
    const src = readFileSync(repo("domain/errors.go"), "utf8");
    const defined = [...src.matchAll(/Code\w+\s+Code\s*=\s*"([A-Z_]+)"/g)].map((m) => m[1]);
    expect(defined.length).toBeGreaterThan(5);
    expect([...ERROR_CODES].sort()).toEqual([...new Set(defined)].sort());
  });

  it("lists every code the schema's description names", () => {
    const schema = readFileSync(repo("graph/schema/common.graphqls"), "utf8");
    const described = schema.slice(0, schema.indexOf("schema {"));
    for (const code of ERROR_CODES) expect(described).toContain(code);
  });
});

describe("fromGraphQLErrors", () => {
  it("takes the first error's code, field and retryAfter", () => {
    const e = fromGraphQLErrors(
      [
        { message: "quantity must be at least 1", extensions: { code: "INVALID_INPUT", field: "quantity" } },
        { message: "second", extensions: { code: "INTERNAL" } },
      ],
      { status: 200 },
    );
    expect(e).toBeInstanceOf(TallyError);
    expect(e.code).toBe("INVALID_INPUT");
    expect(e.field).toBe("quantity");
    expect(e.message).toBe("quantity must be at least 1");
    expect(e.errors).toHaveLength(2);
    expect(e.retryable).toBe(false);
  });

  it("prefers extensions.retryAfter and falls back to the Retry-After header", () => {
    expect(fromGraphQLErrors([{ message: "slow", extensions: { code: "RATE_LIMITED", retryAfter: 3 } }], { retryAfterHeader: "9" }).retryAfter).toBe(3);
    const e = fromGraphQLErrors([{ message: "slow", extensions: { code: "UNAVAILABLE" } }], { retryAfterHeader: "7" });
    expect(e.retryAfter).toBe(7);
    expect(e.retryable).toBe(true);
    expect(fromGraphQLErrors([{ message: "x", extensions: { code: "RATE_LIMITED" } }], { retryAfterHeader: "soon" }).retryAfter).toBeUndefined();
  });

  it("makes an unknown or missing code INTERNAL", () => {
    expect(fromGraphQLErrors([{ message: "Cannot query field" }]).code).toBe("INTERNAL");
    expect(fromGraphQLErrors([{ message: "x", extensions: { code: "GRAPHQL_VALIDATION_FAILED" } }]).code).toBe("INTERNAL");
    expect(fromGraphQLErrors([]).code).toBe("INTERNAL");
  });
});

describe("errorCode", () => {
  it.each([
    ["a TallyError", new TallyError({ code: "FORBIDDEN", message: "no" }), "FORBIDDEN"],
    ["a GraphQL error", { message: "m", extensions: { code: "INSUFFICIENT_CREDITS" } }, "INSUFFICIENT_CREDITS"],
    ["an error list", [{ message: "m", extensions: { code: "NOT_FOUND" } }], "NOT_FOUND"],
    ["a 4401 close", { code: 4401, reason: "token expired" }, "UNAUTHENTICATED"],
    ["a 4403 close", { code: 4403, reason: "Forbidden" }, "FORBIDDEN"],
    ["a 4429 close", { code: 4429, reason: "Too many" }, "RATE_LIMITED"],
    ["a normal close", { code: 1000 }, undefined],
    ["an unknown code", { message: "m", extensions: { code: "BAD_USER_INPUT" } }, undefined],
    ["an Error", new Error("boom"), undefined],
    ["null", null, undefined],
    ["an empty list", [], undefined],
  ])("reads %s", (_, err, want) => {
    expect(errorCode(err)).toBe(want);
  });
});

describe("toTallyError", () => {
  it("keeps a TallyError, converts close events and plain errors", () => {
    const te = new TallyError({ code: "CONFLICT", message: "c" });
    expect(toTallyError(te)).toBe(te);
    const closed = toTallyError({ code: 4403, reason: "Forbidden" });
    expect(closed.code).toBe("FORBIDDEN");
    expect(closed.message).toBe("Forbidden");
    expect(toTallyError({ code: 1006, reason: "" }).code).toBe("UNAVAILABLE");
    const plain = toTallyError(new Error("boom"));
    expect(plain.code).toBe("INTERNAL");
    expect(plain.cause).toBeInstanceOf(Error);
    expect(toTallyError([{ message: "m", extensions: { code: "ORG_SUSPENDED" } }]).code).toBe("ORG_SUSPENDED");
  });
});
