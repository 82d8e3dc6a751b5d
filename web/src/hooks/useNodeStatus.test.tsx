import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../test/fakes';
import { SLOW_REFRESH_MS, useNodeStatus } from './useNodeStatus';

function emit(type: string, data: unknown) {
  act(() => FakeEventSource.instances[0]?.emit(type, { type, time: 'now', data }));
}

describe('useNodeStatus', () => {
  beforeEach(() => {
    installFakeEventSource();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not let a slow read overwrite a newer event', async () => {
    let answer!: (r: Response) => void;
    stubFetch(() => new Promise<Response>((r) => (answer = r)));
    const { result } = renderHook(() => useNodeStatus());
    emit('node-state', { state: 'running' });
    expect(result.current.status?.state).toBe('running');
    await act(async () => {
      answer(jsonResponse({ state: 'starting' }));
      await Promise.resolve();
    });
    expect(result.current.status?.state).toBe('running');
  });

  it('reads again when the event stream reconnects, not on its first hello', async () => {
    const fetch = stubFetch(() => Promise.resolve(jsonResponse({ state: 'stopped' })));
    const { result } = renderHook(() => useNodeStatus());
    await waitFor(() => expect(result.current.status?.state).toBe('stopped'));
    emit('hello', {});
    expect(fetch).toHaveBeenCalledTimes(1);
    emit('hello', {});
    await waitFor(() => expect(fetch).toHaveBeenCalledTimes(2));
  });

  it(`refreshes slowly (every ${SLOW_REFRESH_MS / 1000} s) while the page is visible`, async () => {
    vi.useFakeTimers();
    const fetch = stubFetch(() => Promise.resolve(jsonResponse({ state: 'running' })));
    renderHook(() => useNodeStatus());
    expect(fetch).toHaveBeenCalledTimes(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(SLOW_REFRESH_MS - 1);
    });
    expect(fetch).toHaveBeenCalledTimes(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1);
    });
    expect(fetch).toHaveBeenCalledTimes(2);

    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(SLOW_REFRESH_MS * 3);
    });
    expect(fetch).toHaveBeenCalledTimes(2);
    visibility.mockReturnValue('visible');
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'));
    });
    expect(fetch).toHaveBeenCalledTimes(3);
  });
});
