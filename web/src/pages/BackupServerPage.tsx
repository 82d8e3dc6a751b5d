import { useState } from 'react';
import {
  disableBackupServer,
  enableBackupServer,
  pauseBackupServer,
  pollBackupServer,
  resumeBackupServer,
  retryManifest,
  type BackupServerState,
  type Manifest,
} from '../api/backups';
import { useNow } from '../hooks/useNow';
import { errorText } from '../lib/errorText';
import { manifestKey, manifestName, MODE_LABELS, MODE_TONES } from './backupserver/backupText';
import { FailedPanel, InProgressPanel, ProcessedPanel } from './backupserver/ManifestTables';
import { ConfigPanel, StatCards } from './backupserver/Overview';
import { SourcesPanel } from './backupserver/SourcesPanel';
import { useBackupServerState } from './backupserver/useBackupServerState';
import '../styles/dashboard.css';
import './backupserver/backupserver.css';

export const DISABLED_TEXT =
  'Backup daemon is disabled. Enable it to automatically process manifests from source peers.';
export const PAUSED_TEXT = 'Backup daemon is paused: sources are not polled and nothing is downloaded until you resume it.';

type Action = 'enable' | 'disable' | 'pause' | 'resume' | 'poll';

const ACTIONS: Record<Action, { call: () => Promise<BackupServerState>; busy: string; failed: string }> = {
  enable: { call: enableBackupServer, busy: 'Enabling...', failed: 'Could not enable the daemon' },
  disable: { call: disableBackupServer, busy: 'Disabling...', failed: 'Could not disable the daemon' },
  pause: { call: pauseBackupServer, busy: 'Pausing...', failed: 'Could not pause the daemon' },
  resume: { call: resumeBackupServer, busy: 'Resuming...', failed: 'Could not resume the daemon' },
  poll: { call: pollBackupServer, busy: 'Polling...', failed: 'Could not poll the sources' },
};

type Notice = { kind: 'ok' | 'error'; text: string };

/**
 * Route /backup-server (reference §8.7, with the §11 bugs fixed): this
 * machine as the backup server of its paired devices. The state is read
 * once and then follows the backend's backup-server-state events (see
 * useBackupServerState), so figures and progress bars are live without
 * polling. Actions answer with the new state; their errors go to a banner
 * the user can dismiss.
 */
export function BackupServerPage() {
  const { state, error, refresh, apply, stream } = useBackupServerState();
  const [busy, setBusy] = useState<Action | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [dismissedError, setDismissedError] = useState<string | null>(null);
  const [retrying, setRetrying] = useState<ReadonlySet<string>>(() => new Set());
  const now = useNow(true, 15_000);

  const run = (action: Action) => {
    const a = ACTIONS[action];
    setBusy(action);
    setNotice(null);
    a.call()
      .then(apply)
      .catch((err: unknown) => setNotice({ kind: 'error', text: `${a.failed}: ${errorText(err)}` }))
      .finally(() => setBusy(null));
  };

  const retry = (m: Manifest) => {
    const key = manifestKey(m);
    setRetrying((s) => new Set(s).add(key));
    setNotice(null);
    retryManifest(m.source, m.folderId, m.sequence)
      .then(() => {
        setNotice({ kind: 'ok', text: `Retrying ${manifestName(m)}.` });
        // The backend publishes the new state; read it only when events cannot arrive.
        if (stream !== 'live') refresh();
      })
      .catch((err: unknown) => setNotice({ kind: 'error', text: `Could not retry ${manifestName(m)}: ${errorText(err)}` }))
      .finally(() =>
        setRetrying((s) => {
          const next = new Set(s);
          next.delete(key);
          return next;
        }),
      );
  };

  const label = (action: Action, idle: string) => (busy === action ? ACTIONS[action].busy : idle);
  const mode = state?.mode;
  const loadError = error !== null && error !== dismissedError ? error : null;

  return (
    <section className="page bs-page">
      <header className="page-header">
        <div className="bs-heading">
          <h1 className="page-title">Backup Server Dashboard</h1>
          {state && (
            <span className={`badge bs-badge tone-${MODE_TONES[state.mode]}`} data-testid="bs-mode">
              <span className="badge-dot" aria-hidden="true" />
              {MODE_LABELS[state.mode]}
            </span>
          )}
        </div>
        {state && (
          <div className="page-actions">
            {mode === 'disabled' ? (
              <button type="button" className="primary" disabled={busy !== null} onClick={() => run('enable')}>
                {label('enable', 'Enable Daemon')}
              </button>
            ) : (
              <>
                <button
                  type="button"
                  disabled={busy !== null || mode !== 'running' || state.polling}
                  title={mode !== 'running' ? 'Resume the daemon to poll' : undefined}
                  onClick={() => run('poll')}
                >
                  {busy === 'poll' || state.polling ? 'Polling...' : 'Poll now'}
                </button>
                {mode === 'paused' ? (
                  <button type="button" className="primary" disabled={busy !== null} onClick={() => run('resume')}>
                    {label('resume', 'Resume')}
                  </button>
                ) : (
                  <button type="button" disabled={busy !== null} onClick={() => run('pause')}>
                    {label('pause', 'Pause')}
                  </button>
                )}
                <button type="button" className="danger" disabled={busy !== null} onClick={() => run('disable')}>
                  {label('disable', 'Disable Daemon')}
                </button>
              </>
            )}
          </div>
        )}
      </header>

      {loadError && (
        <div className="error-banner bs-banner" role="alert">
          <p>
            {state ? 'Could not refresh the backup server state' : 'Could not load the backup server'}: {loadError}
          </p>
          <div className="bs-banner-actions">
            <button type="button" onClick={refresh}>
              Retry
            </button>
            <button type="button" onClick={() => setDismissedError(loadError)}>
              Dismiss <span className="visually-hidden">error</span>
            </button>
          </div>
        </div>
      )}

      {notice?.kind === 'error' && (
        <div className="error-banner bs-banner" role="alert">
          <p>{notice.text}</p>
          <button type="button" onClick={() => setNotice(null)}>
            Dismiss <span className="visually-hidden">error</span>
          </button>
        </div>
      )}
      {notice?.kind === 'ok' && (
        <p className="success-banner bs-notice" role="status">
          {notice.text}
        </p>
      )}

      {state === null ? (
        !error && (
          <p className="empty-state" role="status">
            Loading the backup server…
          </p>
        )
      ) : (
        <>
          {state.mode === 'disabled' && (
            <div className="bs-info-banner" role="status">
              <p>{DISABLED_TEXT}</p>
            </div>
          )}
          {state.mode === 'paused' && (
            <div className="bs-info-banner bs-info-warn" role="status">
              <p>{PAUSED_TEXT}</p>
            </div>
          )}

          <StatCards state={state} now={now} />

          <ConfigPanel state={state} />
          <SourcesPanel sources={state.sources} now={now} />

          <InProgressPanel manifests={state.inProgress} now={now} />
          <FailedPanel
            manifests={state.failed}
            maxRetries={state.config.max_retries}
            now={now}
            retrying={retrying}
            onRetry={retry}
          />
          <ProcessedPanel manifests={state.processed} now={now} />
        </>
      )}
    </section>
  );
}
