import { useId, useState, type FormEvent } from 'react';
import { looksAbsolute } from '../../api/sync';
import { errorText } from '../../lib/errorText';

interface Props {
  /** Resolves once the folder is watched; rejects with the backend's refusal. */
  onAdd: (path: string) => Promise<void>;
}

/**
 * "Add Folder": the absolute path of a folder on the computer running
 * Archivist (a native folder picker comes with the desktop build). The
 * backend's refusal — not a directory, already watched, overlapping a
 * watched folder — is shown under the field.
 */
export function AddFolderPanel({ onAdd }: Props) {
  const inputId = useId();
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
        <label htmlFor={inputId} className="visually-hidden">
          Folder path
        </label>
        <input
          id={inputId}
          type="text"
          value={value}
          placeholder="/home/you/Documents"
          spellCheck={false}
          autoComplete="off"
          disabled={adding}
          aria-invalid={relative || error !== null}
          aria-describedby={error ? errorId : hintId}
          onChange={(e) => {
            setValue(e.target.value);
            setError(null);
          }}
        />
        <button type="submit" className="primary" disabled={path === '' || relative || adding}>
          {adding ? 'Adding…' : 'Add Folder'}
        </button>
      </form>
      <p id={hintId} className={relative ? 'field-hint field-hint-warn' : 'field-hint'}>
        {relative
          ? 'Type the full path, starting with / (or a drive such as C:\\ on Windows); ~ is not expanded.'
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
