import { getSyncState, SYNC_EVENTS, syncStateOfEvent, type SyncState } from '../../api/sync';
import { useLiveState, type LiveStateView } from '../../hooks/useLiveState';

export { FALLBACK_POLL_MS } from '../../hooks/useLiveState';

export type SyncStateView = LiveStateView<SyncState>;

/** The sync state: read on mount, then live from sync-state events. */
export function useSyncState(): SyncStateView {
  return useLiveState(getSyncState, SYNC_EVENTS.state, syncStateOfEvent);
}
