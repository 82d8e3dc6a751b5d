import { describe, expect, it } from 'vitest';
import { classifyCode, connectionState, nicknameProblem, shortPeerId, toDeviceList, toShareCode } from './devices';
import { formatRelativeTime } from '../lib/format';
import { DEVICE_PEER_ID, DEVICE_SPR, ED25519_PEER_ID, ED25519_SPR } from '../test/fakes';

const PEER_ID = DEVICE_PEER_ID;
const SPR = DEVICE_SPR;
const ED_ID = ED25519_PEER_ID;
const ED_SPR = ED25519_SPR;

function reason(input: string): string {
  const c = classifyCode(input);
  if (c.kind !== 'invalid') throw new Error(`${input} was classified as ${c.kind}`);
  return c.reason;
}

describe('classifyCode', () => {
  it('reads an SPR and the peer ID it was signed by', () => {
    expect(classifyCode(SPR)).toEqual({ kind: 'spr', code: SPR, peerId: PEER_ID });
    expect(classifyCode(`  ${SPR}\n`)).toEqual({ kind: 'spr', code: SPR, peerId: PEER_ID });
    expect(classifyCode(ED_SPR)).toEqual({ kind: 'spr', code: ED_SPR, peerId: ED_ID });
    // The prefix in any case, as the server takes it.
    expect(classifyCode(`SPR:${SPR.slice(4)}`)).toMatchObject({ kind: 'spr', peerId: PEER_ID });
  });

  it('reads a multiaddr ending in /p2p/<peer ID>', () => {
    const ma = `/ip4/192.168.1.20/tcp/8070/p2p/${PEER_ID}`;
    expect(classifyCode(ma)).toEqual({ kind: 'multiaddr', code: ma, peerId: PEER_ID });
    expect(classifyCode(`/dns4/box.example/tcp/8070/p2p/${ED_ID}`)).toMatchObject({ kind: 'multiaddr', peerId: ED_ID });
    expect(classifyCode(`/p2p/${PEER_ID}`)).toMatchObject({ kind: 'multiaddr', peerId: PEER_ID });
  });

  it('reads bare peer IDs', () => {
    expect(classifyCode(PEER_ID)).toEqual({ kind: 'peerId', code: PEER_ID, peerId: PEER_ID });
    expect(classifyCode(` ${ED_ID} `)).toEqual({ kind: 'peerId', code: ED_ID, peerId: ED_ID });
  });

  it('refuses garbage and says why', () => {
    expect(reason('')).toMatch(/^Empty/);
    expect(reason('   ')).toMatch(/^Empty/);
    expect(reason('hello there')).toMatch(/spaces or line breaks/);
    expect(reason('not-a-valid-multiaddr-or-spr')).toMatch(/^Not a device code: expected an SPR/);
    expect(reason('spr:')).toMatch(/empty after "spr:"/);
    expect(reason('spr:!!')).toMatch(/"!" cannot appear/);
    expect(reason(SPR.slice(0, 40))).toMatch(/Too short to be an SPR/);
    expect(reason('/ip4/1.2.3.4/tcp/1')).toMatch(/has no \/p2p\/<peer ID>/);
    expect(reason(`/ip4/1.2.3.4/tcp/1/p2p/${PEER_ID}/ws`)).toMatch(/not at the end/);
    expect(reason('/ip4/1.2.3.4/tcp/1/p2p/zz')).toMatch(/after \/p2p\/ is not a valid peer ID: peer IDs start with/);
    expect(reason(`/ip4/1.2.3.4/tcp/1/p2p/${PEER_ID.slice(0, -1)}`)).toMatch(/53 characters, this one 52/);
    // One character short (the backend's own test case), one mistyped, one foreign.
    expect(reason('16Uiu2HAmQ1vDxHRCyJszUg8dv2LCY9fXRPLYgFrWhu3nC2uG1n8')).toMatch(/^Not a valid peer ID: .*this one 52 \(some are missing\)/);
    expect(reason(`${PEER_ID.slice(0, 8)}z${PEER_ID.slice(9)}`)).toMatch(/does not decode/);
    expect(reason(`${PEER_ID.slice(0, -1)}0`)).toMatch(/"0" cannot appear in a peer ID/);
    expect(reason('x'.repeat(9000))).toMatch(/Too long/);
  });
});

describe('device helpers', () => {
  it('says unknown, never offline, without live facts', () => {
    expect(connectionState(true, true)).toBe('online');
    expect(connectionState(false, true)).toBe('offline');
    expect(connectionState(false, false)).toBe('unknown');
    expect(connectionState(true, false)).toBe('unknown');
  });

  it('shortens peer IDs like the backend', () => {
    expect(shortPeerId(PEER_ID)).toBe('16Uiu2HA…zCjpiY');
    expect(shortPeerId('short')).toBe('short');
  });

  it('checks nicknames in characters, after trimming', () => {
    expect(nicknameProblem('', false)).toBeNull();
    expect(nicknameProblem('  ', true)).toMatch(/Give the device a name/);
    expect(nicknameProblem('é'.repeat(64), true)).toBeNull();
    expect(nicknameProblem(` ${'a'.repeat(65)} `, true)).toMatch(/At most 64 characters \(this one has 65\)/);
  });

  it('normalises the list: zero times, missing lists, null latency', () => {
    const l = toDeviceList({
      devices: [
        { peerId: PEER_ID, nickname: 'Laptop', lastSeen: '0001-01-01T00:00:00Z', latencyMs: null, connected: false },
        { nickname: 'no id' },
      ],
      nodeRunning: true,
      live: false,
      liveError: 'no peers endpoint',
    });
    expect(l).toMatchObject({ nodeRunning: true, live: false, liveError: 'no peers endpoint', otherPeers: [] });
    expect(l?.devices).toHaveLength(1);
    expect(l?.devices[0]).toMatchObject({ lastSeen: undefined, latencyMs: null, addresses: [], remoteAddresses: [] });
    expect(toDeviceList({ error: 'x' })).toBeNull();
  });

  it('keeps only base64 as the QR code', () => {
    expect(toShareCode({ peerId: PEER_ID, qrPng: 'iVBORw0KGgo=' })?.qrPng).toBe('iVBORw0KGgo=');
    expect(toShareCode({ peerId: PEER_ID, qrPng: 'x" onerror="alert(1)' })?.qrPng).toBe('');
  });
});

describe('formatRelativeTime', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it('says just now, minutes, hours, then the date', () => {
    expect(formatRelativeTime('2025-06-01T11:59:30Z', now)).toBe('just now');
    expect(formatRelativeTime('2025-06-01T12:00:05Z', now)).toBe('just now'); // a clock slightly ahead
    expect(formatRelativeTime('2025-06-01T11:55:00Z', now)).toBe('5 min ago');
    expect(formatRelativeTime('2025-06-01T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelativeTime('2025-05-01T09:00:00Z', now)).toBe(new Date('2025-05-01T09:00:00Z').toLocaleDateString());
    expect(formatRelativeTime('garbage', now)).toBe('—');
  });
});
