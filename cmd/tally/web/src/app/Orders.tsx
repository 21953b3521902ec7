// Orders and invoices, with the invoice PDFs.
import { useEffect, useState } from "preact/hooks";
import { authorization, TallyError, type TallyClient } from "../client";
import { OrderUpdatedDoc } from "../client/orders";
import type { OrderStatus } from "../gql/graphql";
import type { Rights } from "./App";
import { formatCredits, formatDate, formatMoney } from "./format";
import { useMutation, useQuery } from "./hooks";
import { CancelOrderDoc, OrdersDoc } from "./operations";
import { Empty, ErrorNotice, Loading, Section } from "./ui";

const STATUS_CLASS: Partial<Record<OrderStatus, string>> = {
  PAID: "badge-ok",
  FAILED: "badge-bad",
  CANCELED: "badge-muted",
  REQUIRES_ACTION: "badge-warn",
  PENDING: "badge-warn",
  PROCESSING: "badge-warn",
};

/** Fetches a PDF with the token and saves it under its document number. */
async function downloadPDF(client: TallyClient, url: string, name: string) {
  const token = client.options.token;
  const a = authorization(typeof token === "function" ? token() : token);
  const res = await fetch(url, { headers: a ? { Authorization: a } : {} });
  if (!res.ok) {
    const body = (await res.json().catch(() => undefined)) as { errors?: { message: string; extensions?: { code?: string } }[] } | undefined;
    const e = body?.errors?.[0];
    throw new TallyError({
      code: e?.extensions?.code === "FORBIDDEN" ? "FORBIDDEN" : res.status === 404 ? "NOT_FOUND" : "INTERNAL",
      message: e?.message ?? `the server answered ${res.status}`,
      status: res.status,
    });
  }
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = href;
  link.download = `${name}.pdf`;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

export function Orders({ client, orgId, rights }: { client: TallyClient; orgId: string; rights: Rights }) {
  const q = useQuery(client, OrdersDoc, { orgId }, orgId);
  const cancel = useMutation(client, CancelOrderDoc);
  const [dlError, setDlError] = useState<TallyError>();
  const [downloaded, setDownloaded] = useState<string>();
  // An order that changes (paid on the confirm page, failed, refunded)
  // shows at once, with its invoice.
  const reload = q.reload;
  useEffect(() => {
    if (!rights.canBuy) return;
    return client.subscribe(OrderUpdatedDoc, { orgId }, { next: () => reload() });
  }, [client, orgId, rights.canBuy, reload]);

  if (!rights.canBuy) {
    return (
      <Section title="Orders & invoices" id="orders-h">
        <div class="notice notice-info" role="note" data-code="FORBIDDEN">
          <p>
            <strong>Your role, {rights.role}, may not see orders or invoices.</strong>
          </p>
          <p>They are for the OWNER and BILLING roles.</p>
        </div>
      </Section>
    );
  }
  if (q.loading && !q.data) return <Loading what="orders" />;
  if (q.error) return <ErrorNotice error={q.error} />;
  const orders = q.data?.org?.orders.edges.map((e) => e.node) ?? [];
  const invoices = q.data?.org?.invoices.edges.map((e) => e.node) ?? [];

  return (
    <>
      <Section title="Orders" id="orders-h">
        <button type="button" class="secondary" onClick={q.reload}>
          Refresh
        </button>
        {cancel.error && <ErrorNotice error={cancel.error} />}
        {orders.length === 0 ? (
          <Empty>No orders yet.</Empty>
        ) : (
          <div class="tablewrap">
            <table>
              <caption class="sr-only">Orders, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Date</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">Credits</th>
                  <th scope="col" class="num">Total</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {orders.map((o) => (
                  <tr key={o.id}>
                    <td>{o.status === "DRAFT" ? <a href="#cart">Cart (draft)</a> : o.number}</td>
                    <td>{formatDate(o.createdAt)}</td>
                    <td>
                      <span class={`badge ${STATUS_CLASS[o.status] ?? ""}`}>{o.status}</span>
                      {o.failureReason && <span class="muted"> {o.failureReason}</span>}
                    </td>
                    <td class="num">{formatCredits(o.credits)}</td>
                    <td class="num">{formatMoney(o.total)}</td>
                    <td>
                      {(o.status === "PENDING" || o.status === "REQUIRES_ACTION") && (
                        <button
                          type="button"
                          class="secondary"
                          disabled={cancel.busy}
                          aria-label={`Cancel order ${o.number}`}
                          onClick={async () => {
                            if (await cancel.run({ id: o.id })) q.reload();
                          }}
                        >
                          Cancel
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section title="Invoices" id="invoices-h">
        {dlError && <ErrorNotice error={dlError} />}
        {downloaded && (
          <p role="status" class="muted">
            Downloaded {downloaded}.pdf
          </p>
        )}
        {invoices.length === 0 ? (
          <Empty>No invoices yet. A paid order gets one.</Empty>
        ) : (
          <ul class="list">
            {invoices.map((inv) => (
              <li key={inv.id}>
                <span>
                  <strong>{inv.number}</strong> · {formatDate(inv.issuedAt)} · {formatMoney(inv.total)} · order {inv.orderNumber}
                  {inv.status !== "PAID" && <span class="badge badge-muted"> {inv.status}</span>}
                  {inv.lines.length > 0 && (
                    <ul class="invoice-lines" aria-label={`Lines of invoice ${inv.number}`}>
                      {inv.lines.map((l, i) => (
                        <li key={i}>
                          {l.description}: {formatMoney(l.amount)}
                        </li>
                      ))}
                    </ul>
                  )}
                </span>
                <button
                  type="button"
                  aria-label={`Download invoice ${inv.number} as PDF`}
                  onClick={async () => {
                    setDlError(undefined);
                    try {
                      await downloadPDF(client, inv.pdfUrl, inv.number);
                      setDownloaded(inv.number);
                    } catch (err) {
                      setDlError(err instanceof TallyError ? err : new TallyError({ code: "INTERNAL", message: String(err) }));
                    }
                  }}
                >
                  Download PDF
                </button>
              </li>
            ))}
          </ul>
        )}
      </Section>
    </>
  );
}
