// What the Backup Server page says about its state, as pure functions of it.
import type { BackupServerSettings, BackupSource, DaemonMode, Manifest } from '../../api/backups';

export type Tone = 'ok' | 'busy' | 'warn' | 'error' | 'idle';

export const MODE_LABELS: Record<DaemonMode, string> = {
  running: 'Running',
  paused: 'Paused',
  disabled: 'Disabled',
};

export const MODE_TONES: Record<DaemonMode, Tone> = {
  running: 'ok',
  paused: 'warn',
  disabled: 'idle',
};

export interface SourceStatus {
  label: string;
  tone: Tone;
  /** Why, when there is more to say than the label. */
  detail?: string;
}

/**
 * Where a paired device stands as a source: busy (a cycle is under way),
 * offline (the last poll failed, with why), not polled yet, not a source
 * (it answered but offers no manifests: another backup server, a restore
 * machine), or idle.
 */
export function sourceStatus(s: BackupSource): SourceStatus {
  if (s.busy) return { label: 'Busy', tone: 'busy' };
  if (s.lastError) return { label: 'Offline', tone: 'error', detail: s.lastError };
  if (!s.lastPoll) return { label: 'Not polled yet', tone: 'idle' };
  if (!s.offers) return { label: 'Not a source', tone: 'idle', detail: 'It answers, but offers no folders to back up.' };
  return { label: 'Idle', tone: 'ok' };
}

/** "30 s", "5 min", "2 h", "90 s". */
export function formatSeconds(secs: number): string {
  if (secs > 0 && secs % 3600 === 0) return `${secs / 3600} h`;
  if (secs > 0 && secs % 60 === 0) return `${secs / 60} min`;
  return `${secs} s`;
}

/** "2/4": attempts made out of those allowed (the first try and max_retries retries). */
export function attemptsText(m: Manifest, maxRetries: number): string {
  return `${m.attempts}/${maxRetries + 1}`;
}

/** "last 10 · 24 hourly · 7 daily · 8 weekly", leaving out rules that are off. */
export function retentionText(c: BackupServerSettings): string {
  const rules = [
    c.keep_last > 0 && `last ${c.keep_last}`,
    c.keep_hourly > 0 && `${c.keep_hourly} hourly`,
    c.keep_daily > 0 && `${c.keep_daily} daily`,
    c.keep_weekly > 0 && `${c.keep_weekly} weekly`,
  ].filter((r): r is string => typeof r === 'string');
  return rules.length > 0 ? rules.join(' · ') : 'only the newest version';
}

/** "Documents #4": how a manifest is named in labels and messages. */
export function manifestName(m: Manifest): string {
  return `${m.folderName || m.folderId} #${m.sequence}`;
}

/** A stable key for a manifest (a folder's sequence is unique per source). */
export function manifestKey(m: Manifest): string {
  return `${m.source}/${m.folderId}/${m.sequence}`;
}

/** The source's name, or its device ID's start when it has none. */
export function sourceLabel(name: string, device: string): string {
  return name || `${device.slice(0, 12)}…`;
}
