// Top up by amount: a preset or a typed amount, the quote (credits, tax,
// total and how the amount was rounded to credits) before paying, paid
// with the org's default saved card or a sandbox test card.
import { useState } from "preact/hooks";
import { parseAmount, toTallyError, watchOrder, type TallyClient, type WatchedOrder } from "../client";
import type { Currency } from "../gql/graphql";
import type { Rights } from "./App";
import { TEST_CARDS } from "./Buy";
import { followCheckout } from "./followCheckout";
import { formatCredits, formatMoney } from "./format";
import { useQuery } from "./hooks";
import { PaymentOutcome, type PaymentPhase } from "./Outcome";
import { PaymentMethodsDoc, TopUpDoc, TopUpOptionsDoc, TopUpQuoteDoc } from "./operations";
import { ErrorNotice, Loading, Section } from "./ui";

/** The pay-with choice that charges the org's default saved card. */
const SAVED = "saved";

type Phase = PaymentPhase;

export function TopUp({ client, orgId, currency, rights }: { client: TallyClient; orgId: string; currency: Currency; rights: Rights }) {
  const options = useQuery(client, TopUpOptionsDoc, { currency }, currency);
  const methods = useQuery(client, PaymentMethodsDoc, { orgId }, rights.canBuy ? orgId : "none");
  const [typed, setTyped] = useState<string>();
  const [payWith, setPayWith] = useState<string>();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });

  const opts = options.data?.topUpOptions;
  const amountText = typed ?? opts?.presets[0]?.amount ?? "";
  const parsed = parseAmount(amountText);
  const inRange = parsed.ok && !!opts && parsed.minor >= opts.min.amountMinor && parsed.minor <= opts.max.amountMinor;
  const quote = useQuery(client, TopUpQuoteDoc, { orgId, amount: parsed.ok ? parsed.decimal : "" }, inRange && parsed.ok ? `${orgId}:${parsed.decimal}` : "none");

  if (!rights.canBuy) return null;
  if (options.loading && !options.data) return <Loading what="the top-up options" />;
  if (options.error) return <ErrorNotice error={options.error} />;
  if (!opts) return null; // top-ups are not sold in this currency

  const saved = (methods.data?.org?.paymentMethods ?? []).find((m) => m.isDefault && m.status === "ACTIVE");
  // With a default saved card, naming no card pays with it; the hosted
  // page is then not offered (it would be the saved card too).
  const cards = saved ? TEST_CARDS.filter((c) => c.number !== "") : TEST_CARDS;
  const choice = payWith ?? (saved ? SAVED : TEST_CARDS[0].number);
  const q = inRange && quote.data && !quote.loading ? quote.data.topUpQuote : undefined;
  const rangeError = parsed.ok && !inRange ? `Choose an amount from ${formatMoney(opts.min)} to ${formatMoney(opts.max)}.` : undefined;

  const watch = (order: WatchedOrder) => {
    setPhase((p) => (p.kind === "action" ? p : { kind: "waiting", order }));
    watchOrder(client, { orgId, orderId: order.id, onUpdate: (o) => setPhase((p) => (p.kind === "action" ? { ...p, order: o } : { kind: "waiting", order: o })) }).then(
      (o) => setPhase({ kind: "paid", order: o }),
      (err) => setPhase({ kind: "failed", error: toTallyError(err) }),
    );
  };

  const pay = async (e: Event) => {
    e.preventDefault();
    if (!parsed.ok || !inRange) return;
    setPhase({ kind: "paying" });
    let res;
    try {
      res = await client.request(TopUpDoc, {
        input: { orgId, amount: parsed.decimal, idempotencyKey: crypto.randomUUID(), paymentMethodId: choice === SAVED || choice === "" ? undefined : choice },
      });
    } catch (err) {
      setPhase({ kind: "failed", error: toTallyError(err) });
      return;
    }
    await followCheckout(res.topUp, {
      failed: (error) => setPhase({ kind: "failed", error }),
      paid: (order) => setPhase({ kind: "paid", order }),
      // The confirm page opens in another tab; this page follows the order.
      redirect: (url, order) => {
        setPhase({ kind: "action", url, order });
        watch(order);
      },
      watch,
    });
  };

  const busy = phase.kind === "paying" || phase.kind === "waiting" || phase.kind === "action";
  return (
    <Section title="Top up by amount" id="topup-h">
      <p class="muted">
        Credits at the pack price, no markup: {formatCredits(opts.credits)} credits per {formatMoney(opts.per)},{" "}
        {opts.validity === "NEVER" ? "never expiring" : "expiring with the billing cycle"}. Tax is added at checkout.
      </p>
      <form onSubmit={pay} class="form" data-testid="topup-form">
        <fieldset>
          <legend>Amount ({currency})</legend>
          <div class="presets" role="group" aria-label="Preset amounts">
            {opts.presets.map((p) => (
              <button
                key={p.amount}
                type="button"
                class={parsed.ok && parsed.minor === p.amountMinor ? "preset preset-selected" : "preset"}
                aria-pressed={parsed.ok && parsed.minor === p.amountMinor}
                data-amount={p.amount}
                onClick={() => setTyped(p.amount)}
              >
                {formatMoney(p)}
              </button>
            ))}
          </div>
          <label for="topup-amount">
            Or any amount from {opts.min.amount} to {opts.max.amount}
          </label>
          <input
            id="topup-amount"
            inputMode="decimal"
            autocomplete="off"
            value={amountText}
            aria-invalid={!parsed.ok || !!rangeError}
            aria-describedby="topup-amount-help"
            onInput={(e) => setTyped(e.currentTarget.value)}
          />
          <p id="topup-amount-help" class="muted" role={!parsed.ok || rangeError ? "alert" : undefined}>
            {!parsed.ok ? parsed.reason : (rangeError ?? "")}
          </p>
        </fieldset>
        <label for="topup-card">Pay with</label>
        <select id="topup-card" value={choice} onChange={(e) => setPayWith(e.currentTarget.value)}>
          {saved && (
            <option value={SAVED}>
              Default saved card: {saved.brand ?? "card"} •••• {saved.last4 ?? "????"}
            </option>
          )}
          {cards.map((c) => (
            <option key={c.number} value={c.number}>
              {c.label}
            </option>
          ))}
        </select>
        {quote.error && inRange && <ErrorNotice error={quote.error} />}
        {q && (
          <div class="quote" data-testid="topup-quote">
            <p>
              {formatMoney(q.subtotal)} buys <strong data-testid="topup-credits">{formatCredits(q.credits)}</strong> credits. Tax {formatMoney(q.tax)}; you pay{" "}
              <strong data-testid="topup-total">{formatMoney(q.total)}</strong>.
            </p>
            <p class="muted" data-testid="topup-rounding">
              {q.rounding}
            </p>
          </div>
        )}
        <button type="submit" disabled={busy || !q}>
          {phase.kind === "paying" ? "Paying…" : q ? `Top up ${formatMoney(q.total)}` : "Top up"}
        </button>
      </form>
      <PaymentOutcome phase={phase} paidTestId="topup-paid" />
    </Section>
  );
}
