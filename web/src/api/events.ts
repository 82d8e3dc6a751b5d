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
 *
 * Every hook on the page shares one connection per path (see Stream): a
 * browser allows only six HTTP/1.1 connections to a host, and an
 * event stream holds one for good, so one stream per component would
 * soon leave no connection for the API calls themselves.
 */
export function useEventStream(path = '/api/events', listeners: EventListeners = {}): StreamState {
  const [state, setState] = useState<StreamState>(() =>
    wailsRuntime() ? 'live' : typeof EventSource === 'undefined' ? 'unsupported' : (streams.get(path)?.state ?? 'connecting'),
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
    let stream = streams.get(path);
    if (!stream) {
      stream = new Stream(path);
      streams.set(path, stream);
    }
    const sub: Subscriber = { listeners: listenersRef, setState };
    return stream.subscribe(sub, names ? names.split(',') : []);
  }, [path, names]);

  return state;
}

interface Subscriber {
  listeners: { current: EventListeners };
  setState: (s: StreamState) => void;
}

/** The open streams by path; a stream closes with its last subscriber. */
const streams = new Map<string, Stream>();

/**
 * One EventSource shared by every subscriber to a path, reopened with
 * backoff when the browser gives up on it. Event names are registered as
 * subscribers ask for them and dispatched to every subscriber that
 * listens.
 */
class Stream {
  state: StreamState = 'connecting';
  private source: EventSource | null = null;
  private readonly subs = new Set<Subscriber>();
  private readonly names = new Set<string>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = RETRY_MIN_MS;

  constructor(private readonly path: string) {}

  subscribe(sub: Subscriber, names: string[]): () => void {
    this.subs.add(sub);
    for (const n of names) this.listen(n);
    if (!this.source && this.retryTimer === undefined) this.connect();
    sub.setState(this.state);
    return () => {
      this.subs.delete(sub);
      if (this.subs.size > 0) return;
      clearTimeout(this.retryTimer);
      this.source?.close();
      this.source = null;
      if (streams.get(this.path) === this) streams.delete(this.path);
    };
  }

  private setState(s: StreamState) {
    this.state = s;
    for (const sub of this.subs) sub.setState(s);
  }

  private dispatch(name: string, ev: MessageEvent<string>) {
    const data = parseData(ev.data);
    for (const sub of [...this.subs]) sub.listeners.current[name]?.(data);
  }

  private listen(name: string) {
    if (name === 'hello' || this.names.has(name)) return;
    this.names.add(name);
    this.source?.addEventListener(name, (ev: MessageEvent<string>) => this.dispatch(name, ev));
  }

  private connect() {
    this.retryTimer = undefined;
    const source = new EventSource(this.path);
    this.source = source;
    source.addEventListener('hello', (ev: MessageEvent<string>) => {
      this.retryMs = RETRY_MIN_MS;
      this.setState('live');
      this.dispatch('hello', ev);
    });
    for (const name of this.names) source.addEventListener(name, (ev: MessageEvent<string>) => this.dispatch(name, ev));
    source.onerror = () => {
      if (this.source !== source) return;
      this.setState('reconnecting');
      // EventSource retries by itself while CONNECTING, but gives up for
      // good once CLOSED (e.g. a 401 or a non-event-stream answer), so
      // retry from scratch with backoff in that case.
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        this.source = null;
        this.retryTimer = setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      }
    };
  }
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
