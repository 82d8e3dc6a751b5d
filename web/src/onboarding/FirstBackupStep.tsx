import type { SyncState, WatchedFolder } from '../api/sync';
import { CopyButton } from '../components/CopyButton';
import { ProgressBar } from '../components/ProgressBar';
import { useSyncState } from '../pages/sync/useSyncState';
import { formatBytes } from '../lib/format';

type Phase = 'waiting' | 'scanning' | 'uploading' | 'done' | 'empty' | 'error';

/** Where the first backup of folder stands, from the live sync state only. */
export function phaseOf(f: WatchedFolder | undefined): Phase {
  if (!f) return 'waiting';
  if (f.status === 'error') return 'error';
  if (f.status === 'scanning' && f.fileCount === 0) return 'scanning';
  if (f.fileCount === 0) return f.lastScan ? 'empty' : 'scanning';
  if (f.syncedFiles >= f.fileCount && f.pendingFiles === 0 && f.status !== 'scanning') return 'done';
  return 'uploading';
}

/** The folder's first uploaded file among the recent uploads: the one to show as proof. */
export function firstUpload(state: SyncState, folderId: string) {
  const mine = state.recentUploads.filter((u) => u.folderId === folderId);
  return mine.reduce<(typeof mine)[number] | undefined>((a, u) => (!a || u.at < a.at ? u : a), undefined);
}

interface Props {
  folderId: string;
  onChooseAnother: () => void;
  onDone: () => void;
}

/**
 * The first backup, as it happens: the folder being scanned, each file
 * uploading with its real bytes, and at the end the content ID of the
 * first file stored — the reference ran a timer here and said "complete"
 * whatever happened (§11.15). The step also says honestly what "backed
 * up" means so far: stored on this device's node until a second device
 * is paired.
 */
export function FirstBackupStep({ folderId, onChooseAnother, onDone }: Props) {
  const { state, error } = useSyncState();
  const folder = state?.folders.find((f) => f.id === folderId);
  const phase = phaseOf(folder);

  if (state && !folder) {
    return (
      <section className="onboarding-step" aria-labelledby="backup-title">
        <h1 id="backup-title">Setting Up Your Backup</h1>
        <p role="alert" className="field-error">
          This folder is no longer watched.
        </p>
        <div className="onboarding-actions">
          <button type="button" className="primary" onClick={onChooseAnother}>
            Choose a folder
          </button>
        </div>
      </section>
    );
  }

  const uploads = state?.uploads.filter((u) => u.folderId === folderId) ?? [];
  const first = state ? firstUpload(state, folderId) : undefined;
  const rank = { waiting: 0, scanning: 1, empty: 2, uploading: 2, error: 2, done: 3 }[phase];
  const mark = (n: number) => (rank > n || phase === 'done' ? '✓' : rank === n ? '›' : '·');

  return (
    <section className="onboarding-step onboarding-backup" aria-labelledby="backup-title">
      <h1 id="backup-title">{phase === 'done' ? 'Backup complete!' : 'Setting Up Your Backup'}</h1>
      {folder && <p className="onboarding-path">{folder.path}</p>}
      {error && (
        <p role="alert" className="field-error">
          {error}
        </p>
      )}

      <ol className="onboarding-timeline" aria-live="polite">
        <li className={rank >= 1 ? 'done' : 'current'}>
          <span aria-hidden="true">{mark(0)}</span> Watching the folder
        </li>
        <li className={rank > 1 ? 'done' : rank === 1 ? 'current' : undefined}>
          <span aria-hidden="true">{mark(1)}</span>{' '}
          {folder && folder.fileCount > 0
            ? `Found ${folder.fileCount} ${folder.fileCount === 1 ? 'file' : 'files'} (${formatBytes(folder.totalSizeBytes)})`
            : 'Looking for files'}
        </li>
        <li className={phase === 'done' ? 'done' : rank === 2 ? 'current' : undefined}>
          <span aria-hidden="true">{mark(2)}</span> Storing files on your node
          {folder && folder.fileCount > 0 && (
            <ProgressBar done={folder.syncedFiles} total={folder.fileCount} label="Files backed up" format={String} />
          )}
        </li>
      </ol>

      {phase === 'uploading' &&
        uploads.map((u) => (
          <div key={u.path} className="onboarding-upload">
            <span className="onboarding-file">{u.path}</span>
            <ProgressBar done={u.bytesDone} total={u.totalBytes} label={`Uploading ${u.path}`} />
          </div>
        ))}

      {phase === 'error' && folder?.error && (
        <p role="alert" className="field-error">
          {folder.error}
        </p>
      )}
      {folder && folder.failedFiles > 0 && (
        <p role="alert" className="field-error">
          {folder.failedFiles} {folder.failedFiles === 1 ? 'file' : 'files'} could not be stored yet; Archivist retries them
          (see Backups).
        </p>
      )}
      {phase === 'empty' && <p>The folder is empty. Anything you put in it from now on is backed up automatically.</p>}

      {phase === 'done' && (
        <div className="onboarding-result" role="status">
          <p>
            {folder?.syncedFiles} {folder?.syncedFiles === 1 ? 'file' : 'files'} stored. Your folder is now being backed up:
            every change is stored as it happens.
          </p>
          {first && (
            <p className="onboarding-cid">
              <span>{first.path}:</span> <code data-testid="first-cid">{first.cid}</code>{' '}
              <CopyButton text={first.cid} what={`CID of ${first.path}`} />
            </p>
          )}
          <p className="onboarding-hint">
            It lives on this device for now. Pair a second device (My Devices → Add Device) to keep a copy on another
            machine.
          </p>
        </div>
      )}

      <div className="onboarding-actions">
        <button type="button" className={phase === 'done' || phase === 'empty' ? 'primary' : undefined} onClick={onDone}>
          {phase === 'done' || phase === 'empty' ? 'Continue to Dashboard' : 'Continue in the background'}
        </button>
      </div>
    </section>
  );
}
