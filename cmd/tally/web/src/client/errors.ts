// Tally's error codes and the one error type the client throws.

/**
 * Every `extensions.code` Tally answers with (README "Credits and errors",
 * the schema's description). Keep in step with domain/errors.go; a test
 * compares this list with the schema's text.
 */
export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "INVALID_INPUT",
  "INSUFFICIENT_CREDITS",
  "ORG_SUSPENDED",
  "CONFLICT",
  "PAYMENT_FAILED",
  "GATEWAY_UNAVAILABLE",
  "RATE_LIMITED",
  "USAGE_LIMIT_EXCEEDED",
  "UNAVAILABLE",
  "INTERNAL",
] as const;

/** One of Tally's error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Whether s is one of Tally's error codes. */
export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === "string" && (ERROR_CODES as readonly string[]).includes(s);
}

/** A GraphQL error as it arrives in a response's `errors`. */
export interface GraphQLErrorJSON {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/** What a TallyError is made of. */
export interface TallyErrorInit {
  code: ErrorCode;
  message: string;
  /** The input field an INVALID_INPUT names. */
  field?: string;
  /** Seconds to wait before retrying (RATE_LIMITED, UNAVAILABLE). */
  retryAfter?: number;
  /** The HTTP status, when the error came over HTTP. */
  status?: number;
  /** Every GraphQL error of the response (the first one made this error). */
  errors?: GraphQLErrorJSON[];
  cause?: unknown;
}

/**
 * The error every client call rejects with: a Tally error code, the
 * server's message, and what goes with some codes (`field`, `retryAfter`).
 * Failures without a Tally code (the network, a malformed answer) are
 * INTERNAL or UNAVAILABLE with the cause kept.
 */
export class TallyError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly retryAfter?: number;
  readonly status?: number;
  readonly errors: GraphQLErrorJSON[];

  constructor(init: TallyErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "TallyError";
    this.code = init.code;
    this.field = init.field;
    this.retryAfter = init.retryAfter;
    this.status = init.status;
    this.errors = init.errors ?? [];
  }

  /** Whether the same request (with the same idempotency key) may be sent again later. */
  get retryable(): boolean {
    return this.code === "RATE_LIMITED" || this.code === "UNAVAILABLE" || this.code === "GATEWAY_UNAVAILABLE";
  }
}

/**
 * The TallyError of a response's GraphQL errors: the first error's code
 * (INTERNAL when it carries none Tally knows), field and retryAfter; the
 * Retry-After header when the extension is missing.
 */
export function fromGraphQLErrors(
  errors: readonly GraphQLErrorJSON[],
  opts: { status?: number; retryAfterHeader?: string | null } = {},
): TallyError {
  const first = errors[0] ?? { message: "the server answered with an empty error list" };
  const ext = first.extensions ?? {};
  const code = isErrorCode(ext.code) ? ext.code : "INTERNAL";
  let retryAfter = numberOf(ext.retryAfter);
  if (retryAfter === undefined && opts.retryAfterHeader) {
    retryAfter = numberOf(opts.retryAfterHeader);
  }
  return new TallyError({
    code,
    message: first.message,
    field: typeof ext.field === "string" ? ext.field : undefined,
    retryAfter,
    status: opts.status,
    errors: [...errors],
  });
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === "string" && /^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

/**
 * The Tally error code of anything a call may throw: a TallyError, a
 * response's GraphQL error or error list (as graphql-ws hands them over), or
 * a websocket CloseEvent with Tally's close codes (4401 unauthenticated,
 * 4403 forbidden, 4429 too many connections). Undefined when err carries none.
 */
export function errorCode(err: unknown): ErrorCode | undefined {
  if (err instanceof TallyError) return err.code;
  if (Array.isArray(err)) return err.length > 0 ? errorCode(err[0]) : undefined;
  if (err && typeof err === "object") {
    const o = err as { extensions?: { code?: unknown }; code?: unknown };
    if (o.extensions && isErrorCode(o.extensions.code)) return o.extensions.code;
    if (typeof o.code === "number") return closeCode(o.code);
    if (isErrorCode(o.code)) return o.code;
  }
  return undefined;
}

/** The code of a websocket close code Tally sends; undefined for others. */
export function closeCode(code: number): ErrorCode | undefined {
  switch (code) {
    case 4400:
      return "INVALID_INPUT";
    case 4401:
      return "UNAUTHENTICATED";
    case 4403:
      return "FORBIDDEN";
    case 4429:
      return "RATE_LIMITED";
    default:
      return undefined;
  }
}

/** A TallyError for anything thrown: itself when it already is one. */
export function toTallyError(err: unknown): TallyError {
  if (err instanceof TallyError) return err;
  if (Array.isArray(err) && err.length > 0 && typeof err[0]?.message === "string") {
    return fromGraphQLErrors(err as GraphQLErrorJSON[]);
  }
  if (err && typeof err === "object" && typeof (err as { code?: unknown }).code === "number") {
    const ev = err as { code: number; reason?: string };
    return new TallyError({
      code: closeCode(ev.code) ?? "UNAVAILABLE",
      message: ev.reason || `the websocket closed (${ev.code})`,
      cause: err,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new TallyError({ code: "INTERNAL", message, cause: err });
}
