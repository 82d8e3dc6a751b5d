import { Outlet } from 'react-router-dom';
import { useNotifications } from '../hooks/useNotifications';
import { Sidebar } from './Sidebar';
import { StatusLine } from './StatusLine';
import { UpdateBanner } from './UpdateBanner';

/** App frame: fixed sidebar, scrolling page content, status line pinned under it. */
export function Layout() {
  useNotifications();
  return (
    <div className="app-shell">
      <Sidebar />
      <div className="main-area">
        <main className="main-content">
          <UpdateBanner />
          <Outlet />
        </main>
        <StatusLine />
      </div>
    </div>
  );
}
