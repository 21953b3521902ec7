// The outcome of a purchase made on the page (Buy credits, Top up by amount,
// the cart), shown the same way wherever the buyer paid.
import type { ComponentChildren } from "preact";
import type { TallyError, WatchedOrder } from "../client";
import { formatCredits } from "./format";
import { ErrorNotice } from "./ui";

/** PaymentPhase is where a purchase started on the page stands. */
export type PaymentPhase =
  | { kind: "idle" }
  | { kind: "paying" }
  | { kind: "redirecting"; url?: string }
  | { kind: "action"; url: string; order: WatchedOrder } // the buyer opens the confirm page in another tab
  | { kind: "waiting"; order: WatchedOrder }
  | { kind: "paid"; order: WatchedOrder }
  | { kind: "failed"; error: TallyError };

/**
 * PaymentOutcome announces a purchase's phase in a polite live region: the
 * confirm page to open, the wait for the payment, the paid order (with
 * `children` below it) under `data-testid={paidTestId}`, or why it failed.
 */
export function PaymentOutcome({ phase, paidTestId, children }: { phase: PaymentPhase; paidTestId: string; children?: ComponentChildren }) {
  return (
    <div aria-live="polite" class="outcome">
      {phase.kind === "redirecting" && <p role="status">Taking you to the payment page to confirm…</p>}
      {phase.kind === "action" && (
        <div class="notice notice-info" role="status">
          <p>Order {phase.order.number} needs you to confirm the payment.</p>
          <p>
            <a href={phase.url} target="_blank" rel="noopener">
              Open the confirm page
            </a>{" "}
            (a new tab); this page updates when the order is paid.
          </p>
        </div>
      )}
      {phase.kind === "waiting" && (
        <p role="status">
          Order {phase.order.number} is {phase.order.status.toLowerCase().replace("_", " ")}: waiting for the payment…
        </p>
      )}
      {phase.kind === "paid" && (
        <div class="notice notice-ok" role="status" data-testid={paidTestId}>
          <p>
            <strong>Paid.</strong> Order {phase.order.number} added {formatCredits(phase.order.credits)} credits
            {phase.order.invoice ? `; invoice ${phase.order.invoice.number} is under Orders & invoices` : ""}.
          </p>
          {children}
        </div>
      )}
      {phase.kind === "failed" && (
        <ErrorNotice
          error={phase.error}
          title={phase.error.code === "PAYMENT_FAILED" ? "The payment was declined. No credits were added and nothing was charged." : undefined}
        />
      )}
    </div>
  );
}
