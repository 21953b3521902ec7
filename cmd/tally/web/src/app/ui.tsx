// Shared pieces: the error notice, loading and empty states.
import type { ComponentChildren } from "preact";
import type { TallyError } from "../client";
import { CODE_HELP } from "./format";

/** A TallyError as a notice: what it means, the server's sentence and its code. */
export function ErrorNotice({ error, title }: { error: TallyError; title?: string }) {
  return (
    <div class="notice notice-error" role="alert" data-code={error.code}>
      <p>
        <strong>{title ?? CODE_HELP[error.code]}</strong>
      </p>
      <p>
        {error.message}
        {error.field ? ` (field: ${error.field})` : ""}
        {error.retryAfter !== undefined ? ` Retry in ${error.retryAfter} s.` : ""}
      </p>
      <p class="muted">
        Code: <code>{error.code}</code>
      </p>
    </div>
  );
}

/** A polite loading line, announced to screen readers. */
export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** What an empty list says. */
export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** A titled section of a screen. */
export function Section({ title, id, children, live }: { title: string; id: string; children: ComponentChildren; live?: string }) {
  return (
    <section aria-labelledby={id} class="card" data-live={live}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}
