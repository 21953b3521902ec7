// Buying a pack: the packs in the org's currency, a quantity, a test card,
// and the order followed until it is paid.
import { useEffect, useState } from "preact/hooks";
import { resumeCheckout, toTallyError, watchOrder, type TallyClient, type TallyError, type WatchedOrder } from "../client";
import type { Currency } from "../gql/graphql";
import type { Rights } from "./App";
import { followCheckout } from "./followCheckout";
import { formatCredits, formatMoney } from "./format";
import { useQuery } from "./hooks";
import { PaymentOutcome, type PaymentPhase } from "./Outcome";
import { putInCart } from "./addToCart";
import { PacksDoc, PurchaseDoc } from "./operations";
import { BALANCE_STALE, PENDING_KEY } from "./session";
import { Empty, ErrorNotice, Loading, Section } from "./ui";

/** The sandbox's test cards (README "Buying credits"). */
export const TEST_CARDS = [
  { number: "4242424242424242", label: "4242 4242 4242 4242: pays at once" },
  { number: "4000002500003155", label: "4000 0025 0000 3155: 3-D Secure on the confirm page" },
  { number: "4000000000000259", label: "4000 0000 0000 0259: pays a moment later" },
  { number: "4000000000000002", label: "4000 0000 0000 0002: declined" },
  { number: "4000000000009995", label: "4000 0000 0000 9995: declined, insufficient funds" },
  { number: "", label: "Choose a card on the hosted payment page" },
] as const;

type Phase = PaymentPhase;

export function Buy({ client, orgId, currency, rights }: { client: TallyClient; orgId: string; currency: Currency; rights: Rights }) {
  const packs = useQuery(client, PacksDoc, { currency }, currency);
  const [packId, setPackId] = useState<string>();
  const [quantity, setQuantity] = useState(1);
  const [card, setCard] = useState<string>(TEST_CARDS[0].number);
  const [company, setCompany] = useState("");
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [term, setTerm] = useState<number>();
  const [cartNote, setCartNote] = useState<{ kind: "adding" } | { kind: "added"; text: string } | { kind: "failed"; error: TallyError }>();

  const watch = (order: WatchedOrder, signal?: AbortSignal, resumed = false) => {
    setPhase((p) => (p.kind === "action" ? p : { kind: "waiting", order }));
    watchOrder(client, { orgId, orderId: order.id, signal, onUpdate: (o) => setPhase((p) => (p.kind === "action" ? { ...p, order: o } : { kind: "waiting", order: o })) }).then(
      (o) => {
        setPhase({ kind: "paid", order: o });
        if (resumed) dispatchEvent(new Event(BALANCE_STALE));
      },
      (err) => {
        if (signal?.aborted) return;
        setPhase({ kind: "failed", error: toTallyError(err) });
      },
    );
  };

  // Back from the hosted confirm page: follow the order the purchase started.
  useEffect(() => {
    const raw = sessionStorage.getItem(PENDING_KEY);
    if (!raw) return;
    sessionStorage.removeItem(PENDING_KEY);
    const pending = JSON.parse(raw) as { orgId: string; order: WatchedOrder };
    if (pending.orgId !== orgId) return;
    const q = new URLSearchParams(location.search);
    if (q.has("payment_id")) history.replaceState(null, "", `${location.pathname}${location.hash}`);
    const ctl = new AbortController();
    watch(pending.order, ctl.signal, true);
    return () => ctl.abort();
  }, [orgId]);

  if (!rights.canBuy) {
    return (
      <Section title="Buy credits" id="buy-h">
        <div class="notice notice-info" role="note" data-code="FORBIDDEN">
          <p>
            <strong>Your role, {rights.role}, may not buy credits.</strong>
          </p>
          <p>Buying credits takes the OWNER or BILLING role. Ask an owner of this organization to buy a pack or to give you the BILLING role.</p>
        </div>
      </Section>
    );
  }
  if (packs.loading && !packs.data) return <Loading what="packs" />;
  if (packs.error) return <ErrorNotice error={packs.error} />;
  const list = (packs.data?.packs ?? []).filter((p) => !p.custom && p.price);
  const selected = list.find((p) => p.id === packId) ?? list[0];

  const buy = async (e: Event) => {
    e.preventDefault();
    if (!selected) return;
    setPhase({ kind: "paying" });
    const idempotencyKey = crypto.randomUUID();
    const base = {
      orgId,
      packId: selected.id,
      quantity,
      idempotencyKey,
      paymentMethodId: card || undefined,
      invoiceDetails: company.trim() ? { companyName: company.trim() } : undefined,
    };
    const returnUrl = `${location.origin}${location.pathname}#buy`;
    let withReturn = true;
    let res;
    try {
      try {
        res = await client.request(PurchaseDoc, { input: { ...base, returnUrl } });
      } catch (err) {
        // A server whose public URL is another origin refuses this page as
        // the return address; input refused this way writes nothing, so
        // the same key buys without one and the confirm page opens in a tab.
        const te = toTallyError(err);
        if (te.code !== "INVALID_INPUT" || !te.field?.toLowerCase().endsWith("returnurl")) throw te;
        withReturn = false;
        res = await client.request(PurchaseDoc, { input: base });
      }
    } catch (err) {
      setPhase({ kind: "failed", error: toTallyError(err) });
      return;
    }
    await followCheckout(res.purchasePack, {
      failed: (error) => setPhase({ kind: "failed", error }),
      paid: (order) => setPhase({ kind: "paid", order }),
      redirect: async (url, order) => {
        if (withReturn) {
          // Same tab: the page follows the order when the buyer comes back.
          sessionStorage.setItem(PENDING_KEY, JSON.stringify({ orgId, order }));
          setPhase({ kind: "redirecting", url });
          await resumeCheckout({ kind: "REDIRECT", redirectUrl: url });
          return;
        }
        setPhase({ kind: "action", url, order });
        watch(order);
      },
      watch: (order) => watch(order),
    });
  };

  // Into the cart instead of paying now: the checkout pays several items at once.
  const addCart = async () => {
    if (!selected) return;
    setCartNote({ kind: "adding" });
    const termMonths = selected.validity === "RECURRING" && term ? term : undefined;
    try {
      const d = await putInCart(client, orgId, { kind: "PACK", packId: selected.id, quantity, termMonths });
      setCartNote({ kind: "added", text: `${quantity} × ${selected.name} added to the cart: ${d.items.length} ${d.items.length === 1 ? "item" : "items"}, ${formatMoney(d.total)} with tax.` });
    } catch (err) {
      setCartNote({ kind: "failed", error: toTallyError(err) });
    }
  };

  const busy = phase.kind === "paying" || phase.kind === "redirecting" || phase.kind === "waiting" || phase.kind === "action";
  return (
    <Section title="Buy credits" id="buy-h">
      {list.length === 0 ? (
        <Empty>No packs are priced in {currency}.</Empty>
      ) : (
        <form onSubmit={buy} class="form">
          <fieldset>
            <legend>Pack (prices in {currency}, tax added at checkout)</legend>
            <div class="packs">
              {list.map((p) => (
                <label key={p.id} class={`pack${selected?.id === p.id ? " pack-selected" : ""}`}>
                  <input type="radio" name="pack" value={p.id} checked={selected?.id === p.id} onChange={() => setPackId(p.id)} />
                  <span class="pack-name">{p.name}</span>
                  <span class="pack-credits">{formatCredits(p.credits)} credits</span>
                  <span class="pack-price">{formatMoney(p.price)}</span>
                  <span class="muted">{p.validity === "NEVER" ? "Never expires" : p.validity === "BILLING_CYCLE" ? "Expires with the billing cycle" : "Monthly add-on"}</span>
                </label>
              ))}
            </div>
          </fieldset>
          <label for="buy-qty">Quantity</label>
          <input id="buy-qty" type="number" min={1} max={100} required value={quantity} onInput={(e) => setQuantity(Math.max(1, Number(e.currentTarget.value) || 1))} />
          {selected?.validity === "RECURRING" && (
            <>
              <label for="buy-term">Term in months (add-on; at least {selected.recurringMonths ?? 1}, empty takes the minimum)</label>
              <input id="buy-term" type="number" min={selected.recurringMonths ?? 1} value={term ?? ""} onInput={(e) => setTerm(Number(e.currentTarget.value) || undefined)} />
            </>
          )}
          <label for="buy-card">Card (sandbox test cards)</label>
          <select id="buy-card" value={card} onChange={(e) => setCard(e.currentTarget.value)}>
            {TEST_CARDS.map((c) => (
              <option key={c.number} value={c.number}>
                {c.label}
              </option>
            ))}
          </select>
          <label for="buy-company">Company name on the invoice (optional)</label>
          <input id="buy-company" value={company} onInput={(e) => setCompany(e.currentTarget.value)} autocomplete="organization" />
          {selected && (
            <p>
              {quantity} × {selected.name}: {formatCredits(selected.credits * quantity)} credits for{" "}
              {selected.price ? `${(Number(selected.price.amount) * quantity).toFixed(2)} ${selected.price.currency}` : "—"} before tax.
            </p>
          )}
          <div class="row cart-actions">
            <button type="submit" disabled={busy || !selected}>
              {phase.kind === "paying" ? "Paying…" : "Buy now"}
            </button>
            <button type="button" class="secondary" data-testid="add-to-cart" disabled={busy || !selected || cartNote?.kind === "adding"} onClick={addCart}>
              {cartNote?.kind === "adding" ? "Adding…" : "Add to cart"}
            </button>
          </div>
        </form>
      )}
      <div aria-live="polite" class="cart-note">
        {cartNote?.kind === "added" && (
          <p role="status" class="notice notice-ok" data-testid="cart-added">
            {cartNote.text} <a href="#cart">Go to checkout</a>
          </p>
        )}
        {cartNote?.kind === "failed" && <ErrorNotice error={cartNote.error} />}
      </div>
      <PaymentOutcome phase={phase} paidTestId="purchase-paid" />
    </Section>
  );
}
