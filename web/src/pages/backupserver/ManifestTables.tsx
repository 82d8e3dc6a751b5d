import type { Manifest } from '../../api/backups';
import { shortCid } from '../../api/files';
import { EmptyState } from '../../components/EmptyState';
import { ProgressBar } from '../../components/ProgressBar';
import { formatBytes } from '../../lib/format';
import { formatUntil, plural } from '../sync/syncText';
import { attemptsText, manifestKey, manifestName, sourceLabel } from './backupText';
import { Ago } from './Overview';

export const EMPTY_PROCESSED = 'No manifests processed yet. Waiting for source peers to send manifests...';

const count = (n: number) => n.toLocaleString();

/** "#4" with the manifest's CID on hover. */
function Version({ m }: { m: Manifest }) {
  return <span title={m.cid || undefined}>#{m.sequence}</span>;
}

function Source({ m }: { m: Manifest }) {
  return <>{sourceLabel(m.sourceName, m.source)}</>;
}

/** The manifests being fetched now, each with its real file and byte progress. */
export function InProgressPanel({ manifests, now }: { manifests: Manifest[]; now: number }) {
  return (
    <section className="bs-panel" aria-labelledby="bs-progress-title">
      <h2 id="bs-progress-title" className="panel-title">
        Currently Processing ({manifests.length})
      </h2>
      {manifests.length === 0 ? (
        <p className="empty-state">Nothing is being downloaded.</p>
      ) : (
        <div className="table-scroll">
          <table className="files-table bs-table" aria-labelledby="bs-progress-title">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Folder</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Files</th>
                <th scope="col">Data</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {manifests.map((m) => (
                <tr key={manifestKey(m)}>
                  <td>
                    <Source m={m} />
                  </td>
                  <td>{m.folderName || m.folderId}</td>
                  <td>
                    <Version m={m} />
                  </td>
                  <td>
                    <span className={`badge bs-badge tone-${m.status === 'downloading' ? 'busy' : 'idle'}`}>
                      <span className="badge-dot" aria-hidden="true" />
                      {m.status === 'downloading' ? 'Downloading' : 'Pending'}
                    </span>
                  </td>
                  {m.status === 'pending' && m.totalFiles === 0 ? (
                    // Not read yet: its size is unknown until the manifest is fetched.
                    <td colSpan={2} className="bs-detail">
                      Waiting for its turn
                    </td>
                  ) : (
                    <>
                      <td className="bs-progress-cell">
                        <ProgressBar
                          done={m.filesDone}
                          total={m.totalFiles}
                          format={count}
                          label={`Files of ${manifestName(m)}`}
                        />
                        {m.filesFailed > 0 && <span className="bs-warn">{count(m.filesFailed)} failed</span>}
                      </td>
                      <td className="bs-progress-cell">
                        <ProgressBar done={m.bytesDone} total={m.totalBytes} label={`Data of ${manifestName(m)}`} />
                      </td>
                    </>
                  )}
                  <td>
                    <Ago iso={m.startedAt} now={now} none="waiting" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface FailedProps {
  manifests: Manifest[];
  maxRetries: number;
  now: number;
  /** Keys (manifestKey) of the manifests whose Retry is under way. */
  retrying: ReadonlySet<string>;
  onRetry: (m: Manifest) => void;
}

/**
 * Failed manifests: why, attempts out of those allowed, when the next
 * automatic retry is (or that there is none left), the files that failed,
 * and Retry, which starts over with fresh attempts.
 */
export function FailedPanel({ manifests, maxRetries, now, retrying, onRetry }: FailedProps) {
  return (
    <section className="bs-panel" aria-labelledby="bs-failed-title">
      <h2 id="bs-failed-title" className="panel-title">
        Failed Manifests ({manifests.length})
      </h2>
      {manifests.length === 0 ? (
        <p className="empty-state">No failed manifests.</p>
      ) : (
        <div className="table-scroll">
          <table className="files-table bs-table" aria-labelledby="bs-failed-title">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Folder</th>
                <th scope="col">Version</th>
                <th scope="col">Error</th>
                <th scope="col">Attempts</th>
                <th scope="col">Next retry</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {manifests.map((m) => {
                const key = manifestKey(m);
                const busy = retrying.has(key);
                return (
                  <tr key={key}>
                    <td>
                      <Source m={m} />
                    </td>
                    <td>{m.folderName || m.folderId}</td>
                    <td>
                      <Version m={m} />
                    </td>
                    <td className="bs-error-cell">
                      <span className="bs-error">{m.error ?? 'No reason given.'}</span>
                      {m.failedFiles.length > 0 && <FailedFiles m={m} />}
                    </td>
                    <td>{attemptsText(m, maxRetries)}</td>
                    <td className="bs-nowrap">
                      {m.nextRetry ? (
                        <time dateTime={m.nextRetry} title={new Date(m.nextRetry).toLocaleString()}>
                          {formatUntil(m.nextRetry, now)}
                        </time>
                      ) : (
                        <span className="bs-warn">out of retries</span>
                      )}
                    </td>
                    <td>
                      <button type="button" disabled={busy} onClick={() => onRetry(m)}>
                        {busy ? 'Retrying...' : 'Retry'} <span className="visually-hidden">{manifestName(m)}</span>
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** The files of a manifest that could not be fetched (the backend lists the first 20). */
function FailedFiles({ m }: { m: Manifest }) {
  const more = m.filesFailed - m.failedFiles.length;
  return (
    <details className="bs-failed-files">
      <summary>
        {plural(Math.max(m.filesFailed, m.failedFiles.length), 'file')} failed
        <span className="visually-hidden"> in {manifestName(m)}</span>
      </summary>
      <ul aria-label={`Failed files of ${manifestName(m)}`}>
        {m.failedFiles.map((f) => (
          <li key={`${f.path}/${f.cid}`}>
            <span className="bs-path">{f.path}</span>: <span className="bs-error">{f.error}</span>
          </li>
        ))}
      </ul>
      {more > 0 && <p className="bs-detail">and {plural(more, 'more file')}</p>}
    </details>
  );
}

/** The newest complete versions, newest first. */
export function ProcessedPanel({ manifests, now }: { manifests: Manifest[]; now: number }) {
  return (
    <section className="bs-panel" aria-labelledby="bs-processed-title">
      <h2 id="bs-processed-title" className="panel-title">
        Processed Manifests ({manifests.length})
      </h2>
      {manifests.length === 0 ? (
        <EmptyState>{EMPTY_PROCESSED}</EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="files-table bs-table" aria-labelledby="bs-processed-title">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Folder</th>
                <th scope="col">Version</th>
                <th scope="col">CID</th>
                <th scope="col">Files</th>
                <th scope="col">Size</th>
                <th scope="col">Downloaded</th>
                <th scope="col">Deleted</th>
                <th scope="col">Processed</th>
              </tr>
            </thead>
            <tbody>
              {manifests.map((m) => (
                <tr key={manifestKey(m)}>
                  <td>
                    <Source m={m} />
                  </td>
                  <td>{m.folderName || m.folderId}</td>
                  <td>#{m.sequence}</td>
                  <td>
                    <code title={m.cid}>{shortCid(m.cid)}</code>
                  </td>
                  <td>{count(m.totalFiles)}</td>
                  <td className="bs-nowrap">{formatBytes(m.totalBytes)}</td>
                  <td className="bs-nowrap">
                    {plural(m.filesFetched, 'file')} · {formatBytes(m.bytesFetched)}
                  </td>
                  <td>{m.deleted > 0 ? count(m.deleted) : '-'}</td>
                  <td>
                    <Ago iso={m.processedAt} now={now} none="—" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
