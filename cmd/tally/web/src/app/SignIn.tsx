// Sign-in for development: paste a token, or mint one on a dev server.
import { useState } from "preact/hooks";
import { mintDevToken } from "./session";

export function SignIn({ onToken }: { onToken: (t: string) => void }) {
  const [token, setToken] = useState("");
  const [email, setEmail] = useState("ada@example.com");
  const [name, setName] = useState("");
  const [msg, setMsg] = useState<string>();
  const [busy, setBusy] = useState(false);

  const mint = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMsg(undefined);
    try {
      const t = await mintDevToken(email, name);
      if (t) onToken(t);
      else setMsg("This server does not mint development tokens (it runs in production or with its own TALLY_JWT_SECRET). Paste a token instead.");
    } catch (err) {
      setMsg(`Could not mint a token: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" class="signin">
      <h1>Sign in to billing</h1>
      <p class="muted">
        In production the app that embeds this page signs people in with your identity provider. For development,
        paste a token (<code>tally token --email you@example.com</code>) or mint one here.
      </p>
      <div class="grid2">
        <form class="card" onSubmit={mint} aria-labelledby="mint-h">
          <h2 id="mint-h">Development sign-in</h2>
          <label for="dev-email">Email</label>
          <input id="dev-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} autocomplete="email" />
          <label for="dev-name">Name (optional)</label>
          <input id="dev-name" value={name} onInput={(e) => setName(e.currentTarget.value)} autocomplete="name" />
          <button type="submit" disabled={busy}>
            {busy ? "Signing in…" : "Sign in with a development token"}
          </button>
        </form>
        <form
          class="card"
          aria-labelledby="paste-h"
          onSubmit={(e) => {
            e.preventDefault();
            if (token.trim()) onToken(token.trim().replace(/^bearer\s+/i, ""));
          }}
        >
          <h2 id="paste-h">Paste a token</h2>
          <label for="paste-token">Token</label>
          <textarea id="paste-token" rows={4} required value={token} onInput={(e) => setToken(e.currentTarget.value)} spellcheck={false} />
          <button type="submit">Sign in with this token</button>
        </form>
      </div>
      {msg && (
        <div class="notice notice-error" role="alert">
          {msg}
        </div>
      )}
    </main>
  );
}
