import { useMemo, useState } from 'react';
import { contentURL, shortCid, type StoredFile } from '../../api/files';
import { CopyButton } from '../../components/CopyButton';
import { formatBytes } from '../../lib/format';

export type SortKey = 'name' | 'size';
export type SortDir = 'asc' | 'desc';

interface Props {
  files: StoredFile[];
  /** CID being deleted, if any. */
  deleting: string | null;
  onDelete: (file: StoredFile) => void;
}

/** What a file is called in labels and messages: its name, or "unnamed file zDvZ…" (names are peer-supplied text). */
export function fileLabel(f: StoredFile): string {
  return f.filename || `unnamed file ${shortCid(f.cid)}`;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

function compare(a: StoredFile, b: StoredFile, key: SortKey, dir: SortDir): number {
  const sign = dir === 'asc' ? 1 : -1;
  if (key === 'size') {
    return sign * (a.size - b.size) || collator.compare(a.filename, b.filename) || a.cid.localeCompare(b.cid);
  }
  // Unnamed files go last whichever way names are sorted.
  if ((a.filename === '') !== (b.filename === '')) return a.filename === '' ? 1 : -1;
  return sign * collator.compare(a.filename, b.filename) || a.cid.localeCompare(b.cid);
}

/** The stored files: search by name or CID, sort by name or size (click again to reverse). */
export function FileTable({ files, deleting, onDelete }: Props) {
  const [query, setQuery] = useState('');
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: 'name', dir: 'asc' });

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    const matching = q
      ? files.filter((f) => f.filename.toLowerCase().includes(q) || f.cid.toLowerCase().includes(q))
      : files;
    return [...matching].sort((a, b) => compare(a, b, sort.key, sort.dir));
  }, [files, query, sort]);

  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);

  const sortBy = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: 'asc' }));

  const header = (key: SortKey, label: string) => {
    const active = sort.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
        <button type="button" className="sort-button" onClick={() => sortBy(key)}>
          {label}
          <span className="sort-mark" aria-hidden="true">
            {active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕'}
          </span>
        </button>
      </th>
    );
  };

  return (
    <>
      <div className="files-toolbar">
        <p className="file-stats">
          {files.length} {files.length === 1 ? 'file' : 'files'} · {formatBytes(totalBytes)} total
          {shown.length !== files.length && <> · showing {shown.length}</>}
        </p>
        <input
          type="search"
          className="files-search"
          value={query}
          placeholder="Search by name or CID"
          aria-label="Search files by name or CID"
          spellCheck={false}
          autoComplete="off"
          onChange={(e) => setQuery(e.target.value)}
        />
      </div>

      {shown.length === 0 ? (
        <p className="empty-state">No files match “{query.trim()}”.</p>
      ) : (
        <div className="table-scroll">
          <table className="files-table">
            <thead>
              <tr>
                {header('name', 'Name')}
                {header('size', 'Size')}
                <th scope="col">Type</th>
                <th scope="col">CID</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((f) => {
                const label = fileLabel(f);
                return (
                  <tr key={f.cid}>
                    <td className="file-name">{f.filename || <span className="unnamed">(unnamed)</span>}</td>
                    <td className="file-size">{formatBytes(f.size)}</td>
                    <td className="file-type">{f.mimetype || '—'}</td>
                    <td className="file-cid">
                      <code className="cid-short" title={f.cid}>
                        {shortCid(f.cid)}
                      </code>{' '}
                      <CopyButton text={f.cid} what={`CID of ${label}`} />
                    </td>
                    <td>
                      <div className="file-actions">
                        <a className="button-link" href={contentURL(f.cid)} download>
                          Download{' '}<span className="visually-hidden">{label}</span>
                        </a>
                        <button
                          type="button"
                          className="danger"
                          disabled={deleting !== null}
                          onClick={() => onDelete(f)}
                        >
                          {deleting === f.cid ? 'Deleting…' : 'Delete'}
                          {' '}<span className="visually-hidden">{label}</span>
                        </button>
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
