// The self-updater over /api/update (internal/app/api/update.go); the shape
// mirrors internal/update.State. The release notes come from the release
// feed: render them as text only, never as HTML.
import { ApiError, apiGet, apiSend } from './client';

export interface UpdateRelease {
  version: string;
  notes: string;
  /** RFC 3339; undefined when the feed gave none. */
  pubDate?: string;
}

export interface UpdateState {
  enabled: boolean;
  feedUrl: string;
  /** The running version. */
  current: string;
  platform: string;
  /** Not a release (dev, 0.1.0-dev…): checked only on demand. */
  developmentBuild: boolean;
  /** The newest release the last good check saw, newer or not. */
  latest: UpdateRelease | null;
  /** latest is newer than what runs and has a build for this platform. */
  available: boolean;
  checkedAt?: string;
  checking: boolean;
  /** The last check's or install's error; "" when none. */
  error: string;
  downloading: boolean;
  downloaded: number;
  total: number;
  /** A verified download of latest waits to be installed. */
  ready: boolean;
  /** The version put in place of the program; it runs from the next start. "" when none. */
  installed: string;
  installOnQuit: boolean;
  rolledBack: boolean;
  canRollback: boolean;
  executable: string;
}

/** The bus event carrying an UpdateState. */
export const UPDATE_EVENT = 'update-state';

const BASE = '/api/update';

export async function getUpdate(): Promise<UpdateState> {
  return checked(toUpdateState(await apiGet<unknown>(BASE)), BASE);
}

/** Reads the release feed now; a feed that cannot be read or is invalid is an ApiError (502). */
export async function checkForUpdate(): Promise<UpdateState> {
  const url = `${BASE}/check`;
  return checked(toUpdateState(await apiSend<unknown>('POST', url)), url);
}

/**
 * Downloads and verifies the available update, then installs it now or
 * when the app quits. Answers when that is done (follow update-state events
 * for the download's progress); 409 when there is nothing newer.
 */
export async function installUpdate(when: 'now' | 'quit'): Promise<UpdateState> {
  const url = `${BASE}/install`;
  return checked(toUpdateState(await apiSend<unknown>('POST', url, { when })), url);
}

/** Undoes "install when I quit"; the verified download stays for later. */
export async function cancelInstallOnQuit(): Promise<UpdateState> {
  const url = `${BASE}/install`;
  return checked(toUpdateState(await apiSend<unknown>('DELETE', url)), url);
}

/** Puts the previous version back (it runs from the next start); 409 when there is none. */
export async function rollbackUpdate(): Promise<UpdateState> {
  const url = `${BASE}/rollback`;
  return checked(toUpdateState(await apiSend<unknown>('POST', url)), url);
}

/** The state in an update-state event envelope `{type, time, data}`, or null. */
export function updateStateOfEvent(event: unknown): UpdateState | null {
  return isObj(event) ? toUpdateState(event.data) : null;
}

function checked<T>(v: T | null, url: string): T {
  if (v === null) throw new ApiError(200, `unexpected answer from ${url}`);
  return v;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');
const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : 0);
const bool = (x: unknown): boolean => x === true;

/** An RFC 3339 time, or undefined for none, garbage or Go's zero time. */
function time(x: unknown): string | undefined {
  if (typeof x !== 'string' || x === '') return undefined;
  const t = Date.parse(x);
  return Number.isNaN(t) || new Date(t).getUTCFullYear() <= 1 ? undefined : x;
}

export function toUpdateState(v: unknown): UpdateState | null {
  if (!isObj(v) || typeof v.current !== 'string') return null;
  const l = v.latest;
  const latest: UpdateRelease | null =
    isObj(l) && typeof l.version === 'string' && l.version !== ''
      ? { version: l.version, notes: str(l.notes), pubDate: time(l.pubDate) }
      : null;
  return {
    enabled: bool(v.enabled),
    feedUrl: str(v.feedUrl),
    current: v.current,
    platform: str(v.platform),
    developmentBuild: bool(v.developmentBuild),
    latest,
    available: bool(v.available) && latest !== null,
    checkedAt: time(v.checkedAt),
    checking: bool(v.checking),
    error: str(v.error),
    downloading: bool(v.downloading),
    downloaded: num(v.downloaded),
    total: num(v.total),
    ready: bool(v.ready),
    installed: str(v.installed),
    installOnQuit: bool(v.installOnQuit),
    rolledBack: bool(v.rolledBack),
    canRollback: bool(v.canRollback),
    executable: str(v.executable),
  };
}
