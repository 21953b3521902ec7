// No org yet: create one (the caller becomes its OWNER and gets the
// sign-up credit), or join one with an invitation's token.
import { useState } from "preact/hooks";
import type { TallyClient } from "../client";
import type { Currency } from "../gql/graphql";
import { useMutation } from "./hooks";
import { AcceptInvitationDoc, CreateOrgDoc } from "./operations";
import { ErrorNotice, Section } from "./ui";

export function OrgSetup({ client, onCreated }: { client: TallyClient; onCreated: (id: string) => void }) {
  const create = useMutation(client, CreateOrgDoc);
  const accept = useMutation(client, AcceptInvitationDoc);
  const [name, setName] = useState("Acme");
  const [country, setCountry] = useState("DE");
  const [currency, setCurrency] = useState<Currency>("EUR");
  const [invitation, setInvitation] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    const d = await create.run({ input: { name, country: country.toUpperCase(), currency } });
    if (d) onCreated(d.createOrg.org.id);
  };
  const join = async (e: Event) => {
    e.preventDefault();
    const d = await accept.run({ token: invitation.trim() });
    if (d) onCreated(d.acceptInvitation.membership.org.id);
  };
  return (
    <>
      <p class="muted">You are not a member of any organization yet: create one to get its sign-up credit, or join one you were invited to.</p>
      <div class="grid2">
        <Section title="Create an organization" id="create-org-h">
          <form onSubmit={submit} class="form">
            <label for="org-name">Name</label>
            <input id="org-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
            <label for="org-country">Country (ISO code)</label>
            <input id="org-country" required maxLength={2} value={country} onInput={(e) => setCountry(e.currentTarget.value)} />
            <label for="org-currency">Currency</label>
            <select id="org-currency" value={currency} onChange={(e) => setCurrency(e.currentTarget.value as Currency)}>
              <option value="EUR">EUR</option>
              <option value="USD">USD</option>
              <option value="BRL">BRL</option>
            </select>
            <button type="submit" disabled={create.busy}>
              {create.busy ? "Creating…" : "Create organization"}
            </button>
          </form>
          {create.error && <ErrorNotice error={create.error} />}
        </Section>
        <Section title="Join with an invitation" id="join-org-h">
          <form onSubmit={join} class="form">
            <label for="invitation-token">Invitation token</label>
            <input id="invitation-token" required value={invitation} onInput={(e) => setInvitation(e.currentTarget.value)} spellcheck={false} />
            <button type="submit" disabled={accept.busy}>
              {accept.busy ? "Joining…" : "Accept invitation"}
            </button>
          </form>
          {accept.error && <ErrorNotice error={accept.error} />}
        </Section>
      </div>
    </>
  );
}
