import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredFile } from '../api/files';
import { ROUTER_FUTURE } from '../App';
import { FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../test/fakes';
import { EMPTY_TEXT, FilesPage } from './FilesPage';

const CID_A = 'zDvZRwzm1ePSzKSXt57D5YxHwcSDmsCyYN65wW4HT7fuX9HrzFXy';
const CID_B = 'zDxWB8ED98hxJ51XwYaoQAwMdskCcmTaPR6Ce2wq88bjvjXRYuR9';
const CID_C = 'zDzSvJTezk7bJNQqFq8k1iHXY84psNuUfZVusA5bBQQUSuyzDSVL';

const REPORT: StoredFile = { cid: CID_A, filename: 'report.pdf', mimetype: 'application/pdf', size: 2048, treeCid: 'zT1' };
const NOTES: StoredFile = { cid: CID_B, filename: 'notes.txt', mimetype: 'text/plain', size: 10, treeCid: 'zT2' };
const UNNAMED: StoredFile = { cid: CID_C, filename: '', mimetype: '', size: 5 * 1024 * 1024, treeCid: 'zT3' };

type Call = { url: string; method: string; init?: RequestInit };

/**
 * A fake backend: GET /api/files answers from list() (changeable between
 * calls); everything else from send(), which may return a pending promise so
 * a test can look at the page mid-request.
 */
function backend(
  list: () => Response = () => jsonResponse([REPORT, NOTES, UNNAMED]),
  send: (call: Call) => Response | Promise<Response> = () => jsonResponse({ error: 'unexpected' }, 500),
) {
  const calls: Call[] = [];
  const state = { list, send };
  stubFetch((url, init) => {
    const call = { url, method: init?.method ?? 'GET', init };
    calls.push(call);
    if (call.method === 'GET' && url === '/api/files') return Promise.resolve(state.list());
    // The folder-restore panel's reads (tested in files/FolderRestore.test.tsx): nothing to restore.
    if (call.method === 'GET' && url === '/api/versions') return Promise.resolve(jsonResponse({ servers: [] }));
    if (call.method === 'GET' && url === '/api/restores') return Promise.resolve(jsonResponse({ restores: [] }));
    return Promise.resolve(state.send(call));
  });
  return { calls, state, gets: () => calls.filter((c) => c.method === 'GET' && c.url === '/api/files').length };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function renderPage() {
  return render(
    <MemoryRouter future={ROUTER_FUTURE}>
      <FilesPage />
    </MemoryRouter>,
  );
}

/** Pushes a backend event, wrapped the way the server sends it. */
function emit(type: string, data?: unknown) {
  const source = FakeEventSource.instances[0];
  if (!source) throw new Error('the page opened no event stream');
  act(() => source.emit(type, data === undefined ? { type, time: 'now' } : { type, time: 'now', data }));
}

const table = () => screen.getByRole('table');
const bodyRows = () => within(table()).getAllByRole('row').slice(1);
const names = () => bodyRows().map((r) => within(r).getAllByRole('cell')[0]?.textContent);

function paste(input: HTMLElement, text: string) {
  fireEvent.paste(input, { clipboardData: { getData: () => text } });
}

describe('FilesPage', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  it('shows loading, then one row per stored file', async () => {
    backend();
    renderPage();
    expect(screen.getByRole('heading', { level: 2, name: 'Files' })).toBeInTheDocument();
    expect(screen.getByText('Loading files…')).toBeInTheDocument();

    await screen.findByRole('table');
    expect(names()).toEqual(['notes.txt', 'report.pdf', '(unnamed)']); // by name, unnamed last
    expect(screen.getByText('3 files · 5 MB total')).toBeInTheDocument();

    const report = bodyRows()[1];
    if (!report) throw new Error('no report row');
    const cells = within(report).getAllByRole('cell');
    expect(cells.map((c) => c.textContent?.replace(/\s+/g, ' ').trim()).slice(0, 3)).toEqual([
      'report.pdf',
      '2 KB',
      'application/pdf',
    ]);
    const cid = within(report).getByText('zDvZRwzm…HrzFXy');
    expect(cid).toHaveAttribute('title', CID_A);
    expect(within(report).getByRole('button', { name: 'Copy CID of report.pdf' })).toBeInTheDocument();
    const link = within(report).getByRole('link', { name: 'Download report.pdf' });
    expect(link).toHaveAttribute('href', `/api/files/${CID_A}/content`);
    expect(link).toHaveAttribute('download');
    expect(within(report).getByRole('button', { name: 'Delete report.pdf' })).toBeEnabled();
  });

  it('searches by name or CID and sorts by name or size both ways', async () => {
    backend();
    renderPage();
    await screen.findByRole('table');
    const search = screen.getByRole('searchbox', { name: 'Search files by name or CID' });

    fireEvent.change(search, { target: { value: 'REPORT' } });
    expect(names()).toEqual(['report.pdf']);
    fireEvent.change(search, { target: { value: CID_C.slice(10, 20) } });
    expect(names()).toEqual(['(unnamed)']);
    fireEvent.change(search, { target: { value: 'nothing-like-this' } });
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(screen.getByText('No files match “nothing-like-this”.')).toBeInTheDocument();
    fireEvent.change(search, { target: { value: '' } });

    const nameHeader = screen.getByRole('columnheader', { name: /Name/ });
    const sizeHeader = screen.getByRole('columnheader', { name: /Size/ });
    expect(nameHeader).toHaveAttribute('aria-sort', 'ascending');

    fireEvent.click(within(sizeHeader).getByRole('button'));
    expect(sizeHeader).toHaveAttribute('aria-sort', 'ascending');
    expect(nameHeader).toHaveAttribute('aria-sort', 'none');
    expect(names()).toEqual(['notes.txt', 'report.pdf', '(unnamed)']);
    fireEvent.click(within(sizeHeader).getByRole('button'));
    expect(sizeHeader).toHaveAttribute('aria-sort', 'descending');
    expect(names()).toEqual(['(unnamed)', 'report.pdf', 'notes.txt']);

    fireEvent.click(within(nameHeader).getByRole('button'));
    expect(names()).toEqual(['notes.txt', 'report.pdf', '(unnamed)']);
    fireEvent.click(within(nameHeader).getByRole('button'));
    expect(nameHeader).toHaveAttribute('aria-sort', 'descending');
    expect(names()).toEqual(['report.pdf', 'notes.txt', '(unnamed)']);
  });

  it('renders peer-supplied names as text', async () => {
    backend(() => jsonResponse([{ ...REPORT, filename: '<img src=x onerror=alert(1)>', mimetype: '<b>x</b>' }]));
    const { container } = renderPage();
    await screen.findByRole('table');
    expect(names()).toEqual(['<img src=x onerror=alert(1)>']);
    expect(screen.getByText('<b>x</b>')).toBeInTheDocument();
    expect(container.querySelector('img, b')).toBeNull();
  });

  it('says when there are no files', async () => {
    backend(() => jsonResponse([]));
    renderPage();
    expect(await screen.findByText(EMPTY_TEXT)).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows the node-not-running state on 503, with a Retry that loads the list', async () => {
    const be = backend(() => jsonResponse({ error: 'Node not running' }, 503));
    renderPage();
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The node is not running — start it from the Dashboard');
    expect(within(alert).getByRole('link', { name: 'Dashboard' })).toHaveAttribute('href', '/');
    expect(screen.getByText('Start the node to see its files.')).toBeInTheDocument();
    // nothing to upload to or download from
    expect(screen.getByLabelText('Choose files…')).toBeDisabled();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();

    be.state.list = () => jsonResponse([REPORT]);
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByRole('table');
    expect(screen.queryByText(/The node is not running/)).not.toBeInTheDocument();
    expect(screen.getByLabelText('Choose files…')).toBeEnabled();
  });

  it('reloads by itself when the node starts', async () => {
    const be = backend(() => jsonResponse({ error: 'Node not running' }, 503));
    renderPage();
    await screen.findByText(/The node is not running/);
    be.state.list = () => jsonResponse([NOTES]);
    emit('node-started', { state: 'running' });
    await screen.findByRole('table');
    expect(names()).toEqual(['notes.txt']);
  });

  it('shows other load errors as text with Retry', async () => {
    backend(() => jsonResponse({ error: 'the node failed: boom' }, 502));
    renderPage();
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load files: the node failed: boom');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });

  it('reloads the list on a files-changed event, and does not poll', async () => {
    const be = backend();
    renderPage();
    await screen.findByRole('table');
    await new Promise((r) => setTimeout(r, 50));
    expect(be.gets()).toBe(1);

    be.state.list = () => jsonResponse([NOTES]);
    emit('files-changed');
    await waitFor(() => expect(names()).toEqual(['notes.txt']));
    expect(be.gets()).toBe(2);
    expect(screen.getByText('1 file · 10 B total')).toBeInTheDocument();
  });

  it('checks a typed CID and says why it is not one', async () => {
    backend();
    renderPage();
    await screen.findByRole('table');
    const input = screen.getByLabelText('CID');
    const panel = screen.getByRole('region', { name: 'Download by CID' });
    expect(within(panel).getByRole('button', { name: 'Download' })).toBeDisabled();

    fireEvent.change(input, { target: { value: 'zDvZ0OIl' } });
    expect(input).toHaveClass('cid-input-invalid');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('Not a valid CID: contains characters that are not in a CID: "0", "O", "I", "l"');
    expect(within(panel).getByRole('button', { name: 'Download' })).toBeDisabled();
    expect(within(panel).getByRole('button', { name: 'Save to folder…' })).toBeDisabled();

    fireEvent.change(input, { target: { value: CID_A.slice(0, 30) } });
    expect(input).toHaveAccessibleDescription('Not a valid CID: too short: 30 characters, a CID has 46–60');

    fireEvent.change(input, { target: { value: ` ${CID_A} ` } });
    expect(input).toHaveClass('cid-input-valid');
    expect(within(panel).getByRole('link', { name: 'Download' })).toHaveAttribute('href', `/api/files/${CID_A}/content`);
  });

  it('offers the download as soon as a valid CID is pasted', async () => {
    backend();
    renderPage();
    await screen.findByRole('table');
    const input = screen.getByLabelText('CID');
    const panel = screen.getByRole('region', { name: 'Download by CID' });

    paste(input, `  ${CID_B}\n`);
    expect(input).toHaveValue(CID_B);
    const link = within(panel).getByRole('link', { name: 'Download' });
    expect(link).toHaveAttribute('href', `/api/files/${CID_B}/content`);
    expect(link).toHaveAttribute('download');
    await waitFor(() => expect(link).toHaveFocus());
    expect(within(panel).getByRole('button', { name: 'Save to folder…' })).toBeEnabled();
  });

  it('saves into a folder on the backend machine, with progress and the resulting path', async () => {
    const answer = deferred<Response>();
    const be = backend(undefined, (call) => (call.url === '/api/files/download' ? answer.promise : jsonResponse({}, 500)));
    renderPage();
    await screen.findByRole('table');
    const panel = screen.getByRole('region', { name: 'Download by CID' });
    paste(screen.getByLabelText('CID'), CID_A);

    fireEvent.click(within(panel).getByRole('button', { name: 'Save to folder…' }));
    const dest = screen.getByLabelText('Save to folder on this machine');
    expect(dest).toHaveValue('');
    expect(dest).toBeRequired();
    const save = within(panel).getByRole('button', { name: 'Save' });
    expect(save).toBeDisabled();
    fireEvent.change(dest, { target: { value: '  /home/me/Downloads ' } });
    fireEvent.click(save);

    const post = be.calls.find((c) => c.url === '/api/files/download');
    expect(post?.method).toBe('POST');
    expect(JSON.parse(post?.init?.body as string)).toEqual({ cid: CID_A, destination: '/home/me/Downloads' });
    expect(within(panel).getByRole('button', { name: 'Saving…' })).toBeDisabled();

    emit('download-progress', {
      id: 'download-1',
      filename: 'report.pdf',
      cid: CID_A,
      bytesDone: 1024,
      totalBytes: 4096,
      percent: 25,
      done: false,
    });
    expect(screen.getByText('25% (1 KB / 4 KB)')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Downloading report.pdf' })).toHaveAttribute('value', '1024');

    await act(async () => {
      answer.resolve(jsonResponse({ path: '/home/me/Downloads/report (1).pdf' }));
      await answer.promise;
    });
    expect(await screen.findByText('/home/me/Downloads/report (1).pdf')).toBeInTheDocument();
    expect(screen.getByText(/Saved to/)).toBeInTheDocument();
    await waitFor(() => expect(be.gets()).toBe(2)); // the node now stores it too
  });

  it('shows why a save failed', async () => {
    backend(undefined, () => jsonResponse({ error: 'destination "/nope" is not a folder' }, 500));
    renderPage();
    await screen.findByRole('table');
    paste(screen.getByLabelText('CID'), CID_A);
    fireEvent.click(screen.getByRole('button', { name: 'Save to folder…' }));
    fireEvent.change(screen.getByLabelText('Save to folder on this machine'), { target: { value: '/nope' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('destination "/nope" is not a folder');
  });

  it('uploads the chosen file as the request body, with progress from events, then shows its CID', async () => {
    const answer = deferred<Response>();
    const be = backend(undefined, (call) => (call.url.startsWith('/api/files?name=') ? answer.promise : jsonResponse({}, 500)));
    renderPage();
    await screen.findByRole('table');

    const file = new File(['hello world'], 'hello world.txt', { type: 'text/plain' });
    fireEvent.change(screen.getByLabelText('Choose files…'), { target: { files: [file] } });

    const post = be.calls.find((c) => c.method === 'POST');
    expect(post?.url).toBe('/api/files?name=hello%20world.txt');
    expect(post?.init?.body).toBe(file);
    expect(post?.init?.headers).toMatchObject({ 'Content-Type': 'text/plain', 'X-Archivist-CSRF': '1' });
    expect(post?.init?.credentials).toBe('same-origin');

    const uploads = screen.getByRole('list', { name: 'Uploads' });
    expect(within(uploads).getByText('hello world.txt')).toBeInTheDocument();
    expect(within(uploads).getByText('0% (0 B / 11 B)')).toBeInTheDocument();

    // someone else's upload of another file is not ours
    emit('upload-progress', { id: 'upload-7', filename: 'other.bin', bytesDone: 9, totalBytes: 10, percent: 90, done: false });
    expect(within(uploads).getByText('0% (0 B / 11 B)')).toBeInTheDocument();

    emit('upload-progress', { id: 'upload-8', filename: 'hello world.txt', bytesDone: 5, totalBytes: 11, percent: 45, done: false });
    expect(within(uploads).getByText('45% (5 B / 11 B)')).toBeInTheDocument();
    expect(within(uploads).getByRole('progressbar', { name: 'Uploading hello world.txt' })).toHaveAttribute('value', '5');

    await act(async () => {
      answer.resolve(jsonResponse({ cid: CID_C }));
      await answer.promise;
    });
    expect(await within(uploads).findByText(CID_C)).toBeInTheDocument();
    expect(within(uploads).getByText('Uploaded')).toBeInTheDocument();
    expect(within(uploads).getByRole('button', { name: 'Copy CID of hello world.txt' })).toBeInTheDocument();
    expect(within(uploads).queryByRole('progressbar')).not.toBeInTheDocument();
    await waitFor(() => expect(be.gets()).toBe(2));
  });

  it('uploads dropped files one after another and reports a failure', async () => {
    const answers: ReturnType<typeof deferred<Response>>[] = [deferred(), deferred()];
    let n = 0;
    const be = backend(undefined, () => answers[n++]?.promise ?? jsonResponse({}, 500));
    renderPage();
    await screen.findByRole('table');

    const a = new File(['a'], 'a.txt');
    const b = new File(['bb'], 'b.txt');
    fireEvent.drop(screen.getByTestId('drop-zone'), { dataTransfer: { files: [a, b], items: [], types: ['Files'] } });

    const posts = () => be.calls.filter((c) => c.method === 'POST').map((c) => c.url);
    expect(posts()).toEqual(['/api/files?name=a.txt']); // b waits its turn
    const uploads = screen.getByRole('list', { name: 'Uploads' });
    expect(within(uploads).getByText('Waiting…')).toBeInTheDocument();

    await act(async () => {
      answers[0]?.resolve(jsonResponse({ error: 'the node failed: disk full' }, 502));
      await answers[0]?.promise;
    });
    expect(await within(uploads).findByText('the node failed: disk full')).toBeInTheDocument();
    await waitFor(() => expect(posts()).toEqual(['/api/files?name=a.txt', '/api/files?name=b.txt']));

    await act(async () => {
      answers[1]?.resolve(jsonResponse({ cid: CID_B }));
      await answers[1]?.promise;
    });
    expect(await within(uploads).findByText(CID_B)).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'Clear finished' }));
    expect(screen.queryByRole('list', { name: 'Uploads' })).not.toBeInTheDocument();
  });

  it('asks before deleting and sends DELETE only after confirming', async () => {
    const be = backend(undefined, (call) => (call.method === 'DELETE' ? new Response(null, { status: 204 }) : jsonResponse({}, 500)));
    renderPage();
    await screen.findByRole('table');
    const deletes = () => be.calls.filter((c) => c.method === 'DELETE');

    fireEvent.click(screen.getByRole('button', { name: 'Delete report.pdf' }));
    let dialog = screen.getByRole('alertdialog');
    expect(dialog).toHaveTextContent('Delete report.pdf from this node?');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(deletes()).toHaveLength(0);

    fireEvent.click(screen.getByRole('button', { name: 'Delete report.pdf' }));
    dialog = screen.getByRole('alertdialog');
    be.state.list = () => jsonResponse([NOTES, UNNAMED]);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));

    expect(deletes().map((c) => c.url)).toEqual([`/api/files/${CID_A}`]);
    expect(await screen.findByText('Deleted report.pdf from this node.')).toBeInTheDocument();
    await waitFor(() => expect(names()).toEqual(['notes.txt', '(unnamed)']));
  });

  it('names an unnamed file by its CID when asking to delete it, and shows a failed delete', async () => {
    backend(undefined, () => jsonResponse({ error: 'the node failed: busy' }, 502));
    renderPage();
    await screen.findByRole('table');
    fireEvent.click(screen.getByRole('button', { name: 'Delete unnamed file zDzSvJTe…yzDSVL' }));
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not delete unnamed file zDzSvJTe…yzDSVL: the node failed: busy',
    );
  });

  it('copies a CID to the clipboard', async () => {
    backend();
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    try {
      renderPage();
      await screen.findByRole('table');
      fireEvent.click(screen.getByRole('button', { name: 'Copy CID of notes.txt' }));
      expect(writeText).toHaveBeenCalledWith(CID_B);
      expect(await screen.findByRole('button', { name: '✓ Copied CID of notes.txt' })).toBeInTheDocument();
    } finally {
      Reflect.deleteProperty(navigator, 'clipboard');
    }
  });
});
