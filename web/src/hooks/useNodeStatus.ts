import { useCallback, useEffect, useRef, useState } from 'react';
import { useEventStream } from '../api/events';
import { getStatus, NODE_EVENTS, statusOfEvent, type NodeStatus } from '../api/node';
import { errorText } from '../lib/errorText';

/**
 * A backstop, not the update path (the reference polled at 1 Hz, §11.13):
 * state changes arrive as node-state events, and the supervisor also
 * publishes one when a health check changes the figures. But an event can
 * be missed (the bus drops a subscriber that lags, a webview may sleep), and
 * figures such as peer count are expected to change without state changes,
 * so while the page is visible the status — a cheap read of the
 * supervisor's snapshot, no call to the node — is re-read this often.
 */
export const SLOW_REFRESH_MS = 15_000;

export interface NodeStatusView {
  /** The latest status, or null until the first answer. */
  status: NodeStatus | null;
  /** When status arrived (browser clock, ms): the base for live uptime. */
  receivedAt: number;
  /** Why the last read failed; the last known status is kept meanwhile. */
  error: string | null;
  /** Re-read the status now. */
  refresh: () => void;
  /** Take a status that came from elsewhere, e.g. the answer to a start/stop. */
  apply: (status: NodeStatus) => void;
}

interface Snapshot {
  status: NodeStatus;
  receivedAt: number;
}

/**
 * The node's status, kept current by node-state / node-started events, a
 * read on mount (and after the event stream reconnects, since events may
 * have been missed meanwhile), what actions answer (apply), and the slow
 * refresh above. refreshMs 0 turns the slow refresh off.
 */
export function useNodeStatus({ refreshMs = SLOW_REFRESH_MS }: { refreshMs?: number } = {}): NodeStatusView {
  const [snap, setSnap] = useState<Snapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Every update takes a number; a read only lands if nothing newer (an
  // event, an action's answer, a later read) came while it was under way.
  const seq = useRef(0);
  const alive = useRef(true);
  const hellos = useRef(0);

  const apply = useCallback((status: NodeStatus) => {
    seq.current++;
    setSnap({ status, receivedAt: Date.now() });
    setError(null);
  }, []);

  const refresh = useCallback(() => {
    const mine = ++seq.current;
    getStatus().then(
      (status) => {
        if (!alive.current || seq.current !== mine) return;
        setSnap({ status, receivedAt: Date.now() });
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

  useEffect(() => {
    if (refreshMs <= 0) return;
    const tick = () => {
      if (document.visibilityState !== 'hidden') refresh();
    };
    const timer = setInterval(tick, refreshMs);
    // Back from the background: the figures may be minutes old.
    const onVisible = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh, refreshMs]);

  const onStatusEvent = (ev: unknown) => {
    const status = statusOfEvent(ev);
    if (status) apply(status);
  };
  useEventStream('/api/events', {
    [NODE_EVENTS.state]: onStatusEvent,
    [NODE_EVENTS.started]: onStatusEvent,
    hello: () => {
      // The first hello is the connection the mount read already covers.
      if (hellos.current++ > 0) refresh();
    },
  });

  return { status: snap?.status ?? null, receivedAt: snap?.receivedAt ?? 0, error, refresh, apply };
}
