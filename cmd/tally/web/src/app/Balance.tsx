// The balance: Free and Paid chips and the grants they are made of.
import type { BalanceFieldsFragment, GrantKind } from "../gql/graphql";
import { formatCredits, formatDate } from "./format";
import { Empty, Section } from "./ui";

const KIND_LABEL: Record<GrantKind, string> = {
  FREE: "Sign-up gift",
  PROMO: "Promotion",
  SUBSCRIPTION: "Plan credits",
  PURCHASED: "Bought pack",
  AUTO_RECHARGE: "Auto-recharge",
  ADJUSTMENT: "Adjustment",
};

export function BalanceView({ balance, live, last }: { balance: BalanceFieldsFragment; live: boolean; last?: string }) {
  return (
    <Section title="Credit balance" id="balance-h" live={live ? "subscribed" : "connecting"}>
      <div class="chips">
        <div class="chip chip-free" data-testid="chip-free">
          <span class="chip-label">Free</span>
          <span class="chip-value">{formatCredits(balance.free)}</span>
        </div>
        <div class="chip chip-paid" data-testid="chip-paid">
          <span class="chip-label">Paid</span>
          <span class="chip-value">{formatCredits(balance.paid)}</span>
        </div>
      </div>
      <p class="muted" role="status">
        {live ? "Live: changes appear here as they happen." : "Connecting for live updates…"}
        {last ? ` Last change: ${last}.` : ""}
      </p>
      <h3>Grants, in spending order</h3>
      {balance.grants.length === 0 ? (
        <Empty>No credits left. Buy a pack to add some.</Empty>
      ) : (
        <div class="tablewrap">
          <table>
            <caption class="sr-only">Credit grants with credits left</caption>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col">Chip</th>
                <th scope="col" class="num">Remaining</th>
                <th scope="col" class="num">Of</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {balance.grants.map((g) => (
                <tr key={g.id}>
                  <td>{KIND_LABEL[g.kind]}</td>
                  <td>{g.paid ? "Paid" : "Free"}</td>
                  <td class="num">{formatCredits(g.remaining)}</td>
                  <td class="num">{formatCredits(g.amount)}</td>
                  <td>{g.expiresAt ? formatDate(g.expiresAt) : "Never"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Section>
  );
}
