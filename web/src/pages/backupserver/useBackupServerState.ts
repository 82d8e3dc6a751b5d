import {
  BACKUP_EVENTS,
  backupServerStateOfEvent,
  getBackupServerState,
  type BackupServerState,
} from '../../api/backups';
import { useLiveState, type LiveStateView } from '../../hooks/useLiveState';

export { FALLBACK_POLL_MS } from '../../hooks/useLiveState';

export type BackupServerView = LiveStateView<BackupServerState>;

/**
 * The backup server's state: read on mount, then live from
 * backup-server-state events (published at most four times a second, so
 * progress bars move without asking).
 */
export function useBackupServerState(): BackupServerView {
  return useLiveState(getBackupServerState, BACKUP_EVENTS.state, backupServerStateOfEvent);
}
