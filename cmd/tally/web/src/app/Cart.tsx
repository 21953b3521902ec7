// The checkout (cart): the org's draft order with its items, each with a
// quantity and a Remove button, the server's subtotal, tax and total, the
// installments where a gateway takes them, a card, and Pay at the version
// shown. The order is then followed until it is paid, as on Buy.
import { useEffect, useState } from "preact/hooks";
import { resumeCheckout, toTallyError, watchOrder, type TallyClient, type TallyError, type WatchedOrder } from "../client";
import {
  CartOrderDoc,
  DiscardCartDoc,
  RemoveCartItemDoc,
  SetCartQuantityDoc,
  cartRows,
  findDraft,
  payDraft,
  repriceDraft,
  type CartItem,
  type CartOrder,
  type PayDraftResult,
} from "../client/cart";
import { CART_CHANGED } from "./addToCart";
import type { Rights } from "./App";
import { TEST_CARDS } from "./Buy";
import { followCheckout } from "./followCheckout";
import { formatCredits, formatDate, formatMoney } from "./format";
import { useQuery } from "./hooks";
import { PaymentOutcome, type PaymentPhase } from "./Outcome";
import { CartInstallmentsDoc, PaymentMethodsDoc } from "./operations";
import { BALANCE_STALE, CART_PENDING_KEY } from "./session";
import { Empty, ErrorNotice, Loading, Section } from "./ui";

/** How long an item's credits last, in words. */
export function validityText(v: CartItem["validity"], expiresAt?: string | null): string {
  if (expiresAt) return `Expires ${formatDate(expiresAt)}`;
  if (v === "NEVER") return "Never expires";
  if (v === "RECURRING") return "Monthly add-on: resets each month of its term";
  return "Expires with the billing cycle";
}

/** What an item's quantity counts. */
function quantityOf(it: CartItem): { value: number; unit: string } {
  if (it.kind === "PLAN" || it.kind === "SEATS") return { value: it.seats ?? 1, unit: "seats" };
  if (it.kind === "EXTRA_CREDITS") return { value: it.amount ?? 0, unit: "credits" };
  return { value: it.quantity, unit: "packs" };
}

type Phase = Exclude<PaymentPhase, { kind: "paid" }> | { kind: "paid"; order: WatchedOrder; items?: CartOrder };

export function Cart({ client, orgId, country, rights }: { client: TallyClient; orgId: string; country: string; rights: Rights }) {
  const [draft, setDraft] = useState<CartOrder | null>();
  const [loadError, setLoadError] = useState<TallyError>();
  const [editError, setEditError] = useState<TallyError>();
  const [conflict, setConflict] = useState<string>();
  const [editing, setEditing] = useState(false);
  const [card, setCard] = useState<string>();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const methods = useQuery(client, PaymentMethodsDoc, { orgId }, rights.canBuy ? orgId : "none");

  const load = async () => {
    try {
      setDraft((await findDraft(client, orgId)) ?? null);
      setLoadError(undefined);
    } catch (err) {
      setLoadError(toTallyError(err));
    }
  };

  // A paid order's items, with their grants and expiry.
  const paid = async (o: WatchedOrder) => {
    setPhase({ kind: "paid", order: o });
    try {
      const r = await client.request(CartOrderDoc, { id: o.id });
      if (r.order) setPhase({ kind: "paid", order: o, items: r.order });
    } catch {
      // the order is paid; its items are under Orders & invoices
    }
  };

  const watch = (order: WatchedOrder, signal?: AbortSignal, resumed = false) => {
    setPhase((p) => (p.kind === "action" ? p : { kind: "waiting", order }));
    watchOrder(client, { orgId, orderId: order.id, signal, onUpdate: (o) => setPhase((p) => (p.kind === "action" ? { ...p, order: o } : { kind: "waiting", order: o })) }).then(
      (o) => {
        void paid(o);
        if (resumed) dispatchEvent(new Event(BALANCE_STALE));
      },
      (err) => {
        if (signal?.aborted) return;
        setPhase({ kind: "failed", error: toTallyError(err) });
        // An order that ended unpaid gave its cart back: show it again.
        void load();
      },
    );
  };

  useEffect(() => {
    if (!rights.canBuy) return;
    void load();
    const on = () => void load();
    addEventListener(CART_CHANGED, on);
    // Back from the hosted confirm page: follow the order the checkout started.
    const raw = sessionStorage.getItem(CART_PENDING_KEY);
    const ctl = new AbortController();
    if (raw) {
      sessionStorage.removeItem(CART_PENDING_KEY);
      const pending = JSON.parse(raw) as { orgId: string; order: WatchedOrder };
      if (pending.orgId === orgId) {
        if (new URLSearchParams(location.search).has("payment_id")) history.replaceState(null, "", `${location.pathname}${location.hash}`);
        watch(pending.order, ctl.signal, true);
      }
    }
    return () => {
      removeEventListener(CART_CHANGED, on);
      ctl.abort();
    };
  }, [client, orgId, rights.canBuy]);

  if (!rights.canBuy) {
    return (
      <Section title="Checkout" id="cart-h">
        <div class="notice notice-info" role="note" data-code="FORBIDDEN">
          <p>
            <strong>Your role, {rights.role}, may not buy.</strong>
          </p>
          <p>The checkout takes the OWNER or BILLING role.</p>
        </div>
      </Section>
    );
  }
  if (loadError) return <ErrorNotice error={loadError} />;
  if (draft === undefined) return <Loading what="the cart" />;

  // One edit of the draft: the answer is the draft repriced by the server.
  const edit = async (run: () => Promise<CartOrder | undefined>) => {
    setEditing(true);
    setEditError(undefined);
    setConflict(undefined);
    try {
      const d = await run();
      setDraft(d && d.status === "DRAFT" ? d : null);
    } catch (err) {
      const te = toTallyError(err);
      setEditError(te);
      if (te.code === "CONFLICT" || te.code === "NOT_FOUND") await load();
    } finally {
      setEditing(false);
    }
  };
  const setQuantity = (it: CartItem, q: number) =>
    edit(async () => (await client.request(SetCartQuantityDoc, { orderId: draft!.id, itemId: it.id, quantity: q })).setOrderItemQuantity);
  const remove = (it: CartItem) => edit(async () => (await client.request(RemoveCartItemDoc, { orderId: draft!.id, itemId: it.id })).removeOrderItem);
  const discard = () =>
    edit(async () => {
      await client.request(DiscardCartDoc, { orderId: draft!.id });
      return undefined;
    });

  const active = (methods.data?.org?.paymentMethods ?? []).filter((m) => m.status === "ACTIVE");
  const payWith = card ?? active.find((m) => m.isDefault)?.id ?? TEST_CARDS[0].number;

  const pay = async (e: Event) => {
    e.preventDefault();
    if (!draft) return;
    setConflict(undefined);
    setEditError(undefined);
    setPhase({ kind: "paying" });
    const idempotencyKey = crypto.randomUUID();
    const how = { paymentMethodId: payWith || undefined, idempotencyKey };
    let withReturn = true;
    let res: PayDraftResult;
    try {
      try {
        res = await payDraft(client, draft, { ...how, returnUrl: `${location.origin}${location.pathname}#cart` });
      } catch (err) {
        // A server whose public URL is another origin refuses this page as
        // the return address and writes nothing: pay without one, and the
        // confirm page opens in a tab.
        const te = toTallyError(err);
        if (te.code !== "INVALID_INPUT" || !te.field?.toLowerCase().endsWith("returnurl")) throw te;
        withReturn = false;
        res = await payDraft(client, draft, how);
      }
    } catch (err) {
      const te = toTallyError(err);
      setPhase({ kind: "failed", error: te });
      // Declined: the server gave the cart back as a new draft, to pay
      // again with another card.
      if (te.code === "PAYMENT_FAILED") await load();
      return;
    }
    if (res.kind === "conflict") {
      // Nothing was charged: show the draft as it is now, to be paid again.
      setConflict(res.message);
      setPhase({ kind: "idle" });
      if (res.draft?.status === "DRAFT") setDraft(res.draft);
      else await load();
      return;
    }
    setDraft(null);
    await followCheckout(res.checkout, {
      // A declined checkout gives the cart back as a new draft: show it.
      failed: (error) => {
        setPhase({ kind: "failed", error });
        void load();
      },
      paid: (order) => void paid(order),
      redirect: async (url, order) => {
        if (withReturn) {
          sessionStorage.setItem(CART_PENDING_KEY, JSON.stringify({ orgId, order }));
          setPhase({ kind: "redirecting" });
          await resumeCheckout({ kind: "REDIRECT", redirectUrl: url });
          return;
        }
        setPhase({ kind: "action", url, order });
        watch(order);
      },
      watch: (order) => watch(order),
    });
  };

  const busy = editing || phase.kind === "paying" || phase.kind === "redirecting" || phase.kind === "waiting" || phase.kind === "action";
  const rows = draft ? cartRows(draft) : [];
  return (
    <Section title="Checkout" id="cart-h">
      {conflict && (
        <div class="notice notice-error" role="alert" data-code="CONFLICT" data-testid="cart-conflict">
          <p>
            <strong>The cart changed since you saw it, so nothing was charged.</strong>
          </p>
          <p>Below is the cart as it is now, priced again by the server. Check it, then pay again. ({conflict})</p>
        </div>
      )}
      {editError && <ErrorNotice error={editError} />}
      {!draft || rows.length === 0 ? (
        phase.kind === "idle" || phase.kind === "failed" ? (
          <Empty>
            The cart is empty. Add packs under <a href="#buy">Buy credits</a>, or a plan and seats under <a href="#plan">Plan &amp; usage</a>.
          </Empty>
        ) : null
      ) : (
        <form class="form" onSubmit={pay} data-testid="cart" data-version={draft.version} aria-busy={busy}>
          <div class="tablewrap">
            <table>
              <caption class="sr-only">Items in the cart</caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Quantity</th>
                  <th scope="col" class="num">Price</th>
                  <th scope="col" class="num">Credits</th>
                  <th scope="col">Validity</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ item, description, price }) => {
                  const q = quantityOf(item);
                  const id = `cart-qty-${item.id}`;
                  return (
                    <tr key={item.id} data-testid="cart-item" data-item={item.id} data-credits={item.credits}>
                      <td class="cart-desc">
                        {description}
                        {item.termMonths ? <span class="muted"> · {item.termMonths}-month term</span> : null}
                      </td>
                      <td>
                        <div class="qty">
                          <button type="button" class="secondary" aria-label={`One fewer: ${description}`} disabled={busy || q.value <= 1 || item.kind === "EXTRA_CREDITS"} onClick={() => setQuantity(item, q.value - 1)}>
                            −
                          </button>
                          <label for={id} class="sr-only">
                            Quantity of {description} ({q.unit})
                          </label>
                          <input
                            id={id}
                            type="number"
                            min={1}
                            value={q.value}
                            disabled={busy}
                            onChange={(e) => {
                              const n = Math.floor(Number(e.currentTarget.value));
                              if (n >= 1 && n !== q.value) void setQuantity(item, n);
                              else e.currentTarget.value = String(q.value);
                            }}
                          />
                          <button type="button" class="secondary" aria-label={`One more: ${description}`} disabled={busy || item.kind === "EXTRA_CREDITS"} onClick={() => setQuantity(item, q.value + 1)}>
                            +
                          </button>
                        </div>
                      </td>
                      <td class="num">{formatMoney(price)}</td>
                      <td class="num">{formatCredits(item.credits)}</td>
                      <td>{validityText(item.validity, item.expiresAt)}</td>
                      <td>
                        <button type="button" class="secondary" aria-label={`Remove ${description}`} disabled={busy} onClick={() => remove(item)}>
                          Remove
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <dl class="totals">
            <dt>Subtotal</dt>
            <dd data-testid="cart-subtotal">{formatMoney(draft.subtotal)}</dd>
            <dt>Tax</dt>
            <dd data-testid="cart-tax">{formatMoney(draft.tax)}</dd>
            <dt>Total</dt>
            <dd data-testid="cart-total">
              <strong>{formatMoney(draft.total)}</strong>
            </dd>
            <dt>Credits</dt>
            <dd data-testid="cart-credits">{formatCredits(draft.credits)}</dd>
          </dl>
          <Installments client={client} orgId={orgId} country={country} draft={draft} busy={busy} onChange={(n) => edit(() => repriceDraft(client, orgId, draft, n))} />
          <label for="cart-card">Pay with</label>
          <select id="cart-card" value={payWith} onChange={(e) => setCard(e.currentTarget.value)}>
            {active.map((m) => (
              <option key={m.id} value={m.id}>
                Saved {m.brand} {m.last4 ?? ""}
                {m.isDefault ? " (default)" : ""}
              </option>
            ))}
            {TEST_CARDS.map((c) => (
              <option key={c.number} value={c.number}>
                Test card {c.label}
              </option>
            ))}
          </select>
          <div class="row cart-actions">
            <button type="submit" disabled={busy}>
              {phase.kind === "paying" ? "Paying…" : `Pay ${formatMoney(draft.total)}`}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={discard}>
              Empty the cart
            </button>
          </div>
        </form>
      )}
      <PaymentOutcome phase={phase} paidTestId="cart-paid">
        {phase.kind === "paid" && phase.items && (
          <ul data-testid="cart-paid-items">
            {cartRows(phase.items).map(({ item, description }) => (
              <li key={item.id} data-credits={item.credits}>
                {description}: {formatCredits(item.credits)} credits, {validityText(item.validity, item.expiresAt).toLowerCase()}
              </li>
            ))}
          </ul>
        )}
      </PaymentOutcome>
    </Section>
  );
}

/**
 * The installment count, where a gateway takes installments for the org
 * (installmentOptions of the cart's first pack gives more than one count).
 * Another count makes the draft again in that count (createOrder fixes it).
 */
function Installments({ client, orgId, country, draft, busy, onChange }: { client: TallyClient; orgId: string; country: string; draft: CartOrder; busy: boolean; onChange: (n: number) => void }) {
  const pack = draft.items.find((i) => i.kind === "PACK" && !i.termMonths);
  const key = pack ? `${orgId}:${pack.packId}:${pack.quantity}` : "none";
  const opts = useQuery(client, CartInstallmentsDoc, { orgId, packId: pack?.packId ?? "", quantity: pack?.quantity ?? 1 }, key);
  const count = draft.installments?.count ?? 1;
  const list = pack ? (opts.data?.installmentOptions ?? []) : [];
  if (list.length <= 1) {
    return count > 1 ? <p>In {count} installments.</p> : <p class="muted">Paid at once{country === "BR" ? "" : ` (installments are offered where a gateway takes them, e.g. in Brazil)`}.</p>;
  }
  return (
    <>
      <label for="cart-installments">Installments</label>
      <select id="cart-installments" value={String(count)} disabled={busy} onChange={(e) => onChange(Number(e.currentTarget.value))}>
        {list.map((o) => (
          <option key={o.count} value={String(o.count)}>
            {o.count === 1 ? "At once" : `${o.count} installments`}
          </option>
        ))}
      </select>
      {draft.installments && (
        <p class="muted" data-testid="cart-installment-plan">
          {draft.installments.count} × {formatMoney(draft.installments.installmentAmount)}, commission {formatMoney(draft.installments.commission)}.
        </p>
      )}
    </>
  );
}
