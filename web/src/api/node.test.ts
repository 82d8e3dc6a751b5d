import { describe, expect, it } from 'vitest';
import { jsonResponse, stubFetch, VERSION_BODY } from '../test/fakes';
import { ApiError } from './client';
import { getLogs, getStatus, logBatchOfEvent, statusFromError, statusOfEvent, toDiagnostics, toStatus } from './node';

describe('node API', () => {
  it('normalises a status: omitted fields absent, unknown peer count null, lists never missing', () => {
    const s = toStatus({ state: 'stopped', peerCount: null, storageUsedBytes: 5, restartCount: 1, gaveUp: false });
    expect(s).toMatchObject({ state: 'stopped', peerCount: null, storageUsedBytes: 5, addresses: [], announceAddresses: [] });
    expect(s?.pid).toBeUndefined();
    expect(s?.checkedAt).toBeUndefined();
    expect(toStatus({ state: 'running', peerCount: 0 })?.peerCount).toBe(0);
  });

  it('refuses what is not a status', async () => {
    expect(toStatus(VERSION_BODY)).toBeNull();
    expect(toStatus({ state: 'exploded' })).toBeNull();
    stubFetch(() => Promise.resolve(jsonResponse(VERSION_BODY)));
    await expect(getStatus()).rejects.toThrow('unexpected answer from /api/node/status');
  });

  it('reads the status out of an event envelope and of a refused action', () => {
    expect(statusOfEvent({ type: 'node-state', time: 't', data: { state: 'running' } })?.state).toBe('running');
    expect(statusOfEvent({ type: 'node-state', time: 't' })).toBeNull();
    const err = new ApiError(409, 'node already running', { error: 'node already running', status: { state: 'running' } });
    expect(statusFromError(err)?.state).toBe('running');
    expect(statusFromError(new Error('x'))).toBeNull();
  });

  it('reads log batches and clamps the lines asked for', async () => {
    expect(logBatchOfEvent({ type: 'node-log', data: { lines: ['a'] } })).toEqual({ lines: ['a'], dropped: 0 });
    expect(logBatchOfEvent({ type: 'node-log', data: { lines: ['a'], dropped: 3 } })?.dropped).toBe(3);
    expect(logBatchOfEvent({ type: 'node-log', data: {} })).toBeNull();
    const fetch = stubFetch(() => Promise.resolve(jsonResponse({ lines: ['x'], file: '/n.log' })));
    expect(await getLogs(99999)).toEqual({ lines: ['x'], file: '/n.log' });
    expect(fetch.mock.calls[0]?.[0]).toBe('/api/node/logs?lines=1000');
  });

  it('keeps diagnostics checks with unknown statuses as unknown', () => {
    const d = toDiagnostics({ apiReachable: false, apiUrl: 'http://127.0.0.1:8080', checks: [{ id: 'x', name: 'X', status: 'weird', detail: '' }] });
    expect(d?.checks[0]?.status).toBe('unknown');
    expect(toDiagnostics({})).toBeNull();
  });
});
