import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { toRestore, type Restore } from '../../api/backups';
import { ROUTER_FUTURE } from '../../App';
import { deferred, FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../../test/fakes';
import { LAPTOP_DEVICE_ID, NAS_DEVICE_ID, restoreJSON, versionJSON, versionsJSON } from '../backupserver/backupFakes';
import { FilesPage } from '../FilesPage';
import { mergeRestore } from './useRestores';

type Call = { url: string; method: string; body?: unknown };

/**
 * A fake backend for the Restore page: no stored files; GET /api/versions
 * and /api/restores answer from the handlers (changeable), POST /api/restores
 * from start().
 */
function backend({
  versions = () => jsonResponse(versionsJSON()),
  restores = () => jsonResponse({ restores: [] }),
  start = () => jsonResponse(restoreJSON(), 202),
}: {
  versions?: () => Response;
  restores?: () => Response;
  start?: (call: Call) => Response | Promise<Response>;
} = {}) {
  const calls: Call[] = [];
  const handlers = { versions, restores, start };
  stubFetch((url, init) => {
    const method = init?.method ?? 'GET';
    const call: Call = { url, method, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    if (method === 'GET' && url === '/api/files') return Promise.resolve(jsonResponse([]));
    if (method === 'GET' && url === '/api/versions') return Promise.resolve(handlers.versions());
    if (method === 'GET' && url === '/api/restores') return Promise.resolve(handlers.restores());
    if (method === 'POST' && url === '/api/restores') return Promise.resolve(handlers.start(call));
    return Promise.resolve(jsonResponse({ error: 'unexpected' }, 500));
  });
  return {
    calls,
    handlers,
    posts: () => calls.filter((c) => c.method === 'POST'),
    versionReads: () => calls.filter((c) => c.url === '/api/versions').length,
  };
}

function renderPage() {
  return render(
    <MemoryRouter future={ROUTER_FUTURE}>
      <FilesPage />
    </MemoryRouter>,
  );
}

function emit(type: string, data?: unknown) {
  const source = FakeEventSource.instances[0];
  if (!source) throw new Error('the page opened no event stream');
  act(() => source.emit(type, { type, time: 'now', data }));
}

const panel = () => screen.getByRole('region', { name: 'Restore a folder' });
const select = (label: string) => within(panel()).getByLabelText(label);
const optionTexts = (label: string) => within(select(label)).getAllByRole('option').map((o) => o.textContent);
const restoreButton = () => within(panel()).getByRole('button', { name: 'Restore' });
const destInput = () => within(panel()).getByRole('textbox', { name: 'Destination folder' });
const loaded = () => screen.findByLabelText('Backup server');
const at = (iso: string) => new Date(iso).toLocaleString();

describe('Restore a folder', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  it('offers each server, source, folder and version, newest version first', async () => {
    backend();
    renderPage();
    expect(within(panel()).getByText('Loading the backups…')).toBeInTheDocument();
    await loaded();

    expect(optionTexts('Backup server')).toEqual(['This device', 'Office NAS (not reachable)']);
    expect(select('Backup server')).toHaveValue(':this-device');
    expect(optionTexts('Source device')).toEqual(['Laptop']);
    expect(optionTexts('Folder')).toEqual(['Documents', 'Photos']);
    expect(optionTexts('Version')).toEqual([
      `#7 (newest) · ${at('2025-03-01T10:00:00Z')} · 70 files · 7 KB`,
      `#6 · ${at('2025-02-28T09:00:00Z')} · 60 files · 6 KB`,
    ]);
    expect(select('Version')).toHaveValue('7');

    fireEvent.change(select('Version'), { target: { value: '6' } });
    expect(select('Version')).toHaveValue('6');
    // Another folder starts again from its newest version.
    fireEvent.change(select('Folder'), { target: { value: 'f-photos' } });
    expect(optionTexts('Version')).toEqual([`#3 (newest) · ${at('2025-03-01T10:00:00Z')} · 30 files · 3 KB`]);
    expect(select('Version')).toHaveValue('3');
  });

  it("says why a backup server's backups cannot be listed, and offers nothing to restore from it", async () => {
    backend();
    renderPage();
    await loaded();
    fireEvent.change(destInput(), { target: { value: '/home/ana/Restored' } });
    expect(restoreButton()).toBeEnabled();

    fireEvent.change(select('Backup server'), { target: { value: NAS_DEVICE_ID } });
    expect(within(panel()).getByRole('alert')).toHaveTextContent('Could not read what Office NAS keeps: the device did not answer');
    expect(select('Source device')).toBeDisabled();
    expect(select('Folder')).toBeDisabled();
    expect(select('Version')).toBeDisabled();
    expect(restoreButton()).toBeDisabled();
  });

  it('restores from a paired backup server when the source computer is gone', async () => {
    const nas = {
      device: NAS_DEVICE_ID,
      name: 'Office NAS',
      catalog: {
        sources: [{ device: LAPTOP_DEVICE_ID, name: 'Laptop', folders: [{ id: 'f-docs', name: 'Documents', versions: [versionJSON(9)] }] }],
      },
    };
    const b = backend({ versions: () => jsonResponse(versionsJSON(nas)) });
    renderPage();
    await loaded();
    expect(optionTexts('Backup server')).toEqual(['This device', 'Office NAS']);
    fireEvent.change(select('Backup server'), { target: { value: NAS_DEVICE_ID } });
    expect(select('Version')).toHaveValue('9');
    fireEvent.change(destInput(), { target: { value: '/home/ana/Restored' } });
    fireEvent.click(restoreButton());
    await waitFor(() => expect(b.posts()).toHaveLength(1));
    expect(b.posts()[0]?.body).toEqual({
      server: NAS_DEVICE_ID,
      source: LAPTOP_DEVICE_ID,
      folder: 'f-docs',
      sequence: 9,
      dest: '/home/ana/Restored',
      overwrite: false,
    });
  });

  it('requires an absolute destination, then POSTs the chosen version with Overwrite', async () => {
    const answer = deferred<Response>();
    const b = backend({ start: () => answer.promise });
    renderPage();
    await loaded();
    expect(restoreButton()).toBeDisabled(); // no destination yet

    fireEvent.change(destInput(), { target: { value: 'Restored' } });
    expect(destInput()).toHaveAttribute('aria-invalid', 'true');
    expect(destInput()).toHaveAccessibleDescription(/Type the full path, starting with \//);
    expect(restoreButton()).toBeDisabled();

    fireEvent.change(destInput(), { target: { value: ' /home/ana/Restored ' } });
    expect(destInput()).toHaveAttribute('aria-invalid', 'false');
    fireEvent.change(select('Version'), { target: { value: '6' } });
    const overwrite = within(panel()).getByRole('checkbox', { name: 'Overwrite existing files' });
    expect(overwrite).not.toBeChecked();
    fireEvent.click(overwrite);

    fireEvent.submit(destInput()); // Enter in the field submits
    expect(within(panel()).getByRole('button', { name: 'Starting…' })).toBeDisabled();
    expect(b.posts()).toEqual([
      {
        url: '/api/restores',
        method: 'POST',
        body: { server: '', source: LAPTOP_DEVICE_ID, folder: 'f-docs', sequence: 6, dest: '/home/ana/Restored', overwrite: true },
      },
    ]);
    await act(async () => {
      answer.resolve(jsonResponse(restoreJSON({ sequence: 6, request: { dest: '/home/ana/Restored', overwrite: true } }), 202));
      await answer.promise;
    });
    expect(await within(panel()).findByText('Restoring Documents #6 into /home/ana/Restored.')).toHaveAttribute('role', 'status');
    const card = within(panel()).getByRole('article', { name: 'Documents #6 of Laptop' });
    expect(within(card).getByText('Restoring…')).toHaveClass('badge', 'status-running');
    expect(restoreButton()).toBeEnabled();
  });

  it("shows the backend's reason when it refuses the restore", async () => {
    backend({ start: () => jsonResponse({ error: 'the destination /home/ana/notes.txt is a file, not a directory' }, 400) });
    renderPage();
    await loaded();
    fireEvent.change(destInput(), { target: { value: '/home/ana/notes.txt' } });
    fireEvent.click(restoreButton());
    expect(await within(panel()).findByRole('alert')).toHaveTextContent(
      'Could not start the restore: the destination /home/ana/notes.txt is a file, not a directory',
    );
    expect(destInput()).toHaveAttribute('aria-invalid', 'true');
    expect(within(panel()).queryByRole('list', { name: 'Restores' })).not.toBeInTheDocument();

    // Editing the destination clears the refusal.
    fireEvent.change(destInput(), { target: { value: '/home/ana/Restored' } });
    expect(within(panel()).queryByRole('alert')).not.toBeInTheDocument();
  });

  it('follows restore-progress events: files, bytes, skipped and failed files, then the outcome', async () => {
    backend();
    renderPage();
    await loaded();
    fireEvent.change(destInput(), { target: { value: '/home/ana/Restored' } });
    fireEvent.click(restoreButton());
    const card = await within(panel()).findByRole('article', { name: 'Documents #7 of Laptop' });
    expect(within(card).getByText(`From this device · version of ${at('2025-03-01T10:00:00Z')} · into /home/ana/Restored`)).toBeInTheDocument();
    expect(within(card).getByRole('progressbar', { name: 'Files of Documents #7' })).toHaveAttribute('value', '0');

    const skipped = ['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt', 'f.txt', 'g.txt'];
    emit('restore-progress', restoreJSON({ filesDone: 30, bytesDone: 3072, skipped, skippedCount: 8 }));
    const files = within(card).getByRole('progressbar', { name: 'Files of Documents #7' });
    expect(files).toHaveAttribute('value', '38'); // written + skipped + failed
    expect(files).toHaveAttribute('max', '70');
    expect(within(card).getByText('54% (38 / 70)')).toBeInTheDocument();
    expect(within(card).getByRole('progressbar', { name: 'Data of Documents #7' })).toHaveAttribute('value', '3072');
    expect(within(card).getByText('42% (3 KB / 7 KB)')).toBeInTheDocument();
    expect(within(card).getByText('30 written · 8 skipped · 0 failed')).toBeInTheDocument();
    expect(within(card).getByText(/^8 files already existed and were left alone/)).toBeInTheDocument();
    expect(
      within(within(card).getByRole('list', { name: 'Skipped files of Documents #7' }))
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt', 'and 3 more files']);

    emit('restore-progress', restoreJSON({ id: 'other', folderName: 'Photos', sequence: 3 }));
    expect(within(panel()).getAllByRole('article')).toHaveLength(2); // another restore (started elsewhere) joins the list

    emit(
      'restore-progress',
      restoreJSON({
        status: 'failed',
        error: '1 of 70 files could not be restored',
        filesDone: 61,
        bytesDone: 6144,
        skipped,
        skippedCount: 8,
        failed: [{ path: 'big.iso', cid: 'zBig', error: 'no peer has it' }],
        failedCount: 1,
        finishedAt: new Date().toISOString(),
      }),
    );
    expect(within(card).getByText('Failed')).toHaveClass('status-failed');
    expect(within(card).getByText('61 written · 8 skipped · 1 failed')).toBeInTheDocument();
    expect(within(card).getByRole('list', { name: 'Failed files of Documents #7' })).toHaveTextContent('big.iso: no peer has it');
    expect(within(card).getByText('1 of 70 files could not be restored')).toHaveAttribute('role', 'status');
  });

  it('says when a restore is done, and Clear finished removes it', async () => {
    backend({ restores: () => jsonResponse({ restores: [restoreJSON({ status: 'done', filesDone: 70, bytesDone: 7168 })] }) });
    renderPage();
    const card = await within(panel()).findByRole('article', { name: 'Documents #7 of Laptop' });
    expect(within(card).getByText('Done')).toHaveClass('status-done');
    expect(within(card).getByText('Restored 70 files (7 KB) into /home/ana/Restored.')).toBeInTheDocument();
    expect(within(card).queryByRole('list')).not.toBeInTheDocument();

    fireEvent.click(within(panel()).getByRole('button', { name: 'Clear finished restores' }));
    expect(within(panel()).queryByRole('article')).not.toBeInTheDocument();
  });

  it('keeps progress an event brought when the answer to the start arrives later', async () => {
    const answer = deferred<Response>();
    backend({ start: () => answer.promise });
    renderPage();
    await loaded();
    fireEvent.change(destInput(), { target: { value: '/home/ana/Restored' } });
    fireEvent.click(restoreButton());
    emit('restore-progress', restoreJSON({ filesDone: 10, bytesDone: 1024 }));
    await act(async () => {
      answer.resolve(jsonResponse(restoreJSON(), 202));
      await answer.promise;
    });
    await within(panel()).findByText('Restoring Documents #7 into /home/ana/Restored.');
    expect(within(panel()).getByRole('progressbar', { name: 'Files of Documents #7' })).toHaveAttribute('value', '10');
  });

  it('says when there is nothing to restore from', async () => {
    backend({ versions: () => jsonResponse({ servers: [] }) });
    renderPage();
    expect(
      await within(panel()).findByText('No backups to restore from: this device keeps none, and no paired device is a backup server.'),
    ).toBeInTheDocument();
    expect(within(panel()).queryByRole('button', { name: 'Restore' })).not.toBeInTheDocument();
  });

  it('says why the backups cannot be listed, and Reload versions asks again', async () => {
    let fail = true;
    const b = backend({ versions: () => (fail ? jsonResponse({ error: 'the node is not running' }, 503) : jsonResponse(versionsJSON())) });
    renderPage();
    expect(await within(panel()).findByRole('alert')).toHaveTextContent('Could not list the backups: the node is not running');
    fail = false;
    fireEvent.click(within(panel()).getByRole('button', { name: 'Reload versions' }));
    await loaded();
    expect(within(panel()).queryByRole('alert')).not.toBeInTheDocument();
    expect(b.versionReads()).toBe(2);
  });

  it('renders names from paired devices as text, never markup', async () => {
    const evil = '<img src=x onerror=alert(1)>';
    const nas = {
      device: NAS_DEVICE_ID,
      name: evil,
      catalog: { sources: [{ device: LAPTOP_DEVICE_ID, name: evil, folders: [{ id: 'f', name: '<b>x</b>', versions: [versionJSON(1)] }] }] },
    };
    backend({
      versions: () => jsonResponse(versionsJSON(nas)),
      restores: () => jsonResponse({ restores: [restoreJSON({ sourceName: evil, folderName: '<b>x</b>', serverName: evil })] }),
    });
    const { container } = renderPage();
    await loaded();
    expect(optionTexts('Backup server')).toContain(evil);
    expect(within(panel()).getByRole('article', { name: `<b>x</b> #7 of ${evil}` })).toBeInTheDocument();
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
  });
});

describe('mergeRestore', () => {
  const r = (over: Record<string, unknown>): Restore => {
    const v = toRestore(restoreJSON(over));
    if (!v) throw new Error('bad fixture');
    return v;
  };

  it('adds new restores newest first', () => {
    const older = r({ id: 'a', startedAt: '2025-03-01T10:00:00Z' });
    const newer = r({ id: 'b', startedAt: '2025-03-01T11:00:00Z' });
    expect(mergeRestore([older], newer, false).map((x) => x.id)).toEqual(['b', 'a']);
    expect(mergeRestore([newer], older, true).map((x) => x.id)).toEqual(['b', 'a']);
  });

  it('lets events win, and a snapshot only when it got as far', () => {
    const ahead = r({ filesDone: 10 });
    const behind = r({ filesDone: 2 });
    expect(mergeRestore([ahead], behind, false)[0]?.filesDone).toBe(10);
    expect(mergeRestore([behind], ahead, false)[0]?.filesDone).toBe(10);
    expect(mergeRestore([ahead], r({ status: 'done', filesDone: 3 }), false)[0]?.status).toBe('done');
    expect(mergeRestore([ahead], behind, true)[0]?.filesDone).toBe(2);
  });
});
