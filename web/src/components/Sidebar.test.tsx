import { fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { ROUTER_FUTURE } from '../App';
import { ADVANCED_OPEN_KEY, Sidebar } from './Sidebar';

function renderSidebar(path = '/') {
  return render(
    <MemoryRouter initialEntries={[path]} future={ROUTER_FUTURE}>
      <Sidebar />
    </MemoryRouter>,
  );
}

const link = (name: string) => screen.getByRole('link', { name });
const advancedToggle = () => screen.getByRole('button', { name: /advanced/i });

describe('Sidebar', () => {
  it('shows the brand, the main links and the Devices section', () => {
    renderSidebar();
    expect(screen.getByText('Archivist')).toBeInTheDocument();
    expect(link('Dashboard')).toHaveAttribute('href', '/');
    expect(link('Backups')).toHaveAttribute('href', '/sync');
    expect(link('Restore')).toHaveAttribute('href', '/files');
    expect(screen.getByText('Devices')).toHaveClass('section-label');
    expect(link('My Devices')).toHaveAttribute('href', '/devices');
    expect(link('Add Device')).toHaveAttribute('href', '/devices/add');
  });

  it('keeps Advanced collapsed by default and reveals its three links when opened', () => {
    renderSidebar();
    expect(advancedToggle()).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('link', { name: 'Logs' })).not.toBeInTheDocument();

    fireEvent.click(advancedToggle());

    expect(advancedToggle()).toHaveAttribute('aria-expanded', 'true');
    expect(link('Logs')).toHaveAttribute('href', '/logs');
    expect(link('Backup Server')).toHaveAttribute('href', '/backup-server');
    expect(link('Settings')).toHaveAttribute('href', '/settings');
    // exactly the 8 reference entries, and no /peers link
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getAllByRole('link')).toHaveLength(8);
    expect(within(nav).queryByRole('link', { name: /peers/i })).not.toBeInTheDocument();
  });

  it('persists the Advanced open state in localStorage and restores it', () => {
    const { unmount } = renderSidebar();
    fireEvent.click(advancedToggle());
    expect(localStorage.getItem(ADVANCED_OPEN_KEY)).toBe('true');
    unmount();

    renderSidebar();
    expect(advancedToggle()).toHaveAttribute('aria-expanded', 'true');
    expect(link('Settings')).toBeInTheDocument();

    fireEvent.click(advancedToggle());
    expect(localStorage.getItem(ADVANCED_OPEN_KEY)).toBe('false');
    expect(screen.queryByRole('link', { name: 'Settings' })).not.toBeInTheDocument();
  });

  it('marks only the exact device route active', () => {
    renderSidebar('/devices/add');
    expect(link('Add Device')).toHaveClass('active');
    expect(link('My Devices')).not.toHaveClass('active');
    expect(link('Dashboard')).not.toHaveClass('active');
  });
});
