import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROUTER_FUTURE } from '../App';
import { FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../test/fakes';
import { DashboardPage, VIEW_MODE_KEY } from './DashboardPage';

const PEER_ID = '16Uiu2HAmQx7DRTVYcJyKaE7R9ZQ4sEcSL4fZtC1N8eQW3oKUjRkP';
const SPR = 'spr:CiUIAhIhAjLkF2XyQ8YkVf4dYb0g2nJxwM1iJrQ7cHk3c2a1b2c3d4e5f6g7h8i9j0';

type Json = Record<string, unknown>;

/** A Status as the backend sends it (internal/app/supervisor/status.go). */
function running(over: Json = {}): Json {
  const uptime = 3723; // 1h 2m 3s
  return {
    state: 'running',
    pid: 4242,
    startedAt: new Date(Date.now() - uptime * 1000).toISOString(),
    uptimeSeconds: uptime,
    version: 'v0.2.1',
    revision: 'abc1234',
    peerCount: null,
    storageUsedBytes: 1024 ** 3,
    storageReservedBytes: 0,
    storageQuotaBytes: 10 * 1024 ** 3,
    storageAvailableBytes: 9 * 1024 ** 3,
    totalBlocks: 1234,
    apiUrl: 'http://127.0.0.1:8080',
    peerId: PEER_ID,
    spr: SPR,
    addresses: ['/ip4/0.0.0.0/tcp/8070'],
    announceAddresses: ['/ip4/127.0.0.1/tcp/8070', '/ip4/192.168.1.20/tcp/8070'],
    restartCount: 0,
    gaveUp: false,
    checkedAt: new Date().toISOString(),
    binary: '/usr/lib/archivist/archivist',
    dataDir: '/home/u/.local/share/archivist',
    logFile: '/home/u/.local/share/archivist/node.log',
    ...over,
  };
}

function stopped(over: Json = {}): Json {
  const s = running({ state: 'stopped', ...over });
  for (const k of ['pid', 'startedAt', 'uptimeSeconds', 'apiUrl', 'peerId', 'spr']) delete s[k];
  return { ...s, addresses: [], announceAddresses: [], ...over };
}

const DIAGNOSTICS = {
  apiReachable: true,
  apiUrl: 'http://127.0.0.1:8080',
  nodeVersion: 'v0.2.1',
  peerId: PEER_ID,
  addressCount: 1,
  state: 'running',
  checks: [
    { id: 'api', name: 'Node API reachable', status: 'ok', detail: 'http://127.0.0.1:8080 answers (node v0.2.1)' },
    {
      id: 'nat',
      name: 'Network address translation',
      status: 'warn',
      detail: 'announces only local-network addresses',
      tip: 'Forward TCP port 8070 on your router.',
    },
    { id: 'peers', name: 'Peers connected', status: 'unknown', detail: 'the node does not report its connected peers' },
  ],
  checkedAt: new Date().toISOString(),
};

type Call = { url: string; method: string; init?: RequestInit };

/** A fake backend: GET status answers from state.status; the rest from state.send. */
function backend(initial: Json, send: (call: Call) => Response = () => jsonResponse({ error: 'unexpected' }, 500)) {
  const calls: Call[] = [];
  const state = { status: () => jsonResponse(initial), send };
  stubFetch((url, init) => {
    const call = { url, method: init?.method ?? 'GET', init };
    calls.push(call);
    if (call.method === 'GET' && url === '/api/node/status') return Promise.resolve(state.status());
    if (call.method === 'GET' && url === '/api/node/diagnostics') return Promise.resolve(jsonResponse(DIAGNOSTICS));
    return Promise.resolve(state.send(call));
  });
  return { calls, state };
}

function renderPage() {
  return render(
    <MemoryRouter future={ROUTER_FUTURE}>
      <DashboardPage />
    </MemoryRouter>,
  );
}

function emit(type: string, data: unknown) {
  const source = FakeEventSource.instances[0];
  if (!source) throw new Error('the page opened no event stream');
  act(() => source.emit(type, { type, time: new Date().toISOString(), data }));
}

const stateLabel = () => screen.getByTestId('node-state');

describe('DashboardPage', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  it('shows a running node from GET /api/node/status, with real figures only', async () => {
    backend(running());
    renderPage();
    expect(screen.getByRole('heading', { level: 2, name: 'Dashboard' })).toBeInTheDocument();
    expect(screen.getByText('Loading node status…')).toBeInTheDocument();

    await waitFor(() => expect(stateLabel()).toHaveTextContent('Running'));
    expect(screen.getByText(/^Running for 1h 2m \ds$/)).toBeInTheDocument();
    expect(screen.getByText('Node v0.2.1')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Stop Node' })).toHaveClass('danger');
    expect(screen.getByRole('button', { name: 'Restart' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Start Node' })).not.toBeInTheDocument();

    const stats = document.querySelector('.quick-stats') as HTMLElement;
    expect(within(stats).getByText('unknown')).toBeInTheDocument(); // peerCount null is not 0
    expect(within(stats).getByText(/^1 GB/)).toHaveTextContent('1 GB / 10 GB');
    expect(within(stats).getByRole('progressbar', { name: 'Storage used' })).toHaveAttribute('value', String(1024 ** 3));
    expect(within(stats).getByText('1,234')).toBeInTheDocument();

    const share = screen.getByRole('region', { name: 'Share Your Connection' });
    expect(within(share).getByText(PEER_ID)).toBeInTheDocument();
    // The LAN address is the one to share; loopback is marked as such.
    expect(within(share).getByText(`/ip4/192.168.1.20/tcp/8070/p2p/${PEER_ID}`)).toBeInTheDocument();
    const loopback = within(share).getByText('/ip4/127.0.0.1/tcp/8070').closest('li') as HTMLElement;
    expect(loopback).toHaveTextContent('this machine only');
    expect(within(share).getByText(`${SPR.slice(0, 40)}…`)).toBeInTheDocument();
    expect(within(share).getByRole('button', { name: 'Copy SPR' })).toBeInTheDocument();
  });

  it('shows peers as a number once reported, and "—" for figures the node never gave', async () => {
    backend(stopped({ peerCount: 3, checkedAt: undefined, version: undefined }));
    renderPage();
    await waitFor(() => expect(stateLabel()).toHaveTextContent('Stopped'));
    const stats = document.querySelector('.quick-stats') as HTMLElement;
    expect(within(stats).getByText('3')).toBeInTheDocument();
    expect(within(stats).getAllByText('—')).toHaveLength(3); // storage, last backup (sync state unread) and blocks
    expect(screen.queryByText(/^Node /)).not.toBeInTheDocument();
    expect(screen.queryByText(/Running for/)).not.toBeInTheDocument();
    expect(screen.queryByRole('region', { name: 'Share Your Connection' })).not.toBeInTheDocument();
  });

  it('stops the node with POST /api/node/stop and shows the state it answers with', async () => {
    const be = backend(running(), (call) =>
      call.method === 'POST' && call.url === '/api/node/stop' ? jsonResponse(stopped()) : jsonResponse({ error: 'unexpected' }, 500),
    );
    renderPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Stop Node' }));

    await waitFor(() => expect(stateLabel()).toHaveTextContent('Stopped'));
    const posts = be.calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => c.url)).toEqual(['/api/node/stop']);
    expect(new Headers(posts[0]?.init?.headers).get('X-Archivist-CSRF')).toBe('1');
    expect(screen.getByRole('button', { name: 'Start Node' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Stop Node' })).not.toBeInTheDocument();
  });

  it('follows node-state events without polling', async () => {
    const be = backend(running());
    renderPage();
    await waitFor(() => expect(stateLabel()).toHaveTextContent('Running'));

    emit('node-state', running({ state: 'stopping' }));
    expect(stateLabel()).toHaveTextContent('Stopping...');
    expect(screen.getByRole('button', { name: 'Stopping...' })).toBeDisabled();

    emit('node-state', stopped());
    expect(stateLabel()).toHaveTextContent('Stopped');
    emit('node-started', running({ version: 'v0.3.0' }));
    expect(stateLabel()).toHaveTextContent('Running');
    expect(screen.getByText('Node v0.3.0')).toBeInTheDocument();

    expect(be.calls.filter((c) => c.url === '/api/node/status')).toHaveLength(1);
  });

  it('shows the last error, restarts and giving up, and offers Start Node', async () => {
    backend(
      stopped({
        state: 'error',
        lastError: 'gave up after the node failed 5 times within 10m0s; start it again when the cause is fixed.',
        restartCount: 4,
        gaveUp: true,
      }),
    );
    renderPage();
    await waitFor(() => expect(stateLabel()).toHaveTextContent('Error'));
    expect(screen.getByText(/^gave up after the node failed 5 times/)).toBeInTheDocument();
    expect(screen.getByText('Automatic restarts since the app started: 4')).toBeInTheDocument();
    expect(screen.getByText(/^Gave up after 5 failed attempts: start it again/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Start Node' })).toBeEnabled();
  });

  it('shows why a start was refused next to the button, and the state the refusal carries', async () => {
    backend(stopped(), () =>
      jsonResponse({ error: 'node is already starting', status: running({ state: 'starting', version: undefined }) }, 409),
    );
    renderPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Start Node' }));
    expect(await screen.findByText('Could not start the node: node is already starting')).toBeInTheDocument();
    expect(stateLabel()).toHaveTextContent('Starting...');
    expect(screen.getByRole('button', { name: 'Starting...' })).toBeDisabled();
  });

  it('says when the status cannot be read, and retries', async () => {
    const be = backend(running());
    be.state.status = () => jsonResponse({ error: 'boom' }, 500);
    renderPage();
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not read the node status: boom');
    be.state.status = () => jsonResponse(running());
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(stateLabel()).toHaveTextContent('Running'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('keeps the Basic/Advanced choice in localStorage', async () => {
    backend(running());
    const { unmount } = renderPage();
    await waitFor(() => expect(stateLabel()).toHaveTextContent('Running'));
    expect(screen.getByRole('button', { name: 'Basic' })).toHaveAttribute('aria-pressed', 'true');
    expect(document.querySelector('.basic-view')).not.toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Advanced' }));
    expect(localStorage.getItem(VIEW_MODE_KEY)).toBe('advanced');
    expect(document.querySelectorAll('.stat-card')).toHaveLength(5);
    expect(document.querySelector('.basic-view')).toBeNull();
    await screen.findByText('Node API reachable'); // let diagnostics settle
    unmount();

    renderPage();
    expect(screen.getByRole('button', { name: 'Advanced' })).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() => expect(document.querySelectorAll('.stat-card')).toHaveLength(5));
    fireEvent.click(screen.getByRole('button', { name: 'Basic' }));
    expect(localStorage.getItem(VIEW_MODE_KEY)).toBe('basic');
    expect(document.querySelector('.basic-view')).not.toBeNull();
  });

  it('advanced view shows node details and runs diagnostics on opening and on demand', async () => {
    localStorage.setItem(VIEW_MODE_KEY, 'advanced');
    const be = backend(running({ restartCount: 2 }));
    renderPage();
    const diag = await screen.findByRole('region', { name: 'Diagnostics' });
    await within(diag).findByText('Node API reachable');
    const diagnosticsCalls = () => be.calls.filter((c) => c.url === '/api/node/diagnostics').length;
    expect(diagnosticsCalls()).toBe(1);

    const nat = within(diag).getByText(/Network address translation/).closest('li') as HTMLElement;
    expect(nat).toHaveClass('diagnostic-item', 'warning');
    expect(nat).toHaveTextContent('announces only local-network addresses');
    expect(nat).toHaveTextContent('Tip: Forward TCP port 8070 on your router.');
    expect(within(diag).getByText(/Node API reachable/).closest('li')).toHaveClass('success');
    expect(within(diag).getByText(/Peers connected/).closest('li')).toHaveClass('unknown');
    expect(within(diag).getByText('1 found')).toBeInTheDocument();
    expect(within(diag).queryByText('✓ Everything looks good!')).not.toBeInTheDocument();

    fireEvent.click(within(diag).getByRole('button', { name: 'Run diagnostics' }));
    await waitFor(() => expect(diagnosticsCalls()).toBe(2));
    await within(diag).findByRole('button', { name: 'Run diagnostics' });

    const details = screen.getByRole('region', { name: 'Node Details' });
    expect(within(details).getByText('4242')).toBeInTheDocument();
    expect(within(details).getByText('http://127.0.0.1:8080')).toBeInTheDocument();
    expect(within(details).getByText('/home/u/.local/share/archivist')).toBeInTheDocument();
    expect(within(details).getByText('/usr/lib/archivist/archivist')).toBeInTheDocument();
    expect(within(details).getByText('/home/u/.local/share/archivist/node.log')).toBeInTheDocument();
    expect(within(details).getByRole('link', { name: 'View logs' })).toHaveAttribute('href', '/logs');
    expect(screen.getByRole('region', { name: 'Peer Identity' })).toBeInTheDocument();
    const statusCard = document.querySelector('.node-status-card') as HTMLElement;
    expect(within(statusCard).getByText('Restarts')).toBeInTheDocument();
    expect(within(statusCard).getByRole('button', { name: 'Stop Node' })).toBeInTheDocument();

    // Back to basic and again: the last result is kept, not fetched again.
    fireEvent.click(screen.getByRole('button', { name: 'Basic' }));
    fireEvent.click(screen.getByRole('button', { name: 'Advanced' }));
    expect(screen.getByText('Node API reachable')).toBeInTheDocument();
    expect(diagnosticsCalls()).toBe(2);
  });

  it('shows Last Backup, Next Steps and Recent Uploads from the sync state and paired devices', async () => {
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const folder = {
      id: 'f1', path: '/home/ana/Photos', name: 'Photos', enabled: true, status: 'idle', fileCount: 2,
      totalSizeBytes: 3072, syncedFiles: 2, syncedBytes: 3072, pendingFiles: 0, failedFiles: 0,
      lastSynced: minutesAgo(5), watchLimited: false, manifestSequence: 1, backupSequence: 0,
      backupAckReceived: false, pendingRetry: false,
    };
    const sync = {
      folders: [folder], paused: false, isSyncing: false, queueSize: 0, totalFiles: 2, syncedFiles: 2, uploads: [],
      rateBytesPerSec: 0, nodeRunning: true, backupEnabled: false,
      recentUploads: [
        { folderId: 'f1', path: 'beach <img src=x>.jpg', cid: 'zCID1', size: 2048, at: minutesAgo(5) },
        { folderId: 'f1', path: 'a.txt', cid: 'zCID2', size: 1024, at: minutesAgo(6) },
      ],
    };
    backend(running(), (c) => {
      if (c.url === '/api/sync') return jsonResponse(sync);
      if (c.url === '/api/devices') return jsonResponse({ devices: [], otherPeers: [], nodeRunning: true, live: true });
      return jsonResponse({ error: 'unexpected' }, 500);
    });
    renderPage();
    const lastBackup = (await screen.findByText('Last Backup')).closest('a');
    await waitFor(() => expect(lastBackup).toHaveTextContent('5 min ago'));
    expect(lastBackup).toHaveTextContent('not yet on another device');

    const steps = await screen.findByRole('region', { name: 'Next Steps' });
    expect(within(steps).getByText('Add a Backup Folder')).toHaveTextContent('(done)');
    expect(within(steps).getByRole('link', { name: 'Add Device' })).toHaveAttribute('href', '/devices/add');

    const recent = screen.getByRole('region', { name: 'Recent Uploads' });
    expect(within(recent).getByText('beach <img src=x>.jpg')).toBeInTheDocument(); // text, not markup
    expect(within(recent).getByText('a.txt')).toBeInTheDocument();
  });
});
