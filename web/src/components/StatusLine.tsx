import { useEffect, useState } from 'react';
import { fetchVersion, formatVersion } from '../api/version';
import { useEventStream, type StreamState } from '../api/events';

type VersionState = { kind: 'loading' } | { kind: 'ok'; text: string } | { kind: 'error'; text: string };

const STREAM_LABELS: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  unsupported: 'no event stream',
};

/** Backend version and live-event state, both read from the backend (never assumed). */
export function StatusLine() {
  const [version, setVersion] = useState<VersionState>({ kind: 'loading' });
  const stream = useEventStream('/api/events');

  useEffect(() => {
    let cancelled = false;
    fetchVersion()
      .then((info) => {
        if (!cancelled) setVersion({ kind: 'ok', text: formatVersion(info) });
      })
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        if (!cancelled) setVersion({ kind: 'error', text: `API unreachable: ${message}` });
      });
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <footer className="status-line" data-testid="status-line">
      <span data-testid="app-version" className={version.kind === 'error' ? 'status-error' : undefined}>
        {version.kind === 'loading' ? 'connecting…' : version.text}
      </span>
      <span className="status-sep" aria-hidden="true">
        │
      </span>
      <span className={`status-stream stream-${stream}`}>
        <span className="stream-dot" aria-hidden="true" />
        events: <span className="stream-label" data-testid="event-state">{STREAM_LABELS[stream]}</span>
      </span>
    </footer>
  );
}
