import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ROUTER_FUTURE } from '../App';
import { FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../test/fakes';
import { OnboardingGate } from './OnboardingGate';
import { phaseOf } from './FirstBackupStep';

type Json = Record<string, unknown>;
type Call = { url: string; method: string; body?: unknown };

const CID = 'zDvZRwzm1ePSzKSXt57D5YxHwcSDmsCyYN65wW4HT7fuX9HrzFXy';
const QUICK = '/home/ana/Documents/Archivist Quickstart';

function folder(over: Json = {}): Json {
  return {
    id: 'f-quick', path: QUICK, name: 'Archivist Quickstart', enabled: true, status: 'scanning',
    fileCount: 0, totalSizeBytes: 0, syncedFiles: 0, syncedBytes: 0, pendingFiles: 0, failedFiles: 0,
    watchLimited: false, manifestSequence: 0, backupSequence: 0, backupAckReceived: false, pendingRetry: false,
    ...over,
  };
}

function syncState(folders: Json[], over: Json = {}): Json {
  return {
    folders, paused: false, isSyncing: true, queueSize: 0, totalFiles: 0, syncedFiles: 0, uploads: [],
    rateBytesPerSec: 0, recentUploads: [], nodeRunning: true, backupEnabled: false, ...over,
  };
}

const status = (state: string, over: Json = {}): Json => ({
  state, peerCount: 0, storageUsedBytes: 0, storageReservedBytes: 0, storageQuotaBytes: 0, storageAvailableBytes: 0,
  totalBlocks: 0, addresses: [], announceAddresses: [], restartCount: 0, gaveUp: false, ...over,
});

/** A fake backend with a stored onboarding state that PUTs change. */
function backend(opts: { onboarding?: Json; node?: () => Response; send?: (c: Call) => Response | undefined } = {}) {
  let onboarding: Json = opts.onboarding ?? { complete: false, step: '' };
  let sync = syncState([]);
  const calls: Call[] = [];
  stubFetch((url, init) => {
    const method = init?.method ?? 'GET';
    const call: Call = { url, method, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    const custom = opts.send?.(call);
    if (custom) return Promise.resolve(custom);
    if (url === '/api/onboarding' && method === 'GET') return Promise.resolve(jsonResponse(onboarding));
    if (url === '/api/onboarding' && method === 'PUT') {
      onboarding = call.body as Json;
      return Promise.resolve(jsonResponse(onboarding));
    }
    if (url === '/api/node/status') return Promise.resolve(opts.node?.() ?? jsonResponse(status('running', { peerId: '16Uiu2HAmExample' })));
    if (url === '/api/dialog') return Promise.resolve(jsonResponse({ error: 'not found' }, 404));
    if (url === '/api/sync') return Promise.resolve(jsonResponse(sync));
    if (url === '/api/sync/quickstart') {
      sync = syncState([folder()]);
      return Promise.resolve(jsonResponse(folder()));
    }
    return Promise.resolve(jsonResponse({ error: 'unexpected ' + url }, 500));
  });
  return {
    calls,
    onboarding: () => onboarding,
    setSync: (s: Json) => {
      sync = s;
    },
  };
}

function renderGate() {
  return render(
    <MemoryRouter future={ROUTER_FUTURE} initialEntries={['/files']}>
      <OnboardingGate>
        <Routes>
          <Route path="/" element={<p>the dashboard</p>} />
          <Route path="/files" element={<p>the files page</p>} />
        </Routes>
      </OnboardingGate>
    </MemoryRouter>,
  );
}

/** Pushes a backend event into the page's stream(s). */
function emit(type: string, data: unknown) {
  act(() => {
    for (const s of FakeEventSource.instances) s.emit(type, { type, time: 'now', data });
  });
}

describe('onboarding', () => {
  beforeEach(() => installFakeEventSource());
  afterEach(() => vi.unstubAllGlobals());

  it('shows the app at once when onboarding is complete', async () => {
    backend({ onboarding: { complete: true, step: '' } });
    renderGate();
    expect(await screen.findByText('the files page')).toBeInTheDocument();
    expect(screen.queryByText('Welcome to Archivist')).not.toBeInTheDocument();
  });

  it('shows the app when the state cannot be read', async () => {
    backend({ send: (c) => (c.url === '/api/onboarding' ? jsonResponse({ error: 'boom' }, 500) : undefined) });
    renderGate();
    expect(await screen.findByText('the files page')).toBeInTheDocument();
  });

  it('goes from welcome to a backed-up quickstart folder on real sync state, in three decisions', async () => {
    const be = backend({ onboarding: { complete: false, step: 'welcome' } });
    renderGate();

    fireEvent.click(await screen.findByRole('button', { name: 'Get Started' })); // decision 1
    expect(await screen.findByRole('heading', { name: 'Node Ready!' })).toBeInTheDocument();
    fireEvent.click(await screen.findByRole('button', { name: 'Quick Backup' }, { timeout: 3000 })); // decision 2
    expect(await screen.findByRole('heading', { name: 'Setting Up Your Backup' })).toBeInTheDocument();
    expect(screen.getByText(QUICK)).toBeInTheDocument();
    await waitFor(() => expect(be.onboarding()).toEqual({ complete: false, step: 'syncing', folderId: 'f-quick' }));

    // The scan finds the welcome file and the upload runs: real bytes, no timer.
    emit('sync-state', syncState([folder({ status: 'syncing', fileCount: 1, totalSizeBytes: 900, pendingFiles: 1 })], {
      uploads: [{ folderId: 'f-quick', path: 'welcome.txt', bytesDone: 300, totalBytes: 900 }],
    }));
    expect(await screen.findByText('Found 1 file (900 B)')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Uploading welcome.txt' })).toHaveAttribute('value', '300');
    expect(screen.queryByTestId('first-cid')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Continue in the background' })).toBeInTheDocument();

    emit('sync-state', syncState([folder({ status: 'idle', fileCount: 1, totalSizeBytes: 900, syncedFiles: 1, syncedBytes: 900, lastScan: 'x' })], {
      recentUploads: [{ folderId: 'f-quick', path: 'welcome.txt', cid: CID, size: 900, at: '2026-11-24T10:00:00Z' }],
    }));
    expect(await screen.findByRole('heading', { name: 'Backup complete!' })).toBeInTheDocument();
    expect(screen.getByTestId('first-cid')).toHaveTextContent(CID);

    fireEvent.click(screen.getByRole('button', { name: 'Continue to Dashboard' })); // decision 3
    expect(await screen.findByText('the dashboard')).toBeInTheDocument();
    expect(be.onboarding()).toMatchObject({ complete: true });
    // Three decisions: no other action was asked of the user.
    expect(be.calls.filter((c) => c.method !== 'GET' && c.url !== '/api/onboarding').map((c) => c.url)).toEqual(['/api/sync/quickstart']);
  });

  it('starts a stopped node, and offers Retry when starting fails', async () => {
    let node = status('stopped');
    let starts = 0;
    backend({
      onboarding: { complete: false, step: 'node-starting' },
      node: () => jsonResponse(node),
      send: (c) => {
        if (c.url !== '/api/node/start' && c.url !== '/api/node/restart') return undefined;
        starts++;
        if (starts === 1) {
          node = status('error', { lastError: 'port 8070 is in use' });
          return jsonResponse({ error: 'port 8070 is in use', status: node }, 500);
        }
        node = status('running');
        return jsonResponse(node);
      },
    });
    renderGate();
    expect(await screen.findByRole('heading', { name: 'Connection Error' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('port 8070 is in use');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('heading', { name: 'Node Ready!' })).toBeInTheDocument();
    expect(starts).toBe(2);
  });

  it('takes a typed folder, and the watched one when it is already watched', async () => {
    const be = backend({
      onboarding: { complete: false, step: 'folder-select' },
      send: (c) =>
        c.url === '/api/sync/folders' && c.method === 'POST'
          ? jsonResponse({ error: 'Folder already being watched: /home/ana/Photos' }, 400)
          : undefined,
    });
    be.setSync(syncState([folder({ id: 'f-photos', path: '/home/ana/Photos', status: 'idle' })]));
    renderGate();
    fireEvent.change(await screen.findByRole('combobox', { name: 'Folder to back up' }), { target: { value: '/home/ana/Photos/' } });
    fireEvent.click(screen.getByRole('button', { name: 'Back up this folder' }));
    await waitFor(() => expect(be.onboarding()).toEqual({ complete: false, step: 'syncing', folderId: 'f-photos' }));
  });

  it('shows a refusal where the folder was typed', async () => {
    backend({
      onboarding: { complete: false, step: 'folder-select' },
      send: (c) => (c.url === '/api/sync/folders' ? jsonResponse({ error: 'File not found: /nope' }, 400) : undefined),
    });
    renderGate();
    fireEvent.change(await screen.findByRole('combobox', { name: 'Folder to back up' }), { target: { value: '/nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Back up this folder' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('File not found: /nope');
  });

  it('skips from the welcome screen straight into the app', async () => {
    const be = backend({ onboarding: { complete: false, step: 'welcome' } });
    renderGate();
    fireEvent.click(await screen.findByRole('button', { name: 'Skip for now' }));
    expect(await screen.findByText('the dashboard')).toBeInTheDocument();
    expect(be.onboarding()).toMatchObject({ complete: true });
  });
});

describe('phaseOf', () => {
  const f = (over: Json) => folder(over) as unknown as Parameters<typeof phaseOf>[0];
  it('reads the phase from the folder state only', () => {
    expect(phaseOf(undefined)).toBe('waiting');
    expect(phaseOf(f({ status: 'scanning' }))).toBe('scanning');
    expect(phaseOf(f({ status: 'idle', lastScan: 'x' }))).toBe('empty');
    expect(phaseOf(f({ status: 'syncing', fileCount: 3, syncedFiles: 2, pendingFiles: 1 }))).toBe('uploading');
    expect(phaseOf(f({ status: 'scanning', fileCount: 3, syncedFiles: 3 }))).toBe('uploading');
    expect(phaseOf(f({ status: 'idle', fileCount: 3, syncedFiles: 3 }))).toBe('done');
    expect(phaseOf(f({ status: 'error', error: 'gone' }))).toBe('error');
  });
});
