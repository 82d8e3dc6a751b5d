// The Updates block of Settings: the [updates] keys of the draft config
// (saved with the page), and the updater's live state with "Check now" and
// "Roll back", which act at once on the saved settings.
import { useState } from 'react';
import type { Config, UpdatesConfig } from '../../api/config';
import { checkForUpdate, getUpdate, rollbackUpdate, UPDATE_EVENT, updateStateOfEvent, type UpdateState } from '../../api/update';
import { useLiveState } from '../../hooks/useLiveState';
import { useNow } from '../../hooks/useNow';
import { errorText } from '../../lib/errorText';
import { formatRelativeTime } from '../../lib/format';
import { CheckboxField, TextField } from './fields';
import { SettingsSection } from './sections';
import '../../styles/update.css';

/** Mounted in the Settings form as `<UpdatesSection config={draft} set={setTop} />`. */
export function UpdatesSection({ config, set }: { config: Config; set: (patch: Partial<Config>) => void }) {
  const u = config.updates;
  const change = (p: Partial<UpdatesConfig>) => set({ updates: { ...u, ...p } });
  return (
    <SettingsSection title="Updates">
      <CheckboxField
        name="updates.enabled"
        label="Check for updates automatically"
        hint="At start and every 12 hours. Nothing is installed without your consent."
        checked={u.enabled}
        onChange={(enabled) => change({ enabled })}
      />
      <TextField
        name="updates.feed_url"
        label="Release feed URL"
        hint="https (or http to this machine, for testing). Whatever the feed, every update must carry a signature from the key built into Archivist."
        value={u.feed_url}
        onChange={(feed_url) => change({ feed_url })}
      />
      <UpdateStatus />
    </SettingsSection>
  );
}

/** What the updater knows, live, with the actions that need no saving. */
function UpdateStatus() {
  const { state, error: readError, apply } = useLiveState(getUpdate, UPDATE_EVENT, updateStateOfEvent);
  const [busy, setBusy] = useState<'check' | 'rollback' | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const now = useNow(true, 30_000);

  const run = (what: 'check' | 'rollback', action: () => Promise<UpdateState>) => {
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

  if (!state) {
    return readError ? (
      <p className="update-error" role="alert">
        Could not read the updater&apos;s state: {readError}
      </p>
    ) : null;
  }
  const error = actionError ?? (state.error || null);
  return (
    <div className="update-status" data-testid="update-status">
      <p>
        This is Archivist {state.current} ({state.platform}){state.developmentBuild && ', a development build: it is checked only when you ask'}.
      </p>
      <p>{statusLine(state, now)}</p>
      {state.installed && <p>Version {state.installed} is installed and runs from the next start.</p>}
      {state.rolledBack && <p>The previous version is back in place and runs from the next start.</p>}
      {error && (
        <p className="update-error" role="alert">
          {error}
        </p>
      )}
      <div className="update-actions">
        <button type="button" disabled={busy !== null || state.checking} onClick={() => run('check', checkForUpdate)}>
          {busy === 'check' || state.checking ? 'Checking…' : 'Check now'}
        </button>
        {state.canRollback && (
          <button type="button" disabled={busy !== null} onClick={() => run('rollback', rollbackUpdate)}>
            {busy === 'rollback' ? 'Rolling back…' : 'Roll back to the previous version'}
          </button>
        )}
        <span className="update-note">Check now reads the saved feed URL.</span>
      </div>
    </div>
  );
}

function statusLine(s: UpdateState, now: number): string {
  if (!s.checkedAt) return 'Not checked yet.';
  const when = `Last checked ${formatRelativeTime(s.checkedAt, now)}`;
  if (!s.latest) return `${when}.`;
  if (s.available) return `${when}: version ${s.latest.version} is available (see the notice at the top of the page).`;
  return `${when}: up to date (the latest release is ${s.latest.version}).`;
}
