// Test-only stand-ins for the browser's network APIs. App code never imports this.
import { vi } from 'vitest';

type Listener = (ev: MessageEvent<string>) => void;

/** Minimal EventSource: records instances so a test can push events or errors into them. */
export class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static instances: FakeEventSource[] = [];

  readonly url: string;
  readyState = FakeEventSource.CONNECTING;
  onerror: ((ev: Event) => void) | null = null;
  private listeners = new Map<string, Listener[]>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  addEventListener(name: string, fn: Listener) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }

  /** Deliver a named event as the server would. */
  emit(name: string, data: unknown) {
    this.readyState = FakeEventSource.OPEN;
    const ev = new MessageEvent<string>(name, { data: JSON.stringify(data) });
    for (const fn of this.listeners.get(name) ?? []) fn(ev);
  }

  /** Simulate a dropped connection; closed=true is the "browser gave up" case. */
  fail(closed = false) {
    this.readyState = closed ? FakeEventSource.CLOSED : FakeEventSource.CONNECTING;
    this.onerror?.(new Event('error'));
  }
}

export function installFakeEventSource() {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** Stub fetch with a handler; returns the mock so tests can inspect calls. */
export function stubFetch(handler: (url: string, init?: RequestInit) => Promise<Response>) {
  const mock = vi.fn((input: RequestInfo | URL, init?: RequestInit) => handler(requestUrl(input), init));
  vi.stubGlobal('fetch', mock);
  return mock;
}

function requestUrl(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

export const VERSION_BODY = { version: '0.1.0', revision: 'abc1234def5678', buildDate: '2025-01-01T00:00:00Z' };
