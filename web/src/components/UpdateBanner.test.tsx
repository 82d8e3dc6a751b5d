import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { deferred, FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../test/fakes';
import { LATER_KEY, UpdateBanner } from './UpdateBanner';

/** An update state as GET /api/update answers it (internal/update.State). */
function updateJSON(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    feedUrl: 'https://example.com/latest.json',
    current: '1.0.0',
    platform: 'linux-amd64',
    developmentBuild: false,
    latest: {
      version: '1.1.0',
      notes: 'Faster restores.\n<img src=x onerror="alert(1)"><b>bold</b>',
      pubDate: '2026-11-01T00:00:00Z',
    },
    available: true,
    checkedAt: '2026-11-24T04:00:00Z',
    checking: false,
    error: '',
    downloading: false,
    downloaded: 0,
    total: 0,
    ready: false,
    installed: '',
    installOnQuit: false,
    rolledBack: false,
    canRollback: false,
    executable: '/opt/archivist/archivist',
    ...overrides,
  };
}

interface Call {
  method: string;
  url: string;
  body: unknown;
}

/** A backend answering GET /api/update with state and the actions with answer(call). */
function backend(state: Record<string, unknown>, answer?: (call: Call) => Promise<Response>) {
  const calls: Call[] = [];
  stubFetch((url, init) => {
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call = { method: init?.method ?? 'GET', url, body };
    calls.push(call);
    if (call.method === 'GET' && url === '/api/update') return Promise.resolve(jsonResponse(state));
    if (answer) return answer(call);
    return Promise.resolve(jsonResponse({ error: 'unexpected' }, 500));
  });
  return calls;
}

const actions = (calls: Call[]) => calls.filter((c) => c.method !== 'GET');

describe('UpdateBanner', () => {
  beforeEach(() => {
    installFakeEventSource();
    localStorage.clear();
  });

  it('shows nothing while up to date', async () => {
    const calls = backend(updateJSON({ available: false, latest: { version: '1.0.0', notes: '' } }));
    const { container } = render(<UpdateBanner />);
    await waitFor(() => expect(calls.length).toBe(1));
    expect(container).toBeEmptyDOMElement();
  });

  it('offers the new version with its notes as plain text', async () => {
    backend(updateJSON());
    const { container } = render(<UpdateBanner />);
    const banner = await screen.findByRole('complementary', { name: 'Update available' });
    expect(banner).toHaveTextContent('Archivist 1.1.0 is available (you have 1.0.0)');
    fireEvent.click(screen.getByText("What's new"));
    const notes = container.querySelector('.update-notes pre');
    expect(notes?.textContent).toBe('Faster restores.\n<img src=x onerror="alert(1)"><b>bold</b>');
    // The feed's markup stays text: no element came out of it.
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(screen.getByRole('button', { name: 'Install now' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Install when I quit' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Later' })).toBeEnabled();
  });

  it('installs now, shows the real download progress, then says to restart', async () => {
    const answer = deferred<Response>();
    const calls = backend(updateJSON(), () => answer.promise);
    render(<UpdateBanner />);
    fireEvent.click(await screen.findByRole('button', { name: 'Install now' }));
    expect(actions(calls)).toEqual([{ method: 'POST', url: '/api/update/install', body: { when: 'now' } }]);
    expect(screen.getByRole('button', { name: 'Installing…' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Install when I quit' })).toBeDisabled();

    // Progress arrives as update-state events while the request runs.
    const source = FakeEventSource.instances[0];
    act(() => source?.emit('hello', {}));
    act(() =>
      source?.emit('update-state', { type: 'update-state', data: updateJSON({ downloading: true, downloaded: 5 << 20, total: 20 << 20 }) }),
    );
    expect(screen.getByRole('progressbar', { name: 'Downloading Archivist 1.1.0' })).toHaveAttribute('value', String(5 << 20));
    expect(screen.getByText('25% (5 MB / 20 MB)')).toBeInTheDocument();

    await act(async () => {
      answer.resolve(jsonResponse(updateJSON({ available: false, installed: '1.1.0', canRollback: true })));
      await answer.promise;
    });
    const done = await screen.findByRole('complementary', { name: 'Update' });
    expect(done).toHaveTextContent('Archivist 1.1.0 is installed. Restart Archivist to use it.');
    expect(screen.getByRole('button', { name: 'Roll back' })).toBeEnabled();
  });

  it('installs when I quit, and can take that back', async () => {
    const calls = backend(updateJSON(), (call) =>
      Promise.resolve(
        jsonResponse(
          call.method === 'DELETE'
            ? updateJSON({ ready: true })
            : updateJSON({ ready: true, installOnQuit: true }),
        ),
      ),
    );
    render(<UpdateBanner />);
    fireEvent.click(await screen.findByRole('button', { name: 'Install when I quit' }));
    expect(await screen.findByText('Downloaded and verified; it will be installed when you quit Archivist.')).toBeInTheDocument();
    expect(actions(calls)[0]).toEqual({ method: 'POST', url: '/api/update/install', body: { when: 'quit' } });

    fireEvent.click(screen.getByRole('button', { name: "Don't install on quit" }));
    expect(await screen.findByRole('button', { name: 'Install when I quit' })).toBeEnabled();
    expect(actions(calls)[1]).toEqual({ method: 'DELETE', url: '/api/update/install', body: undefined });
  });

  it('shows why an install was refused and keeps the offer', async () => {
    backend(updateJSON(), () =>
      Promise.resolve(jsonResponse({ error: 'signature check failed: the file does not match its signature' }, 502)),
    );
    render(<UpdateBanner />);
    fireEvent.click(await screen.findByRole('button', { name: 'Install now' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('signature check failed: the file does not match its signature');
    expect(screen.getByRole('button', { name: 'Install now' })).toBeEnabled();
  });

  it('Later hides this version, and a newer one is offered again', async () => {
    backend(updateJSON());
    const { container } = render(<UpdateBanner />);
    fireEvent.click(await screen.findByRole('button', { name: 'Later' }));
    expect(container).toBeEmptyDOMElement();
    expect(localStorage.getItem(LATER_KEY)).toBe('1.1.0');

    const source = FakeEventSource.instances[0];
    act(() => source?.emit('hello', {}));
    act(() =>
      source?.emit('update-state', {
        type: 'update-state',
        data: updateJSON({ latest: { version: '1.2.0', notes: 'More.' } }),
      }),
    );
    expect(screen.getByRole('complementary', { name: 'Update available' })).toHaveTextContent('Archivist 1.2.0 is available');
  });

  it('stays hidden after Later across a reload', async () => {
    localStorage.setItem(LATER_KEY, '1.1.0');
    const calls = backend(updateJSON());
    const { container } = render(<UpdateBanner />);
    await waitFor(() => expect(calls.length).toBe(1));
    expect(container).toBeEmptyDOMElement();
  });

  it('rolls back after an install', async () => {
    const calls = backend(updateJSON({ available: false, installed: '1.1.0', canRollback: true }), () =>
      Promise.resolve(jsonResponse(updateJSON({ available: true, rolledBack: true }))),
    );
    render(<UpdateBanner />);
    fireEvent.click(await screen.findByRole('button', { name: 'Roll back' }));
    await waitFor(() => expect(actions(calls)).toEqual([{ method: 'POST', url: '/api/update/rollback', body: undefined }]));
    // Rolled back, and 1.1.0 is on offer again.
    expect(await screen.findByRole('complementary', { name: 'Update available' })).toBeInTheDocument();
  });
});
