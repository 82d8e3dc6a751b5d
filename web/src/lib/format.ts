const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/**
 * Bytes for people (reference §8.1): 1024-based, B/KB/MB/GB/TB, at most two
 * decimals with trailing zeros dropped ("1.5 KB", "1 MB"). Past 1024 TB it
 * stays in TB. Negative or non-finite input (an unknown size) gives "—".
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  let rounded = Math.round(value * 100) / 100;
  // 1023.999 KB rounds to 1024 KB: say 1 MB instead.
  if (rounded >= 1024 && unit < UNITS.length - 1) {
    unit++;
    rounded = Math.round((value / 1024) * 100) / 100;
  }
  return `${rounded} ${UNITS[unit]}`;
}

/** Whole percent of done out of total, or null when total is unknown; never above 100. */
export function percentOf(done: number, total: number): number | null {
  if (!(total > 0)) return null;
  return Math.min(100, Math.floor((done * 100) / total));
}

/**
 * How long ago a time was, for people: "just now" (under a minute, or a
 * clock slightly ahead), "5 min ago", "3 h ago", then the date. Invalid
 * input gives "—". now is the browser's clock (ms).
 */
export function formatRelativeTime(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const seconds = Math.floor((now - t) / 1000);
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(t).toLocaleDateString();
}
