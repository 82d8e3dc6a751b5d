// Paired devices over the backend's /api/devices endpoints (My Devices and
// Add Device pages), and the app link over /api/link (pairing requests,
// linked apps). Shapes mirror internal/app/devices (Device, Peer, List,
// ShareCode), internal/app/link (Status, Peer, PairResult) and
// internal/app/api/devices.go. Answers are checked and
// normalised here: missing lists become [], Go's zero time becomes
// undefined. Everything that came from a peer — nicknames it was given,
// agent strings, addresses — is text for callers to render as text only.
import { ApiError, apiGet, apiSend } from './client';
import { decodeBase58, encodeBase58, nonBase58 } from '../lib/base58';

/** What the node says about a connection now; all empty when not connected (or not known). */
export interface Link {
  connected: boolean;
  /** The node's ping average; null until a ping answered (or not connected). */
  latencyMs: number | null;
  agentVersion: string;
  /** Who dialled: "inbound", "outbound", or "" when not connected. */
  direction: string;
  /** RFC 3339, or null. */
  connectedSince: string | null;
  /** Addresses of the open connections. */
  remoteAddresses: string[];
  bytesIn: number;
  bytesOut: number;
}

/** A paired device. */
export interface Device extends Link {
  peerId: string;
  nickname: string;
  /** Where to reach it: from its pairing code, and learned from connections. */
  addresses: string[];
  /** RFC 3339; undefined when never (Go's zero time). */
  firstSeen?: string;
  lastSeen?: string;
  pairedAt?: string;
  /** Why the last (re)connection failed; undefined after a success. */
  lastError?: string;
}

/** A connected peer that is not a paired device. */
export interface Peer extends Link {
  peerId: string;
}

export interface DeviceList {
  devices: Device[];
  otherPeers: Peer[];
  /** False: there is no node, so nothing is connected. */
  nodeRunning: boolean;
  /** True when connection facts come from the node now; false: `connected` means nothing (unknown). */
  live: boolean;
  /** Why the facts are not live, when the node runs but could not say. */
  liveError?: string;
}

/** This device's pairing code, to give to another device. */
export interface ShareCode {
  /**
   * The device code (archivist1:…) to share: it pairs the apps (for
   * backups) as well as the nodes. "" when the app link cannot make one.
   */
  code: string;
  /** This device's ID on the app link ("ABCD-EFGH-…"); "" when unknown. */
  deviceId: string;
  /** The node's peer ID; it, the SPR and the multiaddr pair with a bare archivist-node. */
  peerId: string;
  spr: string;
  /** The node's announce addresses. */
  addresses: string[];
  /** The most widely dialable address with /p2p/<peer ID>, or "" when none. */
  multiaddr: string;
  /** Base64 PNG of the SPR as a QR code; "" when the SPR does not fit one. */
  qrPng: string;
}

/** Event types the backend publishes about devices. */
export const DEVICE_EVENTS = {
  peerConnected: 'peer-connected',
  peerDisconnected: 'peer-disconnected',
  devicesChanged: 'devices-changed',
} as const;

/** Event types the backend publishes about the app link (internal/app/link). */
export const LINK_EVENTS = {
  /** A device asked to pair with this one (data {device, name}). */
  pairingRequest: 'pairing-request',
  /** A link peer was paired, approved or forgotten (no data). */
  linkChanged: 'link-changed',
} as const;

/** paired: trusted, its requests are served; requested: it asked to pair and waits for this user's approval. */
export type LinkPeerState = 'paired' | 'requested';

/** A device on the app link: one that is paired, or that asked to pair. */
export interface LinkPeer {
  /** Its device ID ("ABCD-EFGH-…"). */
  device: string;
  /** The name it gave (or the nickname given here): peer-chosen text. */
  name: string;
  /** Its node's peer ID (matches Device.peerId once the nodes are paired). */
  nodePeerId: string;
  /** host:port of its link servers. */
  addrs: string[];
  /** It keeps other devices' backups. */
  backupServer: boolean;
  state: LinkPeerState;
  /** RFC 3339; undefined when never. */
  requestedAt?: string;
  pairedAt?: string;
  /** Where its last request came from. */
  remoteAddr?: string;
}

/** GET /api/link. */
export interface LinkStatus {
  /** This device's ID. */
  device: string;
  /** This device's code; "" while the node does not run. */
  code: string;
  /** Ports the link servers listen on. */
  listen: number[];
  /** Why a link server is not running (e.g. its port is in use). */
  errors: string[];
  peers: LinkPeer[];
  /** How many peers wait for approval. */
  pending: number;
}

/** What pairing by a device code (archivist1:…) did on the app link. */
export interface Pairing {
  peer: LinkPeer;
  /** The other device got this one's pairing request and shows it for approval. */
  delivered: boolean;
  /** Why the request was not delivered (the other device can still paste this device's code). */
  requestError?: string;
}

/** POST /api/devices' answer: the device, and for a device code what the link did. */
export interface AddedDevice extends Device {
  pairing?: Pairing;
}

/** Longest nickname, in characters (internal/app/devices.MaxNickname). */
export const MAX_NICKNAME = 64;

const BASE = '/api/devices';
const devicePath = (peerId: string) => `${BASE}/${encodeURIComponent(peerId)}`;

export async function listDevices(): Promise<DeviceList> {
  const l = toDeviceList(await apiGet<unknown>(BASE));
  if (!l) throw new ApiError(200, `unexpected answer from ${BASE}`);
  return l;
}

/** One paired device; null when the peer is not one (404). */
export async function getDevice(peerId: string): Promise<Device | null> {
  let v: unknown;
  try {
    v = await apiGet<unknown>(devicePath(peerId));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
  const d = toDevice(v);
  if (!d) throw new ApiError(200, `unexpected answer from ${devicePath(peerId)}`);
  return d;
}

/**
 * Pairs a device by its code: the backend connects to it through the node
 * and remembers it only once connected. A device code (archivist1:…) pairs
 * the apps too and sends the other device this one's pairing request: the
 * answer then has `pairing`. 400: the code or nickname was refused (or it is
 * this device's own code); 502: the node could not connect (its message and
 * a hint); 503: the node is not running.
 */
export async function addDevice(code: string, nickname: string): Promise<AddedDevice> {
  const v = await apiSend<unknown>('POST', BASE, { code: code.trim(), nickname: nickname.trim() });
  const d = expectDevice(v, BASE);
  const pairing = isObj(v) ? toPairing(v.pairing) : null;
  return pairing ? { ...d, pairing } : d;
}

export async function renameDevice(peerId: string, nickname: string): Promise<Device> {
  const path = devicePath(peerId);
  return expectDevice(await apiSend<unknown>('PATCH', path, { nickname: nickname.trim() }), path);
}

/** Forgets a paired device and closes the node's connections to it. */
export async function removeDevice(peerId: string): Promise<void> {
  await apiSend<unknown>('DELETE', devicePath(peerId));
}

/** Reconnects a paired device: its stored addresses, then a lookup by peer ID. */
export async function connectDevice(peerId: string): Promise<Device> {
  const path = `${devicePath(peerId)}/connect`;
  return expectDevice(await apiSend<unknown>('POST', path), path);
}

/** Closes the node's connections to a peer (it may connect again by itself). */
export async function disconnectDevice(peerId: string): Promise<void> {
  await apiSend<unknown>('POST', `${devicePath(peerId)}/disconnect`);
}

export async function getShareCode(): Promise<ShareCode> {
  const path = `${BASE}/code`;
  const c = toShareCode(await apiGet<unknown>(path));
  if (!c) throw new ApiError(200, `unexpected answer from ${path}`);
  return c;
}

// ---- the app link -------------------------------------------------------------

const LINK = '/api/link';
const linkPath = (device: string) => `${LINK}/${encodeURIComponent(device)}`;

export async function getLinkStatus(): Promise<LinkStatus> {
  const st = toLinkStatus(await apiGet<unknown>(LINK));
  if (!st) throw new ApiError(200, `unexpected answer from ${LINK}`);
  return st;
}

/**
 * Approves a device's pairing request: pairs the nodes and trusts it. 404:
 * no request from that device; 400: not a device ID; 502/503: its node
 * could not be reached / this node is not running.
 */
export async function approveLinkPeer(device: string): Promise<LinkPeer> {
  const path = `${linkPath(device)}/approve`;
  const p = toLinkPeer(await apiSend<unknown>('POST', path));
  if (!p) throw new ApiError(200, `unexpected answer from ${path}`);
  return p;
}

/** Forgets a device on the link: declines its request, or unpairs the apps (its node stays paired). */
export async function forgetLinkPeer(device: string): Promise<void> {
  await apiSend<unknown>('DELETE', linkPath(device));
}

/** "ABCD-EFGH": the first two groups of a device ID, as the backend's ShortString. */
export function shortDeviceId(id: string): string {
  return id.split('-').slice(0, 2).join('-');
}

function expectDevice(v: unknown, path: string): Device {
  const d = toDevice(v);
  if (!d) throw new ApiError(200, `unexpected answer from ${path}`);
  return d;
}

/** 503 from a devices endpoint: there is no node to talk to. */
export function isNodeNotRunning(err: unknown): boolean {
  return err instanceof ApiError && err.status === 503;
}

/** Online / offline as the node says; unknown when it cannot say (never guessed as offline). */
export type ConnectionState = 'online' | 'offline' | 'unknown';

export function connectionState(connected: boolean, live: boolean): ConnectionState {
  if (!live) return 'unknown';
  return connected ? 'online' : 'offline';
}

/** "16Uiu2HAm…CjpiY"-style: first 8 and last 6 characters, as the backend's ShortID. */
export function shortPeerId(id: string): string {
  return id.length <= 16 ? id : `${id.slice(0, 8)}…${id.slice(-6)}`;
}

/**
 * Why a nickname would be refused, or null when it is fine. Mirrors the
 * backend's limit (characters, not bytes, after trimming); required refuses
 * an empty one (renaming), pairing allows it (the short peer ID is used).
 */
export function nicknameProblem(nickname: string, required: boolean): string | null {
  const s = nickname.trim();
  if (s === '') return required ? 'Give the device a name.' : null;
  const n = [...s].length;
  if (n > MAX_NICKNAME) return `At most ${MAX_NICKNAME} characters (this one has ${n}).`;
  return null;
}

// ---- device codes ------------------------------------------------------------

/**
 * What a pasted device code looks like, for instant feedback; the server
 * decides (it verifies an SPR's signature, parses the multiaddr fully).
 * peerId is who the code names, when that can be read from it.
 */
export type CodeClass =
  /** A device code (archivist1:…): pairs the apps as well as the nodes. name is peer-chosen text. */
  | { kind: 'device'; code: string; peerId: string; deviceId: string; name: string; backupServer: boolean }
  | { kind: 'spr'; code: string; peerId?: string }
  | { kind: 'multiaddr'; code: string; peerId: string }
  | { kind: 'peerId'; code: string; peerId: string }
  | { kind: 'invalid'; reason: string };

/** Longest code the backend takes (internal/app/devices maxCode). */
const MAX_CODE = 8 << 10;

/** What starts a device code (internal/app/link.CodePrefix); the backend matches it exactly. */
export const DEVICE_CODE_PREFIX = 'archivist1:';

/** Longest device code the backend takes (internal/app/link maxCodeLen). */
const MAX_DEVICE_CODE = 16 << 10;

/** Fewest bytes an SPR envelope can have (a public key alone is 36+). */
const MIN_SPR_BYTES = 40;

const EXAMPLES =
  'a device code (archivist1:…) — or, for a bare archivist-node, an SPR (spr:…), a multiaddr ending in /p2p/<peer ID>, or a peer ID (16Uiu2… or 12D3KooW…)';

const ONE_PIECE = 'Contains spaces or line breaks: copy the code again, in one piece.';

export function classifyCode(input: string): CodeClass {
  const s = input.trim();
  if (s === '') return invalid(`Empty: paste the other device's code: ${EXAMPLES}.`);
  if (s.slice(0, DEVICE_CODE_PREFIX.length).toLowerCase() === DEVICE_CODE_PREFIX) return classifyDeviceCode(s);
  if (s.length > MAX_CODE) return invalid(`Too long to be a device code (${s.length} characters).`);
  if (/\s/.test(s)) return invalid(ONE_PIECE);
  if (s.slice(0, 4).toLowerCase() === 'spr:') return classifySpr(s);
  if (s.startsWith('/')) return classifyMultiaddr(s);
  const problem = peerIdProblem(s);
  if (problem === null) return { kind: 'peerId', code: s, peerId: s };
  if (/^(16Uiu2|12D3Koo|Qm)/.test(s)) return invalid(`Not a valid peer ID: ${problem}.`);
  return invalid(`Not recognised: expected ${EXAMPLES}.`);
}

function invalid(reason: string): CodeClass {
  return { kind: 'invalid', reason };
}

/**
 * A device code: "archivist1:" and base64url (unpadded) of JSON naming the
 * device ID, its node's SPR and peer ID, its link addresses and its name.
 * The backend parses it the same way (internal/app/link.ParseCode) and
 * verifies the SPR.
 */
function classifyDeviceCode(s: string): CodeClass {
  if (!s.startsWith(DEVICE_CODE_PREFIX)) {
    return invalid(`A device code starts with "${DEVICE_CODE_PREFIX}" in lower case: copy the whole code again.`);
  }
  if (s.length > MAX_DEVICE_CODE) return invalid(`Too long to be a device code (${s.length} characters).`);
  if (/\s/.test(s)) return invalid(ONE_PIECE);
  const body = s.slice(DEVICE_CODE_PREFIX.length);
  if (body === '') {
    return invalid(`The device code is empty after "${DEVICE_CODE_PREFIX}": copy the whole code from the other device.`);
  }
  const foreign = [...new Set([...body].filter((c) => !/[A-Za-z0-9_-]/.test(c)))];
  if (foreign.length > 0) {
    return invalid(`Not a valid device code: ${quoteChars(foreign)} cannot appear in one. Copy the whole code again.`);
  }
  const bytes = decodeBase64url(body);
  let v: unknown;
  try {
    v = bytes ? JSON.parse(new TextDecoder().decode(bytes)) : undefined;
  } catch {
    v = undefined;
  }
  if (!isObj(v)) return invalid('The device code is damaged: part of it is probably missing. Copy the whole code again.');
  const deviceId = str(v.device);
  const spr = str(v.spr);
  const node = str(v.node);
  if (!isDeviceId(deviceId) || spr === '' || node === '') {
    return invalid("The device code is incomplete: copy it again from the other device's Devices page.");
  }
  return { kind: 'device', code: s, peerId: node, deviceId, name: str(v.name), backupServer: v.backupServer === true };
}

/** Whether s reads as a device ID: 52 base32 characters, in groups or not, any case (peerlink.ParseDeviceID). */
function isDeviceId(s: string): boolean {
  return /^[A-Z2-7]{52}$/.test(s.replace(/[- ]/g, '').toUpperCase());
}

function classifySpr(s: string): CodeClass {
  const body = s.slice(4).replace(/=+$/, '');
  if (body === '') return invalid('The SPR is empty after "spr:": copy the whole code from the other device.');
  const foreign = [...new Set([...body].filter((c) => !/[A-Za-z0-9_-]/.test(c)))];
  if (foreign.length > 0) {
    return invalid(`Not a valid SPR: ${quoteChars(foreign)} cannot appear in one (it is base64url). Copy the whole code again.`);
  }
  const bytes = decodeBase64url(body);
  if (!bytes || bytes.length < MIN_SPR_BYTES) {
    return invalid('Too short to be an SPR: part of it is probably missing. Copy the whole code again.');
  }
  return { kind: 'spr', code: s, peerId: sprSigner(bytes) };
}

function classifyMultiaddr(s: string): CodeClass {
  const parts = s.replace(/\/+$/, '').split('/');
  // parts[0] is "" (the leading slash); the peer ID must be the last component.
  const last = parts.length - 1;
  const marker = parts[last - 1];
  if (last < 2 || (marker !== 'p2p' && marker !== 'ipfs')) {
    const where = parts.includes('p2p') ? 'has /p2p/ but not at the end' : 'has no /p2p/<peer ID>';
    return invalid(
      `This address ${where}, so it does not say which device to expect there. Copy the full address from the other device, e.g. /ip4/192.168.1.20/tcp/8070/p2p/16Uiu2….`,
    );
  }
  const id = parts[last] ?? '';
  const problem = peerIdProblem(id);
  if (problem !== null) return invalid(`The part after /${marker}/ is not a valid peer ID: ${problem}.`);
  if (parts.slice(1, last - 1).some((p) => p === '')) return invalid('The address has an empty part ("//").');
  return { kind: 'multiaddr', code: s, peerId: id };
}

// Peer IDs of the key types nodes use: an identity multihash of the
// protobuf public key (secp256k1: 16Uiu2…, ed25519: 12D3KooW…), or a
// sha2-256 multihash for larger keys (Qm…). A compressed secp256k1 key
// starts 02 or 03. Peer IDs carry no checksum: a typo near the start breaks
// this structure and is caught; one further on is left to the server.
const ID_FORMS = [
  { prefix: '16Uiu2', length: 53, header: [0x00, 0x25, 0x08, 0x02, 0x12, 0x21, [0x02, 0x03]], bytes: 39 },
  { prefix: '12D3KooW', length: 52, header: [0x00, 0x24, 0x08, 0x01, 0x12, 0x20], bytes: 38 },
  { prefix: 'Qm', length: 46, header: [0x12, 0x20], bytes: 34 },
] as const;

/** Why s is not a peer ID (a phrase), or null when it is one. */
function peerIdProblem(s: string): string | null {
  if (s === '') return 'it is empty';
  const foreign = nonBase58(s);
  if (foreign.length > 0) return `${quoteChars(foreign)} cannot appear in a peer ID`;
  const form = ID_FORMS.find((f) => s.startsWith(f.prefix));
  if (!form) return 'peer IDs start with 16Uiu2 or 12D3KooW';
  if (s.length !== form.length) {
    const how = s.length < form.length ? 'missing' : 'extra';
    return `a ${form.prefix}… peer ID has ${form.length} characters, this one ${s.length} (some are ${how})`;
  }
  const b = decodeBase58(s);
  const fits = (h: number | readonly number[], x: number | undefined) => (typeof h === 'number' ? x === h : h.some((y) => y === x));
  if (!b || b.length !== form.bytes || form.header.some((h, i) => !fits(h, b[i]))) {
    return 'it does not decode: a character is probably mistyped';
  }
  return null;
}

/**
 * The peer ID an SPR envelope names as its signer: the envelope starts with
 * its public key (field 1), and for secp256k1 and ed25519 keys the peer ID is
 * that key as an identity multihash. undefined for other key types.
 */
function sprSigner(b: Uint8Array): string | undefined {
  const len = b[1];
  if (b[0] !== 0x0a || (len !== 0x25 && len !== 0x24) || b.length < 2 + len) return undefined;
  return encodeBase58(Uint8Array.from([0x00, len, ...b.subarray(2, 2 + len)]));
}

function decodeBase64url(s: string): Uint8Array | null {
  if (s.length % 4 === 1) return null; // no base64 text has this length
  try {
    const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

function quoteChars(chars: string[]): string {
  const shown = chars.slice(0, 6).map((c) => JSON.stringify(c)).join(', ');
  return chars.length > 6 ? `${shown}, …` : shown;
}

// ---- normalisation -----------------------------------------------------------

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');
const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : []);

/** An RFC 3339 time, or undefined for none, garbage or Go's zero time (year 1). */
function time(x: unknown): string | undefined {
  if (typeof x !== 'string' || x === '') return undefined;
  const t = Date.parse(x);
  if (Number.isNaN(t) || new Date(t).getUTCFullYear() <= 1) return undefined;
  return x;
}

function toLink(o: Obj): Link {
  const connected = o.connected === true;
  return {
    connected,
    latencyMs: typeof o.latencyMs === 'number' && Number.isFinite(o.latencyMs) ? o.latencyMs : null,
    agentVersion: str(o.agentVersion),
    direction: str(o.direction),
    connectedSince: time(o.connectedSince) ?? null,
    remoteAddresses: strings(o.remoteAddresses),
    bytesIn: num(o.bytesIn),
    bytesOut: num(o.bytesOut),
  };
}

export function toDevice(v: unknown): Device | null {
  if (!isObj(v) || typeof v.peerId !== 'string' || v.peerId === '') return null;
  const lastError = str(v.lastError);
  return {
    ...toLink(v),
    peerId: v.peerId,
    nickname: str(v.nickname),
    addresses: strings(v.addresses),
    firstSeen: time(v.firstSeen),
    lastSeen: time(v.lastSeen),
    pairedAt: time(v.pairedAt),
    lastError: lastError === '' ? undefined : lastError,
  };
}

function toPeer(v: unknown): Peer[] {
  if (!isObj(v) || typeof v.peerId !== 'string' || v.peerId === '') return [];
  return [{ ...toLink(v), peerId: v.peerId }];
}

export function toDeviceList(v: unknown): DeviceList | null {
  if (!isObj(v) || !Array.isArray(v.devices)) return null;
  const liveError = str(v.liveError);
  return {
    devices: v.devices.flatMap((d) => toDevice(d) ?? []),
    otherPeers: Array.isArray(v.otherPeers) ? v.otherPeers.flatMap(toPeer) : [],
    nodeRunning: v.nodeRunning === true,
    live: v.live === true,
    liveError: liveError === '' ? undefined : liveError,
  };
}

export function toShareCode(v: unknown): ShareCode | null {
  if (!isObj(v) || typeof v.peerId !== 'string' || v.peerId === '') return null;
  const qr = str(v.qrPng);
  const code = str(v.code);
  return {
    // Only a device code: anything else would be shared as one.
    code: code.startsWith(DEVICE_CODE_PREFIX) ? code : '',
    deviceId: str(v.deviceId),
    peerId: v.peerId,
    spr: str(v.spr),
    addresses: strings(v.addresses),
    multiaddr: str(v.multiaddr),
    // Base64 only: it goes into a data: URL.
    qrPng: /^[A-Za-z0-9+/]+=*$/.test(qr) ? qr : '',
  };
}

export function toLinkPeer(v: unknown): LinkPeer | null {
  if (!isObj(v) || typeof v.device !== 'string' || v.device === '') return null;
  if (v.state !== 'paired' && v.state !== 'requested') return null;
  const remoteAddr = str(v.remoteAddr);
  return {
    device: v.device,
    name: str(v.name),
    nodePeerId: str(v.nodePeerId),
    addrs: strings(v.addrs),
    backupServer: v.backupServer === true,
    state: v.state,
    requestedAt: time(v.requestedAt),
    pairedAt: time(v.pairedAt),
    remoteAddr: remoteAddr === '' ? undefined : remoteAddr,
  };
}

export function toLinkStatus(v: unknown): LinkStatus | null {
  if (!isObj(v) || typeof v.device !== 'string') return null;
  const code = str(v.code);
  return {
    device: v.device,
    code: code.startsWith(DEVICE_CODE_PREFIX) ? code : '',
    listen: Array.isArray(v.listen) ? v.listen.filter((p): p is number => Number.isInteger(p)) : [],
    errors: strings(v.errors).filter((e) => e !== ''),
    peers: Array.isArray(v.peers) ? v.peers.flatMap((p) => toLinkPeer(p) ?? []) : [],
    pending: num(v.pending),
  };
}

/** The `pairing` of POST /api/devices' answer, or null when there is none (not a device code). */
export function toPairing(v: unknown): Pairing | null {
  if (!isObj(v)) return null;
  const peer = toLinkPeer(v.peer);
  if (!peer) return null;
  const requestError = str(v.requestError);
  return { peer, delivered: v.delivered === true, requestError: requestError === '' ? undefined : requestError };
}
