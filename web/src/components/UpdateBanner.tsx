import { useState } from 'react';
import {
  cancelInstallOnQuit,
  getUpdate,
  installUpdate,
  rollbackUpdate,
  UPDATE_EVENT,
  updateStateOfEvent,
  type UpdateState,
} from '../api/update';
import { useLiveState } from '../hooks/useLiveState';
import { errorText } from '../lib/errorText';
import { ProgressBar } from './ProgressBar';
import '../styles/update.css';

/** localStorage: the version whose offer the user put off with "Later". */
export const LATER_KEY = 'archivist_update_later';

type Busy = 'now' | 'quit' | 'cancel' | 'rollback' | null;

/**
 * Offers a newer version above every page: its version and what's new (the
 * feed's notes, as plain text), Install now, Install when I quit, Later.
 * After an install it says the new version runs from the next start. The
 * state comes from GET /api/update and the update-state events, so the
 * download's progress is the real byte count.
 */
export function UpdateBanner() {
  const { state, apply } = useLiveState(getUpdate, UPDATE_EVENT, updateStateOfEvent);
  const [later, setLater] = useState<string | null>(() => readLater());
  const [busy, setBusy] = useState<Busy>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  if (!state) return null;
  const latest = state.latest;
  const offering = state.available && latest !== null && (later !== latest.version || state.installOnQuit);
  if (!offering && !state.installed && !state.rolledBack) return null;

  const run = (what: Exclude<Busy, null>, action: () => Promise<UpdateState>) => {
    setBusy(what);
    setActionError(null);
    action().then(
      (s) => {
        apply(s);
        setBusy(null);
      },
      (err: unknown) => {
        setActionError(errorText(err));
        setBusy(null);
      },
    );
  };

  const putOff = () => {
    if (!latest) return;
    try {
      localStorage.setItem(LATER_KEY, latest.version);
    } catch {
      // Storage may be unavailable (private mode); hiding for this session still works.
    }
    setLater(latest.version);
  };

  if (!offering) {
    return (
      <aside className="update-banner" aria-label="Update">
        <p className="update-title">
          {state.installed
            ? `Archivist ${state.installed} is installed. Restart Archivist to use it.`
            : 'The previous version is back in place. Restart Archivist to use it.'}
        </p>
        {actionError && (
          <p className="update-error" role="alert">
            {actionError}
          </p>
        )}
        {state.installed && state.canRollback && (
          <div className="update-actions">
            <button type="button" disabled={busy !== null} onClick={() => run('rollback', rollbackUpdate)}>
              {busy === 'rollback' ? 'Rolling back…' : 'Roll back'}
            </button>
          </div>
        )}
      </aside>
    );
  }

  const error = actionError ?? (state.error || null);
  return (
    <aside className="update-banner" aria-label="Update available">
      <p className="update-title">
        Archivist {latest.version} is available <span className="update-current">(you have {state.current})</span>
      </p>
      {latest.notes && (
        <details className="update-notes">
          <summary>What&apos;s new</summary>
          {/* Text from the release feed: a text node, never HTML. */}
          <pre>{latest.notes}</pre>
        </details>
      )}
      {state.downloading && (
        <ProgressBar done={state.downloaded} total={state.total} label={`Downloading Archivist ${latest.version}`} />
      )}
      {error && (
        <p className="update-error" role="alert">
          {error}
        </p>
      )}
      {state.installOnQuit ? (
        <div className="update-actions">
          <span className="update-note">Downloaded and verified; it will be installed when you quit Archivist.</span>
          <button type="button" className="primary" disabled={busy !== null} onClick={() => run('now', () => installUpdate('now'))}>
            {busy === 'now' ? 'Installing…' : 'Install now'}
          </button>
          <button type="button" disabled={busy !== null} onClick={() => run('cancel', cancelInstallOnQuit)}>
            Don&apos;t install on quit
          </button>
        </div>
      ) : (
        <div className="update-actions">
          <button type="button" className="primary" disabled={busy !== null} onClick={() => run('now', () => installUpdate('now'))}>
            {busy === 'now' ? 'Installing…' : 'Install now'}
          </button>
          <button type="button" disabled={busy !== null} onClick={() => run('quit', () => installUpdate('quit'))}>
            {busy === 'quit' ? 'Downloading…' : 'Install when I quit'}
          </button>
          <button type="button" className="link-button" disabled={busy !== null} onClick={putOff}>
            Later
          </button>
        </div>
      )}
    </aside>
  );
}

function readLater(): string | null {
  try {
    return localStorage.getItem(LATER_KEY);
  } catch {
    return null;
  }
}
