import { shortCid } from '../../api/files';
import type { SyncState } from '../../api/sync';
import { CopyButton } from '../../components/CopyButton';
import { ProgressBar } from '../../components/ProgressBar';
import { formatBytes, formatRelativeTime } from '../../lib/format';
import { formatRate } from './syncText';

/** The files uploading now, each with its progress, and the last few uploaded. */
export function ActivityPanel({ sync, now }: { sync: SyncState; now: number }) {
  const names = new Map(sync.folders.map((f) => [f.id, f.name]));
  const where = (folderId: string) => names.get(folderId);

  return (
    <>
      <section className="sync-panel" aria-labelledby="sync-uploading-title">
        <p id="sync-uploading-title" className="panel-title">
          Uploading now
          {sync.uploads.length > 0 && sync.rateBytesPerSec > 0 && (
            <span className="sync-rate"> · {formatRate(sync.rateBytesPerSec)}</span>
          )}
        </p>
        {sync.uploads.length === 0 ? (
          <p className="empty-state">
            {sync.queueSize > 0 ? `Nothing uploading; ${sync.queueSize} waiting.` : 'Nothing is uploading.'}
          </p>
        ) : (
          <>
            <ul className="sync-upload-list" aria-label="Uploading now">
              {sync.uploads.map((u) => (
                <li key={`${u.folderId}/${u.path}`} className="sync-upload">
                  <span className="sync-file-path">{u.path}</span>
                  {where(u.folderId) && <span className="sync-file-folder">in {where(u.folderId)}</span>}
                  <ProgressBar done={u.bytesDone} total={u.totalBytes} label={`Uploading ${u.path}`} />
                </li>
              ))}
            </ul>
            {sync.queueSize > 0 && <p className="share-hint">{sync.queueSize} more waiting.</p>}
          </>
        )}
      </section>

      <section className="sync-panel" aria-labelledby="sync-recent-title">
        <p id="sync-recent-title" className="panel-title">
          Recent uploads
        </p>
        {sync.recentUploads.length === 0 ? (
          <p className="empty-state">No uploads yet.</p>
        ) : (
          <ul className="sync-recent-list" aria-label="Recent uploads">
            {sync.recentUploads.map((r) => (
              <li key={`${r.folderId}/${r.path}/${r.at}/${r.cid}`} className="sync-recent">
                <span className="sync-file-path">{r.path}</span>
                <span className="sync-recent-meta">
                  {formatBytes(r.size)} ·{' '}
                  {r.at ? (
                    <time dateTime={r.at} title={new Date(r.at).toLocaleString()}>
                      {formatRelativeTime(r.at, now)}
                    </time>
                  ) : (
                    '—'
                  )}
                  {where(r.folderId) && <> · {where(r.folderId)}</>}
                </span>
                {r.cid && (
                  <span className="sync-recent-cid">
                    <code title={r.cid}>{shortCid(r.cid)}</code> <CopyButton text={r.cid} what={`CID of ${r.path}`} />
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
