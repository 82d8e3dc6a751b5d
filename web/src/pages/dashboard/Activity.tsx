import { useCallback, useEffect, useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { DEVICE_EVENTS, listDevices } from '../../api/devices';
import { useEventStream } from '../../api/events';
import type { SyncState } from '../../api/sync';
import { formatBytes, formatRelativeTime } from '../../lib/format';
import { useNow } from '../../hooks/useNow';

/** Paired devices and how many are connected; null until read. */
export interface DevicesSummary {
  paired: number;
  connected: number;
}

/** The paired devices, re-read when the backend says they changed. */
export function useDevicesSummary(): DevicesSummary | null {
  const [summary, setSummary] = useState<DevicesSummary | null>(null);
  const read = useCallback(() => {
    listDevices().then(
      (l) => setSummary({ paired: l.devices.length, connected: l.devices.filter((d) => d.connected).length }),
      () => {}, // the cards that need it stay as they were
    );
  }, []);
  useEffect(read, [read]);
  useEventStream('/api/events', {
    [DEVICE_EVENTS.devicesChanged]: read,
    [DEVICE_EVENTS.peerConnected]: read,
    [DEVICE_EVENTS.peerDisconnected]: read,
  });
  return summary;
}

function latest(times: (string | undefined)[]): string | undefined {
  return times.reduce<string | undefined>((a, t) => (t && (!a || t > a) ? t : a), undefined);
}

/**
 * Last Backup: when a folder last became fully stored on this device's
 * node, and, when a backup server acknowledged one, when that was.
 */
export function LastBackupValue({ sync }: { sync: SyncState | null }) {
  const now = useNow(true, 30_000);
  if (!sync) return <span className="stat-value stat-unknown">—</span>;
  const local = latest(sync.folders.map((f) => f.lastSynced));
  const remote = latest(sync.folders.map((f) => f.backupSyncedAt));
  return (
    <>
      <span className="stat-value">{local ? formatRelativeTime(local, now) : 'Never'}</span>
      <span className="stat-hint">
        {remote
          ? `on ${sync.backupPeer ?? 'the backup server'}: ${formatRelativeTime(remote, now)}`
          : sync.folders.length === 0
            ? 'no folder watched'
            : 'not yet on another device'}
      </span>
    </>
  );
}

/** Sync Status card of the advanced view. */
export function SyncStatusValue({ sync }: { sync: SyncState | null }) {
  if (!sync) return <span className="stat-value stat-unknown">—</span>;
  return (
    <>
      <span className="stat-value">{sync.paused ? 'Paused' : sync.isSyncing ? 'Syncing' : 'Idle'}</span>
      <span className="stat-hint">
        {sync.queueSize} {sync.queueSize === 1 ? 'file' : 'files'} in queue · {sync.folders.length} watched{' '}
        {sync.folders.length === 1 ? 'folder' : 'folders'}
      </span>
    </>
  );
}

/**
 * What is left to set up (§8.3 NextSteps): shown until a folder is
 * watched and a paired device is connected; finished steps are ticked.
 */
export function NextSteps({ sync, devices }: { sync: SyncState | null; devices: DevicesSummary | null }) {
  const titleId = useId();
  if (!sync || !devices) return null;
  const hasFolder = sync.folders.length > 0;
  const hasDevice = devices.paired > 0;
  if (hasFolder && devices.connected > 0) return null;
  const steps = [
    { done: hasFolder, title: 'Add a Backup Folder', text: 'Choose a folder; every change in it is stored.', to: '/sync', action: 'Add Folder' },
    { done: hasDevice, title: 'Connect a Device', text: 'Pair your backup machine so your files live in two places.', to: '/devices/add', action: 'Add Device' },
    { done: false, title: 'Restore a File', text: 'Get any stored file back by its content ID.', to: '/files', action: 'Go to Restore' },
  ];
  return (
    <section className="dash-panel next-steps" aria-labelledby={titleId}>
      <h3 id={titleId} className="panel-heading">
        Next Steps
      </h3>
      <ol className="next-steps-list">
        {steps.map((s) => (
          <li key={s.title} className={s.done ? 'done' : undefined}>
            <span className="next-step-mark" aria-hidden="true">
              {s.done ? '✓' : '›'}
            </span>
            <div>
              <p className="next-step-title">
                {s.title}
                {s.done && <span className="visually-hidden"> (done)</span>}
              </p>
              <p className="next-step-text">{s.text}</p>
            </div>
            {!s.done && <Link to={s.to}>{s.action}</Link>}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The latest files stored from watched folders. */
export function RecentUploads({ sync, limit }: { sync: SyncState | null; limit: number }) {
  const titleId = useId();
  const now = useNow(true, 30_000);
  if (!sync) return null;
  const names = new Map(sync.folders.map((f) => [f.id, f.name]));
  const recent = sync.recentUploads.slice(0, limit);
  return (
    <section className="dash-panel recent-uploads" aria-labelledby={titleId}>
      <h3 id={titleId} className="panel-heading">
        Recent Uploads
      </h3>
      {recent.length === 0 ? (
        <p className="empty-state">Nothing uploaded since Archivist started.</p>
      ) : (
        <ul className="plain-list recent-list">
          {recent.map((u) => (
            <li key={`${u.folderId}/${u.path}/${u.cid}`}>
              <span className="recent-name">{u.path}</span>{' '}
              <span className="recent-meta">
                {names.get(u.folderId) ?? 'removed folder'} · {formatBytes(u.size)} · {u.at ? formatRelativeTime(u.at, now) : '—'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
