// The storage node over the backend's /api/node endpoints and its events.
// Shapes mirror the JSON tags of internal/app/supervisor (Status,
// Diagnostics, Check, LogBatch) and internal/app/api/node.go. Answers are
// checked and normalised here (omitted optional fields become undefined,
// missing lists []), so pages never have to guess; figures the node did not
// report stay absent rather than becoming 0.
import { ApiError, apiGet, apiSend } from './client';

export type NodeState = 'stopped' | 'starting' | 'running' | 'stopping' | 'error';

export const NODE_STATES: readonly NodeState[] = ['stopped', 'starting', 'running', 'stopping', 'error'];

export interface NodeStatus {
  state: NodeState;
  pid?: number;
  /** RFC 3339; when the current process was spawned. */
  startedAt?: string;
  /** The backend's reading when it answered (absent when 0 or not running). */
  uptimeSeconds?: number;
  version?: string;
  revision?: string;
  /** Connected peers, or null when the node does not report it: show "unknown", never 0. */
  peerCount: number | null;
  storageUsedBytes: number;
  storageReservedBytes: number;
  storageQuotaBytes: number;
  /** What the quota still allows (quota − used − reserved). */
  storageAvailableBytes: number;
  totalBlocks: number;
  apiUrl?: string;
  peerId?: string;
  spr?: string;
  /** Listen addresses. */
  addresses: string[];
  /** What other peers are told to dial. */
  announceAddresses: string[];
  /** Automatic restarts since the app started. */
  restartCount: number;
  lastError?: string;
  /** Automatic restarts stopped after repeated failures. */
  gaveUp: boolean;
  nextRestartAt?: string;
  /** Last successful answer of the node's API; absent = the figures were never read. */
  checkedAt?: string;
  binary?: string;
  dataDir?: string;
  logFile?: string;
}

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'unknown';

export interface DiagnosticCheck {
  id: string;
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do; absent when there is nothing to do. */
  tip?: string;
}

export interface Diagnostics {
  apiReachable: boolean;
  apiUrl: string;
  nodeVersion?: string;
  peerId?: string;
  addressCount: number;
  error?: string;
  state?: NodeState;
  checks: DiagnosticCheck[];
  checkedAt?: string;
}

export interface LogTail {
  lines: string[];
  /** node.log's path; "" when output is kept in memory only. */
  file: string;
}

/** Data of a node-log event: lines printed since the previous one, oldest first. */
export interface LogBatch {
  lines: string[];
  /** Lines the backend left out of the event because too many came at once (they are in node.log). */
  dropped: number;
}

/** Event types the backend publishes about the node. */
export const NODE_EVENTS = {
  state: 'node-state',
  started: 'node-started',
  log: 'node-log',
} as const;

/** Most lines GET /api/node/logs returns. */
export const MAX_LOG_LINES = 1000;

export async function getStatus(): Promise<NodeStatus> {
  const s = toStatus(await apiGet<unknown>('/api/node/status'));
  if (!s) throw new ApiError(200, 'unexpected answer from /api/node/status');
  return s;
}

export type NodeAction = 'start' | 'stop' | 'restart';

/**
 * POST /api/node/<action>: the status after it. A refusal (409) or failure
 * (500) throws an ApiError whose body carries the status then; see
 * statusFromError.
 */
export async function nodeAction(action: NodeAction): Promise<NodeStatus> {
  const s = toStatus(await apiSend<unknown>('POST', `/api/node/${action}`));
  if (!s) throw new ApiError(200, `unexpected answer from /api/node/${action}`);
  return s;
}

export const startNode = () => nodeAction('start');
export const stopNode = () => nodeAction('stop');
export const restartNode = () => nodeAction('restart');

/** The status a failed action answered with ({"error", "status"}), if any. */
export function statusFromError(err: unknown): NodeStatus | null {
  if (!(err instanceof ApiError)) return null;
  const body = err.body;
  return body && typeof body === 'object' && 'status' in body ? toStatus(body.status) : null;
}

export async function getDiagnostics(): Promise<Diagnostics> {
  const d = toDiagnostics(await apiGet<unknown>('/api/node/diagnostics'));
  if (!d) throw new ApiError(200, 'unexpected answer from /api/node/diagnostics');
  return d;
}

export async function getLogs(lines = 500): Promise<LogTail> {
  const n = Math.max(1, Math.min(MAX_LOG_LINES, Math.floor(lines)));
  const v = await apiGet<unknown>(`/api/node/logs?lines=${n}`);
  if (!v || typeof v !== 'object' || !('lines' in v) || !Array.isArray(v.lines)) {
    throw new ApiError(200, 'unexpected answer from /api/node/logs');
  }
  return { lines: v.lines.map(String), file: 'file' in v && typeof v.file === 'string' ? v.file : '' };
}

/** The data of an event envelope `{type, time, data}` as useEventStream delivers it. */
function eventData(event: unknown): unknown {
  return event && typeof event === 'object' && 'data' in event ? event.data : undefined;
}

/** The status in a node-state / node-started event, or null when it is not one. */
export function statusOfEvent(event: unknown): NodeStatus | null {
  return toStatus(eventData(event));
}

/** The batch in a node-log event, or null when it is not one. */
export function logBatchOfEvent(event: unknown): LogBatch | null {
  const d = eventData(event);
  if (!d || typeof d !== 'object') return null;
  const b = d as Record<string, unknown>;
  if (!Array.isArray(b.lines)) return null;
  return { lines: b.lines.map(String), dropped: num(b.dropped) ?? 0 };
}

// ---- normalisation ---------------------------------------------------------

const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

export function isNodeState(x: unknown): x is NodeState {
  return typeof x === 'string' && (NODE_STATES as readonly string[]).includes(x);
}

/** A Status from JSON, or null when it is not one (no known state). */
export function toStatus(v: unknown): NodeStatus | null {
  if (!v || typeof v !== 'object') return null;
  const s = v as Record<string, unknown>;
  if (!isNodeState(s.state)) return null;
  return {
    state: s.state,
    pid: num(s.pid) || undefined,
    startedAt: str(s.startedAt),
    uptimeSeconds: num(s.uptimeSeconds),
    version: str(s.version),
    revision: str(s.revision),
    peerCount: num(s.peerCount) ?? null,
    storageUsedBytes: num(s.storageUsedBytes) ?? 0,
    storageReservedBytes: num(s.storageReservedBytes) ?? 0,
    storageQuotaBytes: num(s.storageQuotaBytes) ?? 0,
    storageAvailableBytes: num(s.storageAvailableBytes) ?? 0,
    totalBlocks: num(s.totalBlocks) ?? 0,
    apiUrl: str(s.apiUrl),
    peerId: str(s.peerId),
    spr: str(s.spr),
    addresses: strings(s.addresses),
    announceAddresses: strings(s.announceAddresses),
    restartCount: num(s.restartCount) ?? 0,
    lastError: str(s.lastError),
    gaveUp: s.gaveUp === true,
    nextRestartAt: str(s.nextRestartAt),
    checkedAt: str(s.checkedAt),
    binary: str(s.binary),
    dataDir: str(s.dataDir),
    logFile: str(s.logFile),
  };
}

const CHECK_STATUSES: readonly CheckStatus[] = ['ok', 'warn', 'fail', 'unknown'];

function toCheck(v: unknown): DiagnosticCheck[] {
  if (!v || typeof v !== 'object') return [];
  const c = v as Record<string, unknown>;
  if (typeof c.name !== 'string') return [];
  const status = CHECK_STATUSES.find((s) => s === c.status) ?? 'unknown';
  return [{ id: str(c.id) ?? c.name, name: c.name, status, detail: str(c.detail) ?? '', tip: str(c.tip) }];
}

export function toDiagnostics(v: unknown): Diagnostics | null {
  if (!v || typeof v !== 'object') return null;
  const d = v as Record<string, unknown>;
  if (typeof d.apiReachable !== 'boolean') return null;
  return {
    apiReachable: d.apiReachable,
    apiUrl: str(d.apiUrl) ?? '',
    nodeVersion: str(d.nodeVersion),
    peerId: str(d.peerId),
    addressCount: num(d.addressCount) ?? 0,
    error: str(d.error),
    state: isNodeState(d.state) ? d.state : undefined,
    checks: Array.isArray(d.checks) ? d.checks.flatMap(toCheck) : [],
    checkedAt: str(d.checkedAt),
  };
}
