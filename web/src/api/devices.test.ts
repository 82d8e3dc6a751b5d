import { describe, expect, it } from 'vitest';
import {
  addDevice,
  approveLinkPeer,
  classifyCode,
  connectionState,
  forgetLinkPeer,
  getLinkStatus,
  getShareCode,
  nicknameProblem,
  shortDeviceId,
  shortPeerId,
  toDeviceList,
  toLinkStatus,
  toPairing,
  toShareCode,
} from './devices';
import { ApiError } from './client';
import { formatRelativeTime } from '../lib/format';
import { deviceCode, linkPeerJSON, linkStatusJSON, NAS_DEVICE_ID, THIS_DEVICE_CODE, THIS_DEVICE_ID } from '../pages/devices/linkFakes';
import {
  DEVICE_PEER_ID,
  DEVICE_SPR,
  deviceJSON,
  ED25519_PEER_ID,
  ED25519_SPR,
  jsonResponse,
  SHARE_CODE_JSON,
  stubFetch,
} from '../test/fakes';

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

  it('reads a device code: who it names, and that it pairs the apps', () => {
    const code = deviceCode();
    expect(classifyCode(`  ${code}\n`)).toEqual({
      kind: 'device',
      code,
      peerId: DEVICE_PEER_ID,
      deviceId: NAS_DEVICE_ID,
      name: 'Office NAS',
      backupServer: true,
    });
    // No name, not a backup server, the ID ungrouped in lower case (the backend takes it).
    const plain = deviceCode({ name: undefined, backupServer: undefined, device: NAS_DEVICE_ID.replace(/-/g, '').toLowerCase() });
    expect(classifyCode(plain)).toMatchObject({ kind: 'device', name: '', backupServer: false });
    // Longer than an SPR may be (8 KiB), within a device code's 16 KiB.
    const long = deviceCode({ addrs: Array.from({ length: 400 }, (_, i) => `192.168.${i % 250}.${i % 200}:8071`) });
    expect(long.length).toBeGreaterThan(8 << 10);
    expect(classifyCode(long)).toMatchObject({ kind: 'device', deviceId: NAS_DEVICE_ID });
  });

  it('refuses a damaged device code and says why', () => {
    const code = deviceCode();
    expect(reason('archivist1:')).toMatch(/empty after "archivist1:"/);
    expect(reason(`ARCHIVIST1:${code.slice(11)}`)).toMatch(/starts with "archivist1:" in lower case/);
    expect(reason(`${code}==`)).toMatch(/"=" cannot appear in one/);
    expect(reason(`${code.slice(0, 40)} ${code.slice(40)}`)).toMatch(/spaces or line breaks/);
    expect(reason(code.slice(0, 60))).toMatch(/damaged: part of it is probably missing/);
    expect(reason(deviceCode({ spr: '' }))).toMatch(/incomplete: copy it again from the other device's Devices page/);
    expect(reason(deviceCode({ device: 'ABCD-EFGH' }))).toMatch(/incomplete/);
    expect(reason(deviceCode({ node: undefined }))).toMatch(/incomplete/);
    expect(reason(`archivist1:${'A'.repeat(16 << 10)}`)).toMatch(/Too long to be a device code/);
  });

  it('refuses garbage and says why', () => {
    expect(reason('')).toMatch(/^Empty: paste the other device's code: a device code \(archivist1:…\)/);
    expect(reason('   ')).toMatch(/^Empty/);
    expect(reason('hello there')).toMatch(/spaces or line breaks/);
    expect(reason('not-a-valid-multiaddr-or-spr')).toMatch(
      /^Not recognised: expected a device code \(archivist1:…\) — or, for a bare archivist-node, an SPR/,
    );
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

  it("reads this device's code and ID, and shares only a device code as one", () => {
    expect(toShareCode({ ...SHARE_CODE_JSON, code: THIS_DEVICE_CODE, deviceId: THIS_DEVICE_ID })).toMatchObject({
      code: THIS_DEVICE_CODE,
      deviceId: THIS_DEVICE_ID,
      peerId: ED25519_PEER_ID,
      spr: ED25519_SPR,
    });
    // An older backend (no code), a link that could not make one (""), and garbage.
    expect(toShareCode(SHARE_CODE_JSON)).toMatchObject({ code: '', deviceId: '' });
    expect(toShareCode({ ...SHARE_CODE_JSON, code: '', deviceId: THIS_DEVICE_ID })?.code).toBe('');
    expect(toShareCode({ ...SHARE_CODE_JSON, code: 'javascript:alert(1)' })?.code).toBe('');
  });

  it('shortens device IDs to their first two groups, as the backend', () => {
    expect(shortDeviceId(NAS_DEVICE_ID)).toBe('H3KQ-7TZC');
    expect(shortDeviceId('ABCD')).toBe('ABCD');
  });

  it('keeps only base64 as the QR code', () => {
    expect(toShareCode({ peerId: PEER_ID, qrPng: 'iVBORw0KGgo=' })?.qrPng).toBe('iVBORw0KGgo=');
    expect(toShareCode({ peerId: PEER_ID, qrPng: 'x" onerror="alert(1)' })?.qrPng).toBe('');
  });
});

describe('link normalisation', () => {
  it('normalises the link status: zero times, missing fields, unknown peers dropped', () => {
    const requestedAt = '2025-06-01T11:55:00Z';
    const st = toLinkStatus(
      linkStatusJSON({
        listen: [8071, '8072', 1.5],
        errors: ['link: listening on port 8072: address already in use', ''],
        pending: 1,
        peers: [
          linkPeerJSON({ requestedAt }),
          linkPeerJSON({ device: 'Q2LK-AAAA', state: 'paired', pairedAt: '2025-05-01T10:00:00Z', remoteAddr: undefined, addrs: null }),
          linkPeerJSON({ device: '' }),
          linkPeerJSON({ state: 'blocked' }),
          'garbage',
        ],
      }),
    );
    expect(st).toMatchObject({
      device: THIS_DEVICE_ID,
      code: THIS_DEVICE_CODE,
      listen: [8071],
      errors: ['link: listening on port 8072: address already in use'],
      pending: 1,
    });
    expect(st?.peers).toEqual([
      {
        device: NAS_DEVICE_ID,
        name: 'Office NAS',
        nodePeerId: DEVICE_PEER_ID,
        addrs: ['192.168.1.20:8071'],
        backupServer: true,
        state: 'requested',
        requestedAt,
        pairedAt: undefined,
        remoteAddr: '192.168.1.20:51234',
      },
      expect.objectContaining({
        device: 'Q2LK-AAAA',
        state: 'paired',
        pairedAt: '2025-05-01T10:00:00Z',
        remoteAddr: undefined,
        addrs: [],
      }),
    ]);
    expect(toLinkStatus({ device: THIS_DEVICE_ID })).toEqual({
      device: THIS_DEVICE_ID,
      code: '',
      listen: [],
      errors: [],
      peers: [],
      pending: 0,
    });
    expect(toLinkStatus({ error: 'x' })).toBeNull();
  });

  it('reads the pairing a device code made', () => {
    expect(toPairing({ peer: linkPeerJSON({ state: 'paired' }), delivered: true })).toMatchObject({
      peer: { device: NAS_DEVICE_ID, name: 'Office NAS', state: 'paired' },
      delivered: true,
      requestError: undefined,
    });
    expect(toPairing({ peer: linkPeerJSON({ state: 'paired' }), delivered: false, requestError: 'connection refused' })).toMatchObject({
      delivered: false,
      requestError: 'connection refused',
    });
    expect(toPairing(undefined)).toBeNull();
    expect(toPairing({ delivered: true })).toBeNull();
  });
});

describe('device and link requests', () => {
  type Call = { url: string; method: string; body?: unknown };
  function backend(answer: (call: Call) => Response) {
    const calls: Call[] = [];
    stubFetch((url, init) => {
      const call: Call = { url, method: init?.method ?? 'GET', body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
      calls.push(call);
      return Promise.resolve(answer(call));
    });
    return calls;
  }

  it('pairs by a device code and returns the pairing with the device', async () => {
    const code = deviceCode();
    const pairing = { peer: linkPeerJSON({ state: 'paired' }), delivered: false, requestError: 'no route to host' };
    const calls = backend(() => jsonResponse({ ...deviceJSON({ nickname: 'Office NAS' }), pairing }));
    const d = await addDevice(` ${code} `, ' NAS ');
    expect(calls).toEqual([{ url: '/api/devices', method: 'POST', body: { code, nickname: 'NAS' } }]);
    expect(d).toMatchObject({
      peerId: DEVICE_PEER_ID,
      nickname: 'Office NAS',
      pairing: { delivered: false, requestError: 'no route to host' },
    });
    expect(d.pairing?.peer.device).toBe(NAS_DEVICE_ID);
  });

  it('pairs by an SPR without a pairing', async () => {
    backend(() => jsonResponse(deviceJSON()));
    const d = await addDevice(DEVICE_SPR, '');
    expect(d.peerId).toBe(DEVICE_PEER_ID);
    expect(d).not.toHaveProperty('pairing');
  });

  it("reads this device's code and the link's status", async () => {
    const calls = backend((call) =>
      call.url === '/api/link'
        ? jsonResponse(linkStatusJSON({ peers: [linkPeerJSON()], pending: 1 }))
        : jsonResponse({ ...SHARE_CODE_JSON, code: THIS_DEVICE_CODE, deviceId: THIS_DEVICE_ID }),
    );
    expect(await getShareCode()).toMatchObject({ code: THIS_DEVICE_CODE, deviceId: THIS_DEVICE_ID });
    const st = await getLinkStatus();
    expect(st.pending).toBe(1);
    expect(st.peers[0]).toMatchObject({ device: NAS_DEVICE_ID, state: 'requested' });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /api/devices/code', 'GET /api/link']);
  });

  it('refuses a link status that is not one', async () => {
    backend(() => jsonResponse(['not', 'a', 'status']));
    await expect(getLinkStatus()).rejects.toThrow(/unexpected answer from \/api\/link/);
  });

  it('approves and forgets a device by its ID', async () => {
    const calls = backend((call) =>
      call.method === 'POST'
        ? jsonResponse(linkPeerJSON({ state: 'paired', pairedAt: '2025-06-01T12:00:00Z' }))
        : new Response(null, { status: 204 }),
    );
    expect(await approveLinkPeer(NAS_DEVICE_ID)).toMatchObject({ state: 'paired', pairedAt: '2025-06-01T12:00:00Z' });
    await expect(forgetLinkPeer(NAS_DEVICE_ID)).resolves.toBeUndefined();
    expect(calls).toEqual([
      { url: `/api/link/${NAS_DEVICE_ID}/approve`, method: 'POST', body: undefined },
      { url: `/api/link/${NAS_DEVICE_ID}`, method: 'DELETE', body: undefined },
    ]);
  });

  it('escapes the device ID in the path and passes refusals on', async () => {
    const calls = backend(() => jsonResponse({ error: 'no pairing request from device x/y' }, 404));
    const err = await approveLinkPeer('x/y').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect(calls[0]?.url).toBe('/api/link/x%2Fy/approve');
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
