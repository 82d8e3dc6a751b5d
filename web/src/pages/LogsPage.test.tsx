import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEventSource, installFakeEventSource, jsonResponse, stubFetch } from '../test/fakes';
import { EMPTY_TEXT, LogsPage } from './LogsPage';

const FILE = '/home/u/.local/share/archivist/node.log';
const INITIAL = [
  'INF 2025-01-01 12:00:00 Starting archivist node',
  'WRN 2025-01-01 12:00:01 UPnP: no gateway found',
  'INF 2025-01-01 12:00:02 REST API listening on 127.0.0.1:8080',
];

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A fake backend answering GET /api/node/logs with `answer` (a promise to hold it back). */
function backend(answer: () => Response | Promise<Response> = () => jsonResponse({ lines: INITIAL, file: FILE })) {
  const urls: string[] = [];
  stubFetch((url) => {
    urls.push(url);
    if (url.startsWith('/api/node/logs')) return Promise.resolve(answer());
    return Promise.resolve(jsonResponse({ error: 'unexpected' }, 500));
  });
  return urls;
}

function emitLog(lines: string[], dropped = 0) {
  const source = FakeEventSource.instances[0];
  if (!source) throw new Error('the page opened no event stream');
  act(() => source.emit('node-log', { type: 'node-log', time: 'now', data: dropped ? { lines, dropped } : { lines } }));
}

const texts = () => Array.from(document.querySelectorAll('.log-line .log-text')).map((e) => e.textContent);
const count = () => screen.getByTestId('log-count');
const view = () => document.querySelector('.log-view') as HTMLElement;

async function renderLoaded() {
  render(<LogsPage />);
  await waitFor(() => expect(texts()).toEqual(INITIAL));
}

describe('LogsPage', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  it('shows the last 500 lines and the log file', async () => {
    const urls = backend();
    render(<LogsPage />);
    expect(screen.getByRole('heading', { level: 1, name: 'Node Logs' })).toBeInTheDocument();
    expect(screen.getByText('Loading logs…')).toBeInTheDocument();
    await waitFor(() => expect(texts()).toEqual(INITIAL));
    expect(urls).toEqual(['/api/node/logs?lines=500']);
    expect(screen.getByText(FILE)).toBeInTheDocument();
    expect(count()).toHaveTextContent('3 lines');
    expect(document.querySelectorAll('.log-line .log-number')[0]).toHaveTextContent('1');
  });

  it('says so when there are no lines, and when the log cannot be read', async () => {
    let answer = () => jsonResponse({ lines: [], file: FILE });
    backend(() => answer());
    render(<LogsPage />);
    expect(await screen.findByText(EMPTY_TEXT)).toBeInTheDocument();
    expect(count()).toHaveTextContent('0 lines');

    answer = () => jsonResponse({ error: 'no supervisor' }, 500);
    fireEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not load the node log: no supervisor');
    answer = () => jsonResponse({ lines: INITIAL, file: FILE });
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(texts()).toEqual(INITIAL));
  });

  it('appends lines from node-log events, without polling', async () => {
    const urls = backend();
    await renderLoaded();
    emitLog(['INF 12:00:03 peer connected', 'INF 12:00:04 block stored']);
    expect(texts()).toEqual([...INITIAL, 'INF 12:00:03 peer connected', 'INF 12:00:04 block stored']);
    expect(count()).toHaveTextContent('5 lines');
    expect(urls).toHaveLength(1);
  });

  it('does not repeat lines that were both in the tail and in an early event', async () => {
    const held = deferred<Response>();
    backend(() => held.promise);
    render(<LogsPage />);
    // Flushed while the tail was being read: its first lines are the tail's last ones.
    emitLog([INITIAL[2] ?? '', 'INF 12:00:05 new']);
    await act(async () => {
      held.resolve(jsonResponse({ lines: INITIAL, file: FILE }));
      await held.promise;
    });
    await waitFor(() => expect(texts()).toEqual([...INITIAL, 'INF 12:00:05 new']));
  });

  it('tells when the backend dropped lines from the live view', async () => {
    backend();
    await renderLoaded();
    emitLog(['INF a'], 120);
    expect(screen.getByText(/120 lines were left out of the live view/)).toBeInTheDocument();
  });

  it('filters case-insensitively, marks the matches and counts what is shown', async () => {
    backend();
    await renderLoaded();
    emitLog(['ERR 12:00:05 upnp mapping failed']);
    fireEvent.change(screen.getByLabelText('Filter log lines'), { target: { value: 'UpNp' } });
    expect(texts()).toEqual([INITIAL[1], 'ERR 12:00:05 upnp mapping failed']);
    expect(count()).toHaveTextContent('2 of 4 lines match');
    expect(Array.from(view().querySelectorAll('mark')).map((m) => m.textContent)).toEqual(['UPnP', 'upnp']);

    // New lines are filtered too.
    emitLog(['INF nothing to see', 'INF UPNP retry']);
    expect(count()).toHaveTextContent('3 of 6 lines match');

    fireEvent.change(screen.getByLabelText('Filter log lines'), { target: { value: '(no [match' } });
    expect(count()).toHaveTextContent('0 of 6 lines match');
    expect(screen.getByText('No lines match “(no [match”.')).toBeInTheDocument();
  });

  it('keeps the newest line in view while auto-scroll is on, and stays put once it is off', async () => {
    backend();
    await renderLoaded();
    const el = view();
    let height = 1000;
    const writes: number[] = [];
    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => height });
    Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => 200 });
    let top = 800;
    Object.defineProperty(el, 'scrollTop', {
      configurable: true,
      get: () => top,
      set: (v: number) => {
        writes.push(v);
        top = v;
      },
    });

    const autoScroll = screen.getByRole('checkbox', { name: 'Auto-scroll' });
    expect(autoScroll).toBeChecked();
    height = 1200;
    emitLog(['INF more']);
    expect(writes).toEqual([1200]);

    fireEvent.click(autoScroll);
    expect(autoScroll).not.toBeChecked();
    height = 1400;
    emitLog(['INF even more']);
    expect(writes).toEqual([1200]); // position kept

    fireEvent.click(screen.getByRole('button', { name: 'Scroll to Bottom' }));
    expect(autoScroll).toBeChecked();
    expect(writes.at(-1)).toBe(1400);

    // Scrolling up by hand turns it off; new lines leave the position alone.
    top = 100;
    fireEvent.scroll(el);
    expect(autoScroll).not.toBeChecked();
    height = 1600;
    emitLog(['INF while reading']);
    expect(writes.at(-1)).toBe(1400);
    // A little up is still "at the bottom" (50 px), further is not.
    top = 1600 - 200 - 51;
    fireEvent.scroll(el);
    expect(autoScroll).not.toBeChecked();
    // Back at the bottom it comes on again, and follows new lines.
    top = 1600 - 200 - 40;
    fireEvent.scroll(el);
    expect(autoScroll).toBeChecked();
    height = 1800;
    emitLog(['INF following again']);
    expect(writes.at(-1)).toBe(1800);
    expect(localStorage.getItem('logs_auto_scroll')).toBe('true');
  });

  it('loads as many lines as chosen, keeps the choice, and keeps no more than that', async () => {
    const urls = backend();
    await renderLoaded();
    const select = screen.getByLabelText('Lines');
    expect(select).toHaveValue('500');
    expect(Array.from((select as HTMLSelectElement).options).map((o) => o.value)).toEqual(['100', '500', '1000', '5000']);

    fireEvent.change(select, { target: { value: '100' } });
    await waitFor(() => expect(urls.at(-1)).toBe('/api/node/logs?lines=100'));
    expect(localStorage.getItem('logs_line_count')).toBe('100');
    await waitFor(() => expect(texts()).toEqual(INITIAL));
    emitLog(Array.from({ length: 120 }, (_, i) => `INF line ${i}`));
    expect(texts()).toHaveLength(100);
    expect(texts().at(-1)).toBe('INF line 119');
    expect(texts()[0]).toBe('INF line 20');

    // 5000: the app holds the last 1000, the view grows to 5000.
    fireEvent.change(select, { target: { value: '5000' } });
    await waitFor(() => expect(urls.at(-1)).toBe('/api/node/logs?lines=1000'));
    expect(select).toHaveAccessibleDescription(/keeps the node’s last 1000 lines; this view grows to 5000/);
  });

  it('opens with the line count chosen last time', async () => {
    localStorage.setItem('logs_line_count', '1000');
    const urls = backend();
    await renderLoaded();
    expect(urls).toEqual(['/api/node/logs?lines=1000']);
    expect(screen.getByLabelText('Lines')).toHaveValue('1000');
  });

  it('ignores a stored line count that is not one of the choices', async () => {
    localStorage.setItem('logs_line_count', '"lots"');
    const urls = backend();
    await renderLoaded();
    expect(urls).toEqual(['/api/node/logs?lines=500']);
  });

  it('copies the visible lines to the clipboard', async () => {
    backend();
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    try {
      await renderLoaded();
      fireEvent.click(screen.getByRole('button', { name: 'Copy All' }));
      expect(writeText).toHaveBeenLastCalledWith(INITIAL.join('\n'));
      expect(await screen.findByText('Copied 3 lines.')).toBeInTheDocument();

      fireEvent.change(screen.getByLabelText('Filter log lines'), { target: { value: 'rest api' } });
      fireEvent.click(screen.getByRole('button', { name: 'Copy Shown' }));
      expect(writeText).toHaveBeenLastCalledWith(INITIAL[2]);
      expect(await screen.findByText('Copied 1 line.')).toBeInTheDocument();
    } finally {
      Reflect.deleteProperty(navigator, 'clipboard');
    }
  });

  it('says how to copy by hand when there is no clipboard', async () => {
    backend();
    await renderLoaded();
    // jsdom has neither navigator.clipboard nor a working execCommand('copy').
    document.execCommand = vi.fn(() => false);
    try {
      fireEvent.click(screen.getByRole('button', { name: 'Copy All' }));
      expect(await screen.findByText(/select the lines and copy them by hand/)).toBeInTheDocument();
    } finally {
      Reflect.deleteProperty(document, 'execCommand');
    }
  });

  it('renders markup in log lines as text', async () => {
    backend(() => jsonResponse({ lines: ['<b>x</b>', '<img src=x onerror=alert(1)>'], file: FILE }));
    render(<LogsPage />);
    await waitFor(() => expect(texts()).toEqual(['<b>x</b>', '<img src=x onerror=alert(1)>']));
    expect(view().querySelector('b, img')).toBeNull();

    fireEvent.change(screen.getByLabelText('Filter log lines'), { target: { value: 'x<' } });
    expect(texts()).toEqual(['<b>x</b>']);
    expect(view().querySelector('b')).toBeNull();
    expect(within(view()).getByText('x<')).toContainHTML('x&lt;');
  });

  it('clears the display only', async () => {
    const urls = backend();
    await renderLoaded();
    fireEvent.click(screen.getByRole('button', { name: 'Clear Display' }));
    expect(texts()).toEqual([]);
    emitLog(['INF after clear']);
    expect(texts()).toEqual(['INF after clear']);
    expect(urls).toHaveLength(1);
  });
});
