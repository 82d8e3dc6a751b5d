import { useCallback, useEffect, useState } from 'react';
import { listRestores, startRestore, type Restore, type RestoreRequest } from '../../api/backups';

export interface RestoresView {
  /** The restores of this session, newest first. */
  restores: Restore[];
  /** Starts a restore; rejects with the backend's refusal. */
  start: (req: RestoreRequest) => Promise<Restore>;
  /** A restore-progress event's restore (the page owns the event stream). */
  onProgress: (r: Restore) => void;
  /** Forgets the finished restores (from this view only). */
  clearFinished: () => void;
}

/** How far a restore got: finished beats running, then files dealt with. */
function progress(r: Restore): number {
  return (r.status === 'running' ? 0 : Number.MAX_SAFE_INTEGER / 2) + r.filesDone + r.skippedCount + r.failedCount;
}

const started = (r: Restore) => (r.startedAt ? Date.parse(r.startedAt) : 0);
const newestFirst = (a: Restore, b: Restore) => started(b) - started(a);

/**
 * Puts r in place of the restore with its ID, or adds it. Events are the
 * backend's latest word and always win; a snapshot (the list read, the
 * answer to the start) may be older than an event that overtook it, so it
 * only replaces a restore that has not got further.
 */
export function mergeRestore(rs: Restore[], r: Restore, fromEvent: boolean): Restore[] {
  const known = rs.find((x) => x.id === r.id);
  if (!known) return [...rs, r].sort(newestFirst);
  if (!fromEvent && progress(r) < progress(known)) return rs;
  return rs.map((x) => (x.id === r.id ? r : x));
}

/**
 * Folder restores: those of this session are read once on mount (a restore
 * goes on when the user leaves the page), then follow restore-progress
 * events, which the page feeds in through onProgress.
 */
export function useRestores(): RestoresView {
  const [restores, setRestores] = useState<Restore[]>([]);

  useEffect(() => {
    let cancelled = false;
    listRestores()
      .then((list) => {
        if (!cancelled) setRestores((rs) => list.reduce((acc, r) => mergeRestore(acc, r, false), rs));
      })
      .catch(() => {
        // Only earlier restores are missing then; starting one still works.
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const onProgress = useCallback((r: Restore) => setRestores((rs) => mergeRestore(rs, r, true)), []);

  const start = useCallback(async (req: RestoreRequest) => {
    const r = await startRestore(req);
    setRestores((rs) => mergeRestore(rs, r, false));
    return r;
  }, []);

  const clearFinished = useCallback(() => setRestores((rs) => rs.filter((r) => r.status === 'running')), []);

  return { restores, start, onProgress, clearFinished };
}
