import { useId } from 'react';
import { Link } from 'react-router-dom';
import type { NodeStatus } from '../../api/node';
import type { SyncState } from '../../api/sync';
import { formatUptime } from '../../lib/uptime';
import { RecentUploads, SyncStatusValue } from './Activity';
import { DiagnosticsPanel, type DiagnosticsState } from './DiagnosticsPanel';
import { NodeControls } from './NodeControls';
import { formatTime, STATE_LABELS } from './nodeText';
import { ShareCard } from './ShareCard';
import { BlocksValue, PeersValue, StorageValue } from './Stats';
import { NodeErrorPanel, useUptime } from './StatusHero';

interface Props {
  status: NodeStatus;
  receivedAt: number;
  onStatus: (s: NodeStatus) => void;
  diag: DiagnosticsState;
  sync: SyncState | null;
}

/** Advanced view (§8.3): four stat cards, peer identity, node details and diagnostics. */
export function AdvancedView({ status, receivedAt, onStatus, diag, sync }: Props) {
  const uptime = useUptime(status, receivedAt);
  return (
    <div className="advanced-view">
      <div className="stat-cards">
        <div className={`stat-card node-status-card node-${status.state}`}>
          <span className="stat-label">Node Status</span>
          <span className="stat-value status-inline">
            <span className="status-dot" aria-hidden="true" />
            <span data-testid="node-state">{STATE_LABELS[status.state]}</span>
          </span>
          <dl className="mini-list">
            <dt>PID</dt>
            <dd>{status.pid ?? '—'}</dd>
            <dt>Version</dt>
            <dd>{status.version ?? 'unknown'}</dd>
            <dt>Uptime</dt>
            <dd>{uptime !== null ? formatUptime(uptime) : '—'}</dd>
            {status.restartCount > 0 && (
              <>
                <dt>Restarts</dt>
                <dd>{status.restartCount}</dd>
              </>
            )}
          </dl>
          <NodeControls status={status} onStatus={onStatus} />
        </div>
        <div className="stat-card">
          <span className="stat-label">Connected Peers</span>
          <PeersValue status={status} />
          <Link to="/devices" className="stat-hint">
            My Devices →
          </Link>
        </div>
        <div className="stat-card">
          <span className="stat-label">Storage</span>
          <StorageValue status={status} detailed />
        </div>
        <div className="stat-card">
          <span className="stat-label">Blocks Stored</span>
          <BlocksValue status={status} />
        </div>
        <Link to="/sync" className="stat-card">
          <span className="stat-label">Sync Status</span>
          <SyncStatusValue sync={sync} />
        </Link>
      </div>

      <NodeErrorPanel status={status} />
      <ShareCard status={status} title="Peer Identity" />
      <RecentUploads sync={sync} limit={5} />
      <NodeDetails status={status} />
      <DiagnosticsPanel diag={diag} />
    </div>
  );
}

function Detail({ label, value, code }: { label: string; value: string | number | undefined; code?: boolean }) {
  const shown = value === undefined || value === '' ? '—' : value;
  return (
    <>
      <dt>{label}</dt>
      <dd>{code && shown !== '—' ? <code>{shown}</code> : shown}</dd>
    </>
  );
}

/** Where the node runs from and what it is: process, API, files. */
function NodeDetails({ status }: { status: NodeStatus }) {
  const titleId = useId();
  return (
    <section className="dash-panel node-details" aria-labelledby={titleId}>
      <h3 id={titleId} className="panel-heading">
        Node Details
      </h3>
      <dl className="detail-list">
        <Detail label="PID" value={status.pid} />
        <Detail label="API URL" value={status.apiUrl} code />
        <Detail label="Version" value={[status.version, status.revision].filter(Boolean).join(' ')} />
        <Detail label="Data directory" value={status.dataDir} code />
        <Detail label="Binary" value={status.binary} code />
        <dt>Log file</dt>
        <dd>
          {status.logFile ? <code>{status.logFile}</code> : 'kept in memory only'} <Link to="/logs">View logs</Link>
        </dd>
        <Detail label="Restart count" value={status.restartCount} />
        <dt>Listen addresses</dt>
        <dd>
          {status.addresses.length === 0 ? (
            '—'
          ) : (
            <ul className="plain-list">
              {status.addresses.map((a) => (
                <li key={a}>
                  <code>{a}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
        <Detail label="Last answer from node" value={formatTime(status.checkedAt)} />
      </dl>
    </section>
  );
}
