import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { ROUTER_FUTURE } from '../App';
import { deferred, FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../test/fakes';
import { LAPTOP_DEVICE_ID, manifestJSON, sourceJSON, stateJSON } from './backupserver/backupFakes';
import { EMPTY_PROCESSED } from './backupserver/ManifestTables';
import { BackupServerPage, DISABLED_TEXT, PAUSED_TEXT } from './BackupServerPage';

type Call = { url: string; method: string; body?: unknown };

/** A fake backend: GET /api/backup-server answers from state(), everything else from send(). */
function backend(
  state: () => Response = () => jsonResponse(stateJSON()),
  send: (call: Call) => Response | Promise<Response> = () => jsonResponse({ error: 'unexpected' }, 500),
) {
  const calls: Call[] = [];
  const handlers = { state, send };
  stubFetch((url, init) => {
    const method = init?.method ?? 'GET';
    const call: Call = { url, method, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    if (method === 'GET' && url === '/api/backup-server') return Promise.resolve(handlers.state());
    return Promise.resolve(handlers.send(call));
  });
  return {
    calls,
    handlers,
    gets: () => calls.filter((c) => c.method === 'GET' && c.url === '/api/backup-server').length,
    sent: () => calls.filter((c) => c.method !== 'GET').map((c) => `${c.method} ${c.url}`),
  };
}

function renderPage() {
  return render(
    <MemoryRouter future={ROUTER_FUTURE}>
      <BackupServerPage />
    </MemoryRouter>,
  );
}

function emit(type: string, data?: unknown) {
  const source = FakeEventSource.instances[0];
  if (!source) throw new Error('the page opened no event stream');
  act(() => source.emit(type, { type, time: 'now', data }));
}

const loaded = () => screen.findByText('Manifests Processed');
const button = (name: string) => screen.getByRole('button', { name });
const region = (name: RegExp) => screen.getByRole('region', { name });
/** The value shown in the stat card labelled label. */
const stat = (label: string) => screen.getByText(label).nextElementSibling?.textContent;
/** A config fact by its label. */
const fact = (label: string) => within(region(/^Configuration/)).getByText(label).nextElementSibling?.textContent;
const rows = (name: RegExp) => within(within(region(name)).getByRole('table')).getAllByRole('row').slice(1);

describe('BackupServerPage', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  it('shows the totals, the last activity and the configuration with the retention', async () => {
    backend();
    renderPage();
    expect(screen.getByRole('heading', { level: 1, name: 'Backup Server Dashboard' })).toBeInTheDocument();
    expect(screen.getByText('Loading the backup server…')).toBeInTheDocument();
    await loaded();

    expect(screen.getByTestId('bs-mode')).toHaveTextContent('Running');
    expect(stat('Manifests Processed')).toBe('5');
    expect(stat('Files Downloaded')).toBe('40');
    expect(stat('Data Downloaded')).toBe('5 MB');
    expect(stat('Files Deleted')).toBe('3');
    expect(screen.getByText('2 KB freed')).toBeInTheDocument();
    expect(screen.getByTestId('bs-activity')).toHaveTextContent('Last Activity: 10 min ago • Last Poll: just now');
    expect(screen.getByTestId('bs-activity')).not.toHaveTextContent('Downloading at');
    expect(screen.queryByText(DISABLED_TEXT)).not.toBeInTheDocument();

    expect(fact('Poll interval')).toBe('5 min');
    expect(fact('Max concurrent downloads')).toBe('3');
    expect(fact('Max retries')).toBe('3');
    expect(fact('Auto-delete')).toBe('Yes');
    expect(fact('Versions kept')).toBe('last 10 · 24 hourly · 7 daily');
    expect(within(region(/^Configuration/)).getByText('The newest version of each folder is always kept.')).toBeInTheDocument();
    expect(within(region(/^Configuration/)).getByRole('link', { name: 'Change in Settings' })).toHaveAttribute('href', '/settings');
  });

  it('shows the download rate while there is one', async () => {
    backend(() => jsonResponse(stateJSON({ rateBytesPerSec: 2 * 1024 * 1024 })));
    renderPage();
    await loaded();
    expect(screen.getByText('now 2 MB/s')).toBeInTheDocument();
    expect(screen.getByTestId('bs-activity')).toHaveTextContent('• Downloading at 2 MB/s');
  });

  it('shows no rate once nothing is downloading, though the last seconds had one', async () => {
    backend(() => jsonResponse(stateJSON({ rateBytesPerSec: 2 * 1024 * 1024, inProgress: [] })));
    renderPage();
    await loaded();
    expect(screen.queryByText('now 2 MB/s')).not.toBeInTheDocument();
    expect(screen.getByTestId('bs-activity')).not.toHaveTextContent('Downloading at');
  });

  it('lists the sources with their status, figures, folders and refused manifests', async () => {
    backend(() =>
      jsonResponse(
        stateJSON({
          sources: [
            sourceJSON(),
            sourceJSON({ device: 'PH0N-1', name: 'Phone', offers: false, rejections: [], folders: [], failures: 0 }),
            sourceJSON({ device: 'OFF-1', name: 'Old PC', offers: false, lastError: 'dial tcp: no route to host', rejections: [] }),
            sourceJSON({ device: 'BUSY-1', name: 'Desktop', busy: true, rejections: [] }),
            sourceJSON({ device: 'NEW-1', name: 'Tablet', lastPoll: undefined, lastSeen: undefined, offers: false, rejections: [] }),
          ],
        }),
      ),
    );
    renderPage();
    await loaded();
    const sources = region(/^Sources \(5\)/);
    const laptop = within(sources).getByTestId(`source-${LAPTOP_DEVICE_ID}`);
    const cells = within(laptop).getAllByRole('cell');
    expect(within(laptop).getByRole('rowheader')).toHaveTextContent('Laptop');
    expect(cells.map((c) => c.textContent)).toEqual([
      'Idle',
      'just now',
      'just now',
      '40 files · 5 MB',
      '1',
      'Documents #7 · 4 versions · 12 files · 3 MB',
    ]);
    expect(within(sources).getByRole('list', { name: 'Manifests refused from Laptop' })).toHaveTextContent(
      'Documents #3 zDxWB8ED…XRYuR9: sequence 3 is older than the newest version 7 (1 h ago)',
    );

    const status = (device: string) => within(within(sources).getByTestId(`source-${device}`)).getAllByRole('cell')[0];
    expect(status('PH0N-1')).toHaveTextContent('Not a source');
    expect(status('OFF-1')).toHaveTextContent('Offline');
    expect(status('OFF-1')).toHaveTextContent('dial tcp: no route to host');
    expect(within(status('OFF-1') as HTMLElement).getByText('Offline')).toHaveClass('badge', 'tone-error');
    expect(status('BUSY-1')).toHaveTextContent('Busy');
    expect(status('NEW-1')).toHaveTextContent('Not polled yet');
  });

  it('shows the manifests in progress with real file and byte progress', async () => {
    const pending = manifestJSON({
      folderName: 'Music',
      folderId: 'f-music',
      sequence: 4,
      status: 'pending',
      startedAt: undefined,
      totalFiles: 0,
      totalBytes: 0,
      filesDone: 0,
      bytesDone: 0,
    });
    backend(() => jsonResponse(stateJSON({ inProgress: [...(stateJSON().inProgress as unknown[]), pending] })));
    renderPage();
    await loaded();
    const panel = region(/^Currently Processing \(2\)/);
    const music = rows(/^Currently Processing/)[1] as HTMLElement;
    expect(within(music).getByText('Pending')).toBeInTheDocument();
    expect(within(music).getByText('Waiting for its turn')).toBeInTheDocument(); // its size is not known yet
    expect(within(music).queryByRole('progressbar')).not.toBeInTheDocument();
    expect(within(music).getByText('waiting')).toBeInTheDocument();
    expect(within(panel).getAllByRole('progressbar')).toHaveLength(2);
    const files = within(panel).getByRole('progressbar', { name: 'Files of Photos #3' });
    expect(files).toHaveAttribute('value', '4');
    expect(files).toHaveAttribute('max', '10');
    expect(within(panel).getByText('40% (4 / 10)')).toBeInTheDocument();
    const data = within(panel).getByRole('progressbar', { name: 'Data of Photos #3' });
    expect(data).toHaveAttribute('value', '1024');
    expect(data).toHaveAttribute('max', '4096');
    expect(within(panel).getByText('25% (1 KB / 4 KB)')).toBeInTheDocument();
    expect(within(panel).getByText('1 failed')).toBeInTheDocument();
    expect(within(panel).getByText('Downloading')).toBeInTheDocument();
    expect(within(panel).getByText('2 min ago')).toBeInTheDocument();
  });

  it('moves the progress bars and totals with backup-server-state events, without asking again', async () => {
    const b = backend();
    renderPage();
    await loaded();
    emit('hello', {});
    const moving = stateJSON({
      rateBytesPerSec: 1024,
      totals: { manifestsProcessed: 6, filesDownloaded: 45, bytesDownloaded: 6 * 1024 * 1024, filesDeleted: 3 },
    });
    (moving.inProgress as Record<string, unknown>[])[0] = {
      ...(moving.inProgress as Record<string, unknown>[])[0],
      filesDone: 9,
      bytesDone: 3072,
    };
    emit('backup-server-state', moving);
    expect(screen.getByRole('progressbar', { name: 'Files of Photos #3' })).toHaveAttribute('value', '9');
    expect(screen.getByRole('progressbar', { name: 'Data of Photos #3' })).toHaveAttribute('value', '3072');
    expect(screen.getByText('90% (9 / 10)')).toBeInTheDocument();
    expect(stat('Manifests Processed')).toBe('6');
    expect(stat('Files Downloaded')).toBe('45');
    expect(screen.getByText('now 1 KB/s')).toBeInTheDocument();

    emit('backup-server-state', stateJSON({ inProgress: [] }));
    expect(screen.getByText('Currently Processing (0)')).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(b.gets()).toBe(1);
  });

  it('lists failed manifests with attempts, next retry and files, and Retry POSTs the manifest', async () => {
    const answer = deferred<Response>();
    const b = backend(
      () =>
        jsonResponse(
          stateJSON({
            failed: [
              ...(stateJSON().failed as unknown[]),
              manifestJSON({ folderName: 'Books', folderId: 'f-books', sequence: 5, status: 'failed', error: 'manifest unreadable', attempts: 4 }),
            ],
          }),
        ),
      () => answer.promise,
    );
    renderPage();
    await loaded();
    expect(screen.getByText('Failed Manifests (2)')).toBeInTheDocument();
    const [music, books] = rows(/^Failed Manifests/) as [HTMLElement, HTMLElement];
    const cells = within(music).getAllByRole('cell');
    expect(cells.slice(0, 3).map((c) => c.textContent)).toEqual(['Laptop', 'Music', '#2']);
    expect(cells[3]).toHaveTextContent('2 of 9 files could not be fetched');
    expect(cells[4]).toHaveTextContent('2/4');
    expect(cells[5]).toHaveTextContent('in 5 min');

    const files = within(music).getByRole('list', { name: 'Failed files of Music #2' });
    expect(within(files).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'albums/a.flac: no peer has it',
      'albums/b.flac: stalled for 60 s',
    ]);
    expect(within(music).getByText('2 files failed')).toBeInTheDocument();

    expect(within(books).getAllByRole('cell')[4]).toHaveTextContent('4/4');
    expect(within(books).getByText('out of retries')).toBeInTheDocument();

    fireEvent.click(within(books).getByRole('button', { name: 'Retry Books #5' }));
    expect(within(books).getByRole('button', { name: 'Retrying... Books #5' })).toBeDisabled();
    expect(within(music).getByRole('button', { name: 'Retry Music #2' })).toBeEnabled();
    await act(async () => {
      answer.resolve(jsonResponse({ status: 'retrying' }, 202));
      await answer.promise;
    });
    expect(await screen.findByText('Retrying Books #5.')).toHaveAttribute('role', 'status');
    expect(b.sent()).toEqual([`POST /api/backup-server/manifests/${LAPTOP_DEVICE_ID}/f-books/5/retry`]);
  });

  it('shows why a retry failed in a banner that can be dismissed', async () => {
    backend(undefined, () => jsonResponse({ error: 'manifest 2 of that folder is pending, not failed' }, 400));
    renderPage();
    await loaded();
    fireEvent.click(button('Retry Music #2'));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not retry Music #2: manifest 2 of that folder is pending, not failed');
    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss error' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(button('Retry Music #2')).toBeEnabled();
  });

  it('lists processed manifests newest first, or says none arrived yet', async () => {
    backend();
    renderPage();
    await loaded();
    expect(screen.getByText('Processed Manifests (2)')).toBeInTheDocument();
    const [newest, older] = rows(/^Processed Manifests/) as [HTMLElement, HTMLElement];
    expect(within(newest).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      'Laptop',
      'Documents',
      '#7',
      'zDvZRwzm…HrzFXy',
      '12',
      '3 MB',
      '4 files · 1 MB',
      '2',
      '10 min ago',
    ]);
    expect(within(newest).getByText('zDvZRwzm…HrzFXy')).toHaveAttribute('title', 'zDvZRwzm1ePSzKSXt57D5YxHwcSDmsCyYN65wW4HT7fuX9HrzFXy');
    expect(within(older).getAllByRole('cell').map((c) => c.textContent)).toEqual([
      'Laptop',
      'Documents',
      '#6',
      'zDxWB8ED…XRYuR9',
      '12',
      '3 MB',
      '12 files · 1 MB',
      '-',
      '3 h ago',
    ]);
    expect(screen.queryByText(EMPTY_PROCESSED)).not.toBeInTheDocument();

    emit('backup-server-state', stateJSON({ processed: [], inProgress: [], failed: [] }));
    expect(screen.getByText(EMPTY_PROCESSED)).toBeInTheDocument();
    expect(screen.getByText('Processed Manifests (0)')).toBeInTheDocument();
    expect(screen.getByText('No failed manifests.')).toBeInTheDocument();
    expect(screen.getByText('Nothing is being downloaded.')).toBeInTheDocument();
  });

  it('offers only Enable Daemon while disabled, and enables it with POST enable', async () => {
    const answer = deferred<Response>();
    const b = backend(
      () => jsonResponse(stateJSON({ mode: 'disabled', config: { ...(stateJSON().config as object), enabled: false } })),
      () => answer.promise,
    );
    renderPage();
    await loaded();
    expect(screen.getByText(DISABLED_TEXT)).toBeInTheDocument();
    expect(screen.getByTestId('bs-mode')).toHaveTextContent('Disabled');
    expect(screen.queryByRole('button', { name: 'Pause' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Disable Daemon' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Poll now' })).not.toBeInTheDocument();

    fireEvent.click(button('Enable Daemon'));
    expect(button('Enabling...')).toBeDisabled();
    await act(async () => {
      answer.resolve(jsonResponse(stateJSON()));
      await answer.promise;
    });
    await waitFor(() => expect(button('Pause')).toBeEnabled());
    expect(button('Disable Daemon')).toBeEnabled();
    expect(button('Poll now')).toBeEnabled();
    expect(screen.queryByText(DISABLED_TEXT)).not.toBeInTheDocument();
    expect(b.sent()).toEqual(['POST /api/backup-server/enable']);
  });

  it('pauses, resumes, polls and disables with the state the backend answers', async () => {
    const b = backend(undefined, (call) => {
      if (call.url === '/api/backup-server/pause') return jsonResponse(stateJSON({ mode: 'paused' }));
      if (call.url === '/api/backup-server/resume') return jsonResponse(stateJSON({ mode: 'running' }));
      if (call.url === '/api/backup-server/poll') return jsonResponse(stateJSON({ polling: true }));
      if (call.url === '/api/backup-server/disable') return jsonResponse(stateJSON({ mode: 'disabled' }));
      return jsonResponse({ error: 'unexpected' }, 500);
    });
    renderPage();
    await loaded();

    fireEvent.click(button('Pause'));
    expect(button('Pausing...')).toBeDisabled();
    expect(button('Disable Daemon')).toBeDisabled();
    expect(await screen.findByText(PAUSED_TEXT)).toBeInTheDocument();
    expect(screen.getByTestId('bs-mode')).toHaveTextContent('Paused');
    expect(button('Poll now')).toBeDisabled(); // nothing is polled while paused

    fireEvent.click(button('Resume'));
    expect(button('Resuming...')).toBeDisabled();
    await waitFor(() => expect(button('Pause')).toBeEnabled());
    expect(screen.queryByText(PAUSED_TEXT)).not.toBeInTheDocument();

    fireEvent.click(button('Poll now'));
    // The answer says a poll is under way: the button says so until an event says it ended.
    await waitFor(() => expect(screen.getByTestId('bs-activity')).toHaveTextContent('Polling now'));
    expect(button('Polling...')).toBeDisabled();
    emit('backup-server-state', stateJSON({ polling: false }));
    expect(button('Poll now')).toBeEnabled();

    fireEvent.click(button('Disable Daemon'));
    expect(button('Disabling...')).toBeDisabled();
    expect(await screen.findByText(DISABLED_TEXT)).toBeInTheDocument();
    expect(button('Enable Daemon')).toBeEnabled();

    expect(b.sent()).toEqual([
      'POST /api/backup-server/pause',
      'POST /api/backup-server/resume',
      'POST /api/backup-server/poll',
      'POST /api/backup-server/disable',
    ]);
  });

  it('shows why an action failed in a dismissible banner', async () => {
    backend(undefined, () => jsonResponse({ error: 'could not save config.toml: read-only file system' }, 500));
    renderPage();
    await loaded();
    fireEvent.click(button('Disable Daemon'));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not disable the daemon: could not save config.toml: read-only file system');
    expect(button('Disable Daemon')).toBeEnabled();
    expect(screen.getByTestId('bs-mode')).toHaveTextContent('Running');

    within(alert).getByRole('button', { name: 'Dismiss error' }).focus();
    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss error' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says when the state cannot be loaded; Retry reads again and Dismiss hides it', async () => {
    let fail = true;
    const b = backend(() => (fail ? jsonResponse({ error: 'database is locked' }, 500) : jsonResponse(stateJSON())));
    renderPage();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load the backup server: database is locked');
    expect(screen.queryByText('Loading the backup server…')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Enable Daemon' })).not.toBeInTheDocument();

    fireEvent.click(within(alert).getByRole('button', { name: 'Dismiss error' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    fail = false;
    emit('hello', {});
    emit('hello', {}); // a reconnect: read again
    await loaded();
    expect(b.gets()).toBe(2);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('renders names from paired devices as text, never markup', async () => {
    backend(() =>
      jsonResponse(
        stateJSON({
          sources: [sourceJSON({ name: '<img src=x onerror=alert(1)>', folders: [{ id: 'f', name: '<b>docs</b>', lastSequence: 1 }] })],
          processed: [manifestJSON({ sourceName: '<img src=x onerror=alert(1)>', folderName: '<b>docs</b>' })],
        }),
      ),
    );
    const { container } = renderPage();
    await loaded();
    expect(screen.getAllByText('<img src=x onerror=alert(1)>').length).toBeGreaterThan(0);
    expect(screen.getAllByText('<b>docs</b>').length).toBeGreaterThan(0);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
  });

  it('names a source by its device ID when it has no name', async () => {
    backend(() => jsonResponse(stateJSON({ sources: [sourceJSON({ name: '', rejections: [] })], processed: [] })));
    renderPage();
    await loaded();
    expect(within(region(/^Sources/)).getByRole('rowheader')).toHaveTextContent(`${LAPTOP_DEVICE_ID.slice(0, 12)}…`);
    expect(screen.getByText('Sources (1)')).toBeInTheDocument();
  });
});
