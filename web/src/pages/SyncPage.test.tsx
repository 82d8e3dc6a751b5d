import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ROUTER_FUTURE } from '../App';
import { FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../test/fakes';
import { WATCH_LIMITED_TEXT } from './sync/FolderCard';
import { FALLBACK_POLL_MS } from './sync/useSyncState';
import { EMPTY_TEXT, SyncPage } from './SyncPage';

const MANIFEST_CID = 'zDvZRwzm1ePSzKSXt57D5YxHwcSDmsCyYN65wW4HT7fuX9HrzFXy';
const UPLOAD_CID = 'zDxWB8ED98hxJ51XwYaoQAwMdskCcmTaPR6Ce2wq88bjvjXRYuR9';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const LAST_SYNCED = ago(5 * 60_000);
const ACKED_AT = ago(60_000);

/** A folder as the backend sends it: Documents, mid-sync, waiting for the backup server. */
function folderJSON(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'f-docs',
    path: '/home/ana/Documents',
    name: 'Documents',
    enabled: true,
    status: 'syncing',
    fileCount: 10,
    totalSizeBytes: 4096,
    syncedFiles: 7,
    syncedBytes: 2048,
    pendingFiles: 2,
    failedFiles: 1,
    lastSynced: LAST_SYNCED,
    watchLimited: false,
    manifestCid: MANIFEST_CID,
    manifestSequence: 4,
    backupSequence: 3,
    backupAckReceived: false,
    pendingRetry: false,
    ...over,
  };
}

/** Photos: fully synced and acknowledged by the backup server, live watching limited. */
const PHOTOS = folderJSON({
  id: 'f-photos',
  path: '/home/ana/Pictures/Photos',
  name: 'Photos',
  status: 'idle',
  fileCount: 3,
  totalSizeBytes: 3 * 1024 * 1024,
  syncedFiles: 3,
  syncedBytes: 3 * 1024 * 1024,
  pendingFiles: 0,
  failedFiles: 0,
  manifestSequence: 2,
  backupSequence: 2,
  backupSyncedAt: ACKED_AT,
  backupAckReceived: true,
  watchLimited: true,
});

function stateJSON(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    folders: [folderJSON(), PHOTOS],
    paused: false,
    isSyncing: true,
    queueSize: 12,
    totalFiles: 13,
    syncedFiles: 10,
    uploads: [
      { folderId: 'f-docs', path: 'taxes/2024.pdf', bytesDone: 512, totalBytes: 2048 },
      { folderId: 'f-docs', path: 'notes.txt', bytesDone: 0, totalBytes: 100 },
    ],
    rateBytesPerSec: 2.1 * 1024 * 1024,
    recentUploads: [{ folderId: 'f-photos', path: 'beach.jpg', cid: UPLOAD_CID, size: 1536, at: ago(10_000) }],
    nodeRunning: true,
    backupEnabled: true,
    backupPeer: 'NAS',
    ...over,
  };
}

/** Everything synced and backed up, nothing moving. */
const IDLE = {
  isSyncing: false,
  queueSize: 0,
  uploads: [],
  rateBytesPerSec: 0,
  folders: [PHOTOS],
};

type Call = { url: string; method: string; body?: unknown };

/**
 * A fake backend: GET /api/sync answers from state() (changeable between
 * calls), everything else from send().
 */
function backend(
  state: () => Response = () => jsonResponse(stateJSON()),
  send: (call: Call) => Response | Promise<Response> = () => jsonResponse({ error: 'unexpected' }, 500),
) {
  const calls: Call[] = [];
  const handlers = { state, send };
  stubFetch((url, init) => {
    const method = init?.method ?? 'GET';
    // The folder field asks whether a native dialog exists and for completions: not what these tests count.
    if (url === '/api/dialog' || url.startsWith('/api/fs/')) return Promise.resolve(jsonResponse({ error: 'not here' }, 404));
    const call: Call = { url, method, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    if (method === 'GET' && url === '/api/sync') return Promise.resolve(handlers.state());
    return Promise.resolve(handlers.send(call));
  });
  return {
    calls,
    handlers,
    gets: () => calls.filter((c) => c.method === 'GET' && c.url === '/api/sync').length,
    sent: () => calls.filter((c) => !(c.method === 'GET' && c.url === '/api/sync')),
  };
}

const accepted = () => new Response(null, { status: 202 });

function renderPage() {
  return render(
    <MemoryRouter future={ROUTER_FUTURE}>
      <SyncPage />
    </MemoryRouter>,
  );
}

/** Pushes a backend event, wrapped the way the server sends it. */
function emit(type: string, data?: unknown) {
  const source = FakeEventSource.instances[0];
  if (!source) throw new Error('the page opened no event stream');
  act(() => source.emit(type, { type, time: 'now', data }));
}

const summary = () => screen.getByTestId('sync-summary');

/** The card of the folder named name. */
function card(name: string): HTMLElement {
  const el = screen.getByRole('article', { name }).closest('li');
  if (!el) throw new Error(`no card for ${name}`);
  return el;
}

/** "Files synced" → "7/10": the facts of a card by their labels. */
function fact(cardEl: HTMLElement, label: string): string {
  const dt = within(cardEl).getByText(label, { selector: 'dt' });
  return dt.nextElementSibling?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
}

describe('SyncPage', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('explains watching a folder when there is none, and Quick Backup POSTs quickstart', async () => {
    let folders: unknown[] = [];
    const quick = folderJSON({
      id: 'f-quick',
      path: '/home/ana/Documents/Archivist Quickstart',
      name: 'Archivist Quickstart',
      status: 'scanning',
      fileCount: 0,
      syncedFiles: 0,
      pendingFiles: 0,
      failedFiles: 0,
      lastSynced: undefined,
      manifestSequence: 0,
      backupSequence: 0,
    });
    const b = backend(
      () => jsonResponse(stateJSON({ ...IDLE, folders })),
      (call) => {
        if (call.method === 'POST' && call.url === '/api/sync/quickstart') {
          folders = [quick];
          return jsonResponse(quick);
        }
        return jsonResponse({ error: 'unexpected' }, 500);
      },
    );
    renderPage();
    expect(screen.getByRole('heading', { level: 2, name: 'Sync' })).toBeInTheDocument();
    expect(screen.getByText('Loading folders…')).toBeInTheDocument();

    expect(await screen.findByText(EMPTY_TEXT)).toBeInTheDocument();
    expect(summary()).toHaveTextContent('No folders are backed up yet');
    expect(screen.getByRole('button', { name: 'Sync Now' })).toBeDisabled();
    expect(screen.getByText('Watched folders (0)')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Quick Backup' }));
    expect(await screen.findByRole('heading', { name: 'Archivist Quickstart' })).toBeInTheDocument();
    expect(b.sent()).toEqual([{ url: '/api/sync/quickstart', method: 'POST', body: undefined }]);
    expect(screen.getByText(/^Backing up \/home\/ana\/Documents\/Archivist Quickstart/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Quick Backup' })).not.toBeInTheDocument();
    expect(within(card('Archivist Quickstart')).getByText('Scanning…')).toBeInTheDocument();
  });

  it('shows why Quick Backup failed', async () => {
    backend(
      () => jsonResponse(stateJSON({ ...IDLE, folders: [] })),
      () => jsonResponse({ error: 'cannot create /home/ana/Documents: permission denied' }, 500),
    );
    renderPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Quick Backup' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not set up the quick backup: cannot create /home/ana/Documents: permission denied',
    );
    expect(screen.getByRole('button', { name: 'Quick Backup' })).toBeEnabled();
  });

  it('renders a card per folder with the counts, times and backup state the backend reports', async () => {
    backend(() =>
      jsonResponse(stateJSON({ folders: [folderJSON({ pendingRetry: true, notifyError: 'dial backoff' }), PHOTOS] })),
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    expect(screen.getAllByRole('heading', { level: 3 }).map((h) => h.textContent)).toEqual(['Documents', 'Photos']);
    expect(screen.getByText('Watched folders (2)')).toBeInTheDocument();
    expect(screen.getByText('Backup server: NAS')).toBeInTheDocument();

    const docs = card('Documents');
    expect(within(docs).getByText('/home/ana/Documents')).toBeInTheDocument();
    expect(within(docs).getByText('Syncing…')).toHaveClass('sync-badge', 'status-syncing');
    expect(fact(docs, 'Files synced')).toBe('7/10');
    expect(fact(docs, 'Size')).toBe('4 KB');
    expect(fact(docs, 'Waiting')).toBe('2');
    expect(within(docs).getByRole('button', { name: '1 failed in Documents' })).toHaveAttribute('aria-expanded', 'false');
    expect(fact(docs, 'Last synced')).toBe('5 min ago');
    expect(within(docs).getByText('#4')).toHaveAttribute('title', MANIFEST_CID);
    expect(within(docs).getByRole('button', { name: 'Copy manifest CID of Documents' })).toBeInTheDocument();
    expect(fact(docs, 'Backup')).toBe('Waiting for backup server (#4)');
    expect(within(docs).getByText('Could not notify the backup server: dial backoff. Retrying.')).toBeInTheDocument();
    expect(within(docs).queryByText(WATCH_LIMITED_TEXT)).not.toBeInTheDocument();
    expect(within(docs).getByRole('checkbox', { name: 'Enabled Documents' })).toBeChecked();
    expect(within(docs).getByRole('button', { name: 'Rescan Documents' })).toBeEnabled();
    expect(within(docs).getByRole('button', { name: 'Backup Now Documents' })).toBeEnabled();
    expect(within(docs).getByRole('button', { name: 'Remove Documents' })).toBeEnabled();

    const photos = card('Photos');
    expect(within(photos).getByText('Idle')).toHaveClass('status-idle');
    expect(fact(photos, 'Files synced')).toBe('3/3');
    expect(fact(photos, 'Size')).toBe('3 MB');
    expect(fact(photos, 'Failed')).toBe('0');
    const backedUp = within(photos).getByText(/^Backed up at /);
    expect(backedUp.tagName).toBe('TIME');
    expect(backedUp).toHaveAttribute('dateTime', ACKED_AT);
    expect(within(photos).getByText(WATCH_LIMITED_TEXT)).toBeInTheDocument();
    expect(within(photos).queryByText(/Retrying/)).not.toBeInTheDocument();
  });

  it('shows a folder error, an unsynced folder and a folder that is turned off', async () => {
    backend(() =>
      jsonResponse(
        stateJSON({
          ...IDLE,
          folders: [
            folderJSON({ status: 'error', error: 'the folder is missing', pendingFiles: 0, failedFiles: 0, lastSynced: undefined }),
            { ...PHOTOS, enabled: false, status: 'paused', manifestSequence: 0, backupSequence: 0, backupAckReceived: false },
          ],
        }),
      ),
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    const docs = card('Documents');
    expect(within(docs).getByText('Error')).toHaveClass('status-error');
    expect(within(docs).getByText('Cannot back up this folder:').closest('p')).toHaveTextContent(
      'Cannot back up this folder: the folder is missing',
    );
    expect(fact(docs, 'Last synced')).toBe('never');
    expect(summary()).toHaveTextContent('1 folder cannot be backed up');

    const photos = card('Photos');
    expect(within(photos).getByText('Paused')).toHaveClass('status-paused');
    expect(within(photos).getByRole('checkbox', { name: 'Enabled Photos' })).not.toBeChecked();
    expect(within(photos).getByText(/^Turned off:/)).toBeInTheDocument();
    expect(within(photos).getByRole('button', { name: 'Rescan Photos' })).toBeDisabled();
    expect(fact(photos, 'Manifest')).toBe('none yet');
    expect(fact(photos, 'Backup')).toBe('Nothing sent to the backup server yet');
  });

  it('says "Backup off" and offers no Backup Now when backups are off', async () => {
    backend(() => jsonResponse(stateJSON({ backupEnabled: false, backupPeer: undefined })));
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    expect(fact(card('Documents'), 'Backup')).toBe('Backup off');
    expect(fact(card('Photos'), 'Backup')).toBe('Backup off');
    expect(screen.queryByRole('button', { name: /Backup Now/ })).not.toBeInTheDocument();
    expect(screen.getByText('Backup server: off')).toBeInTheDocument();
  });

  it('adds a folder: checks the path is absolute, posts it and shows the backend\'s 400 message', async () => {
    let added = false;
    const music = folderJSON({ id: 'f-music', path: '/home/ana/Music', name: 'Music', status: 'scanning' });
    const b = backend(
      () => jsonResponse(stateJSON({ folders: added ? [folderJSON(), PHOTOS, music] : [folderJSON(), PHOTOS] })),
      (call) => {
        const path = (call.body as { path?: string } | undefined)?.path;
        if (call.method === 'POST' && call.url === '/api/sync/folders') {
          if (path === '/home/ana') {
            return jsonResponse({ error: 'overlaps a watched folder: /home/ana/Documents is inside /home/ana' }, 400);
          }
          added = true;
          return jsonResponse(music, 201);
        }
        return jsonResponse({ error: 'unexpected' }, 500);
      },
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    const input = screen.getByRole('combobox', { name: 'Folder path' });
    const addButton = screen.getByRole('button', { name: 'Add Folder' });
    expect(addButton).toBeDisabled();

    fireEvent.change(input, { target: { value: 'Music' } });
    expect(addButton).toBeDisabled();
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText(/Type the full path, starting with \//)).toBeInTheDocument();

    fireEvent.change(input, { target: { value: '/home/ana' } });
    fireEvent.click(addButton);
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not add the folder: overlaps a watched folder: /home/ana/Documents is inside /home/ana',
    );
    expect(input).toHaveValue('/home/ana');

    fireEvent.change(input, { target: { value: ' /home/ana/Music ' } });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    fireEvent.submit(input);
    expect(await screen.findByRole('heading', { name: 'Music' })).toBeInTheDocument();
    expect(screen.getByText('Now watching /home/ana/Music.')).toBeInTheDocument();
    expect(input).toHaveValue('');
    expect(b.sent()).toEqual([
      { url: '/api/sync/folders', method: 'POST', body: { path: '/home/ana' } },
      { url: '/api/sync/folders', method: 'POST', body: { path: '/home/ana/Music' } },
    ]);
  });

  it('turns a folder off with PATCH and shows what the backend answered', async () => {
    let enabled = true;
    const b = backend(
      () => jsonResponse(stateJSON({ folders: [folderJSON({ enabled, status: enabled ? 'syncing' : 'paused' }), PHOTOS] })),
      (call) => {
        if (call.method === 'PATCH' && call.url === '/api/sync/folders/f-docs') {
          enabled = (call.body as { enabled: boolean }).enabled;
          return jsonResponse(folderJSON({ enabled, status: 'paused' }));
        }
        return jsonResponse({ error: 'unexpected' }, 500);
      },
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    fireEvent.click(within(card('Documents')).getByRole('checkbox', { name: 'Enabled Documents' }));
    expect(within(card('Documents')).getByRole('checkbox', { name: 'Saving… Documents' })).toBeDisabled();

    await waitFor(() => expect(within(card('Documents')).getByRole('checkbox', { name: 'Enabled Documents' })).not.toBeChecked());
    expect(within(card('Documents')).getByText('Paused')).toBeInTheDocument();
    expect(within(card('Documents')).getByText(/^Turned off:/)).toBeInTheDocument();
    expect(b.sent()).toEqual([{ url: '/api/sync/folders/f-docs', method: 'PATCH', body: { enabled: false } }]);
  });

  it("shows the backend's reason when a folder cannot be turned on", async () => {
    backend(
      () => jsonResponse(stateJSON({ folders: [{ ...PHOTOS, enabled: false, status: 'paused' }] })),
      () => jsonResponse({ error: 'the folder no longer exists' }, 400),
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Photos' });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Enabled Photos' }));
    expect(await within(card('Photos')).findByRole('alert')).toHaveTextContent(
      'Could not turn it on: the folder no longer exists',
    );
    expect(screen.getByRole('checkbox', { name: 'Enabled Photos' })).not.toBeChecked();
  });

  it('rescans one folder, and Sync Now rescans all', async () => {
    const b = backend(undefined, (call) => (call.method === 'POST' ? accepted() : jsonResponse({}, 500)));
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });

    fireEvent.click(screen.getByRole('button', { name: 'Rescan Photos' }));
    expect(screen.getByRole('button', { name: 'Rescanning… Photos' })).toBeDisabled();
    expect(await within(card('Photos')).findByText('Checking for changes.')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Sync Now' }));
    expect(await screen.findByText('Checking all folders for changes.')).toBeInTheDocument();
    expect(b.sent()).toEqual([
      { url: '/api/sync/folders/f-photos/rescan', method: 'POST', body: undefined },
      { url: '/api/sync/rescan', method: 'POST', body: undefined },
    ]);
  });

  it('shows why Sync Now and Rescan failed', async () => {
    backend(undefined, () => jsonResponse({ error: 'the node is not running' }, 503));
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    fireEvent.click(screen.getByRole('button', { name: 'Sync Now' }));
    expect(await screen.findByText('Could not start syncing: the node is not running')).toHaveAttribute('role', 'alert');
    fireEvent.click(screen.getByRole('button', { name: 'Rescan Documents' }));
    expect(await within(card('Documents')).findByRole('alert')).toHaveTextContent('Could not rescan: the node is not running');
  });

  it('asks before removing, and DELETEs only after confirming', async () => {
    let removed = false;
    const b = backend(
      () => jsonResponse(stateJSON({ folders: removed ? [PHOTOS] : [folderJSON(), PHOTOS] })),
      (call) => {
        if (call.method === 'DELETE') {
          removed = true;
          return new Response(null, { status: 204 });
        }
        return jsonResponse({ error: 'unexpected' }, 500);
      },
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });

    fireEvent.click(screen.getByRole('button', { name: 'Remove Documents' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog).toHaveTextContent('Stop watching Documents? Nothing is deleted from this computer or from your backups.');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(b.sent()).toEqual([]);

    fireEvent.click(screen.getByRole('button', { name: 'Remove Documents' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Stop watching' }));
    expect(await screen.findByText('Stopped watching Documents. Nothing was deleted.')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Documents' })).not.toBeInTheDocument();
    expect(b.sent()).toEqual([{ url: '/api/sync/folders/f-docs', method: 'DELETE', body: undefined }]);
    await waitFor(() => expect(screen.getByText('Watched folders (1)')).toBeInTheDocument());
  });

  it('pauses and resumes with the state the backend answers', async () => {
    const b = backend(undefined, (call) => {
      if (call.url === '/api/sync/pause') return jsonResponse(stateJSON({ paused: true, uploads: [], isSyncing: false }));
      if (call.url === '/api/sync/resume') return jsonResponse(stateJSON());
      return jsonResponse({ error: 'unexpected' }, 500);
    });
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    expect(summary()).toHaveTextContent('Uploading 2 files · 2.1 MB/s · 12 waiting');

    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    await waitFor(() => expect(summary()).toHaveTextContent('Paused · 12 waiting'));
    expect(screen.queryByRole('button', { name: 'Pause' })).not.toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(summary()).toHaveTextContent('Uploading 2 files'));
    expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled();
    expect(b.sent().map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/sync/pause', 'POST /api/sync/resume']);
  });

  it('shows why pausing failed', async () => {
    backend(undefined, () => jsonResponse({ error: 'could not save the setting' }, 500));
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not pause: could not save the setting');
    expect(screen.getByRole('button', { name: 'Pause' })).toBeEnabled();
  });

  it('opens the failed files with their errors, and Retry now POSTs retry', async () => {
    const nextRetry = new Date(Date.now() + 10 * 60_000 + 30_000).toISOString();
    const b = backend(undefined, (call) => {
      if (call.method === 'GET' && call.url === '/api/sync/folders/f-docs/failed') {
        return jsonResponse({
          files: [{ path: 'big/video.mkv', error: 'node answered 507: quota exceeded', attempts: 3, nextRetryAt: nextRetry }],
        });
      }
      if (call.method === 'POST' && call.url === '/api/sync/folders/f-docs/retry') return accepted();
      return jsonResponse({ error: 'unexpected' }, 500);
    });
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    const toggle = screen.getByRole('button', { name: '1 failed in Documents' });
    fireEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');

    const list = await screen.findByRole('list', { name: 'Failed files in Documents' });
    expect(toggle).toHaveAttribute('aria-controls', list.parentElement?.id);
    expect(within(list).getByText('big/video.mkv')).toBeInTheDocument();
    expect(within(list).getByText('node answered 507: quota exceeded')).toBeInTheDocument();
    expect(within(list).getByText('3 attempts · next retry in 10 min')).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Retry now failed files in Documents' }));
    expect(await within(card('Documents')).findByText('Retrying the failed files of Documents now.')).toBeInTheDocument();
    const sent = b.sent().map((c) => `${c.method} ${c.url}`);
    expect(sent.slice(0, 3)).toEqual([
      'GET /api/sync/folders/f-docs/failed',
      'POST /api/sync/folders/f-docs/retry',
      'GET /api/sync/folders/f-docs/failed', // re-read after the retry
    ]);

    fireEvent.click(toggle);
    expect(screen.queryByRole('list', { name: 'Failed files in Documents' })).not.toBeInTheDocument();
  });

  it('shows why the failed files could not be read or retried', async () => {
    backend(undefined, (call) =>
      call.method === 'GET'
        ? jsonResponse({ error: 'folder not found' }, 404)
        : jsonResponse({ error: 'the node is not running' }, 503),
    );
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    fireEvent.click(screen.getByRole('button', { name: '1 failed in Documents' }));
    expect(await screen.findByText('Could not read the failed files: folder not found')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Retry now failed files in Documents' }));
    expect(await screen.findByText('Could not retry the failed files: the node is not running')).toHaveAttribute('role', 'alert');
  });

  it('sends Backup Now and shows the manifest sent, or why not', async () => {
    let paired = true;
    const b = backend(undefined, (call) => {
      if (call.url === '/api/sync/folders/f-docs/backup-now') {
        return paired ? jsonResponse({ sequence: 5 }, 202) : jsonResponse({ error: 'no backup server is paired' }, 409);
      }
      return jsonResponse({ error: 'unexpected' }, 500);
    });
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    fireEvent.click(screen.getByRole('button', { name: 'Backup Now Documents' }));
    expect(screen.getByRole('button', { name: 'Sending… Documents' })).toBeDisabled();
    expect(await within(card('Documents')).findByText('Sent manifest #5 to NAS.')).toHaveAttribute('role', 'status');

    paired = false;
    fireEvent.click(screen.getByRole('button', { name: 'Backup Now Documents' }));
    expect(await within(card('Documents')).findByRole('alert')).toHaveTextContent(
      'Could not back up now: no backup server is paired',
    );
    expect(b.sent().map((c) => c.url)).toEqual(['/api/sync/folders/f-docs/backup-now', '/api/sync/folders/f-docs/backup-now']);
  });

  it('disables Backup Now while no backup server is paired', async () => {
    backend(() => jsonResponse(stateJSON({ backupPeer: undefined })));
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    expect(screen.getByRole('button', { name: 'Backup Now Documents' })).toBeDisabled();
    expect(screen.getByText('Backup server: none paired')).toBeInTheDocument();
  });

  it('lists uploads in flight with their progress and rate, and the recent uploads', async () => {
    backend();
    renderPage();
    const uploading = await screen.findByRole('list', { name: 'Uploading now' });
    expect(screen.getByText('· 2.1 MB/s')).toBeInTheDocument();
    const items = within(uploading).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0] as HTMLElement).getByText('taxes/2024.pdf')).toBeInTheDocument();
    expect(within(items[0] as HTMLElement).getByText('in Documents')).toBeInTheDocument();
    const bar = screen.getByRole('progressbar', { name: 'Uploading taxes/2024.pdf' });
    expect(bar).toHaveAttribute('value', '512');
    expect(bar).toHaveAttribute('max', '2048');
    expect(within(items[0] as HTMLElement).getByText('25% (512 B / 2 KB)')).toBeInTheDocument();
    expect(screen.getByText('12 more waiting.')).toBeInTheDocument();

    const recent = screen.getByRole('list', { name: 'Recent uploads' });
    const row = within(recent).getByRole('listitem');
    expect(within(row).getByText('beach.jpg')).toBeInTheDocument();
    expect(row).toHaveTextContent('1.5 KB · just now · Photos');
    expect(within(row).getByText('zDxWB8ED…XRYuR9')).toHaveAttribute('title', UPLOAD_CID);
    expect(within(row).getByRole('button', { name: 'Copy CID of beach.jpg' })).toBeInTheDocument();
  });

  it('says so when nothing is uploading and nothing was uploaded', async () => {
    backend(() => jsonResponse(stateJSON({ ...IDLE, recentUploads: [] })));
    renderPage();
    expect(await screen.findByText('Nothing is uploading.')).toBeInTheDocument();
    expect(screen.getByText('No uploads yet.')).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
  });

  it('follows sync-state events without asking again', async () => {
    const b = backend();
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    expect(fact(card('Documents'), 'Files synced')).toBe('7/10');

    const done = folderJSON({
      status: 'idle',
      syncedFiles: 10,
      pendingFiles: 0,
      failedFiles: 0,
      backupSequence: 4,
      backupAckReceived: true,
      backupSyncedAt: ACKED_AT,
    });
    emit('sync-state', stateJSON({ ...IDLE, folders: [done, PHOTOS] }));
    expect(fact(card('Documents'), 'Files synced')).toBe('10/10');
    expect(fact(card('Documents'), 'Waiting')).toBe('0');
    expect(within(card('Documents')).getByText(/^Backed up at /)).toBeInTheDocument();
    expect(summary()).toHaveTextContent('All folders backed up');
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();

    // Events that are not a sync state change nothing.
    emit('sync-state', { nonsense: true });
    expect(summary()).toHaveTextContent('All folders backed up');
    expect(b.gets()).toBe(1);
  });

  it('reads the state again after the event stream reconnects', async () => {
    let name = 'Documents';
    const b = backend(() => jsonResponse(stateJSON({ folders: [folderJSON({ name })] })));
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    emit('hello', {});
    expect(b.gets()).toBe(1); // the first hello is the mount read's connection

    name = 'Docs (renamed)';
    emit('hello', {});
    expect(await screen.findByRole('heading', { name: 'Docs (renamed)' })).toBeInTheDocument();
    expect(b.gets()).toBe(2);
  });

  it('polls every 5 s only while the event stream is not live', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const b = backend();
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    expect(b.gets()).toBe(1);

    act(() => {
      vi.advanceTimersByTime(FALLBACK_POLL_MS);
    });
    await waitFor(() => expect(b.gets()).toBe(2));

    emit('hello', {}); // live: events carry the updates now
    act(() => {
      vi.advanceTimersByTime(3 * FALLBACK_POLL_MS);
    });
    expect(b.gets()).toBe(2);
  });

  it.each([
    ['everything is synced and acknowledged', IDLE, 'All folders backed up'],
    ['files upload', {}, 'Uploading 2 files · 2.1 MB/s · 12 waiting'],
    [
      'one file uploads at an unknown rate',
      { uploads: [{ folderId: 'f-docs', path: 'a', bytesDone: 0, totalBytes: 1 }], rateBytesPerSec: 0, queueSize: 0 },
      'Uploading 1 file',
    ],
    ['the user paused', { paused: true }, 'Paused · 12 waiting'],
    ['the node is not running and work waits', { nodeRunning: false }, 'Waiting for the node to start · 12 waiting'],
    ['the node is not running and nothing waits', { ...IDLE, nodeRunning: false }, 'All folders backed up'],
    ['folders are scanned', { ...IDLE, isSyncing: true }, 'Checking folders for changes'],
    ['files wait', { ...IDLE, queueSize: 3 }, '3 files waiting'],
    ['a file failed', { ...IDLE, folders: [{ ...PHOTOS, failedFiles: 2, syncedFiles: 1 }] }, '2 files failed to upload · will be retried'],
    ['the backup server lags', { ...IDLE, folders: [{ ...PHOTOS, manifestSequence: 3, backupAckReceived: false }] }, 'All files synced · waiting for the backup server'],
    ['backups are off', { ...IDLE, backupEnabled: false, folders: [{ ...PHOTOS, manifestSequence: 3, backupAckReceived: false }] }, 'All folders backed up'],
    ['every folder is off', { ...IDLE, folders: [{ ...PHOTOS, enabled: false, status: 'paused' }] }, 'Every folder is turned off'],
  ])('status line when %s', async (_case, over, text) => {
    backend(() => jsonResponse(stateJSON(over)));
    renderPage();
    await screen.findAllByRole('heading', { level: 3 });
    expect(summary().textContent).toBe(text);
    expect(summary()).toHaveAttribute('role', 'status');
  });

  it('shows a banner while the node is not running', async () => {
    backend(() => jsonResponse(stateJSON({ nodeRunning: false })));
    renderPage();
    await screen.findByRole('heading', { name: 'Documents' });
    expect(screen.getByRole('alert')).toHaveTextContent('The node is not running — start it from the Dashboard.');
    expect(screen.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('href', '/');
  });

  it('says when the state cannot be loaded, and Retry reads it again', async () => {
    let fail = true;
    const b = backend(() => (fail ? jsonResponse({ error: 'database is locked' }, 500) : jsonResponse(stateJSON())));
    renderPage();
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the backups: database is locked');
    expect(screen.queryByText('Loading folders…')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Pause' })).toBeDisabled();

    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('heading', { name: 'Documents' })).toBeInTheDocument();
    expect(screen.queryByText(/Could not load/)).not.toBeInTheDocument();
    expect(b.gets()).toBe(2);
  });

  it('renders folder names and paths as text, never markup', async () => {
    backend(() =>
      jsonResponse(stateJSON({ folders: [folderJSON({ name: '<b>x</b>', path: '/tmp/<img src=x onerror=alert(1)>' })] })),
    );
    const { container } = renderPage();
    expect(await screen.findByRole('heading', { name: '<b>x</b>' })).toBeInTheDocument();
    expect(screen.getByText('/tmp/<img src=x onerror=alert(1)>')).toBeInTheDocument();
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('img[src="x"]')).toBeNull();
  });
});
