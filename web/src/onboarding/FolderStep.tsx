import { useState, type FormEvent } from 'react';
import { addFolder, getSyncState, quickstart, type WatchedFolder } from '../api/sync';
import { FolderPathInput } from '../components/FolderPathInput';
import { errorText } from '../lib/errorText';

/**
 * Adds a folder, or — when the backend refuses because the folder is
 * already watched — takes the watched one: choosing the same folder twice
 * during onboarding is not an error the user should have to solve.
 */
async function watch(add: () => Promise<WatchedFolder>, path?: string): Promise<WatchedFolder> {
  try {
    return await add();
  } catch (err) {
    if (path !== undefined) {
      const trimmed = path.trim().replace(/[/\\]+$/, '');
      const have = (await getSyncState().catch(() => null))?.folders.find((f) => f.path === trimmed);
      if (have) return have;
    }
    throw err;
  }
}

export function FolderStep({ onChosen }: { onChosen: (folderId: string) => void }) {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState<'quick' | 'custom' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = (kind: 'quick' | 'custom', add: () => Promise<WatchedFolder>, typed?: string) => {
    setBusy(kind);
    setError(null);
    watch(add, typed).then(
      (f) => onChosen(f.id),
      (err: unknown) => {
        setError(errorText(err));
        setBusy(null);
      },
    );
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (path.trim() === '' || busy) return;
    run('custom', () => addFolder(path.trim()), path);
  };

  return (
    <section className="onboarding-step" aria-labelledby="folder-title">
      <h1 id="folder-title">Choose Your First Backup</h1>
      <div className="onboarding-choices">
        <div className="onboarding-choice">
          <p className="choice-title">
            Quick Backup <span className="choice-badge">Recommended</span>
          </p>
          <p>Creates “Archivist Quickstart” in Documents, with a welcome file, and backs it up.</p>
          <button type="button" className="primary" onClick={() => run('quick', quickstart)} disabled={busy !== null}>
            {busy === 'quick' ? 'Creating…' : 'Quick Backup'}
          </button>
        </div>
        <form className="onboarding-choice" onSubmit={submit} noValidate>
          <p className="choice-title">Choose Folder</p>
          <p>Any folder on this computer: everything in it is backed up, and so is every change.</p>
          <FolderPathInput value={path} onChange={setPath} label="Folder to back up" disabled={busy !== null} dialogTitle="Choose a folder to back up" />
          <button type="submit" disabled={busy !== null || path.trim() === ''}>
            {busy === 'custom' ? 'Adding…' : 'Back up this folder'}
          </button>
        </form>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
