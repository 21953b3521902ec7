// Resuming a checkout: what purchasePack's nextAction asks the page to do.
import type { NextActionKind } from "../gql/graphql";
import { TallyError } from "./errors";

/** The part of NextAction resumeCheckout reads. */
export interface NextActionLike {
  kind: NextActionKind;
  redirectUrl?: string | null;
  clientSecret?: string | null;
}

/** How resumeCheckout acts. */
export interface ResumeOptions {
  /** Goes to a URL (the hosted confirm page); by default window.location.assign. */
  navigate?: (url: string) => void;
  /**
   * Confirms a Stripe PaymentIntent's client secret on the page (Stripe.js'
   * confirmPayment); needed only with the Stripe gateway.
   */
  confirm?: (clientSecret: string) => Promise<void>;
}

/** What resumeCheckout did. */
export type ResumeResult =
  | { kind: "none" } // nothing to do: the order is paid, failed or waits for a webhook
  | { kind: "redirected"; url: string } // the buyer goes to the hosted page and comes back to returnUrl
  | { kind: "confirmed" }; // the client secret was confirmed on the page

/**
 * Does what an order's nextAction asks: nothing (NONE or none at all),
 * send the buyer to the hosted page (REDIRECT: the sandbox's confirm page,
 * PayPal's approval, Checkout Pro), or confirm a client secret on the page
 * (CONFIRM: Stripe). Whatever it did, the order's outcome arrives later:
 * watch it with watchOrder. A REDIRECT without a URL or a CONFIRM without a
 * confirm function rejects with INVALID_INPUT.
 */
export async function resumeCheckout(action: NextActionLike | null | undefined, opts: ResumeOptions = {}): Promise<ResumeResult> {
  if (!action || action.kind === "NONE") return { kind: "none" };
  switch (action.kind) {
    case "REDIRECT": {
      const url = action.redirectUrl;
      if (!url) throw new TallyError({ code: "INVALID_INPUT", message: "the next action is a redirect without a URL" });
      const navigate = opts.navigate ?? ((u: string) => window.location.assign(u));
      navigate(url);
      return { kind: "redirected", url };
    }
    case "CONFIRM": {
      const secret = action.clientSecret;
      if (!secret) throw new TallyError({ code: "INVALID_INPUT", message: "the next action is a confirmation without a client secret" });
      if (!opts.confirm) {
        throw new TallyError({
          code: "INVALID_INPUT",
          message: "this payment must be confirmed with the gateway's script (Stripe.js): pass confirm to resumeCheckout",
        });
      }
      await opts.confirm(secret);
      return { kind: "confirmed" };
    }
  }
  throw new TallyError({ code: "INVALID_INPUT", message: `unknown next action ${String((action as { kind: unknown }).kind)}` });
}
