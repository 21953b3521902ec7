// The transport: queries and mutations over fetch, subscriptions over
// graphql-ws (graphql-transport-ws), both with the same bearer token.
import { createClient as createWSClient, type Client as WSClient } from "graphql-ws";
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";
import { TallyError, fromGraphQLErrors, toTallyError, type GraphQLErrorJSON } from "./errors";

/**
 * A typed operation whose text is its toString(): what GraphQL Code
 * Generator's client preset writes with `documentMode: "string"` (here in
 * src/gql; another SPA's own generated operations fit too).
 */
export type Document<TResult, TVariables> = DocumentTypeDecoration<TResult, TVariables> & { toString(): string };

/** A token, or a function that returns the current one (undefined: anonymous). */
export type TokenSource = string | undefined | (() => string | undefined);

/** How to reach a Tally server. */
export interface ClientOptions {
  /** The GraphQL endpoint, e.g. "https://tally.example.com/graphql" or "/graphql". */
  url: string;
  /** The bearer token (a user's JWT or an org API key `tly_…`). */
  token?: TokenSource;
  /** The websocket endpoint; by default url with http(s) turned into ws(s). */
  wsUrl?: string;
  /** fetch to use (tests, server-side rendering); globalThis.fetch by default. */
  fetch?: typeof fetch;
  /** A WebSocket implementation where there is no global one (Node.js before 22). */
  webSocketImpl?: unknown;
}

/** What a subscription hands its listener. */
export interface Sink<T> {
  next(value: T): void;
  error?(err: TallyError): void;
  complete?(): void;
}

/** The operations a Tally client runs; the helpers take this interface. */
export interface Transport {
  /** Runs a query or mutation; rejects with a TallyError. */
  request<TResult, TVariables>(doc: Document<TResult, TVariables>, variables?: TVariables, init?: { signal?: AbortSignal }): Promise<TResult>;
  /** Starts a subscription; returns what ends it. */
  subscribe<TResult, TVariables>(doc: Document<TResult, TVariables>, variables: TVariables, sink: Sink<TResult>): () => void;
}

/** A Tally client: typed requests and subscriptions with one token. */
export interface TallyClient extends Transport {
  readonly options: Readonly<ClientOptions>;
  /** A client like this one with another token (its own websocket). */
  withToken(token: TokenSource): TallyClient;
  /**
   * Tells listener when the websocket connects (the server accepted
   * connection_init) and when it closes; returns what stops telling.
   */
  onSocket(listener: (state: "connected" | "closed") => void): () => void;
  /** Closes the websocket, if one is open. */
  dispose(): void;
}

/** The value of the Authorization header for a token; undefined for none. */
export function authorization(token: string | undefined): string | undefined {
  const t = token?.trim();
  if (!t) return undefined;
  return /^bearer\s/i.test(t) ? t : `Bearer ${t}`;
}

function currentToken(src: TokenSource): string | undefined {
  return typeof src === "function" ? src() : src;
}

/**
 * The websocket URL of a GraphQL endpoint: the same path over ws(s). A
 * relative url is resolved against base (the page's location in a browser).
 */
export function websocketURL(url: string, base?: string): string {
  const u = new URL(url, base ?? (typeof location !== "undefined" ? location.href : undefined));
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.toString();
}

/** Creates a client. Nothing connects until the first call. */
export function createClient(options: ClientOptions): TallyClient {
  let ws: WSClient | undefined;
  const opts = { ...options };

  const socket = (): WSClient => {
    if (!ws) {
      ws = createWSClient({
        url: opts.wsUrl ?? websocketURL(opts.url),
        webSocketImpl: opts.webSocketImpl,
        lazy: true,
        // Tally reads the token from connection_init's payload (graph/wssession.go).
        connectionParams: () => {
          const a = authorization(currentToken(opts.token));
          return a ? { authorization: a } : {};
        },
        // A refused token or a forbidden org is final; anything else retries.
        shouldRetry: (e) => {
          const code = (e as { code?: unknown })?.code;
          return !(typeof code === "number" && code >= 4400 && code < 4500);
        },
        retryAttempts: 5,
      });
    }
    return ws;
  };

  const client: TallyClient = {
    options: opts,

    async request(doc, variables, init) {
      const f = opts.fetch ?? globalThis.fetch;
      const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
      const a = authorization(currentToken(opts.token));
      if (a) headers.Authorization = a;
      let res: Response;
      try {
        res = await f(opts.url, {
          method: "POST",
          headers,
          body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
          signal: init?.signal,
        });
      } catch (err) {
        if ((err as { name?: string })?.name === "AbortError") throw err;
        throw new TallyError({ code: "UNAVAILABLE", message: "could not reach the server", cause: err });
      }
      let body: { data?: unknown; errors?: GraphQLErrorJSON[] } | undefined;
      try {
        body = (await res.json()) as typeof body;
      } catch (err) {
        throw new TallyError({
          code: res.status === 429 ? "RATE_LIMITED" : res.status >= 500 ? "UNAVAILABLE" : "INTERNAL",
          message: `the server answered ${res.status} without a GraphQL body`,
          status: res.status,
          retryAfter: retryAfterHeader(res),
          cause: err,
        });
      }
      if (body?.errors && body.errors.length > 0) {
        throw fromGraphQLErrors(body.errors, { status: res.status, retryAfterHeader: res.headers.get("Retry-After") });
      }
      if (!res.ok || body?.data == null) {
        throw new TallyError({ code: "INTERNAL", message: `the server answered ${res.status} without data`, status: res.status });
      }
      return body.data as never;
    },

    subscribe(doc, variables, sink) {
      return socket().subscribe(
        { query: doc.toString(), variables: variables as Record<string, unknown> },
        {
          next: (msg) => {
            if (msg.errors && msg.errors.length > 0) {
              sink.error?.(fromGraphQLErrors(msg.errors as GraphQLErrorJSON[]));
              return;
            }
            if (msg.data != null) sink.next(msg.data as never);
          },
          error: (err) => sink.error?.(toTallyError(err)),
          complete: () => sink.complete?.(),
        },
      );
    },

    onSocket(listener) {
      const s = socket();
      const offs = [s.on("connected", () => listener("connected")), s.on("closed", () => listener("closed"))];
      return () => offs.forEach((off) => off());
    },

    withToken(token) {
      return createClient({ ...opts, token });
    },

    dispose() {
      void ws?.dispose();
      ws = undefined;
    },
  };
  return client;
}

function retryAfterHeader(res: Response): number | undefined {
  const v = res.headers.get("Retry-After");
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}

/** A client like c with another token: the helper every SPA needs after sign-in. */
export function withToken(c: TallyClient, token: TokenSource): TallyClient {
  return c.withToken(token);
}
