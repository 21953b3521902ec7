// The signed-in state: a token kept for the browser tab, and the client.
import { createClient, type TallyClient } from "../client";

const TOKEN_KEY = "tally.billing.token";
const ORG_KEY = "tally.billing.org";
/** The order a hosted confirm page will send the buyer back for. */
export const PENDING_KEY = "tally.billing.pendingOrder";
/** The order a checkout of the cart sent to the hosted confirm page. */
export const CART_PENDING_KEY = "tally.billing.pendingCartOrder";

/**
 * Fired on window when an order followed after the page loaded afresh (back
 * from a hosted confirm page) ends PAID: its balanceUpdated push may have
 * come before this page's subscription was in place, so the balance is read
 * again.
 */
export const BALANCE_STALE = "tally:balance-stale";

/** The GraphQL endpoint: same origin as the page. */
export const GRAPHQL_URL = "/graphql";
/** The development token endpoint (only on a server with the public dev secret). */
export const DEV_TOKEN_URL = "/billing/dev/token";

export function loadToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function saveToken(token: string | undefined) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function loadOrg(): string | undefined {
  return sessionStorage.getItem(ORG_KEY) ?? undefined;
}

export function saveOrg(id: string | undefined) {
  if (id) sessionStorage.setItem(ORG_KEY, id);
  else sessionStorage.removeItem(ORG_KEY);
}

/** A client for token. */
export function clientFor(token: string): TallyClient {
  return createClient({ url: GRAPHQL_URL, token });
}

/** Mints a development token; undefined when the server has no dev endpoint. */
export async function mintDevToken(email: string, name: string): Promise<string | undefined> {
  const res = await fetch(DEV_TOKEN_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, name }),
  });
  if (res.status === 404 || res.status === 405) return undefined; // not a development server
  const body = (await res.json().catch(() => ({}))) as { token?: string; errors?: { message: string }[] };
  if (!res.ok || !body.token) throw new Error(body.errors?.[0]?.message ?? `the server answered ${res.status}`);
  return body.token;
}
