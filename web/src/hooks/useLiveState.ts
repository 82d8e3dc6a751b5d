import { useCallback, useEffect, useRef, useState } from 'react';
import { useEventStream, type StreamState } from '../api/events';
import { errorText } from '../lib/errorText';

/**
 * How often the state is re-read while the event stream is not live
 * (connecting, reconnecting, or no EventSource at all). While it is live the
 * backend's events are the update path and nothing is polled.
 */
export const FALLBACK_POLL_MS = 5_000;

export interface LiveStateView<T> {
  /** The latest state, or null until the first answer. */
  state: T | null;
  /** Why the last read failed; the last known state is kept meanwhile. */
  error: string | null;
  /** Re-read the state now. */
  refresh: () => void;
  /** Take a state that came from elsewhere (an action's answer). */
  apply: (state: T) => void;
  /** Change the current state locally (an action's answer), until the next event or read. */
  update: (change: (state: T) => T) => void;
  stream: StreamState;
}

/**
 * A backend state that the backend publishes whole on every change: a read
 * on mount, then the events of type `event`. After the stream reconnects
 * the state is read again, since events may have been missed; while the
 * stream is down it is polled every FALLBACK_POLL_MS. `read` and `ofEvent`
 * must be stable (module-level functions).
 */
export function useLiveState<T>(
  read: () => Promise<T>,
  event: string,
  ofEvent: (ev: unknown) => T | null,
): LiveStateView<T> {
  const [state, setState] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Every update takes a number; a read only lands if nothing newer (an
  // event, an action's answer, a later read) came while it was under way.
  const seq = useRef(0);
  const alive = useRef(true);
  const hellos = useRef(0);

  const apply = useCallback((s: T) => {
    seq.current++;
    setState(s);
    setError(null);
  }, []);

  const update = useCallback((change: (s: T) => T) => {
    seq.current++;
    setState((s) => (s ? change(s) : s));
  }, []);

  const refresh = useCallback(() => {
    const mine = ++seq.current;
    read().then(
      (s) => {
        if (!alive.current || seq.current !== mine) return;
        setState(s);
        setError(null);
      },
      (err: unknown) => {
        if (alive.current && seq.current === mine) setError(errorText(err));
      },
    );
  }, [read]);

  useEffect(() => {
    alive.current = true;
    refresh();
    return () => {
      alive.current = false;
    };
  }, [refresh]);

  const stream = useEventStream('/api/events', {
    [event]: (ev) => {
      const s = ofEvent(ev);
      if (s) apply(s);
    },
    hello: () => {
      // The first hello is the connection the mount read already covers.
      if (hellos.current++ > 0) refresh();
    },
  });

  const live = stream === 'live';
  useEffect(() => {
    if (live) return;
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') refresh();
    }, FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [live, refresh]);

  return { state, error, refresh, apply, update, stream };
}
