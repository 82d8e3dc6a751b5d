import { Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout';
import { AddDevicePage } from './pages/AddDevicePage';
import { BackupServerPage } from './pages/BackupServerPage';
import { DashboardPage } from './pages/DashboardPage';
import { DevicesPage } from './pages/DevicesPage';
import { FilesPage } from './pages/FilesPage';
import { LogsPage } from './pages/LogsPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { PeersPage } from './pages/PeersPage';
import { SettingsPage } from './pages/SettingsPage';
import { SyncPage } from './pages/SyncPage';

// Opt in to v7 behaviour now: silences react-router's deprecation warnings
// and makes a later move to v7 a non-event. Shared by BrowserRouter and tests.
export const ROUTER_FUTURE = { v7_startTransition: true, v7_relativeSplatPath: true } as const;

/**
 * Route table. Kept free of a router so tests can wrap it in a MemoryRouter
 * while main.tsx uses BrowserRouter (the backend serves index.html for
 * unknown non-API paths so deep links work).
 */
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<DashboardPage />} />
        <Route path="sync" element={<SyncPage />} />
        <Route path="files" element={<FilesPage />} />
        <Route path="devices" element={<DevicesPage />} />
        <Route path="devices/add" element={<AddDevicePage />} />
        <Route path="logs" element={<LogsPage />} />
        <Route path="backup-server" element={<BackupServerPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="peers" element={<PeersPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
