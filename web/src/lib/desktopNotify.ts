// Desktop notifications from a browser tab (the Notification API). Inside
// the desktop window the shell sends OS notifications itself, so nothing
// here shows one there. Text only: the API renders title and body as plain
// text, and names that came from peers are cut to a sane length.
import { inDesktopWindow } from '../api/events';

/** "unsupported": no Notification API (or not a secure context); "desktop": the window, where the shell notifies. */
export type NotifyPermission = NotificationPermission | 'unsupported' | 'desktop';

function api(): typeof Notification | undefined {
  const N = (globalThis as { Notification?: typeof Notification }).Notification;
  return typeof N === 'function' ? N : undefined;
}

export function notifyPermission(): NotifyPermission {
  if (inDesktopWindow()) return 'desktop';
  const N = api();
  return N ? N.permission : 'unsupported';
}

/** Ask for permission; must be called from a user gesture (the Settings button). */
export async function requestNotifyPermission(): Promise<NotifyPermission> {
  const N = api();
  if (inDesktopWindow() || !N) return notifyPermission();
  try {
    return await N.requestPermission();
  } catch {
    return N.permission;
  }
}

export interface DesktopMessage {
  title: string;
  body: string;
  /** Same tag replaces the previous notification (one per folder, say) instead of stacking. */
  tag: string;
}

/** Shows a notification if the browser allows it; returns whether it did. */
export function showDesktop(msg: DesktopMessage): boolean {
  const N = api();
  if (inDesktopWindow() || !N || N.permission !== 'granted') return false;
  try {
    new N(msg.title, { body: msg.body, tag: msg.tag });
    return true;
  } catch {
    // Chrome on Android only allows notifications from a service worker.
    return false;
  }
}

const MAX_NAME = 80;
const MAX_ERROR = 200;

function cut(s: string, max: number): string {
  const oneLine = s.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Data of backup-finished / backup-failed (internal/app/folders BackupOutcome). */
export interface BackupOutcome {
  folderId: string;
  folderName: string;
  sequence?: number;
  file?: string;
  error?: string;
}

export function backupOutcomeOf(data: unknown): BackupOutcome | null {
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  if (typeof d.folderId !== 'string' || typeof d.folderName !== 'string') return null;
  return {
    folderId: d.folderId,
    folderName: d.folderName,
    sequence: typeof d.sequence === 'number' ? d.sequence : undefined,
    file: typeof d.file === 'string' && d.file !== '' ? d.file : undefined,
    error: typeof d.error === 'string' && d.error !== '' ? d.error : undefined,
  };
}

export function backupFinishedMessage(o: BackupOutcome): DesktopMessage {
  const folder = cut(o.folderName, MAX_NAME) || 'A folder';
  return {
    title: 'Backup finished',
    body:
      o.sequence !== undefined
        ? `${folder}: version ${o.sequence} is stored on your backup server.`
        : `${folder} is stored on your backup server.`,
    tag: `backup:${o.folderId}`,
  };
}

export function backupFailedMessage(o: BackupOutcome): DesktopMessage {
  const folder = cut(o.folderName, MAX_NAME) || 'A folder';
  const what = o.file ? `${cut(o.file, MAX_NAME)} in ${folder}` : folder;
  const why = o.error ? `: ${cut(o.error, MAX_ERROR).replace(/\.$/, '')}.` : '.';
  return {
    title: 'Backup failed',
    body: `${what} could not be backed up${why} It is retried automatically.`,
    tag: `backup:${o.folderId}`,
  };
}

export function deviceConnectedMessage(name: string, peerId: string): DesktopMessage {
  return {
    title: 'Device connected',
    body: `${cut(name, MAX_NAME) || `${peerId.slice(0, 12)}…`} is connected.`,
    tag: `peer:${peerId}`,
  };
}
