// The plan (subscribe, change plan or seats after a quote, cancel), usage
// this period against the plan's limits, saved payment methods and
// auto-recharge. OWNER and BILLING change them; other roles read them.
import { useEffect, useState } from "preact/hooks";
import { OrderNotPaidError, PAID_STATUSES, toTallyError, watchOrder, type TallyClient, type TallyError } from "../client";
import type { BillingPlanQuery, BillingPreviewChangeQuery, Currency, OrderItemInput, SubscriptionCheckoutFieldsFragment, UsageMetric } from "../gql/graphql";
import { putInCart } from "./addToCart";
import type { Rights } from "./App";
import { TEST_CARDS } from "./Buy";
import { formatBytes, formatCredits, formatDate, formatMoney } from "./format";
import { useMutation, useQuery } from "./hooks";
import {
  AddPaymentMethodDoc,
  AutoRechargeDoc,
  CancelSubscriptionDoc,
  ChangePlanDoc,
  ChangeSeatsDoc,
  PacksDoc,
  PaymentMethodsDoc,
  PlanDoc,
  PlansDoc,
  PreviewChangeDoc,
  RemovePaymentMethodDoc,
  ResumeSubscriptionDoc,
  SetAutoRechargeDoc,
  SetDefaultPaymentMethodDoc,
  SubscribeDoc,
  SubscriptionUpdatedDoc,
} from "./operations";
import { Empty, ErrorNotice, Loading, Section } from "./ui";

interface Props {
  client: TallyClient;
  orgId: string;
  currency: Currency;
  rights: Rights;
}

/** Why a role sees this tab read-only. */
function ReadOnly({ rights, what }: { rights: Rights; what: string }) {
  return (
    <div class="notice notice-info" role="note" data-code="FORBIDDEN" data-testid="read-only">
      <p>
        <strong>
          Your role, {rights.role}, may not change {what}.
        </strong>
      </p>
      <p>That takes the OWNER or BILLING role: ask an owner of this organization.</p>
    </div>
  );
}

export function Plan({ client, orgId, currency, rights }: Props) {
  const q = useQuery(client, PlanDoc, { orgId }, orgId);
  const methods = useQuery(client, PaymentMethodsDoc, { orgId }, rights.canBuy ? orgId : "none");
  // Payments and renewals change the subscription after the mutation answers.
  const reload = q.reload;
  useEffect(() => client.subscribe(SubscriptionUpdatedDoc, { orgId }, { next: () => reload() }), [client, orgId, reload]);
  if (q.loading && !q.data) return <Loading what="the plan" />;
  if (q.error) return <ErrorNotice error={q.error} />;
  const org = q.data!.org!;
  const saved = rights.canBuy ? (methods.data?.org?.paymentMethods ?? []) : [];
  return (
    <>
      {!rights.canBuy && <ReadOnly rights={rights} what="the plan, payment methods or auto-recharge" />}
      <CurrentPlan client={client} orgId={orgId} org={org} rights={rights} reload={q.reload} />
      {rights.canBuy && <ChangePlan client={client} orgId={orgId} currency={currency} org={org} saved={saved} reload={q.reload} />}
      <UsageBars usage={org.usage} />
      {rights.canBuy && <PaymentMethods client={client} orgId={orgId} methods={methods} />}
      <AutoRecharge client={client} orgId={orgId} currency={currency} rights={rights} saved={saved} />
    </>
  );
}

type PlanOrg = NonNullable<BillingPlanQuery["org"]>;

function CurrentPlan({ client, orgId, org, rights, reload }: { client: TallyClient; orgId: string; org: PlanOrg; rights: Rights; reload: () => void }) {
  const cancel = useMutation(client, CancelSubscriptionDoc);
  const resume = useMutation(client, ResumeSubscriptionDoc);
  const sub = org.subscription;
  const live = sub && sub.status !== "ENDED";
  const used = sub ? sub.includedCreditsPerMonth - sub.includedCreditsLeft : 0;
  const err = cancel.error ?? resume.error;
  return (
    <Section title="Plan" id="plan-h">
      {sub && live ? (
        <>
          <p data-testid="current-plan">
            <strong data-testid="plan-name">{sub.plan.name}</strong> ({sub.plan.interval.toLowerCase()}), <span data-testid="plan-seats">{sub.seats}</span> {sub.seats === 1 ? "seat" : "seats"},{" "}
            <span class="badge" data-testid="plan-status">
              {sub.status}
            </span>
          </p>
          <p>
            {sub.cancelAtPeriodEnd || !sub.autoRenew ? "Ends" : "Renews"} {formatDate(sub.renewsAt ?? sub.currentPeriodEnd)}.
          </p>
          {sub.scheduledChange && (
            <p data-testid="scheduled-change">
              Scheduled for {formatDate(sub.scheduledChange.effectiveAt)}: {sub.scheduledChange.plan.name}, {sub.scheduledChange.seats} seats.
            </p>
          )}
          <Bar
            id="included"
            label="Included credits this month"
            value={used}
            max={sub.includedCreditsPerMonth}
            text={`${formatCredits(used)} of ${formatCredits(sub.includedCreditsPerMonth)} used`}
          />
          {rights.canBuy && (
            <div class="row">
              {sub.cancelAtPeriodEnd ? (
                <button
                  type="button"
                  class="secondary"
                  disabled={resume.busy}
                  onClick={async () => (await resume.run({ orgId, key: crypto.randomUUID() })) && reload()}
                >
                  Resume subscription
                </button>
              ) : (
                <button
                  type="button"
                  class="secondary"
                  disabled={cancel.busy}
                  onClick={async () => {
                    if (!confirm(`Cancel ${sub.plan.name}? It stays until ${formatDate(sub.currentPeriodEnd)}, then the organization is on the Free plan.`)) return;
                    if (await cancel.run({ orgId, key: crypto.randomUUID() })) reload();
                  }}
                >
                  Cancel subscription
                </button>
              )}
            </div>
          )}
          {err && <ErrorNotice error={err} />}
        </>
      ) : (
        <p data-testid="current-plan">
          <strong data-testid="plan-name">Free plan</strong>: {org.seats.total} seats, no charge.
        </p>
      )}
    </Section>
  );
}

type Checkout = SubscriptionCheckoutFieldsFragment;
type Saved = { id: string; brand: string; last4?: string | null; isDefault: boolean; status: string; kind: string }[];

type ChangePhase =
  | { kind: "idle" }
  | { kind: "quoting" }
  | { kind: "quoted"; quote: BillingPreviewChangeQuery["previewChange"] }
  | { kind: "paying" }
  | { kind: "action"; url: string }
  | { kind: "done"; text: string }
  | { kind: "carting" }
  | { kind: "carted"; text: string }
  | { kind: "failed"; error: TallyError };

function ChangePlan({ client, orgId, currency, org, saved, reload }: { client: TallyClient; orgId: string; currency: Currency; org: PlanOrg; saved: Saved; reload: () => void }) {
  const plans = useQuery(client, PlansDoc, { currency }, currency);
  const sub = org.subscription && org.subscription.status !== "ENDED" ? org.subscription : undefined;
  const minSeats = Math.max(1, org.seats.used + org.seats.pending);
  const [planId, setPlanId] = useState<string>();
  const [seats, setSeats] = useState<number>(sub?.seats ?? minSeats);
  const active = saved.filter((m) => m.status === "ACTIVE");
  const [pay, setPay] = useState<string>();
  const [phase, setPhase] = useState<ChangePhase>({ kind: "idle" });

  if (plans.loading && !plans.data) return <Loading what="the plans" />;
  if (plans.error) return <ErrorNotice error={plans.error} />;
  const list = (plans.data?.plans ?? []).filter((p) => p.price && Number(p.price.amount) > 0);
  const chosen = list.find((p) => p.id === (planId ?? sub?.plan.id)) ?? list[0];
  // Without a subscription a payment is needed now: the default saved
  // method, else the sandbox's paying test card. A change left on the
  // subscription's own method sends none.
  const defaultPay = sub ? "" : (active.find((m) => m.isDefault)?.id ?? active[0]?.id ?? TEST_CARDS[0].number);
  const payWith = pay ?? defaultPay;

  const changed = () => setPhase({ kind: "idle" });
  const preview = async (e: Event) => {
    e.preventDefault();
    if (!chosen) return;
    setPhase({ kind: "quoting" });
    try {
      const r = await client.request(PreviewChangeDoc, { input: { orgId, planId: chosen.id, seats } });
      setPhase({ kind: "quoted", quote: r.previewChange });
    } catch (err) {
      setPhase({ kind: "failed", error: toTallyError(err) });
    }
  };

  const confirmChange = async () => {
    if (!chosen) return;
    setPhase({ kind: "paying" });
    const idempotencyKey = crypto.randomUUID();
    const paymentMethodId = payWith || undefined;
    let res: Checkout;
    try {
      if (!sub) {
        res = (await client.request(SubscribeDoc, { input: { orgId, planId: chosen.id, seats, paymentMethodId, idempotencyKey } })).subscribe;
      } else if (chosen.id !== sub.plan.id || seats === sub.seats) {
        res = (await client.request(ChangePlanDoc, { input: { orgId, planId: chosen.id, seats, paymentMethodId, idempotencyKey } })).changePlan;
      } else {
        res = (await client.request(ChangeSeatsDoc, { input: { orgId, seats, paymentMethodId, idempotencyKey } })).changeSeats;
      }
    } catch (err) {
      setPhase({ kind: "failed", error: toTallyError(err) });
      return;
    }
    let order: { number: string; status: string; total: { amount: string; currency: string } } | null | undefined = res.order;
    if (res.order && (res.order.status === "FAILED" || res.order.status === "CANCELED")) {
      setPhase({ kind: "failed", error: new OrderNotPaidError(res.order) });
      reload();
      return;
    }
    if (res.order && !PAID_STATUSES.includes(res.order.status)) {
      if (res.nextAction.kind === "REDIRECT" && res.nextAction.redirectUrl) setPhase({ kind: "action", url: res.nextAction.redirectUrl });
      try {
        order = await watchOrder(client, { orgId, orderId: res.order.id });
      } catch (err) {
        setPhase({ kind: "failed", error: toTallyError(err) });
        reload();
        return;
      }
    }
    setPhase({
      kind: "done",
      text: order
        ? `Paid: order ${order.number}, ${formatMoney(order.total)}. ${chosen.name}, ${seats} seats.`
        : `Scheduled: ${chosen.name}, ${seats} seats from the end of the period. Nothing is charged now.`,
    });
    reload();
  };

  // The plan with its seats (no subscription yet), or the seats added to the
  // current plan, into the cart to pay together with packs and add-ons.
  const cartItem: OrderItemInput | undefined = !chosen
    ? undefined
    : !sub
      ? { kind: "PLAN", planId: chosen.id, seats }
      : chosen.id === sub.plan.id && seats > sub.seats
        ? { kind: "SEATS", seats: seats - sub.seats }
        : undefined;
  const addCart = async () => {
    if (!cartItem || !chosen) return;
    setPhase({ kind: "carting" });
    try {
      const d = await putInCart(client, orgId, cartItem);
      setPhase({ kind: "carted", text: `${cartItem.kind === "PLAN" ? `${chosen.name}, ${seats} seats` : `${cartItem.seats} more seats`} added to the cart: ${d.items.length} ${d.items.length === 1 ? "item" : "items"}, ${formatMoney(d.total)} with tax.` });
    } catch (err) {
      setPhase({ kind: "failed", error: toTallyError(err) });
    }
  };

  const busy = phase.kind === "quoting" || phase.kind === "paying" || phase.kind === "carting" || phase.kind === "action";
  return (
    <Section title={sub ? "Change plan or seats" : "Subscribe to a plan"} id="change-plan-h">
      {list.length === 0 ? (
        <Empty>No plans are priced in {currency}.</Empty>
      ) : (
        <form class="form" onSubmit={preview}>
          <fieldset>
            <legend>Plan (per seat, prices in {currency} before tax)</legend>
            <div class="packs">
              {list.map((p) => (
                <label key={p.id} class={`pack${chosen?.id === p.id ? " pack-selected" : ""}`}>
                  <input
                    type="radio"
                    name="plan"
                    value={p.id}
                    data-code={p.code}
                    checked={chosen?.id === p.id}
                    onChange={() => {
                      setPlanId(p.id);
                      changed();
                    }}
                  />
                  <span class="pack-name">
                    {p.name}
                    {sub?.plan.id === p.id ? " (current)" : ""}
                  </span>
                  <span class="pack-price">
                    {formatMoney(p.price)} / seat / {p.interval === "ANNUALLY" ? "year" : "month"}
                  </span>
                  <span class="muted">{formatCredits(p.includedCreditsPerSeat)} credits per seat each month</span>
                </label>
              ))}
            </div>
          </fieldset>
          <label for="plan-seats">Seats (at least {minSeats}: members and pending invitations)</label>
          <input
            id="plan-seats"
            type="number"
            min={1}
            max={10000}
            required
            value={seats}
            onInput={(e) => {
              setSeats(Math.max(1, Math.floor(Number(e.currentTarget.value)) || 1));
              changed();
            }}
          />
          <label for="plan-pay">{sub ? "Pay a charge now with" : "Pay with"}</label>
          <select
            id="plan-pay"
            value={payWith}
            onChange={(e) => {
              setPay(e.currentTarget.value);
              changed();
            }}
          >
            {sub && <option value="">The subscription's saved method</option>}
            {active.map((m) => (
              <option key={m.id} value={m.id}>
                Saved {m.brand} {m.last4 ?? ""}
                {m.isDefault ? " (default)" : ""}
              </option>
            ))}
            {TEST_CARDS.filter((c) => c.number).map((c) => (
              <option key={c.number} value={c.number}>
                Test card {c.label}
              </option>
            ))}
          </select>
          <div class="row cart-actions">
            <button type="submit" disabled={busy || !chosen}>
              {phase.kind === "quoting" ? "Pricing…" : "Show the price"}
            </button>
            {cartItem && (
              <button type="button" class="secondary" data-testid="plan-add-to-cart" disabled={busy} onClick={addCart}>
                {phase.kind === "carting" ? "Adding…" : "Add to cart"}
              </button>
            )}
          </div>
        </form>
      )}
      <div aria-live="polite" class="outcome">
        {phase.kind === "quoted" && <Quote quote={phase.quote} onConfirm={confirmChange} onCancel={changed} />}
        {phase.kind === "paying" && <p role="status">Applying…</p>}
        {phase.kind === "action" && (
          <div class="notice notice-info" role="status">
            <p>
              The bank wants the payment confirmed:{" "}
              <a href={phase.url} target="_blank" rel="noopener">
                open the confirm page
              </a>{" "}
              (a new tab); this page updates once it is paid.
            </p>
          </div>
        )}
        {phase.kind === "carted" && (
          <p role="status" class="notice notice-ok" data-testid="plan-cart-added">
            {phase.text} <a href="#cart">Go to checkout</a>
          </p>
        )}
        {phase.kind === "done" && (
          <div class="notice notice-ok" role="status" data-testid="plan-changed">
            <p>{phase.text}</p>
          </div>
        )}
        {phase.kind === "failed" && <ErrorNotice error={phase.error} />}
      </div>
    </Section>
  );
}

const KIND_TEXT: Record<string, string> = {
  SUBSCRIBE: "New subscription, charged now",
  UPGRADE: "Upgrade, charged now for the rest of the period",
  ADD_SEATS: "Added seats, charged now for the rest of the period",
  DOWNGRADE: "Downgrade, from the end of the period",
  REMOVE_SEATS: "Fewer seats, from the end of the period",
  RENEW: "Renewal",
  NONE: "No change",
};

function Quote({ quote, onConfirm, onCancel }: { quote: BillingPreviewChangeQuery["previewChange"]; onConfirm: () => void; onCancel: () => void }) {
  return (
    <div class="notice notice-info quote" data-testid="quote" data-kind={quote.kind}>
      <h3 id="quote-h">
        {KIND_TEXT[quote.kind] ?? quote.kind}: {quote.plan.name}, {quote.seats} {quote.seats === 1 ? "seat" : "seats"}
      </h3>
      {quote.lines.length > 0 && (
        <ul class="list">
          {quote.lines.map((l, i) => (
            <li key={i}>
              <span>{l.description}</span>
              <span class="num">{formatMoney(l.amount)}</span>
            </li>
          ))}
        </ul>
      )}
      <p>
        {quote.immediate ? (
          <>
            Charged now: <strong data-testid="quote-total">{formatMoney(quote.total)}</strong> (tax {formatMoney(quote.tax)}); {formatCredits(quote.credits)} credits added once paid.
          </>
        ) : (
          <>
            Nothing charged now; takes effect {formatDate(quote.effectiveAt)}.
          </>
        )}{" "}
        Next renewal: {formatMoney(quote.renewal)}.
      </p>
      <div class="row">
        <button type="button" onClick={onConfirm} disabled={quote.kind === "NONE"} data-testid="confirm-change">
          {quote.immediate ? `Confirm and pay ${formatMoney(quote.total)}` : "Confirm the change"}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Back
        </button>
      </div>
    </div>
  );
}

const METRIC_LABEL: Record<UsageMetric, string> = {
  SESSIONS: "Sessions",
  EVENTS: "Events",
  ENRICHMENTS: "Enrichments",
  STORAGE_BYTES: "Storage",
  DATA_TRANSFER_BYTES: "Data transfer",
};

/** Metrics measured in bytes, shown in binary units. */
const BYTE_METRICS: ReadonlySet<UsageMetric> = new Set<UsageMetric>(["STORAGE_BYTES", "DATA_TRANSFER_BYTES"]);

/** A labelled progress bar (role=progressbar), the value also in words. */
function Bar({ id, label, value, max, text, level }: { id: string; label: string; value: number; max: number; text: string; level?: string }) {
  const pct = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return (
    <div class="bar-row">
      <div class="bar-label">
        <span id={`${id}-label`}>{label}</span>
        <span id={`${id}-text`} class="muted">
          {text}
        </span>
      </div>
      <div
        class={`bar bar-${(level ?? "OK").toLowerCase()}`}
        role="progressbar"
        aria-labelledby={`${id}-label`}
        aria-describedby={`${id}-text`}
        aria-valuemin={0}
        aria-valuemax={Math.max(1, max)}
        aria-valuenow={Math.min(value, Math.max(1, max))}
        aria-valuetext={text}
        data-testid={`bar-${id}`}
      >
        <div class="bar-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}

function UsageBars({ usage }: { usage: PlanOrg["usage"] }) {
  const n = new Intl.NumberFormat("en-US");
  return (
    <Section title="Usage" id="usage-h">
      <p>
        {formatCredits(usage.creditsConsumed)} credits spent {usage.scope === "MEMBER" ? "by you" : "by the organization"} from {formatDate(usage.periodStart)} to{" "}
        {formatDate(usage.periodEnd)}.
        {usage.extraCredits > 0 && ` ${formatCredits(usage.extraCredits)} extra credits bought this period raise the data-transfer limit.`}
      </p>
      {usage.metrics.length === 0 ? (
        <Empty>No metered usage this period.</Empty>
      ) : (
        <div class="bars" data-testid="usage-bars">
          {usage.metrics.map((m) => {
            const id = `usage-${m.metric.toLowerCase()}`;
            const level = m.level === "OK" ? "" : m.level === "WARNING" ? " (near the limit)" : " (over the limit)";
            const fmt = BYTE_METRICS.has(m.metric) ? formatBytes : (v: number) => n.format(v);
            const extra = m.limitFromExtraCredits > 0 ? `, ${fmt(m.limitFromExtraCredits)} of it from extra credits` : "";
            return m.limit == null ? (
              <div class="bar-row" key={m.metric} data-testid={`bar-${id}`}>
                <div class="bar-label">
                  <span>{METRIC_LABEL[m.metric]}</span>
                  <span class="muted">{fmt(m.quantity)} used, no limit</span>
                </div>
              </div>
            ) : (
              <Bar
                key={m.metric}
                id={id}
                label={METRIC_LABEL[m.metric]}
                value={m.quantity}
                max={m.limit}
                level={m.level}
                text={`${fmt(m.quantity)} of ${fmt(m.limit)} used${level}${extra}`}
              />
            );
          })}
        </div>
      )}
    </Section>
  );
}

/** The sandbox's cards to save (README "Auto-recharge"). */
const SAVE_CARDS = [
  { number: "4242424242424242", label: "4242 4242 4242 4242: charges off session" },
  { number: "4000002760003184", label: "4000 0027 6000 3184: its bank always wants 3-D Secure" },
] as const;

function PaymentMethods({ client, orgId, methods }: { client: TallyClient; orgId: string; methods: ReturnType<typeof useQuery<import("../gql/graphql").BillingPaymentMethodsQuery, { orgId: string }>> }) {
  const add = useMutation(client, AddPaymentMethodDoc);
  const setDefault = useMutation(client, SetDefaultPaymentMethodDoc);
  const remove = useMutation(client, RemovePaymentMethodDoc);
  const [card, setCard] = useState<string>(SAVE_CARDS[0].number);
  const [makeDefault, setMakeDefault] = useState(true);
  const list = methods.data?.org?.paymentMethods ?? [];
  const err = add.error ?? setDefault.error ?? remove.error;
  const pending = add.data?.addPaymentMethod.nextAction;
  return (
    <Section title="Payment methods" id="pm-h">
      {methods.error ? (
        <ErrorNotice error={methods.error} />
      ) : methods.loading && !methods.data ? (
        <Loading what="payment methods" />
      ) : list.length === 0 ? (
        <Empty>No saved payment method. Renewals and auto-recharge charge a saved card.</Empty>
      ) : (
        <ul class="list" data-testid="payment-methods">
          {list.map((m) => (
            <li key={m.id}>
              <span>
                {m.brand} {m.last4 ? `•••• ${m.last4}` : ""}
                {m.expMonth && m.expYear ? ` (expires ${m.expMonth}/${m.expYear})` : ""} {m.isDefault && <span class="badge badge-ok">Default</span>}{" "}
                {m.status !== "ACTIVE" && <span class="badge badge-warn">{m.status}</span>}
              </span>
              <span class="row">
                {!m.isDefault && m.status === "ACTIVE" && (
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Make ${m.brand} ${m.last4 ?? ""} the default`}
                    disabled={setDefault.busy}
                    onClick={async () => (await setDefault.run({ id: m.id })) && methods.reload()}
                  >
                    Make default
                  </button>
                )}
                <button
                  type="button"
                  class="secondary"
                  aria-label={`Remove ${m.brand} ${m.last4 ?? ""}`}
                  disabled={remove.busy}
                  onClick={async () => {
                    if (!confirm(`Remove ${m.brand} ${m.last4 ?? ""}?`)) return;
                    if (await remove.run({ id: m.id })) methods.reload();
                  }}
                >
                  Remove
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <form
        class="form inline"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await add.run({ input: { orgId, gateway: "sandbox", token: card, makeDefault, idempotencyKey: crypto.randomUUID() } });
          if (r) methods.reload();
        }}
      >
        <label for="pm-card">Save a test card</label>
        <select id="pm-card" value={card} onChange={(e) => setCard(e.currentTarget.value)}>
          {SAVE_CARDS.map((c) => (
            <option key={c.number} value={c.number}>
              {c.label}
            </option>
          ))}
        </select>
        <label class="check">
          <input type="checkbox" checked={makeDefault} onChange={(e) => setMakeDefault(e.currentTarget.checked)} /> Make it the default
        </label>
        <button type="submit" disabled={add.busy}>
          {add.busy ? "Saving…" : "Save card"}
        </button>
      </form>
      {pending?.kind === "REDIRECT" && pending.redirectUrl && (
        <p role="status">
          The bank wants the card confirmed:{" "}
          <a href={pending.redirectUrl} target="_blank" rel="noopener">
            open the confirm page
          </a>
          , then reload this tab.
        </p>
      )}
      {err && <ErrorNotice error={err} />}
    </Section>
  );
}

function AutoRecharge({ client, orgId, currency, rights, saved }: { client: TallyClient; orgId: string; currency: Currency; rights: Rights; saved: Saved }) {
  const q = useQuery(client, AutoRechargeDoc, { orgId }, orgId);
  const ar = q.data?.org?.autoRecharge;
  const forbidden = q.error?.code === "FORBIDDEN";
  return (
    <Section title="Auto-recharge" id="ar-h">
      {forbidden ? (
        <p class="muted">Only the OWNER and BILLING roles see the auto-recharge settings.</p>
      ) : q.error ? (
        <ErrorNotice error={q.error} />
      ) : q.loading && !q.data ? (
        <Loading what="auto-recharge" />
      ) : !ar || !ar.enabled ? (
        <p data-testid="ar-state">Off{rights.canBuy ? ": switch it on below to top up with a saved card when the balance drops below a threshold." : "."}</p>
      ) : (
        <div data-testid="ar-state">
          <p>
            {ar.paused ? <span class="badge badge-warn">Paused{ar.pauseReason ? `: ${ar.pauseReason}` : ""}</span> : <span class="badge badge-ok">On</span>} Below{" "}
            <span data-testid="ar-threshold">{formatCredits(ar.threshold)}</span> credits, buys {ar.quantity} × {ar.pack?.name ?? "overage credits"}
            {ar.paymentMethod ? ` with ${ar.paymentMethod.brand} ${ar.paymentMethod.last4 ?? ""}` : ""}.
          </p>
          <p>
            Spent {formatMoney(ar.spentThisPeriod)} of {formatMoney(ar.spendingLimit)} until {formatDate(ar.periodEnd)}.
          </p>
        </div>
      )}
      {rights.canBuy && !q.error && q.data && <AutoRechargeForm key={q.data ? "loaded" : "loading"} client={client} orgId={orgId} currency={currency} ar={ar ?? undefined} saved={saved} onSaved={q.reload} />}
    </Section>
  );
}

type AR = NonNullable<NonNullable<import("../gql/graphql").BillingAutoRechargeQuery["org"]>["autoRecharge"]>;

function AutoRechargeForm({ client, orgId, currency, ar, saved, onSaved }: { client: TallyClient; orgId: string; currency: Currency; ar?: AR; saved: Saved; onSaved: () => void }) {
  const packs = useQuery(client, PacksDoc, { currency }, currency);
  const save = useMutation(client, SetAutoRechargeDoc);
  const [enabled, setEnabled] = useState(ar?.enabled ?? true);
  const [mode, setMode] = useState<"PACK" | "OVERAGE">(ar?.mode ?? "PACK");
  const [threshold, setThreshold] = useState(String(ar?.threshold ?? 1000000));
  const [packId, setPackId] = useState(ar?.pack?.id ?? "");
  const [quantity, setQuantity] = useState(ar?.quantity ?? 1);
  const [limit, setLimit] = useState(ar ? ar.spendingLimit.amount : "");
  const [pm, setPm] = useState(ar?.paymentMethod?.id ?? "");
  const [saved2, setSaved2] = useState(false);
  const list = (packs.data?.packs ?? []).filter((p) => !p.custom && p.price && p.validity !== "RECURRING");
  const pack = packId || list[0]?.id || "";
  const cards = saved.filter((m) => m.kind === "CARD" && m.status === "ACTIVE");
  const bad = (f: string) => save.error?.code === "INVALID_INPUT" && save.error.field?.toLowerCase().endsWith(f.toLowerCase());

  const submit = async (e: Event) => {
    e.preventDefault();
    setSaved2(false);
    const limitMinor = limit.trim() === "" ? undefined : Math.round(Number(limit) * 100);
    const r = await save.run({
      input: {
        orgId,
        enabled,
        mode: enabled ? mode : undefined,
        threshold: enabled ? Number(threshold) : undefined,
        packId: enabled && mode === "PACK" ? pack || undefined : undefined,
        quantity: enabled && mode === "PACK" ? quantity : undefined,
        spendingLimitMinor: enabled && limitMinor !== undefined && !Number.isNaN(limitMinor) ? limitMinor : undefined,
        paymentMethodId: enabled ? pm || undefined : undefined,
        idempotencyKey: crypto.randomUUID(),
      },
    });
    if (r) {
      setSaved2(true);
      onSaved();
    }
  };
  const errId = "ar-error";
  const described = (f: string) => (bad(f) ? { "aria-invalid": true, "aria-describedby": errId } : {});
  return (
    <form class="form" onSubmit={submit} aria-labelledby="ar-form-h" data-testid="ar-form">
      <h3 id="ar-form-h">Settings</h3>
      <label class="check">
        <input id="ar-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Top up automatically
      </label>
      <fieldset disabled={!enabled}>
        <label for="ar-threshold">When the balance drops below (credits)</label>
        <input id="ar-threshold" type="number" inputMode="numeric" value={threshold} onInput={(e) => setThreshold(e.currentTarget.value)} {...described("threshold")} />
        <label for="ar-mode">Buy</label>
        <select id="ar-mode" value={mode} onChange={(e) => setMode(e.currentTarget.value as "PACK" | "OVERAGE")} {...described("mode")}>
          <option value="PACK">A pack</option>
          <option value="OVERAGE">Overage credits at the plan's price (paid plans)</option>
        </select>
        {mode === "PACK" && (
          <>
            <label for="ar-pack">Pack</label>
            <select id="ar-pack" value={pack} onChange={(e) => setPackId(e.currentTarget.value)} {...described("packId")}>
              {list.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}: {formatCredits(p.credits)} credits, {formatMoney(p.price)}
                </option>
              ))}
            </select>
            <label for="ar-qty">Packs per top-up</label>
            <input id="ar-qty" type="number" min={1} max={100} value={quantity} onInput={(e) => setQuantity(Math.max(1, Number(e.currentTarget.value) || 1))} {...described("quantity")} />
          </>
        )}
        <label for="ar-limit">Spending limit per period ({currency}, empty for the default)</label>
        <input id="ar-limit" type="text" inputMode="decimal" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} {...described("spendingLimitMinor")} />
        <label for="ar-pm">Card to charge</label>
        <select id="ar-pm" value={pm} onChange={(e) => setPm(e.currentTarget.value)} {...described("paymentMethodId")}>
          <option value="">The default payment method</option>
          {cards.map((m) => (
            <option key={m.id} value={m.id}>
              {m.brand} {m.last4 ?? ""}
              {m.isDefault ? " (default)" : ""}
            </option>
          ))}
        </select>
      </fieldset>
      <button type="submit" disabled={save.busy}>
        {save.busy ? "Saving…" : "Save auto-recharge"}
      </button>
      <div aria-live="polite">
        {saved2 && !save.error && (
          <p class="notice notice-ok" role="status" data-testid="ar-saved">
            Saved.
          </p>
        )}
        {save.error && (
          <div id={errId}>
            <ErrorNotice error={save.error} />
          </div>
        )}
      </div>
    </form>
  );
}
