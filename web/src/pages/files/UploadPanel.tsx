import { useState, type DragEvent } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { ProgressBar } from '../../components/ProgressBar';
import { formatBytes } from '../../lib/format';
import type { Upload } from './transfers';

interface Props {
  uploads: Upload[];
  /** No node to upload to. */
  disabled: boolean;
  onFiles: (files: File[]) => void;
  onCancel: (key: number) => void;
  onClearFinished: () => void;
}

/** File picker and drop zone, then one row per file with its progress and, once stored, its CID. */
export function UploadPanel({ uploads, disabled, onFiles, onCancel, onClearFinished }: Props) {
  const [dragging, setDragging] = useState(false);
  const [note, setNote] = useState<string | null>(null);

  const onDragOver = (e: DragEvent) => {
    if (disabled || !e.dataTransfer.types.includes('Files')) return;
    e.preventDefault(); // allow the drop
    e.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (disabled) return;
    const files: File[] = [];
    let folders = 0;
    const list = e.dataTransfer.files;
    for (let i = 0; i < list.length; i++) {
      // A dropped folder shows up as a File that cannot be read.
      const entry = e.dataTransfer.items?.[i]?.webkitGetAsEntry?.();
      const file = list[i];
      if (entry?.isDirectory) folders++;
      else if (file) files.push(file);
    }
    setNote(folders > 0 ? 'Folders are not uploaded from here: back a folder up from the Backups page.' : null);
    onFiles(files);
  };

  const finished = uploads.some((u) => u.status !== 'queued' && u.status !== 'uploading');

  return (
    <section className="files-panel" aria-labelledby="files-upload-title">
      <p id="files-upload-title" className="panel-title">
        Upload files
      </p>
      <div
        className={`drop-zone${dragging ? ' drop-zone-active' : ''}${disabled ? ' drop-zone-disabled' : ''}`}
        onDragEnter={onDragOver}
        onDragOver={onDragOver}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        data-testid="drop-zone"
      >
        <p className="drop-zone-text">{disabled ? 'Start the node to upload files.' : 'Drop files here, or'}</p>
        <label className={`button-like file-picker${disabled ? ' is-disabled' : ''}`}>
          Choose files…
          <input
            type="file"
            multiple
            className="visually-hidden"
            disabled={disabled}
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              e.target.value = ''; // choosing the same file again still counts
              setNote(null);
              onFiles(files);
            }}
          />
        </label>
      </div>
      {note && <p className="field-hint field-hint-warn">{note}</p>}

      {uploads.length > 0 && (
        <>
          <ul className="upload-list" aria-label="Uploads">
            {uploads.map((u) => (
              <UploadRow key={u.key} upload={u} onCancel={() => onCancel(u.key)} />
            ))}
          </ul>
          {finished && (
            <button type="button" className="link-button" onClick={onClearFinished}>
              Clear finished
            </button>
          )}
        </>
      )}
    </section>
  );
}

const STATUS_TEXT: Record<Upload['status'], string> = {
  queued: 'Waiting…',
  uploading: 'Uploading…',
  done: 'Uploaded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

function UploadRow({ upload: u, onCancel }: { upload: Upload; onCancel: () => void }) {
  return (
    <li className={`upload-item upload-${u.status}`}>
      <div className="upload-head">
        <span className="upload-name">{u.name}</span>
        <span className="upload-size">{formatBytes(u.size)}</span>
        <span className="upload-status">{STATUS_TEXT[u.status]}</span>
        {(u.status === 'queued' || u.status === 'uploading') && (
          <button type="button" className="small-button" onClick={onCancel}>
            Cancel{' '}<span className="visually-hidden">upload of {u.name}</span>
          </button>
        )}
      </div>
      {u.status === 'uploading' && <ProgressBar done={u.bytesDone} total={u.totalBytes} label={`Uploading ${u.name}`} />}
      {u.status === 'done' && u.cid && (
        <div className="upload-result">
          <span className="upload-result-label">CID</span> <code className="cid-full">{u.cid}</code>{' '}
          <CopyButton text={u.cid} what={`CID of ${u.name}`} />
        </div>
      )}
      {u.status === 'failed' && (
        <p className="field-error" role="alert">
          {u.error}
        </p>
      )}
    </li>
  );
}
