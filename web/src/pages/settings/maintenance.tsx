// Settings → Storage, Developer and About (reference §8.9): actions that act
// at once, each behind a confirmation, rather than fields of config.toml.
import { useEffect, useState } from 'react';
import { deleteAllFiles } from '../../api/files';
import { ONBOARDING_RESET, putOnboarding } from '../../api/onboarding';
import { fetchVersion, formatVersion, type VersionInfo } from '../../api/version';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { errorText } from '../../lib/errorText';
import { SettingsSection } from './sections';

/** The reference's confirmation texts. */
export const CLEAR_STORAGE_CONFIRM = 'Delete all files from storage? This cannot be undone.';
export const ONBOARDING_CONFIRM = 'Reset onboarding? The welcome screens show again from the start, right after this.';

type Outcome = { ok: boolean; text: string } | null;

function OutcomeLine({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  return (
    <p className={outcome.ok ? 'field-hint' : 'field-error'} role={outcome.ok ? 'status' : 'alert'}>
      {outcome.text}
    </p>
  );
}

export function StorageSection() {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const clear = () => {
    setAsking(false);
    setBusy(true);
    setOutcome(null);
    deleteAllFiles()
      .then((n) => setOutcome({ ok: true, text: `Deleted ${n} ${n === 1 ? 'file' : 'files'} from storage.` }))
      .catch((err: unknown) => setOutcome({ ok: false, text: `Could not clear storage: ${errorText(err)}` }))
      .finally(() => setBusy(false));
  };
  return (
    <SettingsSection title="Storage">
      <p className="field-hint">
        Delete every file this device’s node stores (the files listed on the Restore page). Files in your watched folders
        on disk are not touched.
      </p>
      <button type="button" className="danger" disabled={busy} onClick={() => setAsking(true)}>
        {busy ? 'Clearing…' : 'Clear Storage'}
      </button>
      <OutcomeLine outcome={outcome} />
      {asking && (
        <ConfirmDialog
          message={CLEAR_STORAGE_CONFIRM}
          confirmLabel="Delete All"
          danger
          onCancel={() => setAsking(false)}
          onConfirm={clear}
        />
      )}
    </SettingsSection>
  );
}

export function DeveloperSection({ reload = () => window.location.reload() }: { reload?: () => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const reset = () => {
    setAsking(false);
    setBusy(true);
    setOutcome(null);
    putOnboarding(ONBOARDING_RESET).then(
      () => reload(),
      (err: unknown) => {
        setBusy(false);
        setOutcome({ ok: false, text: `Could not reset onboarding: ${errorText(err)}` });
      },
    );
  };
  return (
    <SettingsSection title="Developer">
      <p className="field-hint">Show the first-run welcome screens again.</p>
      <button type="button" disabled={busy} onClick={() => setAsking(true)}>
        {busy ? 'Resetting…' : 'Reset Onboarding'}
      </button>
      <OutcomeLine outcome={outcome} />
      {asking && (
        <ConfirmDialog
          message={ONBOARDING_CONFIRM}
          confirmLabel="Reset Onboarding"
          danger
          onCancel={() => setAsking(false)}
          onConfirm={reset}
        />
      )}
    </SettingsSection>
  );
}

/** The platform as the browser names it (the machine running the UI, which is this one except over the network). */
function platform(): string {
  const nav = navigator as Navigator & { userAgentData?: { platform?: string } };
  return nav.userAgentData?.platform || nav.platform || 'unknown';
}

export function AboutSection() {
  const [version, setVersion] = useState<VersionInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    fetchVersion().then(
      (v) => {
        if (cancelled) return;
        if (typeof v?.version === 'string') setVersion(v);
        else setError('unexpected answer from /api/version');
      },
      (err: unknown) => !cancelled && setError(errorText(err)),
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return (
    <SettingsSection title="About">
      <dl className="about-list">
        <dt>Version</dt>
        <dd>{version ? formatVersion(version) : error ? `unknown (${error})` : '…'}</dd>
        {version?.buildDate && (
          <>
            <dt>Built</dt>
            <dd>{version.buildDate}</dd>
          </>
        )}
        <dt>Platform</dt>
        <dd>{platform()}</dd>
        <dt>Website</dt>
        <dd>
          <a href="https://archivist.storage" target="_blank" rel="noopener noreferrer">
            archivist.storage
          </a>
        </dd>
      </dl>
    </SettingsSection>
  );
}
