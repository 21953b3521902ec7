// The plan, usage this period and auto-recharge (read-only).
import type { TallyClient } from "../client";
import type { Rights } from "./App";
import { formatCredits, formatDate, formatMoney } from "./format";
import { useQuery } from "./hooks";
import { AutoRechargeDoc, PlanDoc } from "./operations";
import { ErrorNotice, Loading, Section } from "./ui";

export function Plan({ client, orgId, rights }: { client: TallyClient; orgId: string; rights: Rights }) {
  const q = useQuery(client, PlanDoc, { orgId }, orgId);
  if (q.loading && !q.data) return <Loading what="the plan" />;
  if (q.error) return <ErrorNotice error={q.error} />;
  const org = q.data!.org!;
  const sub = org.subscription;
  const used = sub ? sub.includedCreditsPerMonth - sub.includedCreditsLeft : 0;
  return (
    <>
      <Section title="Plan" id="plan-h">
        {sub ? (
          <>
            <p>
              <strong>{sub.plan.name}</strong> ({sub.plan.interval.toLowerCase()}), {sub.seats} seats, <span class="badge">{sub.status}</span>
            </p>
            <p>
              {sub.cancelAtPeriodEnd ? "Ends" : "Renews"} {formatDate(sub.renewsAt ?? sub.currentPeriodEnd)}.
            </p>
            <label for="included-meter">
              Included credits this month: {formatCredits(used)} of {formatCredits(sub.includedCreditsPerMonth)} used
            </label>
            <meter id="included-meter" min={0} max={Math.max(1, sub.includedCreditsPerMonth)} value={used} />
          </>
        ) : (
          <p>
            Free plan: {org.seats.total} seats, no charge.
          </p>
        )}
      </Section>
      <Section title="Usage" id="usage-h">
        <p>
          {formatCredits(org.usage.creditsConsumed)} credits spent {org.usage.scope === "MEMBER" ? "by you" : "by the organization"} from{" "}
          {formatDate(org.usage.periodStart)} to {formatDate(org.usage.periodEnd)}.
        </p>
      </Section>
      {rights.canBuy ? <AutoRecharge client={client} orgId={orgId} /> : null}
    </>
  );
}

function AutoRecharge({ client, orgId }: { client: TallyClient; orgId: string }) {
  const q = useQuery(client, AutoRechargeDoc, { orgId }, orgId);
  const ar = q.data?.org?.autoRecharge;
  return (
    <Section title="Auto-recharge" id="ar-h">
      {q.error ? (
        <ErrorNotice error={q.error} />
      ) : q.loading && !q.data ? (
        <Loading what="auto-recharge" />
      ) : !ar || !ar.enabled ? (
        <p>Off. Turn it on with setAutoRecharge and a saved card to top up below a threshold.</p>
      ) : (
        <>
          <p>
            {ar.paused ? <span class="badge badge-warn">Paused{ar.pauseReason ? `: ${ar.pauseReason}` : ""}</span> : <span class="badge badge-ok">On</span>} Below{" "}
            {formatCredits(ar.threshold)} credits, buys {ar.quantity} × {ar.pack?.name ?? "credits"}
            {ar.paymentMethod ? ` with ${ar.paymentMethod.brand} ${ar.paymentMethod.last4 ?? ""}` : ""}.
          </p>
          <p>
            Spent {formatMoney(ar.spentThisPeriod)} of {formatMoney(ar.spendingLimit)} until {formatDate(ar.periodEnd)}.
          </p>
        </>
      )}
    </Section>
  );
}
