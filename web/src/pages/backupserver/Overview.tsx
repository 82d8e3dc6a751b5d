import { Link } from 'react-router-dom';
import type { BackupServerState } from '../../api/backups';
import { formatBytes, formatRelativeTime } from '../../lib/format';
import { formatRate } from '../sync/syncText';
import { formatSeconds, retentionText } from './backupText';

/** A past time as "5 min ago" (the full time on hover), or `none` when there is none. */
export function Ago({ iso, now, none = 'never' }: { iso: string | undefined; now: number; none?: string }) {
  if (!iso) return <>{none}</>;
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {formatRelativeTime(iso, now)}
    </time>
  );
}

/** The four totals (§8.7), when it last did something, and how fast it downloads now (while it does). */
export function StatCards({ state, now }: { state: BackupServerState; now: number }) {
  const t = state.totals;
  // The rate is over the last seconds, and the state last published when
  // the work ended still carries it: only a download under way has a rate.
  const rate = state.inProgress.some((m) => m.status === 'downloading') ? state.rateBytesPerSec : 0;
  return (
    <>
      <div className="stat-cards bs-stats">
        <div className="stat-card">
          <span className="stat-label">Manifests Processed</span>
          <span className="stat-value">{t.manifestsProcessed.toLocaleString()}</span>
        </div>
        <div className="stat-card">
          <span className="stat-label">Files Downloaded</span>
          <span className="stat-value">{t.filesDownloaded.toLocaleString()}</span>
        </div>
        <div className="stat-card">
          <span className="stat-label">Data Downloaded</span>
          <span className="stat-value">{formatBytes(t.bytesDownloaded)}</span>
          {rate > 0 && <span className="stat-hint">now {formatRate(rate)}</span>}
        </div>
        <div className="stat-card">
          <span className="stat-label">Files Deleted</span>
          <span className="stat-value">{t.filesDeleted.toLocaleString()}</span>
          {t.bytesDeleted > 0 && <span className="stat-hint">{formatBytes(t.bytesDeleted)} freed</span>}
        </div>
      </div>
      <p className="bs-activity" data-testid="bs-activity">
        Last Activity: <Ago iso={t.lastActivity} now={now} /> • Last Poll: <Ago iso={t.lastPoll} now={now} />
        {state.polling && ' • Polling now'}
        {rate > 0 && <> • Downloading at {formatRate(rate)}</>}
      </p>
    </>
  );
}

/** The daemon's settings, read-only: they are changed on the Settings page. */
export function ConfigPanel({ state }: { state: BackupServerState }) {
  const c = state.config;
  return (
    <section className="bs-panel" aria-labelledby="bs-config-title">
      <div className="bs-panel-head">
        <h2 id="bs-config-title" className="panel-title">
          Configuration
        </h2>
        <Link to="/settings">Change in Settings</Link>
      </div>
      <dl className="bs-facts">
        <div>
          <dt>Poll interval</dt>
          <dd>{formatSeconds(c.poll_interval_secs)}</dd>
        </div>
        <div>
          <dt>Max concurrent downloads</dt>
          <dd>{c.max_concurrent_downloads}</dd>
        </div>
        <div>
          <dt>Max retries</dt>
          <dd>{c.max_retries}</dd>
        </div>
        <div>
          <dt>Auto-delete</dt>
          <dd title="Delete files that were deleted on the source">{c.auto_delete_tombstones ? 'Yes' : 'No'}</dd>
        </div>
        <div>
          <dt>Versions kept</dt>
          <dd>{retentionText(c)}</dd>
        </div>
      </dl>
      <p className="field-hint">The newest version of each folder is always kept.</p>
    </section>
  );
}
