import { useCallback, useEffect, useRef, useState } from 'react';
import {
  BACKUP_EVENTS,
  backupServerStateOfEvent,
  getBackupServerState,
  type BackupServerState,
} from '../../api/backups';
import { useEventStream, type StreamState } from '../../api/events';
import { errorText } from '../../lib/errorText';

/**
 * How often the state is re-read while the event stream is not live
 * (connecting, reconnecting, or no EventSource at all). While it is live the
 * backend's backup-server-state events are the only update path.
 */
export const FALLBACK_POLL_MS = 5_000;

export interface BackupServerView {
  /** The latest state, or null until the first answer. */
  state: BackupServerState | null;
  /** Why the last read failed; the last known state is kept meanwhile. */
  error: string | null;
  /** Re-read the state now. */
  refresh: () => void;
  /** Take a state that came from elsewhere (an action's answer). */
  apply: (state: BackupServerState) => void;
  stream: StreamState;
}

/**
 * The backup server's state: one read on mount, then backup-server-state
 * events (the backend publishes the whole state on every change, at most
 * four times a second, so progress bars move without asking). After the
 * stream reconnects the state is read again, since events may have been
 * missed; only while the stream is down is it polled, every FALLBACK_POLL_MS.
 */
export function useBackupServerState(): BackupServerView {
  const [state, setState] = useState<BackupServerState | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Every update takes a number; a read only lands if nothing newer (an
  // event, an action's answer, a later read) came while it was under way.
  const seq = useRef(0);
  const alive = useRef(true);
  const hellos = useRef(0);

  const apply = useCallback((s: BackupServerState) => {
    seq.current++;
    setState(s);
    setError(null);
  }, []);

  const refresh = useCallback(() => {
    const mine = ++seq.current;
    getBackupServerState().then(
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
    [BACKUP_EVENTS.state]: (ev) => {
      const s = backupServerStateOfEvent(ev);
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

  return { state, error, refresh, apply, stream };
}
