import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEventSource, installFakeEventSource } from '../test/fakes';
import { useEventStream } from './events';

describe('useEventStream', () => {
  beforeEach(() => {
    installFakeEventSource();
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reopens the stream with backoff after the browser gives up, and goes live again', () => {
    const { result } = renderHook(() => useEventStream('/api/events'));
    const first = FakeEventSource.instances[0];

    act(() => first?.fail(true));
    expect(result.current).toBe('reconnecting');
    expect(FakeEventSource.instances).toHaveLength(1);

    act(() => {
      vi.advanceTimersByTime(1000);
    });
    const second = FakeEventSource.instances[1];
    expect(second).toBeDefined();
    act(() => second?.emit('hello', { time: 'now' }));
    expect(result.current).toBe('live');
  });

  it('passes parsed event data to listeners and closes the stream on unmount', () => {
    const onSync = vi.fn();
    const { unmount } = renderHook(() => useEventStream('/api/events', { sync: onSync }));
    const source = FakeEventSource.instances[0];

    act(() => source?.emit('sync', { files: 3 }));
    expect(onSync).toHaveBeenCalledWith({ files: 3 });

    unmount();
    expect(source?.readyState).toBe(FakeEventSource.CLOSED);
  });

  it('inside the desktop window uses the Wails event bridge instead of a socket', () => {
    const handlers = new Map<string, (data: unknown) => void>();
    const off = vi.fn();
    (globalThis as { runtime?: unknown }).runtime = {
      EventsOn: (name: string, cb: (data: unknown) => void) => {
        handlers.set(name, cb);
        return off;
      },
    };
    try {
      const onSync = vi.fn();
      const { result, unmount } = renderHook(() => useEventStream('/api/events', { sync: onSync }));
      expect(result.current).toBe('live');
      expect(FakeEventSource.instances).toHaveLength(0);
      const ev = { type: 'sync', time: 'now', data: { files: 3 } };
      act(() => handlers.get('archivist:event')?.(ev));
      expect(onSync).toHaveBeenCalledWith(ev);
      unmount();
      expect(off).toHaveBeenCalled();
    } finally {
      delete (globalThis as { runtime?: unknown }).runtime;
    }
  });

  it('shares one connection between every subscriber on the page', () => {
    const onSync = vi.fn();
    const onNode = vi.fn();
    const a = renderHook(() => useEventStream('/api/events', { sync: onSync }));
    const b = renderHook(() => useEventStream('/api/events', { 'node-state': onNode, sync: onSync }));
    expect(FakeEventSource.instances).toHaveLength(1);
    const source = FakeEventSource.instances[0];

    act(() => source?.emit('hello', { time: 'now' }));
    expect(a.result.current).toBe('live');
    expect(b.result.current).toBe('live');
    act(() => source?.emit('node-state', { state: 'running' }));
    act(() => source?.emit('sync', { files: 1 }));
    expect(onNode).toHaveBeenCalledTimes(1);
    expect(onSync).toHaveBeenCalledTimes(2);

    a.unmount();
    expect(source?.readyState).not.toBe(FakeEventSource.CLOSED);
    b.unmount();
    expect(source?.readyState).toBe(FakeEventSource.CLOSED);
    // A later subscriber opens a fresh connection.
    renderHook(() => useEventStream('/api/events'));
    expect(FakeEventSource.instances).toHaveLength(2);
  });
});
