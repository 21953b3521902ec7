// What the page does with a checkout's answer (purchasePack, topUp,
// checkoutOrder): the same steps for Buy credits, Top up by amount and the
// cart, each form keeping its own way to send the buyer to a hosted page.
import { OrderNotPaidError, resumeCheckout, toTallyError, type NextActionLike, type ResumeOptions, type TallyError, type WatchedOrder } from "../client";

/** A checkout's answer: the order and what the buyer must do next. */
export interface CheckoutAnswer<O extends WatchedOrder> {
  order: O;
  nextAction?: NextActionLike | null;
}

/** How a form shows each step of followCheckout. */
export interface FollowHandlers<O extends WatchedOrder> {
  /** The order ended unpaid at once (FAILED, CANCELED), or its next action could not be taken. */
  failed: (error: TallyError) => void;
  /** The order was paid at once. */
  paid: (order: O) => void;
  /** A hosted page to send the buyer to: same tab with a return address, or a new tab, as the form chooses. */
  redirect: (url: string, order: O) => void | Promise<void>;
  /** Follows an unpaid order until it ends (after a confirmation on the page, or none needed). */
  watch: (order: O) => void;
  /** resumeCheckout's options (a gateway script's confirm). */
  resume?: ResumeOptions;
}

/** Which step followCheckout took. */
export type FollowStep = "failed" | "paid" | "redirect" | "watch";

/**
 * Turns a checkout's answer into the page's next step: an order that ended
 * unpaid is a failure (OrderNotPaidError), a paid one is shown paid, a hosted
 * page goes to the form's redirect, anything else is resumed on the page
 * (a client-side confirmation) and then watched until it ends.
 */
export async function followCheckout<O extends WatchedOrder>(answer: CheckoutAnswer<O>, h: FollowHandlers<O>): Promise<FollowStep> {
  const { order, nextAction } = answer;
  if (order.status === "FAILED" || order.status === "CANCELED") {
    h.failed(new OrderNotPaidError(order));
    return "failed";
  }
  if (order.status === "PAID") {
    h.paid(order);
    return "paid";
  }
  if (nextAction?.kind === "REDIRECT" && nextAction.redirectUrl) {
    await h.redirect(nextAction.redirectUrl, order);
    return "redirect";
  }
  try {
    await resumeCheckout(nextAction, h.resume);
  } catch (err) {
    h.failed(toTallyError(err));
    return "failed";
  }
  h.watch(order);
  return "watch";
}
