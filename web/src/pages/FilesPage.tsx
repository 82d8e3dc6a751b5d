import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { BACKUP_EVENTS, restoreOfEvent } from '../api/backups';
import { useEventStream } from '../api/events';
import { deleteFile, FILE_EVENTS, isNodeNotRunning, listFiles, progressOf, type StoredFile } from '../api/files';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { errorText } from '../lib/errorText';
import { DownloadPanel } from './files/DownloadPanel';
import { FileTable, fileLabel } from './files/FileTable';
import { FolderRestore } from './files/FolderRestore';
import { useSaveToFolder, useUploads } from './files/transfers';
import { UploadPanel } from './files/UploadPanel';
import { useRestores } from './files/useRestores';

export const EMPTY_TEXT = 'No files stored on this node yet. Upload one above, or back up a folder from Backups.';

/** What the last load said: files (kept through a failed refresh), or why there are none. */
interface ListState {
  files: StoredFile[] | null;
  nodeDown: boolean;
  error: string | null;
}

type Notice = { kind: 'ok' | 'error'; text: string };

/**
 * Route /files, labelled Restore in the nav (reference §8.4): upload files,
 * download by CID, restore a backed-up folder, and the files the node
 * stores. No polling: the list loads once and again on files-changed /
 * file-downloaded / node-started events and after this page's own actions;
 * restores follow restore-progress events.
 */
export function FilesPage() {
  const [list, setList] = useState<ListState>({ files: null, nodeDown: false, error: null });
  const [loadKey, setLoadKey] = useState(0);
  const [loadedKey, setLoadedKey] = useState(-1);
  const [confirm, setConfirm] = useState<StoredFile | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

  const reload = useCallback(() => setLoadKey((k) => k + 1), []);
  const uploads = useUploads(reload);
  const saver = useSaveToFolder(reload);
  const restores = useRestores();

  useEffect(() => {
    let cancelled = false; // a newer load replaced this one
    listFiles()
      .then((files) => {
        if (cancelled) return;
        setList({ files, nodeDown: false, error: null });
        setLoadedKey(loadKey);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setList((l) =>
          isNodeNotRunning(err)
            ? { files: null, nodeDown: true, error: null }
            : { files: l.files, nodeDown: false, error: errorText(err) },
        );
        setLoadedKey(loadKey);
      });
    return () => {
      cancelled = true;
    };
  }, [loadKey]);

  useEventStream('/api/events', {
    [FILE_EVENTS.filesChanged]: reload,
    [FILE_EVENTS.fileDownloaded]: reload,
    'node-started': reload,
    [FILE_EVENTS.uploadProgress]: (ev) => {
      const p = progressOf(ev);
      if (p) uploads.onProgress(p);
    },
    [FILE_EVENTS.downloadProgress]: (ev) => {
      const p = progressOf(ev);
      if (p) saver.onProgress(p);
    },
    [BACKUP_EVENTS.restore]: (ev) => {
      const r = restoreOfEvent(ev);
      if (r) restores.onProgress(r);
    },
  });

  const loading = loadedKey !== loadKey;
  const nodeDown = list.nodeDown;

  const remove = (file: StoredFile) => {
    const label = fileLabel(file);
    setDeleting(file.cid);
    setNotice(null);
    deleteFile(file.cid)
      .then(() => {
        setNotice({ kind: 'ok', text: `Deleted ${label} from this node.` });
        reload();
      })
      .catch((err: unknown) => {
        setNotice({ kind: 'error', text: `Could not delete ${label}: ${errorText(err)}` });
        if (isNodeNotRunning(err)) reload();
      })
      .finally(() => setDeleting(null));
  };

  return (
    <section className="page files-page">
      <header className="page-header">
        <h2 className="page-title">Files</h2>
        <div className="page-actions">
          <button type="button" disabled={loading} onClick={reload}>
            {loading && list.files !== null ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </header>

      {nodeDown && (
        <div className="node-down-banner" role="alert">
          <p>
            The node is not running — start it from the <Link to="/">Dashboard</Link>.
          </p>
          <button type="button" disabled={loading} onClick={reload}>
            {loading ? 'Checking…' : 'Retry'}
          </button>
        </div>
      )}

      <div className="files-actions">
        <UploadPanel
          uploads={uploads.uploads}
          disabled={nodeDown}
          onFiles={uploads.add}
          onCancel={uploads.cancel}
          onClearFinished={uploads.clearFinished}
        />
        <DownloadPanel
          disabled={nodeDown}
          saving={saver.saving}
          onSave={saver.start}
          onDismissSaved={saver.dismiss}
        />
      </div>

      <FolderRestore jobs={restores} />

      <section className="files-panel files-list" aria-labelledby="files-list-title">
        <p id="files-list-title" className="panel-title">
          Stored on this node
        </p>

        {notice && (
          <p className={notice.kind === 'ok' ? 'success-banner' : 'field-error'} role={notice.kind === 'ok' ? 'status' : 'alert'}>
            {notice.text}
          </p>
        )}

        {list.error && (
          <div className="error-banner" role="alert">
            <p>
              {list.files ? 'Could not refresh the file list' : 'Could not load files'}: {list.error}
            </p>
            <button type="button" disabled={loading} onClick={reload}>
              Retry
            </button>
          </div>
        )}

        {nodeDown ? (
          <p className="empty-state">Start the node to see its files.</p>
        ) : list.files === null ? (
          !list.error && (
            <p className="empty-state" role="status">
              Loading files…
            </p>
          )
        ) : list.files.length === 0 ? (
          <p className="empty-state">{EMPTY_TEXT}</p>
        ) : (
          <FileTable files={list.files} deleting={deleting} onDelete={setConfirm} />
        )}
      </section>

      {confirm && (
        <ConfirmDialog
          message={`Delete ${fileLabel(confirm)} from this node? Its data is removed from this node's storage; copies on other devices are not touched. This cannot be undone.`}
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const file = confirm;
            setConfirm(null);
            remove(file);
          }}
        />
      )}
    </section>
  );
}
