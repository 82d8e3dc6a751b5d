/** "1h 2m 3s" (reference §8.3: `Hh Mm Ss`); hours are not folded into days. */
export function formatUptime(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}h ${m}m ${s % 60}s`;
}

/** How far apart the browser's and the backend's clocks may be before the backend's reading wins. */
const MAX_SKEW_SECONDS = 5;

/**
 * Seconds the node has been up at `now` (browser clock, ms), or null when it
 * has no process. Computed from startedAt, so a 1 s display timer keeps it
 * live without asking the backend. The UI may be opened from another machine
 * whose clock differs: then the backend's own reading (uptimeSeconds as of
 * receivedAt, when the status arrived) plus the time since is used instead.
 */
export function uptimeAt(
  status: { startedAt?: string; uptimeSeconds?: number },
  receivedAt: number,
  now: number,
): number | null {
  if (!status.startedAt) return null;
  const since = Math.floor((now - receivedAt) / 1000);
  const reported = (status.uptimeSeconds ?? 0) + since;
  const started = Date.parse(status.startedAt);
  if (Number.isNaN(started)) return Math.max(0, reported);
  const local = Math.floor((now - started) / 1000);
  return Math.max(0, Math.abs(local - reported) > MAX_SKEW_SECONDS ? reported : local);
}
