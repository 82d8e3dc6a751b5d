import { useEffect, useId, useState } from 'react';
import { listFailed, retryFailed, type FailedFile, type SyncState, type WatchedFolder } from '../../api/sync';
import { CopyButton } from '../../components/CopyButton';
import { errorText } from '../../lib/errorText';
import { formatBytes, formatRelativeTime } from '../../lib/format';
import { backupLine, formatUntil, plural, STATUS_LABELS } from './syncText';

/** An action under way on a folder. */
export type FolderAction = 'toggle' | 'rescan' | 'backup' | 'remove';

export type Notice = { kind: 'ok' | 'error'; text: string };

export const WATCH_LIMITED_TEXT = 'Too many folders for live watching: changes are picked up by the periodic rescan.';

interface Props {
  folder: WatchedFolder;
  /** For backupEnabled / backupPeer. */
  sync: SyncState;
  busy: FolderAction | undefined;
  notice: Notice | undefined;
  now: number;
  onToggle: (f: WatchedFolder, enabled: boolean) => void;
  onRescan: (f: WatchedFolder) => void;
  onBackupNow: (f: WatchedFolder) => void;
  onRemove: (f: WatchedFolder) => void;
  /** What Retry now came to (accepted, or why not): shown as the folder's notice. */
  onRetried: (f: WatchedFolder, outcome: Notice) => void;
}

/**
 * One watched folder: name, path, status, how much of it is on the node,
 * what is waiting or failed (the failed files open below, with Retry now),
 * when it was last synced, its manifest and where the backup server stands,
 * and Enabled / Rescan / Backup Now / Remove.
 */
export function FolderCard({ folder: f, sync, busy, notice, now, ...on }: Props) {
  const nameId = useId();
  const failedId = useId();
  const [showFailed, setShowFailed] = useState(false);
  const backup = backupLine(f, sync, now);
  const noPeer = sync.backupPeer ? undefined : 'No backup server is paired';
  const off = f.enabled ? undefined : 'The folder is turned off';
  const failedOpen = showFailed && f.failedFiles > 0;

  return (
    <li className={`sync-folder sync-folder-${f.status}${f.enabled ? '' : ' sync-folder-off'}`}>
      <article aria-labelledby={nameId}>
        <div className="sync-folder-head">
          <span className={`badge sync-badge status-${f.status}`}>
            <span className="badge-dot sync-dot" aria-hidden="true" />
            {STATUS_LABELS[f.status]}
          </span>
          <h3 id={nameId} className="sync-folder-name">
            {f.name}
          </h3>
        </div>
        <p className="sync-folder-path" title={f.path}>
          {f.path}
        </p>

        {f.status === 'error' && (
          <p className="sync-error-text">
            <span className="sync-note-label">Cannot back up this folder:</span> {f.error ?? 'the backend did not say why.'}
          </p>
        )}

        <dl className="sync-facts">
          <div>
            <dt>Files synced</dt>
            <dd>
              {f.syncedFiles}/{f.fileCount}
            </dd>
          </div>
          <div>
            <dt>Size</dt>
            <dd>{formatBytes(f.totalSizeBytes)}</dd>
          </div>
          <div>
            <dt>Waiting</dt>
            <dd>{f.pendingFiles}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd>
              {f.failedFiles > 0 ? (
                <button
                  type="button"
                  className="link-button sync-failed-toggle"
                  aria-expanded={failedOpen}
                  aria-controls={failedOpen ? failedId : undefined}
                  onClick={() => setShowFailed(!showFailed)}
                >
                  {f.failedFiles} failed{' '}
                  <span className="visually-hidden">in {f.name}</span>
                  <span aria-hidden="true">{failedOpen ? '▾' : '▸'}</span>
                </button>
              ) : (
                0
              )}
            </dd>
          </div>
          <div>
            <dt>Last synced</dt>
            <dd>
              {f.lastSynced ? (
                <time dateTime={f.lastSynced} title={new Date(f.lastSynced).toLocaleString()}>
                  {formatRelativeTime(f.lastSynced, now)}
                </time>
              ) : (
                'never'
              )}
            </dd>
          </div>
          <div>
            <dt>Manifest</dt>
            <dd>
              {f.manifestSequence > 0 ? (
                <>
                  <span title={f.manifestCid}>#{f.manifestSequence}</span>
                  {f.manifestCid && (
                    <>
                      {' '}
                      <CopyButton text={f.manifestCid} what={`manifest CID of ${f.name}`} />
                    </>
                  )}
                </>
              ) : (
                'none yet'
              )}
            </dd>
          </div>
          <div>
            <dt>Backup</dt>
            <dd className={`sync-backup tone-${backup.tone}`}>
              {backup.time ? (
                <time dateTime={backup.time} title={new Date(backup.time).toLocaleString()}>
                  {backup.text}
                </time>
              ) : (
                backup.text
              )}
            </dd>
          </div>
        </dl>

        {sync.backupEnabled && f.pendingRetry && (
          <p className="sync-note sync-note-warn">
            Could not notify the backup server{f.notifyError ? `: ${f.notifyError}` : ''}. Retrying.
          </p>
        )}
        {sync.backupEnabled && !f.pendingRetry && f.notifyError && (
          <p className="sync-note sync-note-warn">Last notice to the backup server failed: {f.notifyError}</p>
        )}
        {f.watchLimited && <p className="sync-note">{WATCH_LIMITED_TEXT}</p>}
        {!f.enabled && <p className="sync-note">Turned off: changes in this folder are not backed up until it is turned on.</p>}

        {failedOpen && <FailedList id={failedId} folder={f} now={now} onRetried={(outcome) => on.onRetried(f, outcome)} />}

        {notice && (
          <p className={notice.kind === 'ok' ? 'success-banner' : 'field-error'} role={notice.kind === 'ok' ? 'status' : 'alert'}>
            {notice.text}
          </p>
        )}

        <div className="sync-folder-actions">
          <label className="sync-toggle">
            <input
              type="checkbox"
              checked={f.enabled}
              disabled={busy !== undefined}
              onChange={(e) => on.onToggle(f, e.target.checked)}
            />
            {busy === 'toggle' ? 'Saving…' : 'Enabled'} <span className="visually-hidden">{f.name}</span>
          </label>
          <button type="button" disabled={busy !== undefined || !f.enabled} title={off} onClick={() => on.onRescan(f)}>
            {busy === 'rescan' ? 'Rescanning…' : 'Rescan'} <span className="visually-hidden">{f.name}</span>
          </button>
          {sync.backupEnabled && (
            <button
              type="button"
              disabled={busy !== undefined || !f.enabled || noPeer !== undefined}
              title={off ?? noPeer}
              onClick={() => on.onBackupNow(f)}
            >
              {busy === 'backup' ? 'Sending…' : 'Backup Now'} <span className="visually-hidden">{f.name}</span>
            </button>
          )}
          <button type="button" className="danger" disabled={busy !== undefined} onClick={() => on.onRemove(f)}>
            {busy === 'remove' ? 'Removing…' : 'Remove'} <span className="visually-hidden">{f.name}</span>
          </button>
        </div>
      </article>
    </li>
  );
}

/**
 * The folder's failed files with why and when they are retried, and Retry
 * now. Read when opened and again whenever the folder's failed count changes.
 */
function FailedList({
  id,
  folder,
  now,
  onRetried,
}: {
  id: string;
  folder: WatchedFolder;
  now: number;
  onRetried: (outcome: Notice) => void;
}) {
  const [files, setFiles] = useState<FailedFile[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [retrying, setRetrying] = useState(false);
  const { id: folderId, failedFiles } = folder;

  useEffect(() => {
    let cancelled = false;
    listFailed(folderId).then(
      (list) => {
        if (cancelled) return;
        setFiles(list);
        setError(null);
      },
      (err: unknown) => {
        if (!cancelled) setError(errorText(err));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [folderId, failedFiles, reloadKey]);

  const retry = () => {
    setRetrying(true);
    retryFailed(folderId)
      .then(() => {
        onRetried({ kind: 'ok', text: `Retrying the failed files of ${folder.name} now.` });
        setReloadKey((k) => k + 1);
      })
      .catch((err: unknown) => onRetried({ kind: 'error', text: `Could not retry the failed files: ${errorText(err)}` }))
      .finally(() => setRetrying(false));
  };

  return (
    <div id={id} className="sync-failed">
      <div className="sync-failed-head">
        <span className="share-label">Failed files</span>
        <button type="button" className="small-button" disabled={retrying} onClick={retry}>
          {retrying ? 'Retrying…' : 'Retry now'} <span className="visually-hidden">failed files in {folder.name}</span>
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          Could not read the failed files: {error}
        </p>
      )}
      {files === null ? (
        !error && (
          <p className="empty-state" role="status">
            Loading failed files…
          </p>
        )
      ) : files.length === 0 ? (
        <p className="empty-state">No failed files left.</p>
      ) : (
        <ul className="sync-failed-list" aria-label={`Failed files in ${folder.name}`}>
          {files.map((file) => (
            <li key={file.path}>
              <span className="sync-file-path">{file.path}</span>
              <span className="sync-failed-error">{file.error || 'no reason given'}</span>
              <span className="sync-failed-meta">
                {plural(file.attempts, 'attempt')}
                {file.nextRetryAt && <> · next retry {formatUntil(file.nextRetryAt, now)}</>}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
