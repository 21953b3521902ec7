// The org's API keys: list, create (the secret shown once), revoke.
import { useState } from "preact/hooks";
import type { TallyClient } from "../client";
import type { Rights } from "./App";
import { formatDate } from "./format";
import { useMutation, useQuery } from "./hooks";
import { ApiKeysDoc, CreateApiKeyDoc, RevokeApiKeyDoc } from "./operations";
import { Empty, ErrorNotice, Loading, Section } from "./ui";

export function ApiKeys({ client, orgId, rights }: { client: TallyClient; orgId: string; rights: Rights }) {
  if (!rights.canManage) {
    return (
      <Section title="API keys" id="keys-h">
        <div class="notice notice-info" role="note" data-code="FORBIDDEN">
          <p>
            <strong>Your role, {rights.role}, may not manage API keys.</strong>
          </p>
          <p>API keys are managed by the OWNER and ADMIN roles.</p>
        </div>
      </Section>
    );
  }
  return <KeyList client={client} orgId={orgId} />;
}

function KeyList({ client, orgId }: { client: TallyClient; orgId: string }) {
  const q = useQuery(client, ApiKeysDoc, { orgId }, orgId);
  const create = useMutation(client, CreateApiKeyDoc);
  const revoke = useMutation(client, RevokeApiKeyDoc);
  const [name, setName] = useState("");
  if (q.loading && !q.data) return <Loading what="API keys" />;
  if (q.error) return <ErrorNotice error={q.error} />;
  const keys = (q.data?.org?.apiKeys ?? []).filter((k) => !k.revokedAt);
  return (
    <Section title="API keys" id="keys-h">
      <p class="muted">A key lets your backend read the balance, spend credits and report usage for this organization.</p>
      <form
        class="form inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await create.run({ orgId, name })) {
            setName("");
            q.reload();
          }
        }}
      >
        <label for="key-name">Key name</label>
        <input id="key-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <button type="submit" disabled={create.busy}>
          Create key
        </button>
      </form>
      {create.error && <ErrorNotice error={create.error} />}
      {create.data && (
        <div class="notice notice-ok" role="status">
          <p>Key “{create.data.createApiKey.apiKey.name}” created. Copy its secret now: it is not shown again.</p>
          <code class="secret" data-testid="api-key-secret">
            {create.data.createApiKey.secret}
          </code>
        </div>
      )}
      {revoke.error && <ErrorNotice error={revoke.error} />}
      {keys.length === 0 ? (
        <Empty>No API keys.</Empty>
      ) : (
        <ul class="list">
          {keys.map((k) => (
            <li key={k.id}>
              <span>
                <strong>{k.name}</strong> <code>{k.prefix}…</code> <span class="muted">created {formatDate(k.createdAt)}, last used {formatDate(k.lastUsedAt)}</span>
              </span>
              <button
                type="button"
                class="secondary"
                aria-label={`Revoke the key ${k.name}`}
                disabled={revoke.busy}
                onClick={async () => {
                  if (confirm(`Revoke the key ${k.name}? Requests with it fail at once.`) && (await revoke.run({ id: k.id }))) q.reload();
                }}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
