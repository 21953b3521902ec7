// The billing page: sign-in, the org, and one screen per tab.
import { useEffect, useMemo, useState } from "preact/hooks";
import type { TallyClient } from "../client";
import type { BalanceFieldsFragment, BillingViewerQuery, Role } from "../gql/graphql";
import { ApiKeys } from "./ApiKeys";
import { formatCredits } from "./format";
import { BalanceView } from "./Balance";
import { Buy } from "./Buy";
import { TopUp } from "./TopUp";
import { Cart } from "./Cart";
import { useQuery } from "./hooks";
import { Members } from "./Members";
import { OrgSetup } from "./OrgSetup";
import { OverviewDoc, BalanceUpdatedDoc, ViewerDoc } from "./operations";
import { Orders } from "./Orders";
import { Plan } from "./Plan";
import { BALANCE_STALE, clientFor, loadOrg, loadToken, saveOrg, saveToken } from "./session";
import { SignIn } from "./SignIn";
import { Spend } from "./Spend";
import { ErrorNotice, Loading } from "./ui";

/** The screens, in the order of the tabs. */
const TABS = [
  { id: "balance", label: "Balance" },
  { id: "buy", label: "Buy credits" },
  { id: "cart", label: "Checkout" },
  { id: "orders", label: "Orders & invoices" },
  { id: "members", label: "Members" },
  { id: "keys", label: "API keys" },
  { id: "plan", label: "Plan & usage" },
] as const;
type Tab = (typeof TABS)[number]["id"];

function tabFromHash(): Tab {
  const h = location.hash.replace(/^#/, "");
  return (TABS.find((t) => t.id === h)?.id ?? "balance") as Tab;
}

/** What a role may do on this page (README "Roles"). */
export interface Rights {
  role: Role;
  canBuy: boolean;
  canManage: boolean;
}

export function rightsOf(role: Role): Rights {
  return { role, canBuy: role === "OWNER" || role === "BILLING", canManage: role === "OWNER" || role === "ADMIN" };
}

export function App() {
  const [token, setToken] = useState(loadToken());
  const client = useMemo(() => (token ? clientFor(token) : undefined), [token]);
  useEffect(() => () => client?.dispose(), [client]);

  const signOut = () => {
    saveToken(undefined);
    saveOrg(undefined);
    setToken(undefined);
  };
  if (!client) {
    return (
      <SignIn
        onToken={(t) => {
          saveToken(t);
          setToken(t);
        }}
      />
    );
  }
  return <SignedIn client={client} signOut={signOut} />;
}

function SignedIn({ client, signOut }: { client: TallyClient; signOut: () => void }) {
  const viewer = useQuery(client, ViewerDoc, {}, "viewer");
  const [orgId, setOrgId] = useState(loadOrg());

  if (viewer.loading && !viewer.data) return <Shell signOut={signOut}><Loading what="your account" /></Shell>;
  if (viewer.error) {
    return (
      <Shell signOut={signOut}>
        <ErrorNotice error={viewer.error} />
        <button type="button" onClick={signOut}>Sign in again</button>
      </Shell>
    );
  }
  const v = viewer.data!.viewer;
  const membership = v.memberships.find((m) => m.org.id === orgId) ?? v.memberships[0];
  const pick = (id: string) => {
    saveOrg(id);
    setOrgId(id);
  };
  return (
    <Shell signOut={signOut} user={v.user}>
      {v.memberships.length > 0 && (
        <div class="orgbar">
          <label for="org-select">Organization</label>
          <select id="org-select" value={membership?.org.id} onChange={(e) => pick(e.currentTarget.value)}>
            {v.memberships.map((m) => (
              <option key={m.org.id} value={m.org.id}>
                {m.org.name} ({m.role})
              </option>
            ))}
          </select>
        </div>
      )}
      {membership ? (
        <OrgPage key={membership.org.id} client={client} membership={membership} />
      ) : (
        <OrgSetup
          client={client}
          onCreated={(id) => {
            pick(id);
            viewer.reload();
          }}
        />
      )}
    </Shell>
  );
}

function Shell({ children, signOut, user }: { children: preact.ComponentChildren; signOut: () => void; user?: { email: string; name: string } }) {
  return (
    <>
      <header class="topbar">
        <a class="skip" href="#main">
          Skip to content
        </a>
        <span class="brand">Tally billing</span>
        {user && <span class="who">{user.name || user.email}</span>}
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main">{children}</main>
    </>
  );
}

type Membership = BillingViewerQuery["viewer"]["memberships"][number];

function OrgPage({ client, membership }: { client: TallyClient; membership: Membership }) {
  const orgId = membership.org.id;
  const rights = rightsOf(membership.role);
  const [tab, setTab] = useState<Tab>(tabFromHash());
  useEffect(() => {
    const on = () => setTab(tabFromHash());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);

  const overview = useQuery(client, OverviewDoc, { orgId }, orgId);
  useEffect(() => {
    const on = () => overview.reload();
    addEventListener(BALANCE_STALE, on);
    return () => removeEventListener(BALANCE_STALE, on);
  }, [overview.reload]);
  const [live, setLive] = useState<{ balance?: BalanceFieldsFragment; connected: boolean; last?: string }>({ connected: false });
  useEffect(() => {
    setLive({ connected: false });
    const off = client.onSocket((state) => setLive((l) => ({ ...l, connected: state === "connected" })));
    const stop = client.subscribe(BalanceUpdatedDoc, { orgId }, {
      next: (d) => {
        const e = d.balanceUpdated.entry;
        setLive({ balance: d.balanceUpdated.balance, connected: true, last: e ? `${e.kind} ${formatCredits(e.amount)}${e.reason ? ` (${e.reason})` : ""}` : undefined });
      },
      error: () => setLive((l) => ({ ...l, connected: false })),
    });
    return () => {
      stop();
      off();
    };
  }, [client, orgId]);

  // The newer of the query's and the subscription's balances.
  const queried = overview.data?.org?.balance;
  const balance = live.balance && (!queried || live.balance.updatedAt >= queried.updatedAt) ? live.balance : queried;
  const org = overview.data?.org;

  const select = (t: Tab) => {
    history.replaceState(null, "", `#${t}`);
    setTab(t);
  };
  const onKey = (e: KeyboardEvent, i: number) => {
    let j = -1;
    if (e.key === "ArrowRight") j = (i + 1) % TABS.length;
    if (e.key === "ArrowLeft") j = (i - 1 + TABS.length) % TABS.length;
    if (e.key === "Home") j = 0;
    if (e.key === "End") j = TABS.length - 1;
    if (j >= 0) {
      e.preventDefault();
      select(TABS[j].id);
      document.getElementById(`tab-${TABS[j].id}`)?.focus();
    }
  };

  return (
    <>
      <div class="orghead">
        <h1>{membership.org.name}</h1>
        <p class="muted">
          Your role: <strong data-testid="role">{membership.role}</strong> · {membership.org.country} · {membership.org.currency}
          {org && org.status !== "ACTIVE" && (
            <>
              {" "}
              · <span class="badge badge-warn">{org.status}</span>
            </>
          )}
        </p>
        {balance && (
          <p class="total" aria-live="polite" data-testid="balance-card" data-live={live.connected ? "subscribed" : "connecting"}>
            Balance: <strong data-testid="balance-total">{formatCredits(balance.total)}</strong> credits
          </p>
        )}
      </div>
      <div role="tablist" aria-label="Billing sections" class="tabs">
        {TABS.map((t, i) => (
          <button
            key={t.id}
            id={`tab-${t.id}`}
            role="tab"
            type="button"
            aria-selected={tab === t.id}
            aria-controls={tab === t.id ? `panel-${t.id}` : undefined}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => select(t.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} tabIndex={0} class="panel">
        {tab === "balance" &&
          (overview.error ? (
            <ErrorNotice error={overview.error} />
          ) : !balance ? (
            <Loading what="the balance" />
          ) : (
            <>
              <BalanceView balance={balance} live={live.connected} last={live.last} />
              <Spend client={client} orgId={orgId} />
            </>
          ))}
        {tab === "buy" && org && (
          <>
            <Buy client={client} orgId={orgId} currency={org.currency} rights={rights} />
            <TopUp client={client} orgId={orgId} currency={org.currency} rights={rights} />
          </>
        )}
        {tab === "buy" && !org && (overview.error ? <ErrorNotice error={overview.error} /> : <Loading what="the organization" />)}
        {tab === "cart" && <Cart client={client} orgId={orgId} country={membership.org.country} rights={rights} />}
        {tab === "orders" && <Orders client={client} orgId={orgId} rights={rights} />}
        {tab === "members" && <Members client={client} orgId={orgId} rights={rights} />}
        {tab === "keys" && <ApiKeys client={client} orgId={orgId} rights={rights} />}
        {tab === "plan" && <Plan client={client} orgId={orgId} currency={membership.org.currency} rights={rights} />}
      </div>
    </>
  );
}
