import { useId, useState, type FormEvent } from 'react';
import type { CatalogVersion, Restore, VersionServer } from '../../api/backups';
import { looksAbsolute } from '../../api/sync';
import { ProgressBar } from '../../components/ProgressBar';
import { errorText } from '../../lib/errorText';
import { formatBytes } from '../../lib/format';
import { plural } from '../sync/syncText';
import type { RestoresView } from './useRestores';
import { useVersions } from './useVersions';
import './restore.css';

/** How many skipped or failed paths a restore card lists before "and N more". */
export const LISTED_PATHS = 5;

const LOCAL = ':this-device';
const serverKey = (s: VersionServer) => s.device || LOCAL;
const serverName = (s: VersionServer) => (s.device === '' ? 'This device' : s.name || `${s.device.slice(0, 12)}…`);
const count = (n: number) => n.toLocaleString();

/** "#12 · 01/03/2025, 10:00:00 · 42 files · 3 MB". */
export function versionLabel(v: CatalogVersion, newest: boolean): string {
  const at = v.at ? new Date(v.at).toLocaleString() : 'date unknown';
  return `#${v.sequence}${newest ? ' (newest)' : ''} · ${at} · ${plural(v.files, 'file')} · ${formatBytes(v.bytes)}`;
}

/**
 * "Restore a folder": pick where the backup is (this device, or a paired
 * backup server — the way back when the source computer is gone), the
 * source device, the folder and the version, then a destination folder on
 * this computer. Each restore started (here or earlier in this session)
 * is listed with its live progress. Names come from paired devices and
 * are rendered as text only.
 */
export function FolderRestore({ jobs }: { jobs: RestoresView }) {
  const ids = {
    title: useId(),
    server: useId(),
    source: useId(),
    folder: useId(),
    version: useId(),
    dest: useId(),
    destHint: useId(),
    overwrite: useId(),
    overwriteHint: useId(),
  };
  const { servers, error, loading, reload } = useVersions();
  const [serverChoice, setServerChoice] = useState<string | null>(null);
  const [sourceChoice, setSourceChoice] = useState<string | null>(null);
  const [folderChoice, setFolderChoice] = useState<string | null>(null);
  const [sequenceChoice, setSequenceChoice] = useState<number | null>(null);
  const [dest, setDest] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  // Each level falls back to its first entry when nothing (or something no
  // longer listed) is chosen: versions are newest first.
  const list = servers ?? [];
  const server = list.find((s) => serverKey(s) === serverChoice) ?? list[0];
  const sources = server?.catalog.sources ?? [];
  const source = sources.find((s) => s.device === sourceChoice) ?? sources[0];
  const folders = source?.folders ?? [];
  const folder = folders.find((f) => f.id === folderChoice) ?? folders[0];
  const versions = folder?.versions ?? [];
  const version = versions.find((v) => v.sequence === sequenceChoice) ?? versions[0];

  const path = dest.trim();
  const relative = path !== '' && !looksAbsolute(path);
  const ready = !!server && !!source && !!folder && !!version && path !== '' && !relative && !starting;

  const changed = () => {
    setStartError(null);
    setStarted(null);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!ready) return;
    setStarting(true);
    changed();
    jobs
      .start({ server: server.device, source: source.device, folder: folder.id, sequence: version.sequence, dest: path, overwrite })
      .then(
        (r) => setStarted(`Restoring ${r.folderName || folder.name} #${r.sequence || version.sequence} into ${r.request.dest || path}.`),
        (err: unknown) => setStartError(errorText(err)),
      )
      .finally(() => setStarting(false));
  };

  const finished = jobs.restores.length > 0 && !jobs.restores.every((r) => r.status === 'running');

  return (
    <section className="files-panel restore-panel" aria-labelledby={ids.title}>
      <div className="restore-head">
        <p id={ids.title} className="panel-title">
          Restore a folder
        </p>
        <button type="button" disabled={loading} onClick={reload}>
          {loading && servers !== null ? 'Reloading…' : 'Reload versions'}
        </button>
      </div>
      <p className="field-hint">
        Copies a backed-up version of a folder into a folder on this computer — from this device&apos;s backups, or from a
        paired backup server when the original computer is gone.
      </p>

      {error && (
        <p className="field-error" role="alert">
          Could not list the backups: {error}
        </p>
      )}

      {servers === null ? (
        !error && (
          <p className="empty-state" role="status">
            Loading the backups…
          </p>
        )
      ) : servers.length === 0 ? (
        <p className="empty-state">
          No backups to restore from: this device keeps none, and no paired device is a backup server.
        </p>
      ) : (
        <form className="restore-form" noValidate onSubmit={submit}>
          <div className="field-grid">
            <div className="field">
              <label htmlFor={ids.server}>Backup server</label>
              <select
                id={ids.server}
                value={server ? serverKey(server) : ''}
                onChange={(e) => {
                  setServerChoice(e.target.value);
                  setSourceChoice(null);
                  setFolderChoice(null);
                  setSequenceChoice(null);
                  changed();
                }}
              >
                {servers.map((s) => (
                  <option key={serverKey(s)} value={serverKey(s)}>
                    {serverName(s)}
                    {s.error ? ' (not reachable)' : ''}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={ids.source}>Source device</label>
              <select
                id={ids.source}
                value={source?.device ?? ''}
                disabled={sources.length === 0}
                onChange={(e) => {
                  setSourceChoice(e.target.value);
                  setFolderChoice(null);
                  setSequenceChoice(null);
                  changed();
                }}
              >
                {sources.length === 0 && <option value="">—</option>}
                {sources.map((s) => (
                  <option key={s.device} value={s.device}>
                    {s.name || `${s.device.slice(0, 12)}…`}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={ids.folder}>Folder</label>
              <select
                id={ids.folder}
                value={folder?.id ?? ''}
                disabled={folders.length === 0}
                onChange={(e) => {
                  setFolderChoice(e.target.value);
                  setSequenceChoice(null);
                  changed();
                }}
              >
                {folders.length === 0 && <option value="">—</option>}
                {folders.map((f) => (
                  <option key={f.id} value={f.id}>
                    {f.name}
                  </option>
                ))}
              </select>
            </div>
            <div className="field restore-version">
              <label htmlFor={ids.version}>Version</label>
              <select
                id={ids.version}
                value={version ? String(version.sequence) : ''}
                disabled={versions.length === 0}
                onChange={(e) => {
                  setSequenceChoice(Number(e.target.value));
                  changed();
                }}
              >
                {versions.length === 0 && <option value="">—</option>}
                {versions.map((v, i) => (
                  <option key={v.sequence} value={String(v.sequence)}>
                    {versionLabel(v, i === 0)}
                  </option>
                ))}
              </select>
            </div>
          </div>

          {server?.error ? (
            <p className="field-error" role="alert">
              Could not read what {serverName(server)} keeps: {server.error}
            </p>
          ) : (
            server &&
            sources.length === 0 && (
              <p className="empty-state">{serverName(server)} keeps no backups yet.</p>
            )
          )}

          <div className="field">
            <label htmlFor={ids.dest}>Destination folder</label>
            <input
              id={ids.dest}
              type="text"
              value={dest}
              placeholder="/home/you/Restored"
              spellCheck={false}
              autoComplete="off"
              aria-invalid={relative || startError !== null}
              aria-describedby={ids.destHint}
              onChange={(e) => {
                setDest(e.target.value);
                changed();
              }}
            />
            <p id={ids.destHint} className={relative ? 'field-hint field-hint-warn' : 'field-hint'}>
              {relative
                ? 'Type the full path, starting with / (or a drive such as C:\\ on Windows); ~ is not expanded.'
                : 'The full path of a folder on the computer running Archivist; it is created when missing.'}
            </p>
          </div>

          <div className="field field-checkbox">
            <div className="field-row">
              <input
                id={ids.overwrite}
                type="checkbox"
                checked={overwrite}
                aria-describedby={ids.overwriteHint}
                onChange={(e) => {
                  setOverwrite(e.target.checked);
                  changed();
                }}
              />
              <label htmlFor={ids.overwrite}>Overwrite existing files</label>
            </div>
            <p id={ids.overwriteHint} className="field-hint">
              Otherwise files that already exist in the destination are left alone and listed as skipped.
            </p>
          </div>

          <div className="restore-actions">
            <button type="submit" className="primary" disabled={!ready}>
              {starting ? 'Starting…' : 'Restore'}
            </button>
            {started && (
              <span className="success-banner" role="status">
                {started}
              </span>
            )}
          </div>
          {startError && (
            <p className="field-error" role="alert">
              Could not start the restore: {startError}
            </p>
          )}
        </form>
      )}

      {jobs.restores.length > 0 && (
        <>
          <ul className="restore-list" aria-label="Restores">
            {jobs.restores.map((r) => (
              <RestoreCard key={r.id} restore={r} />
            ))}
          </ul>
          {finished && (
            <button type="button" className="restore-clear" onClick={jobs.clearFinished}>
              Clear finished restores
            </button>
          )}
        </>
      )}
    </section>
  );
}

const STATUS_LABELS: Record<Restore['status'], string> = { running: 'Restoring…', done: 'Done', failed: 'Failed' };

/** One restore: what, from where, into where, its progress and outcome. */
export function RestoreCard({ restore: r }: { restore: Restore }) {
  const titleId = useId();
  const name = `${r.folderName || r.request.folder} #${r.sequence}`;
  const handled = r.filesDone + r.skippedCount + r.failedCount;
  const moreSkipped = r.skippedCount - Math.min(r.skipped.length, LISTED_PATHS);
  const moreFailed = r.failedCount - Math.min(r.failed.length, LISTED_PATHS);
  return (
    <li className="restore-job">
      <article aria-labelledby={titleId}>
        <div className="restore-job-head">
          <span className={`badge restore-badge status-${r.status}`}>
            <span className="badge-dot" aria-hidden="true" />
            {STATUS_LABELS[r.status]}
          </span>
          <h3 id={titleId} className="restore-job-title">
            {name}
            {r.sourceName && ` of ${r.sourceName}`}
          </h3>
        </div>
        <p className="restore-job-dest">
          From {r.serverName || 'this device'}
          {r.versionAt && ` · version of ${new Date(r.versionAt).toLocaleString()}`} · into {r.request.dest}
        </p>

        <div className="restore-progress">
          <span aria-hidden="true">Files</span>
          <ProgressBar done={handled} total={r.files} format={count} label={`Files of ${name}`} />
          <span aria-hidden="true">Data</span>
          <ProgressBar done={r.bytesDone} total={r.bytes} label={`Data of ${name}`} />
        </div>
        <p className="restore-job-counts">
          {count(r.filesDone)} written · {count(r.skippedCount)} skipped · {count(r.failedCount)} failed
        </p>

        {r.skippedCount > 0 && (
          <>
            <p className="restore-job-dest">
              {plural(r.skippedCount, 'file')} already existed and {r.skippedCount === 1 ? 'was' : 'were'} left alone
              (tick Overwrite existing files to replace them):
            </p>
            <ul aria-label={`Skipped files of ${name}`}>
              {r.skipped.slice(0, LISTED_PATHS).map((p) => (
                <li key={p}>{p}</li>
              ))}
              {moreSkipped > 0 && <li>and {plural(moreSkipped, 'more file')}</li>}
            </ul>
          </>
        )}

        {r.failedCount > 0 && (
          <>
            <p className="restore-job-dest">{plural(r.failedCount, 'file')} could not be restored:</p>
            <ul aria-label={`Failed files of ${name}`}>
              {r.failed.slice(0, LISTED_PATHS).map((f) => (
                <li key={f.path}>
                  {f.path}: <span className="restore-error-text">{f.error}</span>
                </li>
              ))}
              {moreFailed > 0 && <li>and {plural(moreFailed, 'more file')}</li>}
            </ul>
          </>
        )}

        {/* Always present, so that the outcome is announced when it arrives. */}
        <p className={r.status === 'failed' ? 'restore-job-error' : 'restore-job-outcome success-banner'} role="status">
          {r.status === 'done' &&
            `Restored ${plural(r.filesDone, 'file')} (${formatBytes(r.bytesDone)}) into ${r.request.dest}.`}
          {r.status === 'failed' && (r.error ?? 'The restore failed.')}
        </p>
      </article>
    </li>
  );
}
