// Putting an item in the org's cart (its newest draft order) from another
// screen: Buy credits (packs, add-ons with their term) and Plan & usage (a
// plan with its seats, added seats).
import { addToCart, findDraft, type CartOrder, type TallyClient } from "../client";
import type { OrderItemInput } from "../gql/graphql";

/** Fired on window when a screen put something in the cart. */
export const CART_CHANGED = "tally:cart-changed";

/** Adds item to the org's open draft, or to a new one, and returns the draft as the server priced it. */
export async function putInCart(client: TallyClient, orgId: string, item: OrderItemInput): Promise<CartOrder> {
  const open = await findDraft(client, orgId);
  const draft = await addToCart(client, { orgId, draftId: open?.id, item });
  dispatchEvent(new Event(CART_CHANGED));
  return draft;
}
