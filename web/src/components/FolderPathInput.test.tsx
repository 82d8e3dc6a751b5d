import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, stubFetch } from '../test/fakes';
import { FolderPathInput } from './FolderPathInput';

function Harness({ initial = '' }: { initial?: string }) {
  const [v, setV] = useState(initial);
  return (
    <>
      <FolderPathInput value={v} onChange={setV} label="Folder" />
      <output data-testid="value">{v}</output>
    </>
  );
}

const listing = (dir: string, names: string[], truncated = false) =>
  jsonResponse({ dir, entries: names.map((n) => ({ name: n, path: `${dir}/${n}` })), truncated });

describe('FolderPathInput', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('completes folder names from the backend and takes one with the keyboard', async () => {
    const fetch = stubFetch((url) => {
      if (url === '/api/dialog') return Promise.resolve(jsonResponse({ available: false }));
      const q = decodeURIComponent(url.split('path=')[1] ?? '');
      if (q === '/home/ana/Ph') return Promise.resolve(listing('/home/ana', ['Photos', 'Phone <b>backup</b>']));
      if (q === '/home/ana/Photos/') return Promise.resolve(listing('/home/ana/Photos', ['2024'], true));
      return Promise.resolve(jsonResponse({ error: 'no' }, 404));
    });
    render(<Harness />);
    const input = screen.getByRole('combobox', { name: 'Folder' });
    fireEvent.change(input, { target: { value: '/home/ana/Ph' } });
    const options = await screen.findAllByRole('option');
    expect(options.map((o) => o.textContent)).toEqual(['Photos/', 'Phone <b>backup</b>/']); // text, never HTML
    expect(input).toHaveAttribute('aria-expanded', 'true');
    expect(screen.queryByRole('button', { name: 'Browse…' })).not.toBeInTheDocument();

    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input).toHaveAttribute('aria-activedescendant', options[0]?.id ?? '');
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(screen.getByTestId('value')).toHaveTextContent('/home/ana/Photos/');
    // It keeps completing inside the chosen folder, and says when there is more.
    expect(await screen.findByRole('option', { name: '2024/' })).toBeInTheDocument();
    expect(screen.getByText('… type more to narrow')).toBeInTheDocument();

    fireEvent.keyDown(input, { key: 'Escape' });
    expect(input).toHaveAttribute('aria-expanded', 'false');
    expect(fetch.mock.calls.some(([u]) => typeof u === 'string' && u.includes('path=%2Fhome%2Fana%2FPh'))).toBe(true);
  });

  it('offers the native dialog when the window provides one', async () => {
    stubFetch((url, init) => {
      if (url === '/api/dialog') return Promise.resolve(jsonResponse({ available: true }));
      if (url === '/api/dialog/directory' && init?.method === 'POST') return Promise.resolve(jsonResponse({ path: '/home/ana/Music' }));
      return Promise.resolve(listing('/home/ana', []));
    });
    render(<Harness />);
    fireEvent.click(await screen.findByRole('button', { name: 'Browse…' }));
    await waitFor(() => expect(screen.getByTestId('value')).toHaveTextContent('/home/ana/Music'));
  });
});
