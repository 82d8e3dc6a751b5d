import { useId, useState, type FormEvent } from 'react';
import { FolderPathInput } from '../../components/FolderPathInput';
import { looksAbsolute } from '../../api/sync';
import { errorText } from '../../lib/errorText';

interface Props {
  /** Resolves once the folder is watched; rejects with the backend's refusal. */
  onAdd: (path: string) => Promise<void>;
}

/**
 * "Add Folder": the absolute path of a folder on the computer running
 * Archivist, typed with completion or picked with the native dialog in the
 * desktop window. The
 * backend's refusal — not a directory, already watched, overlapping a
 * watched folder — is shown under the field.
 */
export function AddFolderPanel({ onAdd }: Props) {
  const hintId = useId();
  const errorId = useId();
  const [value, setValue] = useState('');
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const path = value.trim();
  const relative = path !== '' && !looksAbsolute(path);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (path === '' || relative || adding) return;
    setAdding(true);
    setError(null);
    onAdd(path).then(
      () => {
        setValue('');
        setAdding(false);
      },
      (err: unknown) => {
        setError(errorText(err));
        setAdding(false);
      },
    );
  };

  return (
    <section className="sync-panel" aria-labelledby="sync-add-title">
      <p id="sync-add-title" className="panel-title">
        Add Folder
      </p>
      <form className="sync-add-form" noValidate onSubmit={submit}>
        <FolderPathInput
          value={value}
          onChange={(v) => {
            setValue(v);
            setError(null);
          }}
          label="Folder path"
          placeholder="/home/you/Documents"
          disabled={adding}
          invalid={relative || error !== null}
          describedBy={error ? errorId : hintId}
          dialogTitle="Choose a folder to back up"
        />
        <button type="submit" className="primary" disabled={path === '' || relative || adding}>
          {adding ? 'Adding…' : 'Add Folder'}
        </button>
      </form>
      <p id={hintId} className={relative ? 'field-hint field-hint-warn' : 'field-hint'}>
        {relative
          ? 'Type the full path, starting with / or ~ (or a drive such as C:\\ on Windows).'
          : 'The full path of a folder on the computer running Archivist. Its files are uploaded to your node and kept up to date.'}
      </p>
      {error && (
        <p id={errorId} className="field-error" role="alert">
          Could not add the folder: {error}
        </p>
      )}
    </section>
  );
}
