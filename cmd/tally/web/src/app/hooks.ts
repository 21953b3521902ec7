// Small data hooks over the Tally client.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import type { Document, TallyClient } from "../client";
import { toTallyError, type TallyError } from "../client";

/** A query's state: loading until the first answer, then data or error. */
export interface QueryState<T> {
  data?: T;
  error?: TallyError;
  loading: boolean;
  reload: () => void;
}

/** Runs doc with vars whenever key changes; reload() runs it again. */
export function useQuery<T, V>(client: TallyClient, doc: Document<T, V>, vars: V, key: string): QueryState<T> {
  const [state, setState] = useState<{ data?: T; error?: TallyError; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const varsRef = useRef(vars);
  varsRef.current = vars;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    client.request(doc, varsRef.current, { signal: ctl.signal }).then(
      (data) => !ctl.signal.aborted && setState({ data, loading: false }),
      (err) => !ctl.signal.aborted && setState({ error: toTallyError(err), loading: false }),
    );
    return () => ctl.abort();
  }, [client, doc, key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** A mutation's state and its runner. */
export interface MutationState<T, V> {
  run: (vars: V) => Promise<T | undefined>;
  data?: T;
  error?: TallyError;
  busy: boolean;
  reset: () => void;
}

/** Runs doc on demand; the error is kept for the form to show. */
export function useMutation<T, V>(client: TallyClient, doc: Document<T, V>): MutationState<T, V> {
  const [state, setState] = useState<{ data?: T; error?: TallyError; busy: boolean }>({ busy: false });
  const run = useCallback(
    async (vars: V) => {
      setState({ busy: true });
      try {
        const data = await client.request(doc, vars);
        setState({ data, busy: false });
        return data;
      } catch (err) {
        setState({ error: toTallyError(err), busy: false });
        return undefined;
      }
    },
    [client, doc],
  );
  const reset = useCallback(() => setState({ busy: false }), []);
  return { ...state, run, reset };
}
