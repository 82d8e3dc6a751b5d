import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Config } from '../../api/config';
import { installFakeEventSource, jsonResponse, stubFetch, updateStateJSON } from '../../test/fakes';
import { ProblemsContext } from './fields';
import { UpdatesSection } from './UpdatesSection';

const FEED = 'https://github.com/archivist-desktop/archivist/releases/latest/download/latest.json';

const state = updateStateJSON;

/** The section as the Settings page holds it: a draft config and setTop. */
function Harness({ onChange, problems }: { onChange: (c: Config) => void; problems?: Map<string, string[]> }) {
  const [config, setConfig] = useState({ updates: { enabled: true, feed_url: FEED } } as Config);
  const set = (p: Partial<Config>) =>
    setConfig((c) => {
      const next = { ...c, ...p };
      onChange(next);
      return next;
    });
  return (
    <ProblemsContext.Provider value={problems ?? new Map()}>
      <UpdatesSection config={config} set={set} />
    </ProblemsContext.Provider>
  );
}

describe('UpdatesSection', () => {
  beforeEach(() => {
    installFakeEventSource();
  });

  it('edits the [updates] keys of the draft', async () => {
    stubFetch(() => Promise.resolve(jsonResponse(state())));
    const onChange = vi.fn();
    render(<Harness onChange={onChange} />);
    fireEvent.click(screen.getByLabelText('Check for updates automatically'));
    expect(onChange).toHaveBeenLastCalledWith({ updates: { enabled: false, feed_url: FEED } });
    fireEvent.change(screen.getByLabelText('Release feed URL'), { target: { value: 'http://127.0.0.1:9000/latest.json' } });
    expect(onChange).toHaveBeenLastCalledWith({ updates: { enabled: false, feed_url: 'http://127.0.0.1:9000/latest.json' } });
    expect(await screen.findByText('Not checked yet.')).toBeInTheDocument();
  });

  it("shows the server's problem next to the feed URL", () => {
    stubFetch(() => Promise.resolve(jsonResponse(state())));
    const problems = new Map([['updates.feed_url', ['"http://example.com/x": plain http is allowed only to this machine']]]);
    render(<Harness onChange={() => {}} problems={problems} />);
    expect(screen.getByLabelText('Release feed URL')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText(/plain http is allowed only to this machine/)).toBeInTheDocument();
  });

  it('checks now and shows what the feed offers', async () => {
    const calls: string[] = [];
    stubFetch((url, init) => {
      calls.push(`${init?.method} ${url}`);
      if (init?.method === 'POST') {
        return Promise.resolve(
          jsonResponse(state({ checkedAt: new Date().toISOString(), available: true, latest: { version: '1.1.0', notes: 'x' } })),
        );
      }
      return Promise.resolve(jsonResponse(state({ developmentBuild: true, current: '0.1.0-dev' })));
    });
    render(<Harness onChange={() => {}} />);
    expect(await screen.findByText(/a development build: it is checked only when you ask/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Check now' }));
    expect(await screen.findByText(/Last checked just now: version 1.1.0 is available/)).toBeInTheDocument();
    expect(calls).toEqual(['GET /api/update', 'POST /api/update/check']);
  });

  it('says why a check failed', async () => {
    stubFetch((_url, init) =>
      Promise.resolve(
        init?.method === 'POST'
          ? jsonResponse({ error: 'fetching the release feed: 404 Not Found' }, 502)
          : jsonResponse(state()),
      ),
    );
    render(<Harness onChange={() => {}} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Check now' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('fetching the release feed: 404 Not Found');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Check now' })).toBeEnabled());
  });

  it('rolls back when a previous version is kept', async () => {
    stubFetch((_url, init) =>
      Promise.resolve(jsonResponse(init?.method === 'POST' ? state({ rolledBack: true }) : state({ canRollback: true }))),
    );
    render(<Harness onChange={() => {}} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Roll back to the previous version' }));
    expect(await screen.findByText('The previous version is back in place and runs from the next start.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Roll back to the previous version' })).toBeNull();
  });
});
