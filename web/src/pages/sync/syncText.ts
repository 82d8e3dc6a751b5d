// What the Backups page says about the sync state, as pure functions of it.
import type { FolderStatus, SyncState, WatchedFolder } from '../../api/sync';
import { formatBytes } from '../../lib/format';

export const STATUS_LABELS: Record<FolderStatus, string> = {
  idle: 'Idle',
  scanning: 'Scanning…',
  syncing: 'Syncing…',
  error: 'Error',
  paused: 'Paused',
};

/** "1 file" / "3 files". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** "2.1 MB/s". */
export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

/** A backend time as local time of day, or date and time when not today; "—" when unreadable. */
export function formatClock(iso: string, now: number): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '—';
  return new Date(now).toDateString() === t.toDateString() ? t.toLocaleTimeString() : t.toLocaleString();
}

/** How long until a future time: "in 5 min", "in 2 h", "soon" (under a minute or already past). */
export function formatUntil(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const minutes = Math.floor((t - now) / 60_000);
  if (minutes < 1) return 'soon';
  if (minutes < 60) return `in ${minutes} min`;
  return `in ${Math.floor(minutes / 60)} h`;
}

export type Tone = 'ok' | 'busy' | 'warn' | 'idle';

export interface Summary {
  text: string;
  tone: Tone;
}

/** The folder's files are all on the node: nothing waiting, failed or left to upload. */
export function isFolderSynced(f: WatchedFolder): boolean {
  return f.status !== 'error' && f.pendingFiles === 0 && f.failedFiles === 0 && f.syncedFiles >= f.fileCount;
}

/** The backup server does not have the folder's latest manifest yet. */
export function awaitsBackupServer(f: WatchedFolder): boolean {
  return f.manifestSequence > f.backupSequence;
}

/** The page's one-line status, from the most pressing fact down. */
export function syncSummary(s: SyncState): Summary {
  const waiting = s.queueSize > 0 ? ` · ${s.queueSize} waiting` : '';
  const pendingWork = s.queueSize > 0 || s.uploads.length > 0 || s.folders.some((f) => f.pendingFiles > 0);

  if (s.folders.length === 0) return { text: 'No folders are backed up yet', tone: 'idle' };
  if (s.paused) return { text: `Paused${waiting}`, tone: 'warn' };
  if (!s.nodeRunning && pendingWork) return { text: `Waiting for the node to start${waiting}`, tone: 'warn' };
  if (s.uploads.length > 0) {
    const rate = s.rateBytesPerSec > 0 ? ` · ${formatRate(s.rateBytesPerSec)}` : '';
    return { text: `Uploading ${plural(s.uploads.length, 'file')}${rate}${waiting}`, tone: 'busy' };
  }
  if (s.isSyncing) return { text: `Checking folders for changes${waiting}`, tone: 'busy' };
  if (s.queueSize > 0) return { text: `${plural(s.queueSize, 'file')} waiting`, tone: 'busy' };

  const enabled = s.folders.filter((f) => f.enabled);
  const broken = enabled.filter((f) => f.status === 'error').length;
  if (broken > 0) return { text: `${plural(broken, 'folder')} cannot be backed up`, tone: 'warn' };
  const failed = enabled.reduce((n, f) => n + f.failedFiles, 0);
  if (failed > 0) return { text: `${plural(failed, 'file')} failed to upload · will be retried`, tone: 'warn' };
  if (enabled.length === 0) return { text: 'Every folder is turned off', tone: 'idle' };
  if (!enabled.every(isFolderSynced)) {
    const synced = enabled.reduce((n, f) => n + f.syncedFiles, 0);
    const total = enabled.reduce((n, f) => n + f.fileCount, 0);
    return { text: `${synced} of ${plural(total, 'file')} synced`, tone: 'idle' };
  }
  if (s.backupEnabled && enabled.some((f) => awaitsBackupServer(f) || f.pendingRetry)) {
    return { text: 'All files synced · waiting for the backup server', tone: 'busy' };
  }
  return { text: 'All folders backed up', tone: 'ok' };
}

export type BackupLine = { text: string; tone: Tone; time?: string };

/**
 * Where the folder stands with the backup server: "Backup off", "Backed up
 * at …" (time is then the acknowledgement's, for a <time> element),
 * "Waiting for backup server (#N)", or nothing published yet.
 */
export function backupLine(f: WatchedFolder, s: SyncState, now: number): BackupLine {
  if (!s.backupEnabled) return { text: 'Backup off', tone: 'idle' };
  if (f.backupAckReceived) {
    return f.backupSyncedAt
      ? { text: `Backed up at ${formatClock(f.backupSyncedAt, now)}`, tone: 'ok', time: f.backupSyncedAt }
      : { text: `Backed up (#${f.backupSequence})`, tone: 'ok' };
  }
  if (awaitsBackupServer(f)) return { text: `Waiting for backup server (#${f.manifestSequence})`, tone: 'busy' };
  if (f.manifestSequence === 0) return { text: 'Nothing sent to the backup server yet', tone: 'idle' };
  return { text: `Backup server has #${f.backupSequence}`, tone: 'idle' };
}
