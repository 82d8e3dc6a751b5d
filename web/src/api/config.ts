// config.toml over the backend's /api/config endpoints. The shapes mirror the
// JSON tags of internal/app/config (Config, Problem, LoadError) and
// internal/app/api/config.go (configView, saveResult): snake_case, every key
// always present, optional strings "" and optional numbers 0 when unset.
import { ApiError, apiGet, apiSend } from './client';

export interface NodeConfig {
  data_directory: string;
  api_port: number;
  discovery_port: number;
  listen_port: number;
  max_storage_gb: number;
  auto_start: boolean;
  /** TRACE, DEBUG, INFO, NOTICE, WARN, ERROR or FATAL (a hand-edited file may hold anything). */
  log_level: string;
  /** Another archivist-node compatible executable; "" runs the built-in node. */
  binary: string;
}

export interface SyncConfig {
  auto_sync: boolean;
  sync_interval_seconds: number;
  /** 0 means unlimited. */
  bandwidth_limit_mbps: number;
  exclude_patterns: string[];
  backup_enabled: boolean;
  backup_peer_address: string;
  backup_peer_nickname: string;
  backup_manifest_enabled: boolean;
  backup_auto_notify: boolean;
  /** The backup peer's trigger port, not ours. */
  backup_trigger_port: number;
  manifest_update_threshold: number;
  manifest_retry_interval_secs: number;
  manifest_max_retries: number;
}

export interface NotificationsConfig {
  sound_enabled: boolean;
  sound_on_startup: boolean;
  sound_on_peer_connect: boolean;
  sound_on_download: boolean;
  /** 0..1 */
  sound_volume: number;
  custom_startup_sound: string;
  custom_peer_connect_sound: string;
  custom_download_sound: string;
  /** Desktop notifications: master switch and one per event. */
  desktop_enabled: boolean;
  desktop_on_backup_finished: boolean;
  desktop_on_backup_failed: boolean;
  desktop_on_peer_connect: boolean;
}

export interface SourcePeer {
  nickname: string;
  host: string;
  manifest_port: number;
  peer_id: string;
  multiaddr: string;
  enabled: boolean;
}

export interface BackupServerConfig {
  enabled: boolean;
  poll_interval_secs: number;
  max_concurrent_downloads: number;
  max_retries: number;
  auto_delete_tombstones: boolean;
  trigger_port: number;
  source_peers: SourcePeer[];
  /**
   * Retention of versions, per folder (restic's forget policy): the newest
   * keep_last versions, and the newest version of each of the last
   * keep_hourly hours, keep_daily days and keep_weekly weeks that have one.
   * The newest version is always kept; 0 turns a rule off.
   */
  keep_last: number;
  keep_hourly: number;
  keep_daily: number;
  keep_weekly: number;
}

/** The backend's retention defaults (config.Default), for a config that lacks the keys. */
export const RETENTION_DEFAULTS = { keep_last: 10, keep_hourly: 24, keep_daily: 7, keep_weekly: 8 } as const;

export interface ManifestServerConfig {
  enabled: boolean;
  port: number;
  /** IPs or CIDR ranges; empty denies all. */
  allowed_ips: string[];
}

/** The self-updater: automatic checks, and the release feed they read. */
export interface UpdatesConfig {
  enabled: boolean;
  /** https, or http to this machine (a local test feed). */
  feed_url: string;
}

/** The backend's defaults (config.Default), for a config (or backend) without [updates]. */
export const UPDATES_DEFAULTS: UpdatesConfig = {
  enabled: true,
  feed_url: 'https://github.com/archivist-desktop/archivist/releases/latest/download/latest.json',
};

export interface Config {
  /** "system", "light" or "dark". */
  theme: string;
  language: string;
  start_minimized: boolean;
  start_on_boot: boolean;
  node: NodeConfig;
  sync: SyncConfig;
  notifications: NotificationsConfig;
  backup_server: BackupServerConfig;
  manifest_server: ManifestServerConfig;
  updates: UpdatesConfig;
}

/**
 * One thing wrong with a configuration. key is a TOML path such as
 * "node.api_port" or "backup_server.source_peers[1].host" ("" when the
 * problem is not about one key); line/column are 1-based positions in the
 * file, absent when unknown.
 */
export interface Problem {
  key: string;
  line?: number;
  column?: number;
  message: string;
}

/** Why config.toml could not be used; the app then runs on defaults and leaves the file alone. */
export interface BrokenConfig {
  path: string;
  problems: Problem[];
}

/** GET /api/config */
export interface ConfigView {
  config: Config;
  path: string;
  broken: BrokenConfig | null;
}

/** PUT /api/config, POST /api/config/reset and /reload on success. */
export interface SaveResult extends ConfigView {
  /** Changed keys as TOML paths; a list counts as one key. */
  changed: string[];
  /** Some changed key only applies when the node restarts. */
  nodeRestart: boolean;
}

/** A new source peer as the reference's "Add Source Peer" form starts it. */
export const NEW_SOURCE_PEER: SourcePeer = {
  nickname: '',
  host: '',
  manifest_port: 8085,
  peer_id: '',
  multiaddr: '',
  enabled: true,
};

export async function getConfig(): Promise<ConfigView> {
  return checkView(await apiGet<unknown>('/api/config'), '/api/config');
}

/** Sends the whole configuration; the server validates it (422 with problems) and saves it. */
export async function saveConfig(config: Config): Promise<SaveResult> {
  return checkResult(await apiSend<unknown>('PUT', '/api/config', config), '/api/config');
}

/** Saves the defaults; a broken or externally edited file is kept beside it as config.toml.broken-…. */
export async function resetConfig(): Promise<SaveResult> {
  return checkResult(await apiSend<unknown>('POST', '/api/config/reset'), '/api/config/reset');
}

/** Reads config.toml again (after the user fixed or edited it by hand). */
export async function reloadConfig(): Promise<SaveResult> {
  return checkResult(await apiSend<unknown>('POST', '/api/config/reload'), '/api/config/reload');
}

/** The problems an error response carried (a 422's "problems"), or none. */
export function problemsOf(err: unknown): Problem[] {
  if (!(err instanceof ApiError) || !isObject(err.body)) return [];
  return normalizeProblems(err.body.problems);
}

// The [node] keys a running node picks up without a restart (the backend's
// config.liveNodeKeys); every other node.* key is a flag of its command line.
const LIVE_NODE_KEYS = ['node.log_level', 'node.auto_start'];

/** The changed keys that need a node restart, for "Restart the node to apply: …". */
export function restartKeys(result: Pick<SaveResult, 'changed' | 'nodeRestart'>): string[] {
  if (!result.nodeRestart) return [];
  const node = result.changed.filter((k) => k.startsWith('node.'));
  const restart = node.filter((k) => !LIVE_NODE_KEYS.includes(k));
  return restart.length > 0 ? restart : node;
}

// The backend is ours, but a proxy, an older backend or a test double can
// answer with something else; failing here gives one clear error instead of
// a page that crashes on a missing section.
function checkView(data: unknown, path: string): ConfigView {
  if (!isObject(data) || !isConfig(data.config)) {
    throw new Error(`unexpected response from ${path}`);
  }
  const cfg = data.config;
  const config: Config = {
    ...cfg,
    sync: { ...cfg.sync, exclude_patterns: asArray<string>(cfg.sync.exclude_patterns) },
    backup_server: {
      ...cfg.backup_server,
      source_peers: asArray<SourcePeer>(cfg.backup_server.source_peers),
      ...retention(cfg.backup_server as unknown as Record<string, unknown>),
    },
    manifest_server: { ...cfg.manifest_server, allowed_ips: asArray<string>(cfg.manifest_server.allowed_ips) },
    updates: updates((cfg as unknown as Record<string, unknown>).updates),
  };
  const broken = isObject(data.broken)
    ? { path: typeof data.broken.path === 'string' ? data.broken.path : '', problems: normalizeProblems(data.broken.problems) }
    : null;
  return { config, path: typeof data.path === 'string' ? data.path : '', broken };
}

function checkResult(data: unknown, path: string): SaveResult {
  const view = checkView(data, path);
  const d = data as Record<string, unknown>;
  const changed = Array.isArray(d.changed) ? d.changed.filter((k): k is string => typeof k === 'string') : [];
  return { ...view, changed, nodeRestart: d.nodeRestart === true };
}

// An older config (or backend) without the retention keys reads as the defaults.
function retention(b: Record<string, unknown>): Pick<BackupServerConfig, keyof typeof RETENTION_DEFAULTS> {
  const n = (key: keyof typeof RETENTION_DEFAULTS) => {
    const v = b[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : RETENTION_DEFAULTS[key];
  };
  return { keep_last: n('keep_last'), keep_hourly: n('keep_hourly'), keep_daily: n('keep_daily'), keep_weekly: n('keep_weekly') };
}

// An older config (or backend) without [updates] reads as the defaults.
function updates(u: unknown): UpdatesConfig {
  if (!isObject(u)) return { ...UPDATES_DEFAULTS };
  return {
    enabled: typeof u.enabled === 'boolean' ? u.enabled : UPDATES_DEFAULTS.enabled,
    feed_url: typeof u.feed_url === 'string' ? u.feed_url : UPDATES_DEFAULTS.feed_url,
  };
}

function normalizeProblems(raw: unknown): Problem[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter(isObject).map((p) => ({
    key: typeof p.key === 'string' ? p.key : '',
    line: typeof p.line === 'number' && p.line > 0 ? p.line : undefined,
    column: typeof p.column === 'number' && p.column > 0 ? p.column : undefined,
    message: typeof p.message === 'string' ? p.message : String(p.message),
  }));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A null list (a Go nil slice) is tolerated and read as empty; a missing section is not.
function asArray<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

function isConfig(v: unknown): v is Config {
  return (
    isObject(v) &&
    isObject(v.node) &&
    isObject(v.sync) &&
    isObject(v.notifications) &&
    isObject(v.backup_server) &&
    isObject(v.manifest_server)
  );
}
