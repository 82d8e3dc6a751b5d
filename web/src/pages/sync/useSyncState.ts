import { useCallback, useEffect, useRef, useState } from 'react';
import { useEventStream, type StreamState } from '../../api/events';
import { getSyncState, SYNC_EVENTS, syncStateOfEvent, type SyncState } from '../../api/sync';
import { errorText } from '../../lib/errorText';

/**
 * How often the state is re-read while the event stream is not live
 * (connecting, reconnecting, or no EventSource at all). While it is live the
 * backend's sync-state events are the update path and nothing is polled.
 */
export const FALLBACK_POLL_MS = 5_000;

export interface SyncStateView {
  /** The latest state, or null until the first answer. */
  state: SyncState | null;
  /** Why the last read failed; the last known state is kept meanwhile. */
  error: string | null;
  /** Re-read the state now. */
  refresh: () => void;
  /** Take a state that came from elsewhere (the answer to pause/resume). */
  apply: (state: SyncState) => void;
  /** Change the current state locally (an action's answer), until the next event or read. */
  update: (change: (state: SyncState) => SyncState) => void;
  stream: StreamState;
}

/**
 * The sync state: a read on mount, then sync-state events (the backend
 * publishes the whole state whenever it changes). After the stream
 * reconnects the state is read again, since events may have been missed;
 * while the stream is down it is polled every FALLBACK_POLL_MS.
 */
export function useSyncState(): SyncStateView {
  const [state, setState] = useState<SyncState | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Every update takes a number; a read only lands if nothing newer (an
  // event, an action's answer, a later read) came while it was under way.
  const seq = useRef(0);
  const alive = useRef(true);
  const hellos = useRef(0);

  const apply = useCallback((s: SyncState) => {
    seq.current++;
    setState(s);
    setError(null);
  }, []);

  const update = useCallback((change: (s: SyncState) => SyncState) => {
    seq.current++;
    setState((s) => (s ? change(s) : s));
  }, []);

  const refresh = useCallback(() => {
    const mine = ++seq.current;
    getSyncState().then(
      (s) => {
        if (!alive.current || seq.current !== mine) return;
        setState(s);
        setError(null);
      },
      (err: unknown) => {
        if (alive.current && seq.current === mine) setError(errorText(err));
      },
    );
  }, []);

  useEffect(() => {
    alive.current = true;
    refresh();
    return () => {
      alive.current = false;
    };
  }, [refresh]);

  const stream = useEventStream('/api/events', {
    [SYNC_EVENTS.state]: (ev) => {
      const s = syncStateOfEvent(ev);
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
