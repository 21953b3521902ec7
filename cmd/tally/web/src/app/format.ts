// How the page shows numbers, dates and codes.
import type { ErrorCode } from "../client";

const credits = new Intl.NumberFormat("en-US");

/** 1234567 → "1,234,567". */
export function formatCredits(n: number): string {
  return credits.format(n);
}

const BYTE_UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"] as const;

/** Bytes in binary units: 1536 → "1.5 KiB", 53687091200 → "50 GiB" (at most one decimal). */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${credits.format(n)} ${n === 1 ? "byte" : "bytes"}`;
  return `${new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(v)} ${BYTE_UNITS[u]}`;
}

/** An RFC 3339 instant as a short local date. */
export function formatDate(s: string | null | undefined): string {
  if (!s) return "—";
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toLocaleDateString("en-GB", { year: "numeric", month: "short", day: "numeric" });
}

/** A price like "59.00 EUR". */
export function formatMoney(m: { amount: string; currency: string } | null | undefined): string {
  return m ? `${m.amount} ${m.currency}` : "—";
}

/** What each error code means to the person looking at the page. */
export const CODE_HELP: Record<ErrorCode, string> = {
  UNAUTHENTICATED: "Your sign-in is missing or has expired. Sign in again.",
  FORBIDDEN: "Your role in this organization does not allow this.",
  NOT_FOUND: "Not found, or you are not a member of this organization.",
  INVALID_INPUT: "Something in the form is not valid.",
  INSUFFICIENT_CREDITS: "The organization does not have enough credits for this.",
  ORG_SUSPENDED: "This organization is suspended: reading works, spending does not.",
  CONFLICT: "This was changed at the same time by someone else, or repeated with different details. Reload and try again.",
  PAYMENT_FAILED: "The payment did not go through.",
  GATEWAY_UNAVAILABLE: "The payment provider could not be reached. Try again in a moment.",
  RATE_LIMITED: "Too many requests. Wait a moment and try again.",
  USAGE_LIMIT_EXCEEDED: "The plan's usage limit is reached.",
  UNAVAILABLE: "The service is briefly unavailable. Try again in a moment.",
  INTERNAL: "Something went wrong on the server.",
};
