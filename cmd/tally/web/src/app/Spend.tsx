// Spending credits by hand: what the product's backend does with an API
// key, here to see the balance change live and INSUFFICIENT_CREDITS.
import { useState } from "preact/hooks";
import type { TallyClient } from "../client";
import { formatCredits } from "./format";
import { useMutation } from "./hooks";
import { SpendDoc } from "./operations";
import { ErrorNotice, Section } from "./ui";

export function Spend({ client, orgId }: { client: TallyClient; orgId: string }) {
  const spend = useMutation(client, SpendDoc);
  const [amount, setAmount] = useState(1000);
  const [reason, setReason] = useState("billing page test");
  return (
    <Section title="Spend credits" id="spend-h">
      <p class="muted">Your product spends credits with consumeCredits; try one here and watch the balance above.</p>
      <form
        class="form inline"
        onSubmit={(e) => {
          e.preventDefault();
          void spend.run({ input: { orgId, amount, reason, idempotencyKey: crypto.randomUUID() } });
        }}
      >
        <label for="spend-amount">Credits to spend</label>
        <input id="spend-amount" type="number" min={1} step={1} required value={amount} onInput={(e) => setAmount(Math.max(1, Math.floor(Number(e.currentTarget.value) || 1)))} />
        <label for="spend-reason">Reason</label>
        <input id="spend-reason" maxLength={200} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <button type="submit" disabled={spend.busy}>
          Spend
        </button>
      </form>
      {spend.error && <ErrorNotice error={spend.error} />}
      {spend.data && !spend.error && (
        <p role="status">
          Spent {formatCredits(spend.data.consumeCredits.entry.amount < 0 ? -spend.data.consumeCredits.entry.amount : spend.data.consumeCredits.entry.amount)} credits;{" "}
          {formatCredits(spend.data.consumeCredits.entry.balanceAfter)} left.
        </p>
      )}
    </Section>
  );
}
