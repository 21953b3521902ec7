// Amounts typed by a person: checked before they are sent, with the same
// rule the server applies (a plain decimal, no more decimals than the
// currency has), so a form can say what is wrong as it is typed.

/** What parseAmount makes of a typed amount. */
export type ParsedAmount = { ok: true; minor: number; decimal: string } | { ok: false; reason: string };

/**
 * Parses a decimal amount in major units ("50", "50.5", "1000.00") into
 * minor units of a currency with `digits` decimals, without floating
 * point. Refused: an empty string, signs, exponents, separators, more
 * decimals than the currency has, and amounts past 2^53 - 1 minor units.
 * `decimal` is the amount written with exactly `digits` decimals, as the
 * server writes money ("50.00").
 */
export function parseAmount(input: string, digits = 2): ParsedAmount {
  const s = input.trim();
  const m = /^(\d+)(?:\.(\d*))?$/.exec(s);
  if (!m || (s.includes(".") && !m[2])) return { ok: false, reason: "Type an amount such as 50 or 50.00." };
  const frac = m[2] ?? "";
  if (frac.length > digits) return { ok: false, reason: `At most ${digits} decimals.` };
  const whole = m[1].replace(/^0+(?=\d)/, "");
  const minorText = whole + frac.padEnd(digits, "0");
  const minor = Number(minorText);
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: "That amount is too large." };
  const decimal = digits === 0 ? whole : `${whole}.${frac.padEnd(digits, "0")}`;
  return { ok: true, minor, decimal };
}
