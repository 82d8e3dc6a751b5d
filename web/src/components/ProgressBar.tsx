import { formatBytes, percentOf } from '../lib/format';

/**
 * A transfer's progress from real counts: a bar and "42% (4.2 MB / 10 MB)".
 * With an unknown total (≤ 0) the bar is indeterminate and only the amount so far is shown.
 * format renders the amounts (bytes by default; String for a count of files).
 */
export function ProgressBar({
  done,
  total,
  label,
  format = formatBytes,
}: {
  done: number;
  total: number;
  label: string;
  format?: (n: number) => string;
}) {
  const percent = percentOf(done, total);
  return (
    <div className="progress">
      <progress
        aria-label={label}
        max={percent === null ? undefined : total}
        value={percent === null ? undefined : Math.min(done, total)}
      />
      <span className="progress-text">
        {percent === null ? `${format(done)} so far` : `${percent}% (${format(done)} / ${format(total)})`}
      </span>
    </div>
  );
}
