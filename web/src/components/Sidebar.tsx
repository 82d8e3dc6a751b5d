import { NavLink } from 'react-router-dom';
import { usePersistentFlag } from '../lib/usePersistentFlag';
import { Logo } from './Logo';

// Storage key from the reference app, so the preference means the same thing there and here.
export const ADVANCED_OPEN_KEY = 'nav-advanced-open';

interface NavItem {
  to: string;
  label: string;
  /** Only active on an exact path match (so "/" and "/devices" don't light up for their children). */
  end?: boolean;
}

const MAIN_ITEMS: NavItem[] = [
  { to: '/', label: 'Dashboard', end: true },
  { to: '/sync', label: 'Backups' },
  { to: '/files', label: 'Restore' },
];

const DEVICE_ITEMS: NavItem[] = [
  { to: '/devices', label: 'My Devices', end: true },
  { to: '/devices/add', label: 'Add Device' },
];

const ADVANCED_ITEMS: NavItem[] = [
  { to: '/logs', label: 'Logs' },
  { to: '/backup-server', label: 'Backup Server' },
  { to: '/settings', label: 'Settings' },
];

function NavList({ items, id }: { items: NavItem[]; id?: string }) {
  return (
    <ul className="nav-list" id={id}>
      {items.map((item) => (
        <li key={item.to}>
          <NavLink to={item.to} end={item.end} className="nav-link">
            {item.label}
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

/** Left-hand navigation: main pages, devices, and the collapsible Advanced group. */
export function Sidebar() {
  const [advancedOpen, setAdvancedOpen] = usePersistentFlag(ADVANCED_OPEN_KEY, false);

  return (
    <aside className="sidebar">
      <div className="sidebar-brand">
        <Logo />
        <span className="brand-name">Archivist</span>
      </div>
      <nav aria-label="Main">
        <NavList items={MAIN_ITEMS} />

        <div className="section-label">Devices</div>
        <NavList items={DEVICE_ITEMS} />

        <button
          type="button"
          className="nav-accordion"
          aria-expanded={advancedOpen}
          aria-controls="nav-advanced"
          onClick={() => setAdvancedOpen(!advancedOpen)}
        >
          <span className="nav-accordion-caret" aria-hidden="true">
            {advancedOpen ? '▾' : '▸'}
          </span>
          Advanced
        </button>
        {advancedOpen && <NavList items={ADVANCED_ITEMS} id="nav-advanced" />}
      </nav>
    </aside>
  );
}
