import { describe, expect, it } from "vitest";
import { authorization, createClient, websocketURL, withToken, type Document } from "./client";
import { TallyError } from "./errors";

import { BalanceUpdatedDoc as BalanceSub, OverviewDoc as BalanceDoc } from "../app/operations";

interface Sent {
  url: string;
  init: RequestInit;
}

/** A fetch that records each request and answers with the next response. */
function fakeFetch(...answers: (Response | Error)[]) {
  const sent: Sent[] = [];
  const f = async (url: RequestInfo | URL, init?: RequestInit) => {
    sent.push({ url: String(url), init: init ?? {} });
    const a = answers.shift();
    if (!a) throw new Error("no answer left");
    if (a instanceof Error) throw a;
    return a;
  };
  return { f: f as typeof fetch, sent };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

describe("request", () => {
  it("posts the operation with the bearer token and returns data", async () => {
    const { f, sent } = fakeFetch(json({ data: { org: { id: "o1", balance: { total: 10000 } } } }));
    const c = createClient({ url: "http://tally.test/graphql", token: "tok-1", fetch: f });
    const d = await c.request(BalanceDoc, { orgId: "o1" });
    expect(d.org?.balance.total).toBe(10000);
    expect(sent).toHaveLength(1);
    expect(sent[0].url).toBe("http://tally.test/graphql");
    expect(sent[0].init.method).toBe("POST");
    const h = sent[0].init.headers as Record<string, string>;
    expect(h.Authorization).toBe("Bearer tok-1");
    expect(h["Content-Type"]).toBe("application/json");
    const body = JSON.parse(String(sent[0].init.body));
    expect(body.query).toContain("query BillingOverview");
    expect(body.query).toContain("fragment BalanceFields on Balance");
    expect(body.variables).toEqual({ orgId: "o1" });
  });

  it("takes any typed document whose toString is the operation (another SPA's codegen)", async () => {
    const doc = new String("query Mine { viewer { user { id } } }") as unknown as Document<{ viewer: { user: { id: string } } }, Record<string, never>>;
    const { f, sent } = fakeFetch(json({ data: { viewer: { user: { id: "u1" } } } }));
    const d = await createClient({ url: "/graphql", fetch: f }).request(doc, {});
    expect(d.viewer.user.id).toBe("u1");
    expect(JSON.parse(String(sent[0].init.body)).query).toBe("query Mine { viewer { user { id } } }");
  });

  it("reads a token function on every request and sends none when it is empty", async () => {
    let token: string | undefined = "first";
    const { f, sent } = fakeFetch(json({ data: { org: null } }), json({ data: { org: null } }));
    const c = createClient({ url: "/graphql", token: () => token, fetch: f });
    await c.request(BalanceDoc, { orgId: "o1" });
    token = undefined;
    await c.request(BalanceDoc, { orgId: "o1" });
    expect((sent[0].init.headers as Record<string, string>).Authorization).toBe("Bearer first");
    expect((sent[1].init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it("withToken gives a client with another token and leaves the first as it was", async () => {
    const { f, sent } = fakeFetch(json({ data: { org: null } }), json({ data: { org: null } }));
    const anon = createClient({ url: "/graphql", fetch: f });
    const ada = withToken(anon, "Bearer ada");
    await ada.request(BalanceDoc, { orgId: "o1" });
    await anon.request(BalanceDoc, { orgId: "o1" });
    expect((sent[0].init.headers as Record<string, string>).Authorization).toBe("Bearer ada");
    expect((sent[1].init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it("rejects with the GraphQL error's code, even with data beside it", async () => {
    const { f } = fakeFetch(
      json({ data: null, errors: [{ message: "not enough credits", extensions: { code: "INSUFFICIENT_CREDITS" }, path: ["consumeCredits"] }] }),
    );
    const c = createClient({ url: "/graphql", token: "t", fetch: f });
    const err = await c.request(BalanceDoc, { orgId: "o1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TallyError);
    expect((err as TallyError).code).toBe("INSUFFICIENT_CREDITS");
    expect((err as TallyError).status).toBe(200);
  });

  it("takes retryAfter from a 429's Retry-After when the error has none", async () => {
    const { f } = fakeFetch(json({ errors: [{ message: "too many requests", extensions: { code: "RATE_LIMITED" } }] }, 429, { "Retry-After": "4" }));
    const err = (await createClient({ url: "/graphql", fetch: f }).request(BalanceDoc, { orgId: "o" }).catch((e: unknown) => e)) as TallyError;
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.retryAfter).toBe(4);
    expect(err.status).toBe(429);
  });

  it("turns a body that is not GraphQL and a network failure into retryable errors", async () => {
    const { f } = fakeFetch(new Response("<html>bad gateway</html>", { status: 502 }), new TypeError("fetch failed"));
    const c = createClient({ url: "/graphql", fetch: f });
    const proxy = (await c.request(BalanceDoc, { orgId: "o" }).catch((e: unknown) => e)) as TallyError;
    expect(proxy.code).toBe("UNAVAILABLE");
    expect(proxy.status).toBe(502);
    const net = (await c.request(BalanceDoc, { orgId: "o" }).catch((e: unknown) => e)) as TallyError;
    expect(net.code).toBe("UNAVAILABLE");
    expect(net.retryable).toBe(true);
  });

  it("lets an abort through as an AbortError", async () => {
    const ctl = new AbortController();
    ctl.abort();
    const f = (async (_: unknown, init?: RequestInit) => {
      init?.signal?.throwIfAborted();
      return json({});
    }) as typeof fetch;
    const err = await createClient({ url: "/graphql", fetch: f }).request(BalanceDoc, { orgId: "o" }, { signal: ctl.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe("AbortError");
  });
});

describe("authorization and websocketURL", () => {
  it.each([
    ["tok", "Bearer tok"],
    ["Bearer tok", "Bearer tok"],
    ["bearer tok", "bearer tok"],
    ["  tly_abc  ", "Bearer tly_abc"],
    ["", undefined],
    [undefined, undefined],
  ])("authorization(%j) = %j", (token, want) => {
    expect(authorization(token)).toBe(want);
  });

  it.each([
    ["http://localhost:8080/graphql", undefined, "ws://localhost:8080/graphql"],
    ["https://tally.example.com/graphql", undefined, "wss://tally.example.com/graphql"],
    ["/graphql", "https://app.example.com/billing/", "wss://app.example.com/graphql"],
  ])("websocketURL(%s)", (url, base, want) => {
    expect(websocketURL(url, base)).toBe(want);
  });
});

/**
 * A WebSocket that plays the server's side of graphql-transport-ws: it
 * records what the client sends and lets the test answer.
 */
class FakeSocket {
  static last: FakeSocket | undefined;
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  readonly protocol = "graphql-transport-ws";
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen?: () => void;
  onmessage?: (ev: { data: string }) => void;
  onclose?: (ev: { code: number; reason: string; wasClean: boolean }) => void;
  onerror?: (ev: unknown) => void;
  constructor(
    readonly url: string,
    readonly protocols: string | string[],
  ) {
    FakeSocket.last = this;
    queueMicrotask(() => {
      this.readyState = 1;
      this.onopen?.();
    });
  }
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000, reason = "") {
    this.serverClose(code, reason);
  }
  serverSend(msg: unknown) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  serverClose(code: number, reason: string) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: true });
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));
async function until(cond: () => boolean) {
  for (let i = 0; i < 200 && !cond(); i++) await tick();
  expect(cond()).toBe(true);
}

describe("subscribe", () => {
  it("sends the token in connection_init's payload and delivers each event", async () => {
    const c = createClient({ url: "http://tally.test/graphql", token: "tok-ws", webSocketImpl: FakeSocket });
    const got: number[] = [];
    const states: string[] = [];
    c.onSocket((s) => states.push(s));
    const stop = c.subscribe(BalanceSub, { orgId: "o1" }, { next: (d) => got.push(d.balanceUpdated.balance.total) });
    await until(() => (FakeSocket.last?.sent.length ?? 0) > 0);
    const ws = FakeSocket.last!;
    expect(ws.url).toBe("ws://tally.test/graphql");
    expect(ws.protocols).toContain("graphql-transport-ws");
    // graph/wssession.go's initFunc reads payload.authorization.
    expect(ws.sent[0]).toEqual({ type: "connection_init", payload: { authorization: "Bearer tok-ws" } });
    expect(states).toEqual([]);
    ws.serverSend({ type: "connection_ack" });
    await until(() => ws.sent.length > 1);
    expect(states).toEqual(["connected"]);
    const sub = ws.sent[1] as { id: string; type: string; payload: { query: string; variables: unknown } };
    expect(sub.type).toBe("subscribe");
    expect(sub.payload.query).toContain("balanceUpdated(orgId: $orgId)");
    expect(sub.payload.variables).toEqual({ orgId: "o1" });
    ws.serverSend({ id: sub.id, type: "next", payload: { data: { balanceUpdated: { balance: { total: 7000 }, entry: null } } } });
    ws.serverSend({ id: sub.id, type: "next", payload: { data: { balanceUpdated: { balance: { total: 6500 }, entry: null } } } });
    expect(got).toEqual([7000, 6500]);
    stop();
    await until(() => ws.sent.some((m) => m.type === "complete"));
    c.dispose();
  });

  it("hands an operation's error over as a TallyError", async () => {
    const c = createClient({ url: "http://tally.test/graphql", token: "t", webSocketImpl: FakeSocket });
    const errors: TallyError[] = [];
    c.subscribe(BalanceSub, { orgId: "o2" }, { next: () => {}, error: (e) => errors.push(e) });
    await until(() => (FakeSocket.last?.sent.length ?? 0) > 0);
    const ws = FakeSocket.last!;
    ws.serverSend({ type: "connection_ack" });
    await until(() => ws.sent.length > 1);
    const id = (ws.sent[1] as { id: string }).id;
    ws.serverSend({ id, type: "error", payload: [{ message: "org not found", extensions: { code: "NOT_FOUND" } }] });
    await until(() => errors.length > 0);
    expect(errors[0].code).toBe("NOT_FOUND");
    c.dispose();
  });

  it("ends with FORBIDDEN, without reconnecting, when the server closes 4403", async () => {
    const c = createClient({ url: "http://tally.test/graphql", token: "revoked", webSocketImpl: FakeSocket });
    const errors: TallyError[] = [];
    c.subscribe(BalanceSub, { orgId: "o3" }, { next: () => {}, error: (e) => errors.push(e) });
    await until(() => (FakeSocket.last?.sent.length ?? 0) > 0);
    const ws = FakeSocket.last!;
    ws.serverClose(4403, "Forbidden");
    await until(() => errors.length > 0);
    // A retry would wait and reconnect instead of reporting the error.
    expect(errors[0].code).toBe("FORBIDDEN");
    c.dispose();
  });
});
