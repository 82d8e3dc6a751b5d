// The backup server (machine B) and folder restores over the backend's
// /api/backup-server, /api/versions and /api/restores endpoints. Shapes
// mirror the Go types: internal/app/backups (State, Source, Folder, Totals,
// Manifest, Rejection, FailedFile, Restore, RestoreRequest),
// internal/app/link (Catalog…) and internal/app/api/backups.go (Versions).
// Answers are checked and normalised here, as in sync.ts: missing lists
// become [], absent/empty strings and Go's zero time become undefined,
// missing figures 0. Names and errors come from paired devices: render them
// as text only.
import { ApiError, apiGet, apiSend } from './client';
import type { BackupServerConfig } from './config';

export type DaemonMode = 'disabled' | 'paused' | 'running';

export const DAEMON_MODES: readonly DaemonMode[] = ['disabled', 'paused', 'running'];

export type ManifestStatus =
  | 'pending'
  | 'downloading'
  | 'done'
  | 'failed'
  | 'rejected'
  | 'missing'
  | 'superseded'
  | 'pruned';

export const MANIFEST_STATUSES: readonly ManifestStatus[] = [
  'pending',
  'downloading',
  'done',
  'failed',
  'rejected',
  'missing',
  'superseded',
  'pruned',
];

/** Work done by the backup server, overall or for one source. */
export interface BackupTotals {
  manifestsProcessed: number;
  filesDownloaded: number;
  bytesDownloaded: number;
  filesDeleted: number;
  bytesDeleted: number;
  /** RFC 3339; undefined: never. */
  lastActivity?: string;
  lastPoll?: string;
}

/** A source's folder as this server keeps it. */
export interface BackupFolder {
  id: string;
  name: string;
  /** The newest version's sequence. */
  lastSequence: number;
  lastAt?: string;
  /** Files and bytes of the newest version. */
  files: number;
  bytes: number;
  /** Versions kept. */
  versions: number;
}

/** A manifest refused without processing (invalid, forged or a replay). */
export interface Rejection {
  folderId: string;
  sequence: number;
  cid: string;
  reason: string;
  at?: string;
}

/** A paired device as a source of backups. */
export interface BackupSource {
  /** Device ID. */
  device: string;
  name: string;
  nodePeerId: string;
  /** Its manifest server answered the last poll: it is a source. */
  offers: boolean;
  lastPoll?: string;
  /** Its last answer. */
  lastSeen?: string;
  /** Why the last poll failed. */
  lastError?: string;
  /** A poll or download cycle is under way. */
  busy: boolean;
  totals: BackupTotals;
  /** Its manifests failed now. */
  failures: number;
  rejections: Rejection[];
  folders: BackupFolder[];
}

/** A file of a manifest that could not be fetched (or restored). */
export interface FailedFile {
  path: string;
  cid: string;
  error: string;
}

/** One manifest of a source's folder and what became of it. */
export interface Manifest {
  /** The source's device ID. */
  source: string;
  sourceName: string;
  folderId: string;
  folderName: string;
  sequence: number;
  cid: string;
  status: ManifestStatus;
  error?: string;
  attempts: number;
  /** Set while an automatic retry is scheduled; unset on a failed manifest: out of retries. */
  nextRetry?: string;
  discoveredAt?: string;
  startedAt?: string;
  processedAt?: string;
  /** When the source made the manifest. */
  versionAt?: string;
  totalFiles: number;
  totalBytes: number;
  /** Fetched or already here. */
  filesDone: number;
  /** Of which fetched by this manifest. */
  filesFetched: number;
  filesFailed: number;
  bytesDone: number;
  bytesFetched: number;
  /** Files the source deleted since the previous manifest. */
  deleted: number;
  failedFiles: FailedFile[];
}

/** The backup server's configuration as the state carries it (without the source peers). */
export type BackupServerSettings = Omit<BackupServerConfig, 'source_peers'>;

/** GET /api/backup-server, and the data of backup-server-state events. */
export interface BackupServerState {
  mode: DaemonMode;
  /** Some source is being polled now. */
  polling: boolean;
  /** Download rate over the last seconds; 0 when idle. */
  rateBytesPerSec: number;
  totals: BackupTotals;
  config: BackupServerSettings;
  sources: BackupSource[];
  /** Pending and downloading manifests, with live progress. */
  inProgress: Manifest[];
  /** Failed manifests (retried at nextRetry, or by hand). */
  failed: Manifest[];
  /** The newest done versions, newest first (at most 50). */
  processed: Manifest[];
}

/** One restorable version. */
export interface CatalogVersion {
  sequence: number;
  cid: string;
  /** When the source made it; "" when unknown. */
  at: string;
  files: number;
  bytes: number;
}

export interface CatalogFolder {
  id: string;
  name: string;
  /** Newest first. */
  versions: CatalogVersion[];
}

export interface CatalogSource {
  /** The source's device ID. */
  device: string;
  name: string;
  folders: CatalogFolder[];
}

/** What one device keeps: this device or a paired backup server. */
export interface VersionServer {
  /** "" for this device. */
  device: string;
  name: string;
  /** Why its catalog could not be read (it is then empty). */
  error?: string;
  catalog: { sources: CatalogSource[] };
}

export interface RestoreRequest {
  /** The backup server's device ID; "" for this device. */
  server: string;
  /** The source's device ID (or name). */
  source: string;
  /** The folder's ID (or name). */
  folder: string;
  /** The version; 0 for the newest. */
  sequence: number;
  /** An absolute directory on the machine running the backend; created when missing. */
  dest: string;
  /** Replace files that exist in dest; otherwise they are skipped. */
  overwrite: boolean;
}

export type RestoreStatus = 'running' | 'done' | 'failed';

export const RESTORE_STATUSES: readonly RestoreStatus[] = ['running', 'done', 'failed'];

/** A restore's progress and outcome. */
export interface Restore {
  id: string;
  request: RestoreRequest;
  status: RestoreStatus;
  error?: string;
  serverName: string;
  sourceName: string;
  folderName: string;
  sequence: number;
  versionAt?: string;
  /** Files and bytes of the version. */
  files: number;
  bytes: number;
  /** Written. */
  filesDone: number;
  bytesDone: number;
  /** The first files left alone because they exist (at most 50). */
  skipped: string[];
  skippedCount: number;
  /** The first files that could not be restored (at most 50). */
  failed: FailedFile[];
  failedCount: number;
  startedAt?: string;
  finishedAt?: string;
}

/** Event types the backend publishes about backups. */
export const BACKUP_EVENTS = {
  /** Data: the whole BackupServerState (at most 4 a second). */
  state: 'backup-server-state',
  /** Data: a Restore. */
  restore: 'restore-progress',
} as const;

const BASE = '/api/backup-server';

export async function getBackupServerState(): Promise<BackupServerState> {
  return checked(toBackupServerState(await apiGet<unknown>(BASE)), BASE);
}

async function action(name: string): Promise<BackupServerState> {
  const url = `${BASE}/${name}`;
  return checked(toBackupServerState(await apiSend<unknown>('POST', url)), url);
}

/** Turns backup_server.enabled on (saved in the config) and answers the new state. */
export const enableBackupServer = () => action('enable');
/** Turns backup_server.enabled off; what is kept stays. */
export const disableBackupServer = () => action('disable');
/** Stops polling and downloading until resumed (kept across restarts). */
export const pauseBackupServer = () => action('pause');
export const resumeBackupServer = () => action('resume');
/** Polls every source now (only does anything while running). */
export const pollBackupServer = () => action('poll');

/** Retries a failed manifest now, resetting its attempts (202). */
export async function retryManifest(source: string, folderId: string, sequence: number): Promise<void> {
  const url = `${BASE}/manifests/${encodeURIComponent(source)}/${encodeURIComponent(folderId)}/${sequence}/retry`;
  await apiSend<unknown>('POST', url);
}

/** What this device and each paired backup server keep. */
export async function getVersions(): Promise<VersionServer[]> {
  const url = '/api/versions';
  const v = await apiGet<unknown>(url);
  if (!isObj(v) || (v.servers != null && !Array.isArray(v.servers))) throw new ApiError(200, `unexpected answer from ${url}`);
  return Array.isArray(v.servers) ? v.servers.flatMap(toVersionServer) : [];
}

/**
 * Starts restoring a folder's version into dest (202: it runs in the
 * background; follow it with restore-progress events). 400 with the reason
 * when refused (dest not absolute or a file, no such version…).
 */
export async function startRestore(req: RestoreRequest): Promise<Restore> {
  const url = '/api/restores';
  return checked(toRestore(await apiSend<unknown>('POST', url, req)), url);
}

/** The restores of this session, newest first. */
export async function listRestores(): Promise<Restore[]> {
  const url = '/api/restores';
  const v = await apiGet<unknown>(url);
  if (!isObj(v)) throw new ApiError(200, `unexpected answer from ${url}`);
  return Array.isArray(v.restores) ? v.restores.flatMap((r) => toRestore(r) ?? []) : [];
}

export async function getRestore(id: string): Promise<Restore> {
  const url = `/api/restores/${encodeURIComponent(id)}`;
  return checked(toRestore(await apiGet<unknown>(url)), url);
}

/** The state in a backup-server-state event envelope `{type, time, data}`, or null when it is not one. */
export function backupServerStateOfEvent(event: unknown): BackupServerState | null {
  return isObj(event) ? toBackupServerState(event.data) : null;
}

/** The restore in a restore-progress event envelope, or null when it is not one. */
export function restoreOfEvent(event: unknown): Restore | null {
  return isObj(event) ? toRestore(event.data) : null;
}

function checked<T>(v: T | null, url: string): T {
  if (v === null) throw new ApiError(200, `unexpected answer from ${url}`);
  return v;
}

// ---- normalisation -----------------------------------------------------------

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');
/** A string, or undefined when absent or empty. */
const opt = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);
const list = <T>(x: unknown, each: (v: unknown) => T[]): T[] => (Array.isArray(x) ? x.flatMap(each) : []);

/** An RFC 3339 time, or undefined for none, garbage or Go's zero time (year 1). */
function time(x: unknown): string | undefined {
  if (typeof x !== 'string' || x === '') return undefined;
  const t = Date.parse(x);
  if (Number.isNaN(t) || new Date(t).getUTCFullYear() <= 1) return undefined;
  return x;
}

function oneOf<T extends string>(x: unknown, values: readonly T[]): T | undefined {
  return typeof x === 'string' && (values as readonly string[]).includes(x) ? (x as T) : undefined;
}

export function toTotals(v: unknown): BackupTotals {
  const t = isObj(v) ? v : {};
  return {
    manifestsProcessed: num(t.manifestsProcessed),
    filesDownloaded: num(t.filesDownloaded),
    bytesDownloaded: num(t.bytesDownloaded),
    filesDeleted: num(t.filesDeleted),
    bytesDeleted: num(t.bytesDeleted),
    lastActivity: time(t.lastActivity),
    lastPoll: time(t.lastPoll),
  };
}

function toFolder(v: unknown): BackupFolder[] {
  if (!isObj(v) || typeof v.id !== 'string') return [];
  return [
    {
      id: v.id,
      name: str(v.name) || v.id,
      lastSequence: num(v.lastSequence),
      lastAt: time(v.lastAt),
      files: num(v.files),
      bytes: num(v.bytes),
      versions: num(v.versions),
    },
  ];
}

function toRejection(v: unknown): Rejection[] {
  if (!isObj(v)) return [];
  return [{ folderId: str(v.folderId), sequence: num(v.sequence), cid: str(v.cid), reason: str(v.reason), at: time(v.at) }];
}

function toSource(v: unknown): BackupSource[] {
  if (!isObj(v) || typeof v.device !== 'string' || v.device === '') return [];
  return [
    {
      device: v.device,
      name: str(v.name),
      nodePeerId: str(v.nodePeerId),
      offers: v.offers === true,
      lastPoll: time(v.lastPoll),
      lastSeen: time(v.lastSeen),
      lastError: opt(v.lastError),
      busy: v.busy === true,
      totals: toTotals(v.totals),
      failures: num(v.failures),
      rejections: list(v.rejections, toRejection),
      folders: list(v.folders, toFolder),
    },
  ];
}

function toFailedFile(v: unknown): FailedFile[] {
  if (!isObj(v) || typeof v.path !== 'string') return [];
  return [{ path: v.path, cid: str(v.cid), error: str(v.error) }];
}

/** A manifest, or null without a source and folder; a status this UI does not know reads as fallback. */
export function toManifest(v: unknown, fallback: ManifestStatus): Manifest | null {
  if (!isObj(v) || typeof v.source !== 'string' || typeof v.folderId !== 'string') return null;
  return {
    source: v.source,
    sourceName: str(v.sourceName),
    folderId: v.folderId,
    folderName: str(v.folderName),
    sequence: num(v.sequence),
    cid: str(v.cid),
    status: oneOf(v.status, MANIFEST_STATUSES) ?? fallback,
    error: opt(v.error),
    attempts: num(v.attempts),
    nextRetry: time(v.nextRetry),
    discoveredAt: time(v.discoveredAt),
    startedAt: time(v.startedAt),
    processedAt: time(v.processedAt),
    versionAt: time(v.versionAt),
    totalFiles: num(v.totalFiles),
    totalBytes: num(v.totalBytes),
    filesDone: num(v.filesDone),
    filesFetched: num(v.filesFetched),
    filesFailed: num(v.filesFailed),
    bytesDone: num(v.bytesDone),
    bytesFetched: num(v.bytesFetched),
    deleted: num(v.deleted),
    failedFiles: list(v.failedFiles, toFailedFile),
  };
}

const manifests = (x: unknown, fallback: ManifestStatus): Manifest[] =>
  list(x, (m): Manifest[] => {
    const r = toManifest(m, fallback);
    return r ? [r] : [];
  });

function toSettings(v: unknown): BackupServerSettings {
  const c = isObj(v) ? v : {};
  return {
    enabled: c.enabled === true,
    poll_interval_secs: num(c.poll_interval_secs),
    max_concurrent_downloads: num(c.max_concurrent_downloads),
    max_retries: num(c.max_retries),
    auto_delete_tombstones: c.auto_delete_tombstones === true,
    trigger_port: num(c.trigger_port),
    keep_last: num(c.keep_last),
    keep_hourly: num(c.keep_hourly),
    keep_daily: num(c.keep_daily),
    keep_weekly: num(c.keep_weekly),
  };
}

/** A BackupServerState, or null when v is not one (it must have a known mode). */
export function toBackupServerState(v: unknown): BackupServerState | null {
  if (!isObj(v)) return null;
  const mode = oneOf(v.mode, DAEMON_MODES);
  if (!mode) return null;
  return {
    mode,
    polling: v.polling === true,
    rateBytesPerSec: num(v.rateBytesPerSec),
    totals: toTotals(v.totals),
    config: toSettings(v.config),
    sources: list(v.sources, toSource),
    inProgress: manifests(v.inProgress, 'pending'),
    failed: manifests(v.failed, 'failed'),
    processed: manifests(v.processed, 'done'),
  };
}

function toVersion(v: unknown): CatalogVersion[] {
  if (!isObj(v) || num(v.sequence) <= 0) return [];
  return [{ sequence: num(v.sequence), cid: str(v.cid), at: time(v.at) ?? '', files: num(v.files), bytes: num(v.bytes) }];
}

function toCatalogFolder(v: unknown): CatalogFolder[] {
  if (!isObj(v) || typeof v.id !== 'string' || v.id === '') return [];
  return [{ id: v.id, name: str(v.name) || v.id, versions: list(v.versions, toVersion) }];
}

function toCatalogSource(v: unknown): CatalogSource[] {
  if (!isObj(v) || typeof v.device !== 'string' || v.device === '') return [];
  return [{ device: v.device, name: str(v.name), folders: list(v.folders, toCatalogFolder) }];
}

function toVersionServer(v: unknown): VersionServer[] {
  if (!isObj(v)) return [];
  const catalog = isObj(v.catalog) ? v.catalog : {};
  return [
    {
      device: str(v.device),
      name: str(v.name),
      error: opt(v.error),
      catalog: { sources: list(catalog.sources, toCatalogSource) },
    },
  ];
}

function toRequest(v: unknown): RestoreRequest {
  const r = isObj(v) ? v : {};
  return {
    server: str(r.server),
    source: str(r.source),
    folder: str(r.folder),
    sequence: num(r.sequence),
    dest: str(r.dest),
    overwrite: r.overwrite === true,
  };
}

/** A Restore, or null without an ID. A status this UI does not know reads as running. */
export function toRestore(v: unknown): Restore | null {
  if (!isObj(v) || typeof v.id !== 'string' || v.id === '') return null;
  return {
    id: v.id,
    request: toRequest(v.request),
    status: oneOf(v.status, RESTORE_STATUSES) ?? 'running',
    error: opt(v.error),
    serverName: str(v.serverName),
    sourceName: str(v.sourceName),
    folderName: str(v.folderName),
    sequence: num(v.sequence),
    versionAt: time(v.versionAt),
    files: num(v.files),
    bytes: num(v.bytes),
    filesDone: num(v.filesDone),
    bytesDone: num(v.bytesDone),
    skipped: list(v.skipped, (p) => (typeof p === 'string' ? [p] : [])),
    skippedCount: num(v.skippedCount),
    failed: list(v.failed, toFailedFile),
    failedCount: num(v.failedCount),
    startedAt: time(v.startedAt),
    finishedAt: time(v.finishedAt),
  };
}
