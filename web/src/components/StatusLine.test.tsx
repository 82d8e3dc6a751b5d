import { act, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeEventSource, installFakeEventSource, jsonResponse, stubFetch, VERSION_BODY } from '../test/fakes';
import { StatusLine } from './StatusLine';

const version = () => screen.getByTestId('app-version');
const eventState = () => screen.getByTestId('event-state');

describe('StatusLine', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  it('shows connecting… and then the backend version with a short revision', async () => {
    const fetchMock = stubFetch(() => Promise.resolve(jsonResponse(VERSION_BODY)));
    render(<StatusLine />);
    expect(version()).toHaveTextContent('connecting…');

    await waitFor(() => expect(version()).toHaveTextContent('archivist v0.1.0 (abc1234)'));
    expect(fetchMock).toHaveBeenCalledWith('/api/version', expect.objectContaining({ method: 'GET' }));
    expect(screen.getByTestId('status-line')).toContainElement(version());
  });

  it('shows the server error when the version request is rejected', async () => {
    stubFetch(() => Promise.resolve(jsonResponse({ error: 'unauthorized' }, 401)));
    render(<StatusLine />);
    await waitFor(() => expect(version()).toHaveTextContent('API unreachable: 401 unauthorized'));
  });

  it('shows the network error when the backend cannot be reached', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    render(<StatusLine />);
    await waitFor(() => expect(version()).toHaveTextContent('API unreachable: Failed to fetch'));
  });

  it('goes live on the hello event and reports reconnecting on error', () => {
    stubFetch(() => new Promise<Response>(() => {}));
    render(<StatusLine />);
    expect(eventState()).toHaveTextContent('connecting…');

    const source = FakeEventSource.instances[0];
    expect(source?.url).toBe('/api/events');
    act(() => source?.emit('hello', { time: '2025-01-01T00:00:00Z' }));
    expect(eventState()).toHaveTextContent('live');

    act(() => source?.fail());
    expect(eventState()).toHaveTextContent('reconnecting…');
  });
});
