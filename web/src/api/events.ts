import { useEffect, useRef, useState } from 'react';

/** connecting: first attempt; live: server said hello; reconnecting: lost it, retrying; unsupported: no EventSource. */
export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'unsupported';

export type EventListeners = Record<string, (data: unknown) => void>;

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30000;

/**
 * Subscribes to the backend's server-sent events and reports whether the
 * stream is alive. "live" only after the server's `hello` event, because an
 * open socket alone does not prove the backend accepted us.
 *
 * listeners maps event names to handlers (data already JSON-parsed); it is
 * read through a ref so passing a fresh object each render does not reconnect.
 */
export function useEventStream(path = '/api/events', listeners: EventListeners = {}): StreamState {
  const [state, setState] = useState<StreamState>(() =>
    wailsRuntime() ? 'live' : typeof EventSource === 'undefined' ? 'unsupported' : 'connecting',
  );
  const listenersRef = useRef(listeners);
  useEffect(() => {
    listenersRef.current = listeners;
  });
  const names = Object.keys(listeners).sort().join(',');

  useEffect(() => {
    const wails = wailsRuntime();
    if (wails) {
      // Inside the desktop window the backend is in-process: its events come
      // over the Wails bridge, which cannot drop the way a socket can.
      return wails.EventsOn(WAILS_EVENT, (ev: unknown) => {
        const type = (ev as { type?: unknown } | null)?.type;
        if (typeof type === 'string') listenersRef.current[type]?.(ev);
      });
    }
    if (typeof EventSource === 'undefined') return;
    let source: EventSource | null = null;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let retryMs = RETRY_MIN_MS;
    let stopped = false;

    const dispatch = (name: string) => (ev: MessageEvent<string>) => {
      listenersRef.current[name]?.(parseData(ev.data));
    };

    const connect = () => {
      source = new EventSource(path);
      source.addEventListener('hello', (ev: MessageEvent<string>) => {
        retryMs = RETRY_MIN_MS;
        setState('live');
        dispatch('hello')(ev);
      });
      for (const name of names ? names.split(',') : []) {
        if (name !== 'hello') source.addEventListener(name, dispatch(name));
      }
      source.onerror = () => {
        if (stopped || !source) return;
        setState('reconnecting');
        // EventSource retries by itself while CONNECTING, but gives up for
        // good once CLOSED (e.g. a 401 or a non-event-stream answer), so
        // retry from scratch with backoff in that case.
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          retryTimer = setTimeout(connect, retryMs);
          retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        }
      };
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [path, names]);

  return state;
}

/** The Wails event carrying the backend's events (internal/shell.EventName). */
const WAILS_EVENT = 'archivist:event';

type WailsRuntime = { EventsOn: (name: string, cb: (data: unknown) => void) => () => void };

/**
 * True inside the desktop window (the Wails runtime is there), where the
 * shell does what a browser tab would otherwise do itself, such as OS
 * notifications.
 */
export function inDesktopWindow(): boolean {
  return wailsRuntime() !== undefined;
}

/** The Wails runtime, present only inside the desktop window. */
function wailsRuntime(): WailsRuntime | undefined {
  const rt = (globalThis as { runtime?: Partial<WailsRuntime> }).runtime;
  return typeof rt?.EventsOn === 'function' ? (rt as WailsRuntime) : undefined;
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}
