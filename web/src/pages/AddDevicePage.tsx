import { EmptyState } from '../components/EmptyState';

/** Route /devices/add — the connect-a-device wizard (reference §7.2). */
export function AddDevicePage() {
  return (
    <section className="page">
      <h2 className="page-title">Add Device</h2>
      <EmptyState>The add-device wizard arrives with the peers work.</EmptyState>
    </section>
  );
}
