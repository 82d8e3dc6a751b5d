import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred, FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../../test/fakes';
import { stateJSON } from './backupFakes';
import { FALLBACK_POLL_MS, useBackupServerState } from './useBackupServerState';

function backend(answer: () => Response = () => jsonResponse(stateJSON())) {
  const handler = { answer };
  const fetch = stubFetch(() => Promise.resolve(handler.answer()));
  return { handler, gets: () => fetch.mock.calls.filter(([url]) => url === '/api/backup-server').length };
}

function emit(type: string, data?: unknown) {
  const source = FakeEventSource.instances[0];
  if (!source) throw new Error('no event stream');
  act(() => source.emit(type, { type, time: 'now', data }));
}

describe('useBackupServerState', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads the state once, then follows backup-server-state events without asking again', async () => {
    const b = backend();
    const { result } = renderHook(() => useBackupServerState());
    expect(result.current.state).toBeNull();
    await waitFor(() => expect(result.current.state?.mode).toBe('running'));
    expect(FakeEventSource.instances[0]?.url).toBe('/api/events');

    emit('hello', {});
    expect(result.current.stream).toBe('live');
    emit('backup-server-state', stateJSON({ mode: 'paused', totals: { manifestsProcessed: 9 } }));
    expect(result.current.state?.mode).toBe('paused');
    expect(result.current.state?.totals.manifestsProcessed).toBe(9);

    // Not a state: ignored.
    emit('backup-server-state', { mode: 'dancing' });
    expect(result.current.state?.mode).toBe('paused');
    expect(b.gets()).toBe(1);
  });

  it('keeps the last state and reports the error when a read fails', async () => {
    const b = backend();
    const { result } = renderHook(() => useBackupServerState());
    await waitFor(() => expect(result.current.state).not.toBeNull());
    b.handler.answer = () => jsonResponse({ error: 'database is locked' }, 500);
    act(() => result.current.refresh());
    await waitFor(() => expect(result.current.error).toBe('database is locked'));
    expect(result.current.state?.mode).toBe('running');

    // An event clears the error: the state is current again.
    emit('backup-server-state', stateJSON());
    expect(result.current.error).toBeNull();
  });

  it('reads again after the stream reconnects', async () => {
    const b = backend();
    const { result } = renderHook(() => useBackupServerState());
    await waitFor(() => expect(result.current.state).not.toBeNull());
    emit('hello', {});
    expect(b.gets()).toBe(1);
    b.handler.answer = () => jsonResponse(stateJSON({ mode: 'disabled' }));
    emit('hello', {});
    await waitFor(() => expect(result.current.state?.mode).toBe('disabled'));
    expect(b.gets()).toBe(2);
  });

  it('polls every 5 s only while the event stream is not live', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const b = backend();
    const { result } = renderHook(() => useBackupServerState());
    // waitFor polls with setInterval, which is fake here: let the answer land on a real timeout.
    await act(() => new Promise((r) => setTimeout(r, 10)));
    expect(result.current.state).not.toBeNull();
    act(() => {
      vi.advanceTimersByTime(FALLBACK_POLL_MS);
    });
    expect(b.gets()).toBe(2);

    emit('hello', {});
    act(() => {
      vi.advanceTimersByTime(10 * FALLBACK_POLL_MS);
    });
    expect(b.gets()).toBe(2);
  });

  it('drops a read that an event overtook', async () => {
    backend();
    const { result } = renderHook(() => useBackupServerState());
    await waitFor(() => expect(result.current.state).not.toBeNull());
    const slow = deferred<Response>();
    stubFetch(() => slow.promise);
    act(() => result.current.refresh());
    emit('backup-server-state', stateJSON({ mode: 'paused' }));
    await act(async () => {
      slow.resolve(jsonResponse(stateJSON({ mode: 'disabled' })));
      await slow.promise;
    });
    expect(result.current.state?.mode).toBe('paused');
  });
});
