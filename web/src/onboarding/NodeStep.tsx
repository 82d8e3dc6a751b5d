import { useEffect, useRef, useState } from 'react';
import { startNode, restartNode, statusFromError } from '../api/node';
import { useNodeStatus } from '../hooks/useNodeStatus';
import { errorText } from '../lib/errorText';

/** How long "Node Ready!" stays before moving on, so the user sees it. */
export const READY_PAUSE_MS = 800;

/**
 * Waits for the real node: starts it when it is stopped (the app normally
 * starts it on its own), follows its status from the event stream, and
 * moves on once its API answers. A failure shows the supervisor's reason
 * with a Retry (the reference had none, §11.15).
 */
export function NodeStep({ onReady }: { onReady: () => void }) {
  const { status, error: readError, apply, refresh } = useNodeStatus();
  const [startError, setStartError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const asked = useRef(false);

  const start = (restart: boolean) => {
    setStarting(true);
    setStartError(null);
    (restart ? restartNode() : startNode()).then(
      (s) => {
        apply(s);
        setStarting(false);
      },
      (err: unknown) => {
        const s = statusFromError(err);
        if (s) apply(s);
        setStartError(errorText(err));
        setStarting(false);
      },
    );
  };

  const state = status?.state;
  useEffect(() => {
    if (state === 'stopped' && !asked.current) {
      asked.current = true;
      start(false);
    }
    // start is stable enough: it only uses setters and apply
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [state]);

  useEffect(() => {
    if (state !== 'running') return;
    const t = setTimeout(onReady, READY_PAUSE_MS);
    return () => clearTimeout(t);
  }, [state, onReady]);

  const failed = state === 'error' || (startError !== null && !starting && state !== 'running' && state !== 'starting');
  if (failed) {
    return (
      <section className="onboarding-step" aria-labelledby="node-title">
        <h1 id="node-title" className="onboarding-error-title">
          Connection Error
        </h1>
        <p role="alert" className="field-error">
          {startError ?? status?.lastError ?? 'The storage node stopped unexpectedly.'}
        </p>
        {status?.nextRestartAt && !status.gaveUp && <p>Archivist is also retrying on its own.</p>}
        <div className="onboarding-actions">
          <button type="button" className="primary" onClick={() => start(state === 'error')} disabled={starting}>
            {starting ? 'Retrying…' : 'Retry'}
          </button>
        </div>
      </section>
    );
  }
  if (readError && !status) {
    return (
      <section className="onboarding-step" aria-labelledby="node-title">
        <h1 id="node-title" className="onboarding-error-title">
          Cannot reach Archivist
        </h1>
        <p role="alert" className="field-error">
          {readError}
        </p>
        <div className="onboarding-actions">
          <button type="button" className="primary" onClick={refresh}>
            Retry
          </button>
        </div>
      </section>
    );
  }
  if (state === 'running') {
    return (
      <section className="onboarding-step" aria-labelledby="node-title" aria-live="polite">
        <p className="onboarding-check" aria-hidden="true">
          ✓
        </p>
        <h1 id="node-title">Node Ready!</h1>
        <p>Your node is running{status?.peerId ? ` as ${status.peerId.slice(0, 12)}…` : ''}.</p>
      </section>
    );
  }
  return (
    <section className="onboarding-step" aria-labelledby="node-title" aria-live="polite" aria-busy="true">
      <div className="spinner" aria-hidden="true" />
      <h1 id="node-title">Starting Node...</h1>
      <p>{state === 'starting' ? 'Initializing your local node...' : 'Waiting for the node...'}</p>
    </section>
  );
}
