import { formatBytes, percentOf } from '../lib/format';

/**
 * A transfer's progress from real byte counts: a bar and "42% (4.2 MB / 10 MB)".
 * With an unknown total (≤ 0) the bar is indeterminate and only the bytes so far are shown.
 */
export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const percent = percentOf(done, total);
  return (
    <div className="progress">
      <progress
        aria-label={label}
        max={percent === null ? undefined : total}
        value={percent === null ? undefined : Math.min(done, total)}
      />
      <span className="progress-text">
        {percent === null ? `${formatBytes(done)} so far` : `${percent}% (${formatBytes(done)} / ${formatBytes(total)})`}
      </span>
    </div>
  );
}
