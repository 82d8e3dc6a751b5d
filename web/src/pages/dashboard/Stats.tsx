import { Link } from 'react-router-dom';
import type { NodeStatus } from '../../api/node';
import type { SyncState } from '../../api/sync';
import { formatBytes } from '../../lib/format';
import { LastBackupValue } from './Activity';
import { formatTime } from './nodeText';

/** Figures are only real once the node's API has answered at least once (checkedAt). */
function figuresKnown(status: NodeStatus): boolean {
  return status.checkedAt !== undefined;
}

/** "as of 10:42:03" when the figures are not live (the node is not running). */
function AsOf({ status }: { status: NodeStatus }) {
  if (status.state === 'running' || !status.checkedAt) return null;
  return <span className="stat-hint">last read {formatTime(status.checkedAt)}</span>;
}

/** Connected peers, or "unknown" when the node does not report them (never a made-up 0). */
export function PeersValue({ status }: { status: NodeStatus }) {
  if (status.peerCount === null) {
    return (
      <span className="stat-value stat-unknown" title="The node does not report its connected peers">
        unknown
      </span>
    );
  }
  return <span className="stat-value">{status.peerCount}</span>;
}

/** used / quota with a bar; "—" until the node reported its storage. */
export function StorageValue({ status, detailed }: { status: NodeStatus; detailed?: boolean }) {
  if (!figuresKnown(status)) return <span className="stat-value stat-unknown">—</span>;
  const { storageUsedBytes: used, storageQuotaBytes: quota, storageReservedBytes: reserved } = status;
  return (
    <>
      <span className="stat-value">
        {formatBytes(used)} <span className="stat-of">/ {quota > 0 ? formatBytes(quota) : 'no quota'}</span>
      </span>
      {quota > 0 && (
        <progress className="storage-bar" aria-label="Storage used" max={quota} value={Math.min(used, quota)} />
      )}
      {detailed && (
        <span className="stat-hint">
          {formatBytes(status.storageAvailableBytes)} available
          {reserved > 0 && `, ${formatBytes(reserved)} reserved`}
        </span>
      )}
      <AsOf status={status} />
    </>
  );
}

export function BlocksValue({ status }: { status: NodeStatus }) {
  if (!figuresKnown(status)) return <span className="stat-value stat-unknown">—</span>;
  return (
    <>
      <span className="stat-value">{status.totalBlocks.toLocaleString()}</span>
      <AsOf status={status} />
    </>
  );
}

/** Basic view's quick stats (§8.3): Connected Peers, Storage Used, Last Backup, Total blocks. */
export function QuickStats({ status, sync }: { status: NodeStatus; sync: SyncState | null }) {
  return (
    <div className="quick-stats">
      <Link to="/devices" className="quick-stat">
        <span className="stat-label">Connected Peers</span>
        <PeersValue status={status} />
      </Link>
      <div className="quick-stat">
        <span className="stat-label">Storage Used</span>
        <StorageValue status={status} />
      </div>
      <Link to="/sync" className="quick-stat">
        <span className="stat-label">Last Backup</span>
        <LastBackupValue sync={sync} />
      </Link>
      <div className="quick-stat">
        <span className="stat-label">Total blocks</span>
        <BlocksValue status={status} />
      </div>
    </div>
  );
}
