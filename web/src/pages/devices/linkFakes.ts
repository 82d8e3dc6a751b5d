// Test-only fixtures for the app link (device codes, /api/link answers).
// App code never imports this. (It belongs with src/test/fakes.ts; it sits
// here because the change that added it was limited to the devices pages.)
import { DEVICE_CODE_PREFIX } from '../../api/devices';
import { DEVICE_PEER_ID, DEVICE_SPR, ED25519_PEER_ID, ED25519_SPR } from '../../test/fakes';

/** The other device's ID on the link (52 base32 characters in groups of 4). */
export const NAS_DEVICE_ID = 'H3KQ-7TZC-M2WA-PL5R-XN4D-V6EJ-QY2B-S7GF-K3UH-W5ZN-A4MT-C6RL-D2XQ';
/** This device's ID. */
export const THIS_DEVICE_ID = 'B7NW-4QXE-R2KD-M5TA-Z3HC-P6YL-J2VF-G4SU-N7XB-E3QK-W6DM-T5RA-L2ZH';

/** base64url without padding, as Go's base64.RawURLEncoding. */
function base64url(text: string): string {
  const bin = Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join('');
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A device code as internal/app/link.Code.String() makes it: the other
 * device (a backup server named "Office NAS", node DEVICE_PEER_ID) unless
 * fields say otherwise.
 */
export function deviceCode(fields: Record<string, unknown> = {}): string {
  const c = {
    device: NAS_DEVICE_ID,
    name: 'Office NAS',
    spr: DEVICE_SPR,
    node: DEVICE_PEER_ID,
    addrs: ['192.168.1.20:8071'],
    backupServer: true,
    ...fields,
  };
  return DEVICE_CODE_PREFIX + base64url(JSON.stringify(c));
}

/** This device's own code (node ED25519_PEER_ID, as SHARE_CODE_JSON). */
export const THIS_DEVICE_CODE = deviceCode({
  device: THIS_DEVICE_ID,
  name: 'studio',
  spr: ED25519_SPR,
  node: ED25519_PEER_ID,
  addrs: ['192.168.1.30:8071'],
  backupServer: false,
});

/** A link peer as GET /api/link answers it (JSON shape): the NAS asking to pair, 3½ minutes ago ("3 min ago"). */
export function linkPeerJSON(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    device: NAS_DEVICE_ID,
    name: 'Office NAS',
    nodePeerId: DEVICE_PEER_ID,
    addrs: ['192.168.1.20:8071'],
    backupServer: true,
    state: 'requested',
    requestedAt: new Date(Date.now() - 210_000).toISOString(),
    pairedAt: '0001-01-01T00:00:00Z',
    remoteAddr: '192.168.1.20:51234',
    ...overrides,
  };
}

/** GET /api/link's answer: no peers, no problems, unless overridden. */
export function linkStatusJSON(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { device: THIS_DEVICE_ID, code: THIS_DEVICE_CODE, listen: [8071], errors: [], peers: [], pending: 0, ...overrides };
}
