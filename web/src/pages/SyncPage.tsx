import { useState } from 'react';
import { Link } from 'react-router-dom';
import {
  addFolder,
  backupNow,
  pauseSync,
  quickstart,
  removeFolder,
  rescanAll,
  rescanFolder,
  resumeSync,
  setFolderEnabled,
  type SyncState,
  type WatchedFolder,
} from '../api/sync';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { EmptyState } from '../components/EmptyState';
import { useNow } from '../hooks/useNow';
import { errorText } from '../lib/errorText';
import { ActivityPanel } from './sync/ActivityPanel';
import { AddFolderPanel } from './sync/AddFolderPanel';
import { FolderCard, type FolderAction, type Notice } from './sync/FolderCard';
import { syncSummary } from './sync/syncText';
import { useSyncState } from './sync/useSyncState';
import './sync/sync.css';

export const EMPTY_TEXT =
  'No folders are backed up yet. Watching a folder uploads its files to your node and keeps those copies up to date whenever files change.';

/** A header action under way. */
type PageAction = 'sync' | 'pause' | 'resume' | 'quickstart';

/** The state with f in place of the folder of the same ID, or added at the end. */
function withFolder(s: SyncState, f: WatchedFolder): SyncState {
  const known = s.folders.some((x) => x.id === f.id);
  return { ...s, folders: known ? s.folders.map((x) => (x.id === f.id ? f : x)) : [...s.folders, f] };
}

/**
 * Route /sync, labelled Backups in the nav (reference §8.5): watched
 * folders, what of them is on the node and on the backup server, what is
 * uploading now and what was uploaded last. Everything shown is the
 * backend's sync state, kept current by its sync-state events (see
 * useSyncState); actions answer with what they changed, and errors are
 * shown where the action was.
 */
export function SyncPage() {
  const { state, error, refresh, apply, update } = useSyncState();
  const [pageBusy, setPageBusy] = useState<PageAction | null>(null);
  const [busy, setBusy] = useState<Record<string, FolderAction>>({});
  const [notices, setNotices] = useState<Record<string, Notice>>({});
  const [pageNotice, setPageNotice] = useState<Notice | null>(null);
  const [confirm, setConfirm] = useState<WatchedFolder | null>(null);
  const now = useNow(true, 30_000);

  const setBusyFor = (id: string, action: FolderAction | undefined) =>
    setBusy((b) => {
      const next = { ...b };
      if (action) next[id] = action;
      else delete next[id];
      return next;
    });

  const setNoticeFor = (id: string, notice: Notice | undefined) =>
    setNotices((n) => {
      const next = { ...n };
      if (notice) next[id] = notice;
      else delete next[id];
      return next;
    });

  /** Runs a header action; its error (or success text) becomes the page notice. */
  const runPage = (action: PageAction, call: () => Promise<string | null>, failed: string) => {
    setPageBusy(action);
    setPageNotice(null);
    call()
      .then((ok) => {
        if (ok) setPageNotice({ kind: 'ok', text: ok });
      })
      .catch((err: unknown) => setPageNotice({ kind: 'error', text: `${failed}: ${errorText(err)}` }))
      .finally(() => setPageBusy(null));
  };

  /** Runs a folder action; its error (or success text) becomes the folder's notice. */
  const runFolder = (f: WatchedFolder, action: FolderAction, call: () => Promise<string | null>, failed: string) => {
    setBusyFor(f.id, action);
    setNoticeFor(f.id, undefined);
    call()
      .then((ok) => setNoticeFor(f.id, ok ? { kind: 'ok', text: ok } : undefined))
      .catch((err: unknown) => setNoticeFor(f.id, { kind: 'error', text: `${failed}: ${errorText(err)}` }))
      .finally(() => {
        setBusyFor(f.id, undefined);
        refresh();
      });
  };

  const syncNow = () =>
    runPage(
      'sync',
      async () => {
        await rescanAll();
        refresh();
        return 'Checking all folders for changes.';
      },
      'Could not start syncing',
    );

  const pauseOrResume = (pause: boolean) =>
    runPage(
      pause ? 'pause' : 'resume',
      async () => {
        apply(await (pause ? pauseSync() : resumeSync()));
        return null;
      },
      pause ? 'Could not pause' : 'Could not resume',
    );

  const startQuickstart = () =>
    runPage(
      'quickstart',
      async () => {
        const f = await quickstart();
        update((s) => withFolder(s, f));
        refresh();
        return `Backing up ${f.path}: put files in it and they are uploaded to your node.`;
      },
      'Could not set up the quick backup',
    );

  const add = async (path: string) => {
    setPageNotice(null);
    const f = await addFolder(path);
    update((s) => withFolder(s, f));
    setPageNotice({ kind: 'ok', text: `Now watching ${f.path}.` });
    refresh();
  };

  const toggle = (f: WatchedFolder, enabled: boolean) =>
    runFolder(
      f,
      'toggle',
      async () => {
        const updated = await setFolderEnabled(f.id, enabled);
        update((s) => withFolder(s, updated));
        return null;
      },
      enabled ? 'Could not turn it on' : 'Could not turn it off',
    );

  const rescan = (f: WatchedFolder) =>
    runFolder(
      f,
      'rescan',
      async () => {
        await rescanFolder(f.id);
        return 'Checking for changes.';
      },
      'Could not rescan',
    );

  const sendBackup = (f: WatchedFolder) =>
    runFolder(
      f,
      'backup',
      async () => {
        const { sequence } = await backupNow(f.id);
        const peer = state?.backupPeer ?? 'the backup server';
        return sequence === null ? `Sent to ${peer}.` : `Sent manifest #${sequence} to ${peer}.`;
      },
      'Could not back up now',
    );

  const remove = (f: WatchedFolder) => {
    setBusyFor(f.id, 'remove');
    setPageNotice(null);
    removeFolder(f.id)
      .then(() => {
        update((s) => ({ ...s, folders: s.folders.filter((x) => x.id !== f.id) }));
        setNoticeFor(f.id, undefined);
        setPageNotice({ kind: 'ok', text: `Stopped watching ${f.name}. Nothing was deleted.` });
      })
      .catch((err: unknown) => setNoticeFor(f.id, { kind: 'error', text: `Could not remove it: ${errorText(err)}` }))
      .finally(() => {
        setBusyFor(f.id, undefined);
        refresh();
      });
  };

  const retried = (f: WatchedFolder, outcome: Notice) => {
    setNoticeFor(f.id, outcome);
    if (outcome.kind === 'ok') refresh();
  };

  const summary = state ? syncSummary(state) : null;
  const noFolders = !state || state.folders.length === 0;

  return (
    <section className="page sync-page">
      <header className="page-header">
        <div className="sync-heading">
          <h2 className="page-title">Sync</h2>
          {summary && (
            <p className={`sync-summary tone-${summary.tone}`} role="status" data-testid="sync-summary">
              {summary.text}
            </p>
          )}
        </div>
        <div className="page-actions">
          <button
            type="button"
            className="primary"
            disabled={noFolders || pageBusy !== null}
            title={state && noFolders ? 'Add a folder first' : undefined}
            onClick={syncNow}
          >
            {pageBusy === 'sync' ? 'Starting…' : 'Sync Now'}
          </button>
          {state?.paused ? (
            <button type="button" disabled={pageBusy !== null} onClick={() => pauseOrResume(false)}>
              {pageBusy === 'resume' ? 'Resuming…' : 'Resume'}
            </button>
          ) : (
            <button type="button" disabled={!state || pageBusy !== null} onClick={() => pauseOrResume(true)}>
              {pageBusy === 'pause' ? 'Pausing…' : 'Pause'}
            </button>
          )}
        </div>
      </header>

      {state && !state.nodeRunning && (
        <div className="node-down-banner" role="alert">
          <p>
            The node is not running — start it from the <Link to="/">Dashboard</Link>. Changes are still noticed; uploads
            wait until it runs.
          </p>
        </div>
      )}

      {error && (
        <div className="error-banner" role="alert">
          <p>
            {state ? 'Could not refresh the sync state' : 'Could not load the backups'}: {error}
          </p>
          <button type="button" onClick={refresh}>
            Retry
          </button>
        </div>
      )}

      {pageNotice && (
        <p
          className={`sync-page-notice ${pageNotice.kind === 'ok' ? 'success-banner' : 'field-error'}`}
          role={pageNotice.kind === 'ok' ? 'status' : 'alert'}
        >
          {pageNotice.text}
        </p>
      )}

      <AddFolderPanel onAdd={add} />

      <div className="sync-layout">
        <section className="sync-panel" aria-labelledby="sync-folders-title">
          <div className="sync-panel-head">
            <p id="sync-folders-title" className="panel-title">
              Watched folders{state ? ` (${state.folders.length})` : ''}
            </p>
            {state && (
              <p className="sync-backup-peer">
                {!state.backupEnabled
                  ? 'Backup server: off'
                  : state.backupPeer
                    ? `Backup server: ${state.backupPeer}`
                    : 'Backup server: none paired'}
              </p>
            )}
          </div>

          {state === null ? (
            !error && (
              <p className="empty-state" role="status">
                Loading folders…
              </p>
            )
          ) : state.folders.length === 0 ? (
            <div className="sync-empty">
              <EmptyState>{EMPTY_TEXT}</EmptyState>
              <div className="sync-empty-actions">
                <button type="button" className="primary" disabled={pageBusy !== null} onClick={startQuickstart}>
                  {pageBusy === 'quickstart' ? 'Setting up…' : 'Quick Backup'}
                </button>
                <span className="share-hint">
                  Creates Documents/Archivist Quickstart with a welcome file and backs it up, to see how it works.
                </span>
              </div>
            </div>
          ) : (
            <ul className="sync-folder-list">
              {state.folders.map((f) => (
                <FolderCard
                  key={f.id}
                  folder={f}
                  sync={state}
                  busy={busy[f.id]}
                  notice={notices[f.id]}
                  now={now}
                  onToggle={toggle}
                  onRescan={rescan}
                  onBackupNow={sendBackup}
                  onRemove={setConfirm}
                  onRetried={retried}
                />
              ))}
            </ul>
          )}
        </section>

        {state && (
          <aside className="sync-side">
            <ActivityPanel sync={state} now={now} />
          </aside>
        )}
      </div>

      {confirm && (
        <ConfirmDialog
          message={`Stop watching ${confirm.name}? Nothing is deleted from this computer or from your backups.`}
          confirmLabel="Stop watching"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const f = confirm;
            setConfirm(null);
            remove(f);
          }}
        />
      )}
    </section>
  );
}
