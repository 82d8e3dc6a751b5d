import { useState } from 'react';
import { nodeAction, statusFromError, type NodeAction, type NodeStatus } from '../../api/node';
import { errorText } from '../../lib/errorText';

const BUSY_LABELS: Record<NodeAction, string> = { start: 'Starting...', stop: 'Stopping...', restart: 'Restarting...' };
const FAILED: Record<NodeAction, string> = {
  start: 'Could not start the node',
  stop: 'Could not stop the node',
  restart: 'Could not restart the node',
};

/**
 * Start / Stop / Restart as the state allows (reference §8.3): stopped or
 * error → Start Node; running → Stop Node + Restart; starting / stopping →
 * a disabled label (plus Stop while an automatic restart is only waiting,
 * which cancels it). The answer — or the status a refusal carries — goes to
 * onStatus; a refusal's reason is shown here, by the buttons.
 */
export function NodeControls({ status, onStatus }: { status: NodeStatus; onStatus: (s: NodeStatus) => void }) {
  const [busy, setBusy] = useState<NodeAction | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = (action: NodeAction) => {
    setBusy(action);
    setError(null);
    nodeAction(action)
      .then(onStatus)
      .catch((err: unknown) => {
        const after = statusFromError(err);
        if (after) onStatus(after);
        setError(`${FAILED[action]}: ${errorText(err)}`);
      })
      .finally(() => setBusy(null));
  };

  const { state } = status;
  const waitingToRestart = state === 'starting' && status.nextRestartAt !== undefined;
  const disabled = busy !== null;

  return (
    <div className="node-controls">
      <div className="node-buttons">
        {(state === 'stopped' || state === 'error') && (
          <button type="button" className="primary" disabled={disabled} onClick={() => run('start')}>
            {busy === 'start' ? BUSY_LABELS.start : 'Start Node'}
          </button>
        )}
        {state === 'running' && (
          <>
            <button type="button" className="danger" disabled={disabled} onClick={() => run('stop')}>
              {busy === 'stop' ? BUSY_LABELS.stop : 'Stop Node'}
            </button>
            <button type="button" disabled={disabled} onClick={() => run('restart')}>
              {busy === 'restart' ? BUSY_LABELS.restart : 'Restart'}
            </button>
          </>
        )}
        {(state === 'starting' || state === 'stopping') && (
          <button type="button" disabled>
            {state === 'starting' ? 'Starting...' : 'Stopping...'}
          </button>
        )}
        {waitingToRestart && (
          <button type="button" className="danger" disabled={disabled} onClick={() => run('stop')}>
            {busy === 'stop' ? BUSY_LABELS.stop : 'Stop Node'}
          </button>
        )}
      </div>
      {error && (
        <p className="node-action-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
