// Members, roles, seats and invitations.
import { useState } from "preact/hooks";
import type { TallyClient } from "../client";
import type { Role } from "../gql/graphql";
import type { Rights } from "./App";
import { formatDate } from "./format";
import { useMutation, useQuery } from "./hooks";
import { InvitationsDoc, InviteDoc, MembersDoc, RemoveMemberDoc, RevokeInvitationDoc, SetRoleDoc } from "./operations";
import { Empty, ErrorNotice, Loading, Section } from "./ui";

const ROLES: Role[] = ["OWNER", "ADMIN", "BILLING", "MEMBER"];

export function Members({ client, orgId, rights }: { client: TallyClient; orgId: string; rights: Rights }) {
  const q = useQuery(client, MembersDoc, { orgId }, orgId);
  const setRole = useMutation(client, SetRoleDoc);
  const remove = useMutation(client, RemoveMemberDoc);

  if (q.loading && !q.data) return <Loading what="members" />;
  if (q.error) return <ErrorNotice error={q.error} />;
  const org = q.data!.org!;
  const members = org.members.edges.map((e) => e.node);
  const err = setRole.error ?? remove.error;
  return (
    <>
      <Section title="Seats" id="seats-h">
        <p>
          <strong>{org.seats.used}</strong> of <strong>{org.seats.total}</strong> seats used, {org.seats.pending} held by pending invitations,{" "}
          {org.seats.available} free.
        </p>
        <meter min={0} max={org.seats.total} value={org.seats.used + org.seats.pending} aria-label="Seats taken">
          {org.seats.used + org.seats.pending} of {org.seats.total}
        </meter>
      </Section>
      <Section title="Members" id="members-h">
        {err && <ErrorNotice error={err} />}
        {!rights.canManage && <p class="muted">Changing roles and members takes the OWNER or ADMIN role; yours is {rights.role}.</p>}
        <ul class="list">
          {members.map((m) => (
            <li key={m.user.id}>
              <span>
                <strong>{m.user.name || m.user.email}</strong>{m.user.name && <> <span class="muted">{m.user.email}</span></>}
              </span>
              {rights.canManage && m.role !== "OWNER" ? (
                <span class="row">
                  <label class="sr-only" for={`role-${m.user.id}`}>
                    Role of {m.user.email}
                  </label>
                  <select
                    id={`role-${m.user.id}`}
                    value={m.role}
                    disabled={setRole.busy}
                    onChange={async (e) => {
                      if (await setRole.run({ orgId, userId: m.user.id, role: e.currentTarget.value as Role })) q.reload();
                    }}
                  >
                    {ROLES.filter((r) => r !== "OWNER").map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Remove ${m.user.email}`}
                    disabled={remove.busy}
                    onClick={async () => {
                      if (confirm(`Remove ${m.user.email} from the organization?`) && (await remove.run({ orgId, userId: m.user.id }))) q.reload();
                    }}
                  >
                    Remove
                  </button>
                </span>
              ) : (
                <span class="badge">{m.role}</span>
              )}
            </li>
          ))}
        </ul>
      </Section>
      {rights.canManage && <Invitations client={client} orgId={orgId} onChange={q.reload} />}
    </>
  );
}

function Invitations({ client, orgId, onChange }: { client: TallyClient; orgId: string; onChange: () => void }) {
  const q = useQuery(client, InvitationsDoc, { orgId }, orgId);
  const invite = useMutation(client, InviteDoc);
  const revoke = useMutation(client, RevokeInvitationDoc);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("MEMBER");
  const open = (q.data?.org?.invitations ?? []).filter((i) => !i.acceptedAt && !i.revokedAt);
  return (
    <Section title="Invitations" id="invites-h">
      <form
        class="form inline"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await invite.run({ orgId, email, role })) {
            setEmail("");
            q.reload();
            onChange();
          }
        }}
      >
        <label for="invite-email">Email</label>
        <input id="invite-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="invite-role">Role</label>
        <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {ROLES.filter((r) => r !== "OWNER").map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button type="submit" disabled={invite.busy}>
          Invite
        </button>
      </form>
      {invite.error && <ErrorNotice error={invite.error} />}
      {invite.data?.inviteMember && (
        <div class="notice notice-ok" role="status">
          <p>
            Invited {invite.data.inviteMember.invitation.email}. The invitation token, shown only now, for them to accept:
          </p>
          <code class="secret">{invite.data.inviteMember.token}</code>
        </div>
      )}
      {revoke.error && <ErrorNotice error={revoke.error} />}
      {q.error ? (
        <ErrorNotice error={q.error} />
      ) : q.loading && !q.data ? (
        <Loading what="invitations" />
      ) : open.length === 0 ? (
        <Empty>No pending invitations.</Empty>
      ) : (
        <ul class="list">
          {open.map((i) => (
            <li key={i.id}>
              <span>
                {i.email} as {i.role}, expires {formatDate(i.expiresAt)}
              </span>
              <button
                type="button"
                class="secondary"
                aria-label={`Revoke the invitation of ${i.email}`}
                onClick={async () => {
                  if (await revoke.run({ id: i.id })) {
                    q.reload();
                    onChange();
                  }
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
