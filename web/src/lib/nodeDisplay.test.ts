import { describe, expect, it } from 'vitest';
import { addrScope, connectAddress } from './multiaddr';
import { formatUptime, uptimeAt } from './uptime';

describe('formatUptime', () => {
  it('is Hh Mm Ss', () => {
    expect(formatUptime(0)).toBe('0h 0m 0s');
    expect(formatUptime(3723)).toBe('1h 2m 3s');
    expect(formatUptime(90061.9)).toBe('25h 1m 1s');
    expect(formatUptime(-5)).toBe('0h 0m 0s');
  });
});

describe('uptimeAt', () => {
  const received = Date.parse('2025-01-01T12:00:00Z');
  const startedAt = '2025-01-01T11:00:00Z';

  it('counts from startedAt', () => {
    expect(uptimeAt({ startedAt, uptimeSeconds: 3600 }, received, received + 5000)).toBe(3605);
  });

  it('trusts the backend reading when the clocks disagree', () => {
    // The browser's clock is an hour behind the backend's.
    const skewed = received - 3_600_000;
    expect(uptimeAt({ startedAt, uptimeSeconds: 3600 }, skewed, skewed + 2000)).toBe(3602);
  });

  it('is null without a process, and never negative', () => {
    expect(uptimeAt({}, received, received)).toBeNull();
    expect(uptimeAt({ startedAt: '2025-01-01T12:00:10Z' }, received, received)).toBe(0);
  });
});

describe('multiaddr', () => {
  it.each([
    ['/ip4/127.0.0.1/tcp/8070', 'loopback'],
    ['/ip4/0.0.0.0/tcp/8070', 'loopback'],
    ['/ip6/::1/tcp/8070', 'loopback'],
    ['/dns4/localhost/tcp/8070', 'loopback'],
    ['/ip4/192.168.1.5/tcp/8070', 'private'],
    ['/ip4/10.1.2.3/tcp/8070', 'private'],
    ['/ip4/172.20.0.1/tcp/8070', 'private'],
    ['/ip4/100.72.0.1/tcp/8070', 'private'],
    ['/ip6/fe80::1/tcp/8070', 'private'],
    ['/ip6/fd00::5/tcp/8070', 'private'],
    ['/ip4/172.32.0.1/tcp/8070', 'public'],
    ['/ip4/203.0.113.50/tcp/8070', 'public'],
    ['/ip6/2001:db8::1/tcp/8070', 'public'],
    ['/dns4/backup.example.com/tcp/8070', 'public'],
  ])('%s is %s', (addr, scope) => {
    expect(addrScope(addr)).toBe(scope);
  });

  it('shares the most reachable announced address with the peer ID', () => {
    const addrs = ['/ip4/127.0.0.1/tcp/8070', '/ip4/192.168.1.5/tcp/8070', '/ip4/203.0.113.50/tcp/8070'];
    expect(connectAddress(addrs, 'PEER')).toBe('/ip4/203.0.113.50/tcp/8070/p2p/PEER');
    expect(connectAddress(addrs.slice(0, 2), 'PEER')).toBe('/ip4/192.168.1.5/tcp/8070/p2p/PEER');
    expect(connectAddress(['/ip4/127.0.0.1/tcp/8070/p2p/PEER'], 'PEER')).toBe('/ip4/127.0.0.1/tcp/8070/p2p/PEER');
    expect(connectAddress([], 'PEER')).toBeNull();
    expect(connectAddress(addrs, undefined)).toBeNull();
  });
});
