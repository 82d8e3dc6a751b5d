import { useCallback, useEffect, useState } from 'react';
import { getVersions, type VersionServer } from '../../api/backups';
import { errorText } from '../../lib/errorText';

export interface VersionsView {
  /** This device's and each paired backup server's catalog; null until the first answer. */
  servers: VersionServer[] | null;
  /** Why the last read failed; the last list is kept meanwhile. */
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/**
 * The versions that can be restored (GET /api/versions), read on mount and
 * on reload. Not polled: the backend asks every paired backup server over
 * the network for it, so it is read only when the user asks.
 */
export function useVersions(): VersionsView {
  const [servers, setServers] = useState<VersionServer[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadKey, setLoadKey] = useState(0);
  const [loadedKey, setLoadedKey] = useState(-1);

  useEffect(() => {
    let cancelled = false; // a newer read replaced this one, or the page left
    getVersions()
      .then((s) => {
        if (cancelled) return;
        setServers(s);
        setError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(errorText(err));
      })
      .finally(() => {
        if (!cancelled) setLoadedKey(loadKey);
      });
    return () => {
      cancelled = true;
    };
  }, [loadKey]);

  const reload = useCallback(() => setLoadKey((k) => k + 1), []);
  return { servers, error, loading: loadedKey !== loadKey, reload };
}
