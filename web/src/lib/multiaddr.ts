// Just enough multiaddr reading to tell people which address to share.
// Mirrors addrScope in internal/app/supervisor/diagnostics.go.

/** loopback: this machine only; private: the local network; public: anyone who can route to it. */
export type AddrScope = 'loopback' | 'private' | 'public';

/** The scope of /ip4/… and /ip6/… multiaddrs by their IP; DNS names and others count as public. */
export function addrScope(ma: string): AddrScope {
  const parts = ma.split('/');
  const proto = parts[1];
  const host = (parts[2] ?? '').toLowerCase();
  if (proto === 'ip4') return ip4Scope(host);
  if (proto === 'ip6') return ip6Scope(host);
  if ((proto === 'dns' || proto === 'dns4' || proto === 'dns6') && host === 'localhost') return 'loopback';
  return 'public';
}

function ip4Scope(ip: string): AddrScope {
  const o = ip.split('.').map(Number);
  if (o.length !== 4 || o.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return 'public';
  const [a = 0, b = 0] = o;
  if (a === 127 || a === 0) return 'loopback';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  if (a === 169 && b === 254) return 'private'; // link-local
  if (a === 100 && b >= 64 && b <= 127) return 'private'; // carrier-grade NAT
  return 'public';
}

function ip6Scope(ip: string): AddrScope {
  if (ip === '::1' || ip === '::' || /^0*:(0*:)*0*1?$/.test(ip)) return 'loopback';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped?.[1]) return ip4Scope(mapped[1]);
  if (/^f[cd]/.test(ip) || /^fe[89ab]/.test(ip)) return 'private'; // unique local, link-local
  return 'public';
}

const SCOPE_RANK: Record<AddrScope, number> = { public: 0, private: 1, loopback: 2 };

/**
 * The address to give another device: the announced address most likely to
 * reach this node from elsewhere (public, then local network, then
 * loopback), with /p2p/<peerId> appended. null without addresses or peer ID.
 */
export function connectAddress(addresses: readonly string[], peerId: string | undefined): string | null {
  if (!peerId || addresses.length === 0) return null;
  const best = [...addresses].sort((x, y) => SCOPE_RANK[addrScope(x)] - SCOPE_RANK[addrScope(y)])[0];
  if (!best) return null;
  return best.includes('/p2p/') ? best : `${best.replace(/\/+$/, '')}/p2p/${peerId}`;
}
