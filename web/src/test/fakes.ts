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

/** A promise to settle from the test, for looking at a page while a request is pending. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// ---- devices -------------------------------------------------------------------
// Real codes made with internal/node/identity (secp256k1 and ed25519 keys).

export const DEVICE_PEER_ID = '16Uiu2HAm4BMsxcYGPDauUDPHZ5LeXuX2Y2Bs7o1C8Rtp96zCjpiY';
export const DEVICE_SPR =
  'spr:CiUIAhIhAoIOlalQVAKuYopZu19VfBqusCiSvI9BdCjUddKdwXYlEgIDARpECicAJQgCEiECgg6VqVBUAq5iilm7X1V8Gq6wKJK8j0F0KNR10p3BdiUQARoLCgkEwKgBFJECH5oaCgoIBMCoARQGH4YqRjBEAiAxD5V0caE7OP4fVYRsx81Lijd72NDRLnOG-JdlH1-w7AIgT8HxA9f45n8uWXSde8peE3DmbsS2RcmN_8M5u-CSGZo';
export const ED25519_PEER_ID = '12D3KooWGpi5DH3TK2rjnPduppX6ri5oM3f4RLt6ewhGFGgcTnnh';
export const ED25519_SPR =
  'spr:CiQIARIgaBhQkO40IwpcN9RBlbjXg-EnSsc394UdMKsYu0iV9g4SAgMBGjYKJgAkCAESIGgYUJDuNCMKXDfUQZW414PhJ0rHN_eFHTCrGLtIlfYOEAEaCgoIBMCoARQGH4YqQOJPPjbUy9EF4qj6HKOpCZny4OkJWylzT9ZH1FiCOMvw__qmnVFxfxjeHLxmQ3GTWh6z3o-bLUPGn79330GpCwM';

/** A device as GET /api/devices answers it (JSON shape, not normalised), connected by default. */
export function deviceJSON(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    peerId: DEVICE_PEER_ID,
    nickname: 'Laptop',
    addresses: ['/ip4/192.168.1.20/tcp/8070'],
    firstSeen: '2025-01-01T00:00:00Z',
    lastSeen: now,
    pairedAt: '2025-01-01T00:00:00Z',
    connected: true,
    latencyMs: 12.4,
    agentVersion: 'archivist-desktop/0.1.0',
    direction: 'outbound',
    connectedSince: now,
    remoteAddresses: ['/ip4/192.168.1.20/tcp/8070'],
    bytesIn: 2048,
    bytesOut: 1024,
    ...overrides,
  };
}

/** Link fields of a peer the node does not see connected. */
export const OFFLINE_LINK = {
  connected: false,
  latencyMs: null,
  agentVersion: '',
  direction: '',
  connectedSince: null,
  remoteAddresses: [],
  bytesIn: 0,
  bytesOut: 0,
};

/** This device's code as GET /api/devices/code answers it. */
export const SHARE_CODE_JSON = {
  peerId: ED25519_PEER_ID,
  spr: ED25519_SPR,
  addresses: ['/ip4/192.168.1.30/tcp/8070', '/ip4/127.0.0.1/tcp/8070'],
  multiaddr: `/ip4/192.168.1.30/tcp/8070/p2p/${ED25519_PEER_ID}`,
  qrPng: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
};

const UPDATE_FEED = 'https://github.com/archivist-desktop/archivist/releases/latest/download/latest.json';

/** GET /api/update as a release build answers it (nothing new), with overrides. */
export function updateStateJSON(overrides: Record<string, unknown> = {}) {
  return {
    enabled: true,
    feedUrl: UPDATE_FEED,
    current: '1.0.0',
    platform: 'linux-amd64',
    developmentBuild: false,
    latest: null,
    available: false,
    checking: false,
    error: '',
    downloading: false,
    downloaded: 0,
    total: 0,
    ready: false,
    installed: '',
    installOnQuit: false,
    rolledBack: false,
    canRollback: false,
    executable: '/opt/archivist/archivist',
    ...overrides,
  };
}
