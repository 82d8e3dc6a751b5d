import { Fragment } from 'react';
import { Link } from 'react-router-dom';
import type { BackupSource } from '../../api/backups';
import { shortCid } from '../../api/files';
import { formatBytes } from '../../lib/format';
import { plural } from '../sync/syncText';
import { sourceLabel, sourceStatus } from './backupText';
import { Ago } from './Overview';

const COLUMNS = 7;

/**
 * The paired devices as sources: how each stands (with why it is offline),
 * when it last answered and was polled, what it sent, what failed, its
 * folders with their newest version, and the manifests it sent that were
 * refused, with the reason.
 */
export function SourcesPanel({ sources, now }: { sources: BackupSource[]; now: number }) {
  return (
    <section className="bs-panel" aria-labelledby="bs-sources-title">
      <h2 id="bs-sources-title" className="panel-title">
        Sources ({sources.length})
      </h2>
      {sources.length === 0 ? (
        <p className="empty-state">
          No paired devices yet. Pair the computer to back up on <Link to="/devices">My Devices</Link>.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="files-table bs-table" aria-labelledby="bs-sources-title">
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Status</th>
                <th scope="col">Last seen</th>
                <th scope="col">Last poll</th>
                <th scope="col">Downloaded</th>
                <th scope="col">Failures</th>
                <th scope="col">Folders</th>
              </tr>
            </thead>
            <tbody>
              {sources.map((s) => (
                <SourceRows key={s.device} source={s} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function SourceRows({ source: s, now }: { source: BackupSource; now: number }) {
  const status = sourceStatus(s);
  const name = sourceLabel(s.name, s.device);
  const folderName = (id: string) => s.folders.find((f) => f.id === id)?.name ?? id;
  return (
    <Fragment>
      <tr data-testid={`source-${s.device}`}>
        <th scope="row">
          <span className="bs-source-name">{name}</span>
          <code className="bs-device" title={s.device}>
            {s.device.slice(0, 12)}…
          </code>
        </th>
        <td>
          <span className={`badge bs-badge tone-${status.tone}`}>
            <span className="badge-dot" aria-hidden="true" />
            {status.label}
          </span>
          {status.detail && <p className="bs-detail">{status.detail}</p>}
        </td>
        <td>
          <Ago iso={s.lastSeen} now={now} />
        </td>
        <td>
          <Ago iso={s.lastPoll} now={now} />
        </td>
        <td className="bs-nowrap">
          {plural(s.totals.filesDownloaded, 'file')} · {formatBytes(s.totals.bytesDownloaded)}
        </td>
        <td className={s.failures > 0 ? 'bs-warn' : undefined}>{s.failures}</td>
        <td>
          {s.folders.length === 0 ? (
            '—'
          ) : (
            <ul className="bs-folder-list" aria-label={`Folders of ${name}`}>
              {s.folders.map((f) => (
                <li key={f.id}>
                  <span className="bs-folder-name">{f.name}</span>{' '}
                  <span className="bs-folder-meta">
                    #{f.lastSequence} · {plural(f.versions, 'version')} · {plural(f.files, 'file')} ·{' '}
                    {formatBytes(f.bytes)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </td>
      </tr>
      {s.rejections.length > 0 && (
        <tr className="bs-rejections">
          <td colSpan={COLUMNS}>
            <p className="bs-detail bs-warn">Refused from {name}:</p>
            <ul aria-label={`Manifests refused from ${name}`}>
              {s.rejections.map((r) => (
                <li key={`${r.folderId}/${r.sequence}/${r.cid}/${r.at ?? ''}`}>
                  {folderName(r.folderId)} #{r.sequence}
                  {r.cid && (
                    <>
                      {' '}
                      <code title={r.cid}>{shortCid(r.cid)}</code>
                    </>
                  )}
                  : {r.reason || 'no reason given'}
                  {r.at && (
                    <>
                      {' '}
                      (<Ago iso={r.at} now={now} />)
                    </>
                  )}
                </li>
              ))}
            </ul>
          </td>
        </tr>
      )}
    </Fragment>
  );
}
