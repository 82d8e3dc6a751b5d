// Watched folders over the backend's /api/sync endpoints (Backups page).
// Shapes mirror the sync state the backend publishes (WatchedFolder,
// SyncState, FailedFile). Answers are checked and normalised here: missing
// lists become [], optional fields that are absent, empty or Go's zero time
// become undefined, missing figures 0 — so the page never has to guess.
// Paths and file names are the user's own, but are still rendered as text only.
import { ApiError, apiGet, apiSend } from './client';

export type FolderStatus = 'idle' | 'scanning' | 'syncing' | 'error' | 'paused';

export const FOLDER_STATUSES: readonly FolderStatus[] = ['idle', 'scanning', 'syncing', 'error', 'paused'];

export interface WatchedFolder {
  id: string;
  /** Absolute path on the machine running the backend. */
  path: string;
  /** Base name, for display. */
  name: string;
  enabled: boolean;
  status: FolderStatus;
  /** Why status is "error" (e.g. the folder is missing). */
  error?: string;
  /** Files and bytes the last scan found (not counting ignored ones). */
  fileCount: number;
  totalSizeBytes: number;
  /** Of those, uploaded to the node and unchanged since. */
  syncedFiles: number;
  syncedBytes: number;
  /** Waiting or uploading. */
  pendingFiles: number;
  /** Failed; retried later (see listFailed). */
  failedFiles: number;
  /** RFC 3339: when the folder last became fully synced. */
  lastSynced?: string;
  lastScan?: string;
  /** The OS watch limit was hit: changes are found only by the periodic rescan. */
  watchLimited: boolean;
  manifestCid?: string;
  /** 0 = no manifest published yet. */
  manifestSequence: number;
  manifestUpdatedAt?: string;
  /** Highest sequence the backup server acknowledged (0 = none). */
  backupSequence: number;
  /** When the backup server acknowledged backupSequence. */
  backupSyncedAt?: string;
  /** The backup server has the latest manifest. */
  backupAckReceived: boolean;
  /** Notifying the backup server failed; the backend retries. */
  pendingRetry: boolean;
  notifyError?: string;
}

/** A file being uploaded now. */
export interface SyncUpload {
  folderId: string;
  /** Relative to the folder, '/' separators. */
  path: string;
  bytesDone: number;
  totalBytes: number;
}

export interface RecentUpload {
  folderId: string;
  path: string;
  cid: string;
  size: number;
  /** RFC 3339; "" when the backend gave none. */
  at: string;
}

export interface SyncState {
  folders: WatchedFolder[];
  /** The user paused all uploads (kept across restarts). */
  paused: boolean;
  /** Scanning or uploading now. */
  isSyncing: boolean;
  /** Files waiting, not counting those in flight. */
  queueSize: number;
  /** Sums over the folders. */
  totalFiles: number;
  syncedFiles: number;
  /** In flight now. */
  uploads: SyncUpload[];
  /** Upload rate over the last seconds; 0 when idle. */
  rateBytesPerSec: number;
  /** Newest first. */
  recentUploads: RecentUpload[];
  /** False: uploads wait for the node. */
  nodeRunning: boolean;
  /** Config sync.backup_enabled. */
  backupEnabled: boolean;
  /** Nickname of the paired backup server, when one is configured. */
  backupPeer?: string;
}

export interface FailedFile {
  path: string;
  error: string;
  attempts: number;
  nextRetryAt?: string;
}

/** Event types the backend publishes about sync. */
export const SYNC_EVENTS = {
  /** Data: the whole SyncState. */
  state: 'sync-state',
} as const;

const BASE = '/api/sync';
const folderPath = (id: string) => `${BASE}/folders/${encodeURIComponent(id)}`;

export async function getSyncState(): Promise<SyncState> {
  return checked(toSyncState(await apiGet<unknown>(BASE)), BASE);
}

/**
 * Starts watching a folder. 400 with the reason when refused: not a
 * directory, not absolute, already watched, or overlapping a watched folder.
 */
export async function addFolder(path: string): Promise<WatchedFolder> {
  const url = `${BASE}/folders`;
  return checked(toWatchedFolder(await apiSend<unknown>('POST', url, { path: path.trim() })), url);
}

export async function setFolderEnabled(id: string, enabled: boolean): Promise<WatchedFolder> {
  const url = folderPath(id);
  return checked(toWatchedFolder(await apiSend<unknown>('PATCH', url, { enabled })), url);
}

/** Stops watching a folder; nothing is deleted from disk or from the node. */
export async function removeFolder(id: string): Promise<void> {
  await apiSend<unknown>('DELETE', folderPath(id));
}

/** Rescans one folder now (202: it runs in the background). */
export async function rescanFolder(id: string): Promise<void> {
  await apiSend<unknown>('POST', `${folderPath(id)}/rescan`);
}

/** "Sync Now": rescans every enabled folder. */
export async function rescanAll(): Promise<void> {
  await apiSend<unknown>('POST', `${BASE}/rescan`);
}

export async function pauseSync(): Promise<SyncState> {
  const url = `${BASE}/pause`;
  return checked(toSyncState(await apiSend<unknown>('POST', url)), url);
}

export async function resumeSync(): Promise<SyncState> {
  const url = `${BASE}/resume`;
  return checked(toSyncState(await apiSend<unknown>('POST', url)), url);
}

/** The files of a folder that failed to upload and wait for a retry. */
export async function listFailed(id: string): Promise<FailedFile[]> {
  const url = `${folderPath(id)}/failed`;
  const v = await apiGet<unknown>(url);
  if (!isObj(v)) throw new ApiError(200, `unexpected answer from ${url}`);
  return Array.isArray(v.files) ? v.files.flatMap(toFailedFile) : [];
}

/** Retries a folder's failed files now. */
export async function retryFailed(id: string): Promise<void> {
  await apiSend<unknown>('POST', `${folderPath(id)}/retry`);
}

/**
 * Creates "Documents/Archivist Quickstart" with a welcome file and watches
 * it; answers the existing one if it is watched already.
 */
export async function quickstart(): Promise<WatchedFolder> {
  const url = `${BASE}/quickstart`;
  return checked(toWatchedFolder(await apiSend<unknown>('POST', url)), url);
}

/**
 * Publishes the folder's manifest now (if anything changed) and notifies the
 * backup server; answers the manifest's sequence (null when the answer did
 * not say: the request was still accepted). 409 when no backup server is
 * paired.
 */
export async function backupNow(id: string): Promise<{ sequence: number | null }> {
  const v = await apiSend<unknown>('POST', `${folderPath(id)}/backup-now`);
  return { sequence: isObj(v) && typeof v.sequence === 'number' && Number.isFinite(v.sequence) ? v.sequence : null };
}

/** The state in a sync-state event envelope `{type, time, data}`, or null when it is not one. */
export function syncStateOfEvent(event: unknown): SyncState | null {
  return isObj(event) ? toSyncState(event.data) : null;
}

function checked<T>(v: T | null, url: string): T {
  if (v === null) throw new ApiError(200, `unexpected answer from ${url}`);
  return v;
}

// ---- normalisation -----------------------------------------------------------

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
/** A string, or undefined when absent or empty. */
const opt = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

/** An RFC 3339 time, or undefined for none, garbage or Go's zero time (year 1). */
function time(x: unknown): string | undefined {
  if (typeof x !== 'string' || x === '') return undefined;
  const t = Date.parse(x);
  if (Number.isNaN(t) || new Date(t).getUTCFullYear() <= 1) return undefined;
  return x;
}

/** The last element of a path with / or \ separators ("" for a root). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]+/).filter((p) => p !== '');
  return parts[parts.length - 1] ?? path;
}

function isStatus(x: unknown): x is FolderStatus {
  return typeof x === 'string' && (FOLDER_STATUSES as readonly string[]).includes(x);
}

/** A folder, or null without an ID and path. A status this UI does not know reads as idle (paused when disabled). */
export function toWatchedFolder(v: unknown): WatchedFolder | null {
  if (!isObj(v) || typeof v.id !== 'string' || v.id === '' || typeof v.path !== 'string') return null;
  const enabled = v.enabled === true;
  return {
    id: v.id,
    path: v.path,
    name: opt(v.name) ?? baseName(v.path),
    enabled,
    status: isStatus(v.status) ? v.status : enabled ? 'idle' : 'paused',
    error: opt(v.error),
    fileCount: num(v.fileCount),
    totalSizeBytes: num(v.totalSizeBytes),
    syncedFiles: num(v.syncedFiles),
    syncedBytes: num(v.syncedBytes),
    pendingFiles: num(v.pendingFiles),
    failedFiles: num(v.failedFiles),
    lastSynced: time(v.lastSynced),
    lastScan: time(v.lastScan),
    watchLimited: v.watchLimited === true,
    manifestCid: opt(v.manifestCid),
    manifestSequence: num(v.manifestSequence),
    manifestUpdatedAt: time(v.manifestUpdatedAt),
    backupSequence: num(v.backupSequence),
    backupSyncedAt: time(v.backupSyncedAt),
    backupAckReceived: v.backupAckReceived === true,
    pendingRetry: v.pendingRetry === true,
    notifyError: opt(v.notifyError),
  };
}

function toUpload(v: unknown): SyncUpload[] {
  if (!isObj(v) || typeof v.path !== 'string') return [];
  return [
    {
      folderId: typeof v.folderId === 'string' ? v.folderId : '',
      path: v.path,
      bytesDone: num(v.bytesDone),
      totalBytes: num(v.totalBytes),
    },
  ];
}

function toRecentUpload(v: unknown): RecentUpload[] {
  if (!isObj(v) || typeof v.path !== 'string') return [];
  return [
    {
      folderId: typeof v.folderId === 'string' ? v.folderId : '',
      path: v.path,
      cid: typeof v.cid === 'string' ? v.cid : '',
      size: num(v.size),
      at: time(v.at) ?? '',
    },
  ];
}

function toFailedFile(v: unknown): FailedFile[] {
  if (!isObj(v) || typeof v.path !== 'string') return [];
  return [
    {
      path: v.path,
      error: typeof v.error === 'string' ? v.error : '',
      attempts: num(v.attempts),
      nextRetryAt: time(v.nextRetryAt),
    },
  ];
}

/**
 * A SyncState, or null when v is not one (it must say whether sync is
 * paused; the folder list may be missing or null, meaning none).
 */
export function toSyncState(v: unknown): SyncState | null {
  if (!isObj(v) || typeof v.paused !== 'boolean') return null;
  if (v.folders != null && !Array.isArray(v.folders)) return null;
  const folders = Array.isArray(v.folders) ? v.folders.flatMap((f) => toWatchedFolder(f) ?? []) : [];
  return {
    folders,
    paused: v.paused,
    isSyncing: v.isSyncing === true,
    queueSize: num(v.queueSize),
    totalFiles: num(v.totalFiles),
    syncedFiles: num(v.syncedFiles),
    uploads: Array.isArray(v.uploads) ? v.uploads.flatMap(toUpload) : [],
    rateBytesPerSec: num(v.rateBytesPerSec),
    recentUploads: Array.isArray(v.recentUploads) ? v.recentUploads.flatMap(toRecentUpload) : [],
    nodeRunning: v.nodeRunning === true,
    backupEnabled: v.backupEnabled === true,
    backupPeer: opt(v.backupPeer),
  };
}

/**
 * Whether a path typed by the user is absolute on some system the backend
 * may run on (/…, ~/…, C:\… or C:/…, \\server\share). Instant feedback only: the
 * backend decides.
 */
export function looksAbsolute(path: string): boolean {
  const s = path.trim();
  return s.startsWith('/') || s === '~' || s.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('\\\\');
}
