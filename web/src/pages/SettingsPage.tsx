import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import {
  getConfig,
  problemsOf,
  reloadConfig,
  resetConfig,
  restartKeys,
  saveConfig,
  type Config,
  type ConfigView,
  type Problem,
  type SaveResult,
} from '../api/config';
import { useEventStream } from '../api/events';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CONFIG_CHANGED } from '../hooks/useNotifications';
import { ProblemsContext } from './settings/fields';
import { AboutSection, DeveloperSection, StorageSection } from './settings/maintenance';
import { rebaseDraft } from './settings/rebase';
import { NotificationsSection } from './settings/notifications';
import { BackupServerSection, GeneralSection, ManifestServerSection, NodeSection, SyncSection } from './settings/sections';
import { UpdatesSection } from './settings/UpdatesSection';

/** The reference app's confirmation text for Reset to Defaults (§8.9). */
export const RESET_CONFIRM = 'Reset all settings to defaults? This cannot be undone.';

type Load = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; view: ConfigView };
type Busy = 'save' | 'reset' | 'reload' | null;
type Section = 'node' | 'sync' | 'notifications' | 'backup_server' | 'manifest_server';

interface Outcome {
  text: string;
  changed: string[];
  restart: string[];
}

interface Confirm {
  message: string;
  confirmLabel: string;
  action: () => void;
}

/**
 * Route /settings — config.toml editor (reference §8.9). Loads once; every
 * save answers with the new config, and changes made elsewhere arrive by
 * the config-changed event.
 */
export function SettingsPage() {
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  const [loadAttempt, setLoadAttempt] = useState(0);
  const [draft, setDraft] = useState<Config | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  /** A 409: the file is broken or was edited outside the app. */
  const [conflict, setConflict] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);

  useEffect(() => {
    let cancelled = false;
    getConfig()
      .then((view) => {
        if (cancelled) return;
        setLoad({ kind: 'ready', view });
        setDraft(view.config);
      })
      .catch((err: unknown) => {
        if (!cancelled) setLoad({ kind: 'error', message: errorText(err) });
      });
    return () => {
      cancelled = true;
    };
  }, [loadAttempt]);

  // Follow changes made elsewhere, keeping unsaved edits (see rebaseDraft).
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  const changedSeq = useRef(0);
  const followChange = () => {
    const mine = ++changedSeq.current;
    getConfig().then(
      (next) => {
        const l = loadRef.current;
        if (mine !== changedSeq.current || l.kind !== 'ready') return;
        if (JSON.stringify(l.view.config) === JSON.stringify(next.config)) return; // our own save
        setDraft((d) => (d ? rebaseDraft(l.view.config, next.config, d) : next.config));
        setLoad({ kind: 'ready', view: next });
      },
      () => undefined, // the next change, or Reload, reads again
    );
  };
  useEventStream('/api/events', { [CONFIG_CHANGED]: followChange });

  const view = load.kind === 'ready' ? load.view : null;
  const dirty = useMemo(
    () => view !== null && draft !== null && JSON.stringify(draft) !== JSON.stringify(view.config),
    [view, draft],
  );
  const problemMap = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const p of problems) m.set(p.key, [...(m.get(p.key) ?? []), p.message]);
    return m;
  }, [problems]);

  const retryLoad = () => {
    setLoad({ kind: 'loading' });
    setLoadAttempt((n) => n + 1);
  };

  const applyResult = (result: SaveResult, text: string) => {
    setLoad({ kind: 'ready', view: result });
    setDraft(result.config);
    setProblems([]);
    setConflict(null);
    setActionError(null);
    setOutcome({ text, changed: result.changed, restart: restartKeys(result) });
  };

  const failed = (err: unknown, action: Exclude<Busy, null>) => {
    setOutcome(null);
    const status = err instanceof ApiError ? err.status : -1;
    if (status === 422 && action === 'reload') {
      // The file is (still) broken: the server keeps running on what it had
      // and now reports the file's problems, with their lines, as broken.
      const fileProblems = problemsOf(err);
      setLoad((l) =>
        l.kind === 'ready' ? { kind: 'ready', view: { ...l.view, broken: { path: l.view.path, problems: fileProblems } } } : l,
      );
      setConflict(null);
      setActionError(null);
      return;
    }
    if (status === 422) {
      setProblems(problemsOf(err));
      setActionError(`Settings were not saved: ${errorText(err)}`);
      return;
    }
    if (status === 409) {
      setConflict(errorText(err));
      setActionError(null);
      return;
    }
    setActionError(`${ACTION_FAILED[action]}: ${errorText(err)}`);
  };

  const run = (action: Exclude<Busy, null>, call: () => Promise<SaveResult>, text: string) => {
    setBusy(action);
    call()
      .then((result) => applyResult(result, text))
      .catch((err: unknown) => failed(err, action))
      .finally(() => setBusy(null));
  };

  const save = (e?: FormEvent) => {
    e?.preventDefault();
    if (!draft || !dirty || busy) return;
    run('save', () => saveConfig(draft), 'Settings saved successfully!');
  };

  const askReset = () =>
    setConfirm({
      message: RESET_CONFIRM,
      confirmLabel: 'Reset',
      action: () => run('reset', resetConfig, 'Settings reset to defaults.'),
    });

  const reload = () => run('reload', reloadConfig, 'Reloaded config.toml from disk.');

  function patch<S extends Section>(section: S) {
    return (p: Partial<Config[S]>) => setDraft((d) => (d ? { ...d, [section]: { ...d[section], ...p } } : d));
  }
  const setTop = (p: Partial<Config>) => setDraft((d) => (d ? { ...d, ...p } : d));
  // Removing a list item shifts the indices the server's problems refer to.
  const dropListProblems = (key: string) => setProblems((ps) => ps.filter((p) => !p.key.startsWith(`${key}[`)));

  return (
    <section className="page settings-page">
      <header className="page-header">
        <h2 className="page-title">Settings</h2>
        {view && (
          <div className="page-actions">
            {dirty && <span className="unsaved">Unsaved changes</span>}
            <button type="button" disabled={!dirty || busy !== null} onClick={() => setDraft(view.config)}>
              Discard Changes
            </button>
            <button type="button" className="danger" disabled={busy !== null} onClick={askReset}>
              Reset to Defaults
            </button>
            <button type="submit" form="settings-form" className="primary" disabled={!dirty || busy !== null}>
              {busy === 'save' ? 'Saving…' : 'Save Settings'}
            </button>
          </div>
        )}
      </header>

      {load.kind === 'loading' && (
        <p className="empty-state" role="status">
          Loading settings…
        </p>
      )}

      {load.kind === 'error' && (
        <div className="error-banner" role="alert">
          <p>Could not load settings: {load.message}</p>
          <button type="button" onClick={retryLoad}>
            Retry
          </button>
        </div>
      )}

      {view && draft && (
        <>
          {(view.broken || conflict) && (
            <ConfigTrouble
              view={view}
              conflict={conflict}
              busy={busy !== null}
              onReload={reload}
              onReset={askReset}
            />
          )}

          {outcome && <OutcomeBanner outcome={outcome} />}

          {actionError && (
            <div className="error-banner" role="alert">
              <p>{actionError}</p>
              {problems.length > 0 && (
                <ul className="problem-list">
                  {problems.map((p, i) => (
                    <li key={i}>
                      {p.key && <code>{p.key}</code>} {p.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}

          <ProblemsContext.Provider value={problemMap}>
            <form id="settings-form" className="settings-form" noValidate onSubmit={save}>
              <GeneralSection config={draft} set={setTop} />
              <NodeSection node={draft.node} set={patch('node')} />
              <SyncSection sync={draft.sync} set={patch('sync')} onListRemove={dropListProblems} />
              <NotificationsSection n={draft.notifications} saved={view.config.notifications} set={patch('notifications')} />
              <ManifestServerSection m={draft.manifest_server} set={patch('manifest_server')} onListRemove={dropListProblems} />
              <BackupServerSection b={draft.backup_server} set={patch('backup_server')} onListRemove={dropListProblems} />
              <UpdatesSection config={draft} set={setTop} />
              {view.path && (
                <p className="config-path">
                  Settings file: <code>{view.path}</code>
                </p>
              )}
            </form>
          </ProblemsContext.Provider>
          {/* Actions that apply at once, outside the form: its Save does not concern them. */}
          <StorageSection />
          <DeveloperSection />
          <AboutSection />
        </>
      )}

      {confirm && (
        <ConfirmDialog
          message={confirm.message}
          confirmLabel={confirm.confirmLabel}
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            setConfirm(null);
            confirm.action();
          }}
        />
      )}
    </section>
  );
}

const ACTION_FAILED: Record<Exclude<Busy, null>, string> = {
  save: 'Settings were not saved',
  reset: 'Could not reset settings',
  reload: 'Could not reload config.toml',
};

function OutcomeBanner({ outcome }: { outcome: Outcome }) {
  return (
    <div className="outcome" role="status">
      <p className="success-banner">{outcome.text}</p>
      <p className="outcome-changed">
        {outcome.changed.length === 0 ? 'Nothing changed.' : <>Changed: {outcome.changed.join(', ')}</>}
      </p>
      {outcome.restart.length > 0 && (
        <p className="restart-notice">
          The node restarts to apply (if it is running): {outcome.restart.join(', ')}
        </p>
      )}
    </div>
  );
}

/** The file on disk is broken (the app runs on defaults) or a save was refused with 409: show why and the ways out. */
function ConfigTrouble({
  view,
  conflict,
  busy,
  onReload,
  onReset,
}: {
  view: ConfigView;
  conflict: string | null;
  busy: boolean;
  onReload: () => void;
  onReset: () => void;
}) {
  const broken = view.broken;
  const path = broken?.path || view.path;
  const file = baseName(path) || 'config.toml';
  return (
    <div className="config-trouble" role="alert">
      {broken ? (
        <p className="config-trouble-title">
          {file} has problems — the app is running on defaults and has not touched your file
        </p>
      ) : (
        <p className="config-trouble-title">Settings were not saved</p>
      )}
      {conflict && <p>{conflict}</p>}
      {path && (
        <p>
          File: <code>{path}</code>
        </p>
      )}
      {broken && broken.problems.length > 0 && (
        <ul className="problem-list">
          {broken.problems.map((p, i) => (
            <li key={i}>
              {p.line !== undefined && (
                <span className="problem-location">
                  line {p.line}
                  {p.column !== undefined && `:${p.column}`}
                </span>
              )}{' '}
              {p.key && <code>{p.key}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
      <div className="config-trouble-actions">
        <div>
          <button type="button" disabled={busy} onClick={onReload}>
            Reload from disk
          </button>{' '}
          <span className="field-hint">after fixing the file by hand (discards unsaved changes here).</span>
        </div>
        <div>
          <button type="button" className="danger" disabled={busy} onClick={onReset}>
            Reset to defaults
          </button>{' '}
          <span className="field-hint">keeps your file beside it as {file}.broken-….</span>
        </div>
      </div>
    </div>
  );
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? '';
}

/** The server's message without the status prefix; "API unreachable" when there was no answer. */
function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return `API unreachable: ${err.message}`;
    const body = err.body;
    if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string') return body.error;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
