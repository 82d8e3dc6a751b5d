import { useEffect, useRef, useState, type ClipboardEvent, type FormEvent } from 'react';
import { checkCid, contentURL, shortCid } from '../../api/files';
import { CopyButton } from '../../components/CopyButton';
import { ProgressBar } from '../../components/ProgressBar';
import type { Saving } from './transfers';

interface Props {
  /** No node to download from. */
  disabled: boolean;
  saving: Saving | null;
  onSave: (cid: string, destination: string) => void;
  onDismissSaved: () => void;
}

/**
 * "Download by CID": the CID is checked as it is typed (the reason shown,
 * the actions disabled while it is not a CID); pasting a valid CID offers the
 * download at once by focusing Download. Two ways to get the file: Download
 * (the browser saves it, from GET …/content) and Save to folder… (the backend
 * writes it into a folder on its machine).
 */
export function DownloadPanel({ disabled, saving, onSave, onDismissSaved }: Props) {
  const [value, setValue] = useState('');
  const [offered, setOffered] = useState(0);
  const [folderOpen, setFolderOpen] = useState(false);
  const [destination, setDestination] = useState('');
  const linkRef = useRef<HTMLAnchorElement>(null);
  const destinationRef = useRef<HTMLInputElement>(null);

  const check = value.trim() === '' ? null : checkCid(value);
  const cid = check?.ok ? check.cid : null;
  const running = saving?.status === 'running';

  // A pasted CID is offered straight away: Download takes the focus, so Enter downloads.
  useEffect(() => {
    if (offered > 0) linkRef.current?.focus();
  }, [offered]);

  useEffect(() => {
    if (folderOpen) destinationRef.current?.focus();
  }, [folderOpen]);

  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const pasted = e.clipboardData.getData('text');
    if (pasted === '') return;
    e.preventDefault();
    const input = e.currentTarget;
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? input.value.length;
    const next = (input.value.slice(0, start) + pasted + input.value.slice(end)).trim();
    setValue(next);
    if (checkCid(next).ok && !disabled) setOffered((n) => n + 1);
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (cid && !disabled) linkRef.current?.click();
  };

  const save = (e: FormEvent) => {
    e.preventDefault();
    const dest = destination.trim();
    if (!cid || dest === '' || running || disabled) return;
    onSave(cid, dest);
  };

  const inputClass = check === null ? '' : check.ok ? 'cid-input-valid' : 'cid-input-invalid';

  return (
    <section className="files-panel" aria-labelledby="files-download-title">
      <p id="files-download-title" className="panel-title">
        Download by CID
      </p>
      <form className="field" noValidate onSubmit={onSubmit}>
        <label htmlFor="files-cid-input">CID</label>
        <input
          id="files-cid-input"
          type="text"
          className={inputClass}
          value={value}
          placeholder="zDvZRwzm… (paste a CID to download)"
          spellCheck={false}
          autoComplete="off"
          aria-invalid={check !== null && !check.ok ? true : undefined}
          aria-describedby="files-cid-message"
          onChange={(e) => setValue(e.target.value)}
          onPaste={onPaste}
        />
        <p id="files-cid-message" className={check && !check.ok ? 'cid-validation-error field-error' : 'field-hint'}>
          {check === null
            ? 'The CID of a file stored on this node or on a connected device.'
            : check.ok
              ? offered > 0 && !disabled
                ? '✓ Valid CID — press Enter to download it, or save it to a folder.'
                : '✓ Valid CID'
              : `Not a valid CID: ${check.reason}`}
        </p>
      </form>

      <div className="download-actions">
        {cid && !disabled ? (
          <a ref={linkRef} className="button-link primary" href={contentURL(cid)} download>
            Download
          </a>
        ) : (
          <button type="button" className="primary" disabled>
            Download
          </button>
        )}
        <button
          type="button"
          aria-expanded={folderOpen}
          aria-controls="files-save-form"
          disabled={!cid || disabled}
          onClick={() => setFolderOpen((o) => !o)}
        >
          Save to folder…
        </button>
      </div>

      {folderOpen && (
        <form id="files-save-form" className="field save-form" noValidate onSubmit={save}>
          <label htmlFor="files-save-destination">Save to folder on this machine</label>
          <div className="field-row">
            <input
              ref={destinationRef}
              id="files-save-destination"
              type="text"
              required
              value={destination}
              placeholder="e.g. /home/me/Downloads"
              spellCheck={false}
              autoComplete="off"
              aria-describedby="files-save-hint"
              onChange={(e) => setDestination(e.target.value)}
            />
            <button type="submit" className="primary" disabled={!cid || destination.trim() === '' || running || disabled}>
              {running ? 'Saving…' : 'Save'}
            </button>
            <button type="button" onClick={() => setFolderOpen(false)}>
              Close
            </button>
          </div>
          <p id="files-save-hint" className="field-hint">
            A folder on the computer the Archivist app runs on (not this browser&apos;s device, if you opened this page
            from another one). An existing file there is never replaced: the new one gets a name like
            &quot;report (1).pdf&quot;.
          </p>
        </form>
      )}

      {saving && <SaveStatus saving={saving} onDismiss={onDismissSaved} />}
    </section>
  );
}

function SaveStatus({ saving, onDismiss }: { saving: Saving; onDismiss: () => void }) {
  const name = saving.filename ?? shortCid(saving.cid);
  if (saving.status === 'running') {
    return (
      <div className="save-status" role="status">
        <p>
          Downloading <span className="save-name">{name}</span> into <code>{saving.destination}</code>…
        </p>
        <ProgressBar done={saving.bytesDone} total={saving.totalBytes} label={`Downloading ${name}`} />
      </div>
    );
  }
  if (saving.status === 'failed') {
    return (
      <div className="save-status error-banner" role="alert">
        <p>
          Could not save <span className="save-name">{name}</span>: {saving.error}
        </p>
        <button type="button" className="small-button" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
    );
  }
  return (
    <div className="save-status" role="status">
      <p className="success-banner">
        Saved to <code className="save-path">{saving.path}</code>{' '}
        {saving.path && <CopyButton text={saving.path} what="the saved file's path" />}
      </p>
      <button type="button" className="small-button" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
