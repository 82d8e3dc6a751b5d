// Form fields of the Settings page. Each field is named by its config key
// (a TOML path such as "node.api_port"): that names its input's id and finds
// the server's problems for it, which are shown under the field and tied to
// the input with aria-describedby. Hints are advice only; nothing here
// refuses a value, the server is the judge.
import { createContext, useContext, useState, type ReactNode } from 'react';
import { pickPath, type DialogKind } from '../../api/fs';
import { useDialogAvailable } from '../../hooks/useDialogAvailable';
import { errorText } from '../../lib/errorText';

/** Server problems by config key. */
export const ProblemsContext = createContext<ReadonlyMap<string, string[]>>(new Map());

const NO_PROBLEMS: string[] = [];

function useProblems(key: string): string[] {
  return useContext(ProblemsContext).get(key) ?? NO_PROBLEMS;
}

/** "backup_server.source_peers[1].host" → "cfg-backup_server-source_peers-1-host". */
export function fieldId(key: string): string {
  return 'cfg-' + key.replace(/[^A-Za-z0-9_]+/g, '-').replace(/-+$/, '');
}

interface MessagesProps {
  id: string;
  hint?: ReactNode;
  /** Show the hint as a warning (the value is outside what the hint says). */
  warn?: boolean;
  problems: string[];
}

/** The hint and the server's problems under a field; returns nothing when there are neither. */
function FieldMessages({ id, hint, warn, problems }: MessagesProps) {
  return (
    <>
      {hint !== undefined && (
        <p id={`${id}-hint`} className={warn ? 'field-hint field-hint-warn' : 'field-hint'}>
          {hint}
        </p>
      )}
      {problems.length > 0 && (
        <p id={`${id}-error`} className="field-error">
          {problems.join('; ')}
        </p>
      )}
    </>
  );
}

function describedBy(id: string, hint: unknown, problems: string[]): string | undefined {
  const ids = [hint !== undefined ? `${id}-hint` : '', problems.length > 0 ? `${id}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

interface BaseProps {
  /** Config key, e.g. "node.api_port". */
  name: string;
  label: string;
  hint?: ReactNode;
  disabled?: boolean;
}

export function TextField({
  name,
  label,
  hint,
  disabled,
  value,
  onChange,
  placeholder,
  clearable,
  browse,
}: BaseProps & {
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
  clearable?: boolean;
  /** Offer the native picker of this kind (only in the desktop window, which has one). */
  browse?: DialogKind;
}) {
  const id = fieldId(name);
  const problems = useProblems(name);
  const native = useDialogAvailable(browse !== undefined);
  const [browseError, setBrowseError] = useState<string | null>(null);
  const pick = (kind: DialogKind) => {
    setBrowseError(null);
    pickPath(kind, label, value).then(
      (p) => p !== null && onChange(p),
      (err: unknown) => setBrowseError(errorText(err)),
    );
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="field-row">
        <input
          id={id}
          type="text"
          value={value}
          placeholder={placeholder}
          disabled={disabled}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={problems.length > 0 || undefined}
          aria-describedby={describedBy(id, hint, problems)}
          onChange={(e) => onChange(e.target.value)}
        />
        {browse && native && (
          <button type="button" disabled={disabled} onClick={() => pick(browse)} aria-label={`Browse for ${label}`}>
            Browse…
          </button>
        )}
        {clearable && (
          <button type="button" disabled={disabled || value === ''} onClick={() => onChange('')} aria-label={`Clear ${label}`}>
            Clear
          </button>
        )}
      </div>
      <FieldMessages id={id} hint={hint} problems={problems} />
      {browseError && (
        <p className="field-error" role="alert">
          {browseError}
        </p>
      )}
    </div>
  );
}

export function NumberField({
  name,
  label,
  hint,
  disabled,
  value,
  onChange,
  min,
  max,
  blankValue,
  placeholder,
}: BaseProps & {
  value: number;
  onChange: (v: number) => void;
  min?: number;
  max?: number;
  /** The value an empty input stands for (0 for "unlimited"); shown as empty. Without it, empty is NaN. */
  blankValue?: number;
  placeholder?: string;
}) {
  const id = fieldId(name);
  const problems = useProblems(name);
  const blank = Number.isNaN(value) || (blankValue !== undefined && value === blankValue);
  const notANumber = Number.isNaN(value);
  const outside =
    !blank && (!Number.isInteger(value) || (min !== undefined && value < min) || (max !== undefined && value > max));
  const shownHint = notANumber ? <>Enter a number. {hint}</> : hint;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        step={1}
        min={min}
        max={max}
        value={blank ? '' : String(value)}
        placeholder={placeholder}
        disabled={disabled}
        aria-invalid={problems.length > 0 || undefined}
        aria-describedby={describedBy(id, shownHint, problems)}
        onChange={(e) => {
          const raw = e.target.value.trim();
          onChange(raw === '' ? (blankValue ?? NaN) : Number(raw));
        }}
      />
      <FieldMessages id={id} hint={shownHint} warn={notANumber || outside} problems={problems} />
    </div>
  );
}

export function CheckboxField({
  name,
  label,
  hint,
  disabled,
  checked,
  onChange,
}: BaseProps & { checked: boolean; onChange: (v: boolean) => void }) {
  const id = fieldId(name);
  const problems = useProblems(name);
  return (
    <div className="field field-checkbox">
      <div className="field-row">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={disabled}
          aria-invalid={problems.length > 0 || undefined}
          aria-describedby={describedBy(id, hint, problems)}
          onChange={(e) => onChange(e.target.checked)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      <FieldMessages id={id} hint={hint} problems={problems} />
    </div>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export function SelectField({
  name,
  label,
  hint,
  disabled,
  value,
  onChange,
  options,
}: BaseProps & { value: string; onChange: (v: string) => void; options: SelectOption[] }) {
  const id = fieldId(name);
  const problems = useProblems(name);
  // A value the file has but the list does not (a hand-edited typo) stays
  // visible, so the user sees what is set and the server's complaint about it.
  const all = options.some((o) => o.value === value) ? options : [{ value, label: value || '(not set)' }, ...options];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        aria-invalid={problems.length > 0 || undefined}
        aria-describedby={describedBy(id, hint, problems)}
        onChange={(e) => onChange(e.target.value)}
      >
        {all.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldMessages id={id} hint={hint} problems={problems} />
    </div>
  );
}

/** 0..1 volume as a 0–100 % slider. */
export function VolumeField({
  name,
  label,
  hint,
  disabled,
  value,
  onChange,
}: BaseProps & { value: number; onChange: (v: number) => void }) {
  const id = fieldId(name);
  const problems = useProblems(name);
  const percent = Number.isFinite(value) ? Math.round(value * 100) : 0;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="field-row">
        <input
          id={id}
          type="range"
          min={0}
          max={100}
          step={1}
          value={percent}
          disabled={disabled}
          aria-valuetext={`${percent}%`}
          aria-invalid={problems.length > 0 || undefined}
          aria-describedby={describedBy(id, hint, problems)}
          onChange={(e) => onChange(Number(e.target.value) / 100)}
        />
        <output htmlFor={id} className="volume-value">
          {percent}%
        </output>
      </div>
      <FieldMessages id={id} hint={hint} problems={problems} />
    </div>
  );
}

/**
 * A list of strings (exclude patterns, allowed IPs) with Add and × per item.
 * Problems about one item ("sync.exclude_patterns[2]") are listed under the
 * list and mark that item.
 */
export function TagListField({
  name,
  label,
  hint,
  disabled,
  items,
  onChange,
  onRemove,
  placeholder,
  emptyText,
  entryLabel,
}: BaseProps & {
  /** Accessible name of the input for a new item, e.g. "New exclude pattern". */
  entryLabel: string;
  items: string[];
  onChange: (items: string[]) => void;
  /** Called after an item is removed (item problems no longer match their indices). */
  onRemove?: () => void;
  placeholder?: string;
  emptyText: string;
}) {
  const id = fieldId(name);
  const [entry, setEntry] = useState('');
  const problemsMap = useContext(ProblemsContext);
  const itemProblems = items.map((_, i) => problemsMap.get(`${name}[${i}]`) ?? NO_PROBLEMS);
  const problems = [...(problemsMap.get(name) ?? NO_PROBLEMS), ...itemProblems.flat()];

  const add = () => {
    const v = entry.trim();
    if (v === '') return;
    if (!items.includes(v)) onChange([...items, v]);
    setEntry('');
  };

  return (
    <div className="field">
      <span className="field-label" id={`${id}-label`}>
        {label}
      </span>
      {items.length === 0 ? (
        <p className="tag-empty">{emptyText}</p>
      ) : (
        <ul className="tag-list" aria-labelledby={`${id}-label`}>
          {items.map((item, i) => (
            <li key={`${i}-${item}`} className={itemProblems[i]?.length ? 'tag tag-invalid' : 'tag'}>
              <span className="tag-text">{item}</span>
              <button
                type="button"
                className="tag-remove"
                disabled={disabled}
                aria-label={`Remove ${item}`}
                onClick={() => {
                  onChange(items.filter((_, j) => j !== i));
                  onRemove?.();
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="field-row">
        <input
          id={id}
          type="text"
          value={entry}
          placeholder={placeholder}
          disabled={disabled}
          spellCheck={false}
          autoComplete="off"
          aria-label={entryLabel}
          aria-describedby={describedBy(id, hint, problems)}
          onChange={(e) => setEntry(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault(); // add the item, don't submit the form
              add();
            }
          }}
        />
        <button type="button" disabled={disabled || entry.trim() === ''} onClick={add}>
          Add
        </button>
      </div>
      <FieldMessages id={id} hint={hint} problems={problems} />
    </div>
  );
}
