import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { getDiagnostics, type CheckStatus, type Diagnostics } from '../../api/node';
import { errorText } from '../../lib/errorText';
import { formatTime } from './nodeText';

export interface DiagnosticsState {
  result: Diagnostics | null;
  error: string | null;
  running: boolean;
  run: () => void;
  /** Runs unless a run was already started: the panel calls it when it opens. */
  runOnce: () => void;
}

/** Diagnostics runs, kept by the page so switching views does not throw the last result away. */
export function useDiagnostics(): DiagnosticsState {
  const [result, setResult] = useState<Diagnostics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const started = useRef(false);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  const run = useCallback(() => {
    started.current = true;
    setRunning(true);
    setError(null);
    getDiagnostics()
      .then((d) => {
        if (alive.current) setResult(d);
      })
      .catch((err: unknown) => {
        if (alive.current) setError(errorText(err));
      })
      .finally(() => {
        if (alive.current) setRunning(false);
      });
  }, []);

  const runOnce = useCallback(() => {
    if (!started.current) run();
  }, [run]);

  return { result, error, running, run, runOnce };
}

const ICONS: Record<CheckStatus, string> = { ok: '✓', warn: '⚠', fail: '✗', unknown: '?' };
const STATUS_TEXT: Record<CheckStatus, string> = { ok: 'ok', warn: 'warning', fail: 'failed', unknown: 'unknown' };
/** Class names the reference's e2e tests look for (`.diagnostic-item.success`). */
const ITEM_CLASS: Record<CheckStatus, string> = { ok: 'success', warn: 'warning', fail: 'error', unknown: 'unknown' };

const PEER_PREVIEW = 20;

/** Advanced view's diagnostics (§8.3): runs once when first opened, and again on "Run diagnostics". */
export function DiagnosticsPanel({ diag }: { diag: DiagnosticsState }) {
  const titleId = useId();
  const { result, error, running, run, runOnce } = diag;

  useEffect(() => {
    runOnce();
  }, [runOnce]);

  const allOk = result !== null && result.checks.length > 0 && result.checks.every((c) => c.status === 'ok');

  return (
    <section className="dash-panel diagnostics-panel" aria-labelledby={titleId} aria-busy={running}>
      <div className="panel-head">
        <h3 id={titleId} className="panel-heading">
          Diagnostics
        </h3>
        <button type="button" disabled={running} onClick={run}>
          {running ? 'Running…' : 'Run diagnostics'}
        </button>
      </div>

      {error && (
        <p className="node-action-error" role="alert">
          Could not run diagnostics: {error}
        </p>
      )}
      {!result && running && <p className="empty-state">Checking the node…</p>}

      {result && (
        <div className="diagnostic-results">
          <dl className="detail-list">
            <dt>API reachable</dt>
            <dd className={result.apiReachable ? 'diag-yes' : 'diag-no'}>{result.apiReachable ? '✓ yes' : '✗ no'}</dd>
            <dt>API URL</dt>
            <dd>
              <code>{result.apiUrl || '—'}</code>
            </dd>
            <dt>Node version</dt>
            <dd>{result.nodeVersion ?? 'unknown'}</dd>
            <dt>Peer ID</dt>
            <dd>
              {result.peerId ? (
                <code title={result.peerId}>
                  {result.peerId.length > PEER_PREVIEW ? `${result.peerId.slice(0, PEER_PREVIEW)}…` : result.peerId}
                </code>
              ) : (
                'unknown'
              )}
            </dd>
            <dt>Network addresses</dt>
            <dd className={result.apiReachable && result.addressCount === 0 ? 'diag-no' : undefined}>
              {result.apiReachable ? `${result.addressCount} found` : 'unknown'}
            </dd>
            {result.error && (
              <>
                <dt>Error</dt>
                <dd className="diag-no">{result.error}</dd>
              </>
            )}
          </dl>

          <ul className="diagnostic-list">
            {result.checks.map((c) => (
              <li key={c.id} className={`diagnostic-item ${ITEM_CLASS[c.status]}`}>
                <span className="diagnostic-icon" aria-hidden="true">
                  {ICONS[c.status]}
                </span>
                <div className="diagnostic-body">
                  <p className="diagnostic-name">
                    {c.name} <span className="visually-hidden">({STATUS_TEXT[c.status]})</span>
                  </p>
                  {c.detail && <p className="diagnostic-detail">{c.detail}</p>}
                  {c.tip && <p className="diagnostic-tip">Tip: {c.tip}</p>}
                </div>
              </li>
            ))}
          </ul>
          {allOk && <p className="success-banner">✓ Everything looks good!</p>}
          {result.checkedAt && <p className="stat-hint">Checked at {formatTime(result.checkedAt)}</p>}
        </div>
      )}
    </section>
  );
}
