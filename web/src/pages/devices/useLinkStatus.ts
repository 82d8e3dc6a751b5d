import { useCallback, useEffect, useState } from 'react';
import { getLinkStatus, type LinkStatus } from '../../api/devices';
import { errorText } from '../../lib/errorText';

/** Link events come in bursts (pairing-request, link-changed): one reload for the burst. */
const EVENT_RELOAD_DELAY_MS = 50;

export interface LinkStatusState {
  /** The last status read (kept through a failed refresh). */
  status: LinkStatus | null;
  error: string | null;
  /** Reads it again now (after this page's own actions). */
  reload: () => void;
  /** Reads it again shortly (for events). */
  reloadSoon: () => void;
}

/**
 * The app link's state (GET /api/link): pairing requests, linked apps, and
 * why a link server is not running. Read on mount and on reload(); the page
 * calls reloadSoon on the pairing-request and link-changed events.
 */
export function useLinkStatus(): LinkStatusState {
  const [state, setState] = useState<{ status: LinkStatus | null; error: string | null }>({ status: null, error: null });
  const [loadKey, setLoadKey] = useState(0);
  const [queued, setQueued] = useState(0);

  const reload = useCallback(() => setLoadKey((k) => k + 1), []);
  const reloadSoon = useCallback(() => setQueued((q) => q + 1), []);

  useEffect(() => {
    let cancelled = false; // a newer load replaced this one
    getLinkStatus().then(
      (status) => {
        if (!cancelled) setState({ status, error: null });
      },
      (err: unknown) => {
        if (!cancelled) setState((s) => ({ status: s.status, error: errorText(err) }));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [loadKey]);

  useEffect(() => {
    if (queued === 0) return;
    const timer = setTimeout(reload, EVENT_RELOAD_DELAY_MS);
    return () => clearTimeout(timer);
  }, [queued, reload]);

  return { ...state, reload, reloadSoon };
}
