import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { completeDirs, pickDirectory, type DirEntry } from '../api/fs';
import { useDialogAvailable } from '../hooks/useDialogAvailable';
import { errorText } from '../lib/errorText';

/** Wait after the last keystroke before asking the backend for completions. */
export const COMPLETE_DELAY_MS = 150;

interface Props {
  value: string;
  onChange: (path: string) => void;
  label: string;
  disabled?: boolean;
  placeholder?: string;
  /** Title of the native dialog. */
  dialogTitle?: string;
  /** Id of the hint or error that describes the field. */
  describedBy?: string;
  invalid?: boolean;
}

/**
 * A folder path on the machine running Archivist: typed, with completion
 * of folder names as in a shell (↑/↓ to move, Enter or Tab to take one,
 * Esc to close), or picked with the native dialog when the UI runs in the
 * desktop window. The listbox follows the WAI-ARIA combobox pattern;
 * folder names are the user's own but are rendered as text only.
 */
export function FolderPathInput({
  value,
  onChange,
  label,
  disabled,
  placeholder = '~/Documents',
  dialogTitle = 'Choose a folder',
  describedBy,
  invalid,
}: Props) {
  const inputId = useId();
  const listId = useId();
  const [entries, setEntries] = useState<DirEntry[]>([]);
  const [truncated, setTruncated] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const native = useDialogAvailable();
  const [dialogError, setDialogError] = useState<string | null>(null);
  const asked = useRef(0);

  // Completions for what is typed; a slow answer for an older value is dropped.
  useEffect(() => {
    if (!open || disabled) return;
    const mine = ++asked.current;
    const t = setTimeout(() => {
      completeDirs(value).then(
        (c) => {
          if (asked.current !== mine) return;
          setEntries(c.entries);
          setTruncated(c.truncated);
          setActive(-1);
        },
        () => {
          if (asked.current !== mine) return;
          setEntries([]); // a missing or unreadable folder completes to nothing
          setTruncated(false);
        },
      );
    }, COMPLETE_DELAY_MS);
    return () => clearTimeout(t);
  }, [value, open, disabled]);

  const take = (e: DirEntry) => {
    onChange(e.path.endsWith('/') || e.path.endsWith('\\') ? e.path : `${e.path}/`);
    setOpen(true); // keep completing inside the chosen folder
  };

  const onKeyDown = (ev: KeyboardEvent<HTMLInputElement>) => {
    const shown = open && entries.length > 0;
    switch (ev.key) {
      case 'ArrowDown':
        ev.preventDefault();
        setOpen(true);
        if (shown) setActive((a) => (a + 1) % entries.length);
        break;
      case 'ArrowUp':
        if (!shown) return;
        ev.preventDefault();
        setActive((a) => (a <= 0 ? entries.length - 1 : a - 1));
        break;
      case 'Tab':
      case 'Enter': {
        if (!shown) return;
        const pick = active >= 0 ? entries[active] : ev.key === 'Tab' && entries.length === 1 ? entries[0] : undefined;
        if (!pick) return;
        ev.preventDefault();
        take(pick);
        break;
      }
      case 'Escape':
        if (open) {
          ev.preventDefault();
          setOpen(false);
        }
        break;
    }
  };

  const browse = () => {
    setDialogError(null);
    pickDirectory(dialogTitle, value).then(
      (path) => path !== null && onChange(path),
      (err: unknown) => setDialogError(errorText(err)),
    );
  };

  const shown = open && entries.length > 0 && !disabled;
  return (
    <div className="folder-path">
      <label htmlFor={inputId} className="visually-hidden">
        {label}
      </label>
      <div className="folder-path-row">
        <input
          id={inputId}
          type="text"
          role="combobox"
          aria-expanded={shown}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
          value={value}
          placeholder={placeholder}
          spellCheck={false}
          autoComplete="off"
          disabled={disabled}
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          onChange={(e) => {
            onChange(e.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        {native && (
          <button type="button" onClick={browse} disabled={disabled}>
            Browse…
          </button>
        )}
      </div>
      <ul id={listId} role="listbox" aria-label={`${label}: suggestions`} className="folder-path-list" hidden={!shown}>
        {shown &&
          entries.map((e, i) => (
            <li
              key={e.path}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === active}
              className={i === active ? 'active' : undefined}
              // mousedown, not click: it lands before the input's blur closes the list
              onMouseDown={(ev) => {
                ev.preventDefault();
                take(e);
              }}
            >
              {e.name}/
            </li>
          ))}
        {shown && truncated && <li className="folder-path-more" aria-disabled="true">… type more to narrow</li>}
      </ul>
      {dialogError && (
        <p className="field-error" role="alert">
          {dialogError}
        </p>
      )}
    </div>
  );
}
