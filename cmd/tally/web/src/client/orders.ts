// Watching an order until it is paid.
import { graphql } from "../gql";
import type { OrderStatus } from "../gql/graphql";
import { TallyError, toTallyError } from "./errors";
import type { Transport } from "./client";

/** The order fields watchOrder reads, from the query and the subscription alike. */
export const WatchedOrderFragment = graphql(`
  fragment WatchedOrder on Order {
    id
    number
    status
    failureReason
    credits
    total { amount currency }
    invoice { id number pdfUrl }
  }
`);

export const WatchedOrderFields = graphql(`
  query WatchOrder($id: ID!) {
    order(id: $id) { ...WatchedOrder }
  }
`);

export const OrderUpdatedDoc = graphql(`
  subscription WatchOrderUpdates($orgId: ID!) {
    orderUpdated(orgId: $orgId) { ...WatchedOrder }
  }
`);

/** The order as watchOrder hands it back. */
export interface WatchedOrder {
  id: string;
  number: string;
  status: OrderStatus;
  failureReason?: string | null;
  credits: number;
  total: { amount: string; currency: string };
  invoice?: { id: string; number: string; pdfUrl: string } | null;
}

/** The statuses in which the money was collected: the credits were granted. */
export const PAID_STATUSES: readonly OrderStatus[] = ["PAID", "PARTIALLY_REFUNDED", "REFUNDED"];
/** The statuses an order never leaves without being paid. */
export const UNPAID_END_STATUSES: readonly OrderStatus[] = ["FAILED", "CANCELED"];

/** An order that ended without being paid (FAILED or CANCELED): PAYMENT_FAILED. */
export class OrderNotPaidError extends TallyError {
  readonly order: WatchedOrder;
  constructor(order: WatchedOrder) {
    super({
      code: "PAYMENT_FAILED",
      message:
        order.status === "CANCELED"
          ? `order ${order.number} was canceled`
          : `order ${order.number} failed${order.failureReason ? `: ${order.failureReason}` : ""}`,
    });
    this.name = "OrderNotPaidError";
    this.order = order;
  }
}

/** What watchOrder needs besides the client. */
export interface WatchOrderOptions {
  /** The org the order belongs to (orderUpdated is per org). */
  orgId: string;
  /** The order's global ID. */
  orderId: string;
  /** Ends the watch: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Called with every status the order goes through. */
  onUpdate?: (order: WatchedOrder) => void;
  /**
   * Reads the order again this often, in milliseconds, in case an event was
   * missed while the socket was reconnecting; 0 turns it off. Default 10000.
   */
  pollInterval?: number;
}

/**
 * Resolves with the order once it is paid (PAID, or already refunded),
 * rejects with OrderNotPaidError once it is FAILED or CANCELED, and with a
 * TallyError when it cannot be read (NOT_FOUND, FORBIDDEN...). It listens
 * to orderUpdated and reads the order once the subscription is asked for,
 * so an order settled before the socket opened is seen too.
 */
export function watchOrder(client: Transport, opts: WatchOrderOptions): Promise<WatchedOrder> {
  return new Promise<WatchedOrder>((resolve, reject) => {
    let done = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stop: (() => void) | undefined;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      stop?.();
      if (timer !== undefined) clearInterval(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      fn();
    };
    const onAbort = () => finish(() => reject(opts.signal?.reason ?? new DOMException("aborted", "AbortError")));
    const seen = (o: WatchedOrder | null | undefined) => {
      if (done || !o || o.id !== opts.orderId) return;
      opts.onUpdate?.(o);
      if (PAID_STATUSES.includes(o.status)) finish(() => resolve(o));
      else if (UNPAID_END_STATUSES.includes(o.status)) finish(() => reject(new OrderNotPaidError(o)));
    };
    const read = () =>
      client.request(WatchedOrderFields, { id: opts.orderId }).then(
        (d) => {
          if (!d.order) finish(() => reject(new TallyError({ code: "NOT_FOUND", message: "the order does not exist" })));
          else seen(d.order);
        },
        (err) => {
          const e = toTallyError(err);
          if (!e.retryable) finish(() => reject(e));
        },
      );

    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener("abort", onAbort);
    stop = client.subscribe(OrderUpdatedDoc, { orgId: opts.orgId }, {
      next: (d) => seen(d.orderUpdated),
      error: (err) => {
        if (!err.retryable) finish(() => reject(err));
      },
    });
    if (done) stop();
    void read();
    const every = opts.pollInterval ?? 10000;
    if (every > 0 && !done) timer = setInterval(() => void read(), every);
  });
}
