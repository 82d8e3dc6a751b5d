import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, stubFetch } from '../../test/fakes';
import { TextField } from './fields';

describe('TextField browse', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('offers the native picker only where one exists, and takes its answer', async () => {
    const onChange = vi.fn();
    const calls: { url: string; body?: unknown }[] = [];
    stubFetch((url, init) => {
      calls.push({ url, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
      if (url === '/api/dialog') return Promise.resolve(jsonResponse({ available: true }));
      return Promise.resolve(jsonResponse({ path: '/srv/archivist' }));
    });
    render(<TextField name="node.data_directory" label="Data Directory" value="/old" onChange={onChange} browse="directory" />);
    fireEvent.click(await screen.findByRole('button', { name: 'Browse for Data Directory' }));
    await waitFor(() => expect(onChange).toHaveBeenCalledWith('/srv/archivist'));
    expect(calls[1]).toEqual({ url: '/api/dialog/directory', body: { title: 'Data Directory', defaultPath: '/old' } });
  });

  it('has no Browse button in a browser', async () => {
    stubFetch(() => Promise.resolve(jsonResponse({ error: 'native dialogs are only available in the desktop window' }, 501)));
    render(<TextField name="node.data_directory" label="Data Directory" value="" onChange={() => {}} browse="directory" />);
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByRole('button', { name: /Browse/ })).not.toBeInTheDocument();
  });
});
