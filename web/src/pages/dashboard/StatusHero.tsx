import type { NodeStatus } from '../../api/node';
import { useNow } from '../../hooks/useNow';
import { formatUptime, uptimeAt } from '../../lib/uptime';
import { NodeControls } from './NodeControls';
import { formatTime, plural, STATE_LABELS } from './nodeText';

interface Props {
  status: NodeStatus;
  receivedAt: number;
  onStatus: (s: NodeStatus) => void;
}

/** Live uptime of a running node, or null. The 1 s timer is display only: it asks the backend nothing. */
export function useUptime(status: NodeStatus, receivedAt: number): number | null {
  const running = status.state === 'running';
  const now = useNow(running);
  return running ? uptimeAt(status, receivedAt, Math.max(now, receivedAt)) : null;
}

/** Basic view's hero: pulsing dot, big state label, uptime, version and the controls (§8.3). */
export function StatusHero({ status, receivedAt, onStatus }: Props) {
  const uptime = useUptime(status, receivedAt);
  return (
    <div className={`status-hero node-${status.state}`}>
      <span className="status-dot" aria-hidden="true" />
      <div className="status-text">
        <p className="status-label" data-testid="node-state">
          {STATE_LABELS[status.state]}
        </p>
        {uptime !== null && <p className="status-uptime">Running for {formatUptime(uptime)}</p>}
        {status.version && <p className="status-version">Node {status.version}</p>}
      </div>
      <NodeControls status={status} onStatus={onStatus} />
    </div>
  );
}

/** What went wrong last, shown while lastError is set: restarts, giving up, the next automatic attempt. */
export function NodeErrorPanel({ status }: { status: NodeStatus }) {
  if (!status.lastError) return null;
  const next = formatTime(status.nextRestartAt);
  const attempts = status.gaveUp ? failuresBeforeGivingUp(status.lastError) : null;
  return (
    <div className="node-error-panel" role="alert">
      <p className="node-error-title">Last error</p>
      <p className="node-error-text">{status.lastError}</p>
      {status.restartCount > 0 && (
        <p className="node-error-meta">Automatic restarts since the app started: {status.restartCount}</p>
      )}
      {status.gaveUp && (
        <p className="node-error-meta node-gave-up">
          {attempts !== null ? `Gave up after ${plural(attempts, 'failed attempt')}` : 'Gave up restarting the node'}: start it
          again once the cause is fixed.
        </p>
      )}
      {next && <p className="node-error-meta">Next automatic restart at {next}.</p>}
    </div>
  );
}

/**
 * How many failures made the supervisor give up, as its error states it
 * ("gave up after the node failed 5 times within 10m0s; …"). restartCount
 * is not that number: it counts every automatic restart since the app
 * started. null when the error does not say.
 */
export function failuresBeforeGivingUp(lastError: string): number | null {
  const m = /gave up after the node failed (\d+) times/.exec(lastError);
  return m?.[1] ? Number(m[1]) : null;
}
