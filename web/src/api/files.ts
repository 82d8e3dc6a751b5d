// The node's stored files over the backend's /api/files endpoints (Restore
// page). Shapes mirror internal/app/files (File, Progress) and
// internal/app/api/files.go. Everything here that came from the node — file
// names, MIME types, CIDs — was written by some peer: callers render it as
// text only.
import { ApiError, apiGet, apiSend } from './client';

/** One dataset stored on the node. filename and mimetype are "" when the manifest has none. */
export interface StoredFile {
  cid: string;
  filename: string;
  mimetype: string;
  size: number;
  treeCid: string;
}

/** Data of the upload-progress and download-progress events. */
export interface TransferProgress {
  /** Made by the server ("upload-3"); the browser never learns which is its own. */
  id: string;
  /** The name as the server uses it (see serverFileName), not necessarily the browser's. */
  filename: string;
  /** Set on downloads from the start, on uploads once done. */
  cid?: string;
  bytesDone: number;
  /** -1 when unknown. */
  totalBytes: number;
  /** -1 when unknown. */
  percent: number;
  done: boolean;
  error?: string;
}

/** Event types the backend publishes about files. */
export const FILE_EVENTS = {
  uploadProgress: 'upload-progress',
  downloadProgress: 'download-progress',
  fileDownloaded: 'file-downloaded',
  filesChanged: 'files-changed',
} as const;

const CSRF_HEADER = 'X-Archivist-CSRF';

export async function listFiles(): Promise<StoredFile[]> {
  const list = await apiGet<unknown>('/api/files');
  if (!Array.isArray(list)) throw new ApiError(200, 'unexpected answer from /api/files (not a list)');
  return list.flatMap(toStoredFile);
}

/** One list entry, or none when it lacks a CID or size; missing strings become "". */
function toStoredFile(v: unknown): StoredFile[] {
  if (!v || typeof v !== 'object') return [];
  const f = v as Record<string, unknown>;
  if (typeof f.cid !== 'string' || typeof f.size !== 'number') return [];
  const str = (x: unknown) => (typeof x === 'string' ? x : '');
  return [{ cid: f.cid, filename: str(f.filename), mimetype: str(f.mimetype), size: f.size, treeCid: str(f.treeCid) }];
}

/** 503 from any files endpoint: there is no node to talk to. */
export function isNodeNotRunning(err: unknown): boolean {
  return err instanceof ApiError && err.status === 503;
}

/**
 * Uploads one file, streaming it as the raw request body (the browser reads
 * it from disk as it sends; nothing is buffered here). Progress arrives as
 * upload-progress events. Abort with signal: the promise then rejects with
 * the signal's AbortError.
 */
export async function uploadFile(file: File, signal?: AbortSignal): Promise<{ cid: string }> {
  const url = `/api/files?name=${encodeURIComponent(file.name)}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body: file,
      headers: {
        Accept: 'application/json',
        'Content-Type': file.type || 'application/octet-stream',
        [CSRF_HEADER]: '1',
      },
      credentials: 'same-origin',
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, err instanceof Error ? err.message : String(err));
  }
  const text = await res.text();
  const body = parseJSON(text);
  if (!res.ok) throw new ApiError(res.status, errorMessage(body, res.statusText), body);
  if (!body || typeof body !== 'object' || typeof (body as { cid?: unknown }).cid !== 'string') {
    throw new ApiError(res.status, 'unexpected answer from the upload (no CID)');
  }
  return { cid: (body as { cid: string }).cid };
}

/** Has the backend fetch a dataset (from the network if need be) into a folder on its machine; answers the file's path. */
export function downloadToFolder(cid: string, destination: string): Promise<{ path: string }> {
  return apiSend<{ path: string }>('POST', '/api/files/download', { cid, destination });
}

export function deleteFile(cid: string): Promise<void> {
  return apiSend<void>('DELETE', `/api/files/${encodeURIComponent(cid)}`);
}

/** Deletes every file from the node's storage (Settings → Storage); answers how many were deleted. */
export async function deleteAllFiles(): Promise<number> {
  const r = await apiSend<{ deleted?: unknown }>('POST', '/api/files/delete-all');
  return typeof r?.deleted === 'number' ? r.deleted : 0;
}

/** The URL that streams a dataset to the browser as an attachment (for a plain download link). */
export function contentURL(cid: string): string {
  return `/api/files/${encodeURIComponent(cid)}/content`;
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorMessage(body: unknown, statusText: string): string {
  if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string') return body.error;
  return statusText || 'request failed';
}

/**
 * The name the server gives an upload (files.SafeName(name, "upload")), which
 * is the filename its upload-progress events carry: control characters and
 * /\:*?"<>| become "_", surrounding spaces and dots go, and an empty or
 * over-long name becomes "upload". Reserved Windows names get a "_" prefix.
 */
export function serverFileName(name: string, fallback = 'upload'): string {
  let safe = name.replace(/[\p{Cc}/\\:*?"<>|]/gu, '_');
  safe = safe.trim().replace(/^\.+|\.+$/g, '');
  if (safe === '' || new TextEncoder().encode(safe).length > 255) return fallback;
  const base = safe.toUpperCase().split('.')[0] ?? '';
  return RESERVED_NAMES.test(base) ? `_${safe}` : safe;
}

const RESERVED_NAMES = /^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])$/;

/**
 * The progress in an event as useEventStream delivers it (the whole
 * `{type, time, data}` envelope), or null when it is not one.
 */
export function progressOf(event: unknown): TransferProgress | null {
  const data = eventData(event);
  if (!data || typeof data !== 'object') return null;
  const p = data as Record<string, unknown>;
  if (typeof p.filename !== 'string' || typeof p.bytesDone !== 'number' || typeof p.totalBytes !== 'number') return null;
  return {
    id: typeof p.id === 'string' ? p.id : '',
    filename: p.filename,
    cid: typeof p.cid === 'string' && p.cid !== '' ? p.cid : undefined,
    bytesDone: p.bytesDone,
    totalBytes: p.totalBytes,
    percent: typeof p.percent === 'number' ? p.percent : -1,
    done: p.done === true,
    error: typeof p.error === 'string' && p.error !== '' ? p.error : undefined,
  };
}

/** The data of an event envelope `{type, time, data}`. */
export function eventData(event: unknown): unknown {
  return event && typeof event === 'object' && 'data' in event ? event.data : undefined;
}

// ---- CID validation ------------------------------------------------------

/** The base58btc (bitcoin) alphabet: no 0, O, I or l. */
export const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
export const CID_MIN_LENGTH = 46;
export const CID_MAX_LENGTH = 60;

export type CidCheck = { ok: true; cid: string } | { ok: false; reason: string };

/**
 * A strict client-side check of a dataset CID, for instant feedback (the
 * server is the final judge). Accepts only what the node accepts for a
 * dataset: a base58btc CIDv1 ("z…", 46–60 characters) whose bytes are a
 * complete CIDv1 — version 1, a codec, and a multihash whose digest has
 * exactly the length it declares (so a CID cut short by a bad copy is caught).
 * Surrounding whitespace is ignored; the trimmed CID is returned. On failure,
 * reason says why, as a phrase ("too short: …").
 */
export function checkCid(input: string): CidCheck {
  const s = input.trim();
  if (s === '') return bad('empty: paste or type a CID');
  if (/\s/.test(s)) return bad('contains spaces or line breaks');
  if (s.startsWith('Qm')) return bad('an old-style CIDv0 (Qm…) cannot name a dataset: dataset CIDs start with "z"');
  if (!s.startsWith('z')) return bad('must start with "z" (a base58btc CIDv1)');
  const foreign = [...new Set([...s.slice(1)].filter((c) => !BASE58_ALPHABET.includes(c)))];
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 6).map((c) => JSON.stringify(c)).join(', ');
    return bad(`contains characters that are not in a CID: ${shown}${foreign.length > 6 ? ', …' : ''}`);
  }
  if (s.length < CID_MIN_LENGTH) return bad(`too short: ${s.length} characters, a CID has ${CID_MIN_LENGTH}–${CID_MAX_LENGTH}`);
  if (s.length > CID_MAX_LENGTH) return bad(`too long: ${s.length} characters, a CID has ${CID_MIN_LENGTH}–${CID_MAX_LENGTH}`);
  const structure = cidBytesProblem(decodeBase58(s.slice(1)));
  if (structure) return bad(structure);
  return { ok: true, cid: s };
}

/** Whether s (trimmed) is a dataset CID; checkCid says why not. */
export function isValidCid(s: string): boolean {
  return checkCid(s).ok;
}

function bad(reason: string): CidCheck {
  return { ok: false, reason };
}

/** Base58btc → bytes; every leading "1" is a zero byte. The caller has checked the alphabet. */
function decodeBase58(s: string): Uint8Array {
  let zeros = 0;
  while (zeros < s.length && s[zeros] === '1') zeros++;
  let n = 0n;
  for (const c of s) n = n * 58n + BigInt(BASE58_ALPHABET.indexOf(c));
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.push(Number(n & 0xffn));
    n >>= 8n;
  }
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes.reverse()]);
}

/** Reads an unsigned LEB128 varint at i: [value, next index], or null if it runs off the end or is absurdly long. */
function readVarint(b: Uint8Array, i: number): [number, number] | null {
  let value = 0;
  for (let shift = 0; shift < 63 && i < b.length; shift += 7) {
    const byte = b[i++] ?? 0;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, i];
  }
  return null;
}

// Base58 is one big number: a character missing or extra at the end shifts
// every byte, so the version, codec or lengths no longer fit. Whatever part
// fails, the likely cause is the same.
const DAMAGED = 'does not decode to a CIDv1: a character is probably missing, extra or mistyped';

/** Mirrors the node's rules for a binary CIDv1 (internal/node/dag.CIDFromBytes) as far as a dataset needs. */
function cidBytesProblem(b: Uint8Array): string | null {
  const version = readVarint(b, 0);
  if (!version) return DAMAGED;
  if (version[0] !== 1) return DAMAGED;
  const codec = readVarint(b, version[1]);
  if (!codec) return DAMAGED;
  const hashFn = readVarint(b, codec[1]);
  if (!hashFn) return DAMAGED;
  const digestLength = readVarint(b, hashFn[1]);
  if (!digestLength) return DAMAGED;
  if (b.length - digestLength[1] !== digestLength[0]) return DAMAGED;
  if (hashFn[0] === SHA2_256 && digestLength[0] !== 32) return DAMAGED;
  return null;
}

const SHA2_256 = 0x12;

/** "zDvZRwzm…HrzFXy": enough to recognise, with the whole CID kept for a title and copying. */
export function shortCid(cid: string): string {
  return cid.length > 16 ? `${cid.slice(0, 8)}…${cid.slice(-6)}` : cid;
}
