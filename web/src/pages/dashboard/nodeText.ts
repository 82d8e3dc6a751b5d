import type { NodeState } from '../../api/node';

/** The reference's state labels (§8.3). */
export const STATE_LABELS: Record<NodeState, string> = {
  stopped: 'Stopped',
  starting: 'Starting...',
  running: 'Running',
  stopping: 'Stopping...',
  error: 'Error',
};

/** A backend timestamp as local time of day (or date and time when not today); "" when absent or unreadable. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const today = new Date().toDateString() === t.toDateString();
  return today ? t.toLocaleTimeString() : t.toLocaleString();
}

/** "1 attempt" / "3 attempts". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
