import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppRoutes, ROUTER_FUTURE } from './App';
import { installFakeEventSource, jsonResponse, stubFetch, VERSION_BODY } from './test/fakes';

// [path, heading level, heading text] as in the reference app (§7–§8).
const ROUTES: [string, number, string][] = [
  ['/', 2, 'Dashboard'],
  ['/sync', 2, 'Sync'],
  ['/files', 2, 'Files'],
  ['/devices', 2, 'Devices'],
  ['/devices/add', 2, 'Add Device'],
  ['/backup-server', 1, 'Backup Server Dashboard'],
  ['/logs', 1, 'Node Logs'],
  ['/settings', 2, 'Settings'],
  ['/peers', 2, 'Peers'],
];

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]} future={ROUTER_FUTURE}>
      <AppRoutes />
    </MemoryRouter>,
  );
}

describe('routing', () => {
  beforeEach(() => {
    installFakeEventSource();
    stubFetch(() => Promise.resolve(jsonResponse(VERSION_BODY)));
  });

  it.each(ROUTES)('%s renders the h%i "%s" page inside the layout', async (path, level, title) => {
    renderAt(path);
    expect(screen.getByRole('heading', { level, name: title })).toBeInTheDocument();
    expect(screen.getAllByRole('heading')).toHaveLength(1); // one page, not two routes matching
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeInTheDocument();
    expect(await screen.findByText('archivist v0.1.0 (abc1234)')).toBeInTheDocument();
  });

  it('renders a 404 page for unknown paths', async () => {
    renderAt('/no/such/page');
    expect(screen.getByRole('heading', { name: 'Not Found' })).toBeInTheDocument();
    expect(screen.getByText('/no/such/page')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /back to the dashboard/i })).toHaveAttribute('href', '/');
    await screen.findByText('archivist v0.1.0 (abc1234)');
  });
});
