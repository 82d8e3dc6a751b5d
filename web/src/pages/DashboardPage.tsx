import { useState } from 'react';
import type { NodeStatus } from '../api/node';
import type { SyncState } from '../api/sync';
import { useNodeStatus } from '../hooks/useNodeStatus';
import { NextSteps, RecentUploads, useDevicesSummary, type DevicesSummary } from './dashboard/Activity';
import { AdvancedView } from './dashboard/AdvancedView';
import { useDiagnostics } from './dashboard/DiagnosticsPanel';
import { ShareCard } from './dashboard/ShareCard';
import { QuickStats } from './dashboard/Stats';
import { NodeErrorPanel, StatusHero } from './dashboard/StatusHero';
import { useSyncState } from './sync/useSyncState';
import '../styles/dashboard.css';

/** localStorage key from the reference app (§8.3). */
export const VIEW_MODE_KEY = 'dashboardViewMode';

export type ViewMode = 'basic' | 'advanced';

function readMode(): ViewMode {
  try {
    return localStorage.getItem(VIEW_MODE_KEY) === 'advanced' ? 'advanced' : 'basic';
  } catch {
    return 'basic'; // storage disabled: the default it is
  }
}

function useViewMode(): [ViewMode, (m: ViewMode) => void] {
  const [mode, setMode] = useState<ViewMode>(readMode);
  const set = (m: ViewMode) => {
    setMode(m);
    try {
      localStorage.setItem(VIEW_MODE_KEY, m);
    } catch {
      // keep it for this visit only
    }
  };
  return [mode, set];
}

/**
 * Route / — the node at a glance (reference §8.3). Everything shown comes
 * from the backend's Status; what the node does not report says "unknown"
 * or "—". Updates arrive by events (see useNodeStatus), not 1 Hz polling.
 * Last Backup, Next Steps and Recent Uploads come from the live sync state
 * and the paired devices.
 */
export function DashboardPage() {
  const [mode, setMode] = useViewMode();
  const node = useNodeStatus();
  const diag = useDiagnostics();
  const sync = useSyncState().state;
  const devices = useDevicesSummary();
  const { status, receivedAt, error } = node;

  return (
    <section className="page dashboard-page">
      <header className="page-header">
        <h2 className="page-title">Dashboard</h2>
        <div className="page-actions view-toggle" role="group" aria-label="Dashboard view">
          {(['basic', 'advanced'] as const).map((m) => (
            <button
              key={m}
              type="button"
              className={mode === m ? 'view-toggle-active' : undefined}
              aria-pressed={mode === m}
              onClick={() => setMode(m)}
            >
              {m === 'basic' ? 'Basic' : 'Advanced'}
            </button>
          ))}
        </div>
      </header>

      {error && (
        <div className="error-banner" role="alert">
          <p>
            Could not read the node status: {error}
            {status && ' — showing the last known status.'}
          </p>
          <button type="button" onClick={node.refresh}>
            Retry
          </button>
        </div>
      )}

      {!status && !error && (
        <p className="empty-state" role="status">
          Loading node status…
        </p>
      )}

      {status &&
        (mode === 'basic' ? (
          <BasicView status={status} receivedAt={receivedAt} onStatus={node.apply} sync={sync} devices={devices} />
        ) : (
          <AdvancedView status={status} receivedAt={receivedAt} onStatus={node.apply} diag={diag} sync={sync} />
        ))}
    </section>
  );
}

function BasicView({
  status,
  receivedAt,
  onStatus,
  sync,
  devices,
}: {
  status: NodeStatus;
  receivedAt: number;
  onStatus: (s: NodeStatus) => void;
  sync: SyncState | null;
  devices: DevicesSummary | null;
}) {
  return (
    <div className="basic-view">
      <StatusHero status={status} receivedAt={receivedAt} onStatus={onStatus} />
      <NodeErrorPanel status={status} />
      <QuickStats status={status} sync={sync} />
      {status.state === 'running' && <NextSteps sync={sync} devices={devices} />}
      {status.state === 'running' && <ShareCard status={status} title="Share Your Connection" />}
      <RecentUploads sync={sync} limit={3} />
    </div>
  );
}
