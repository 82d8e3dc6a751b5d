import { EmptyState } from '../components/EmptyState';

/** Route /devices — this node's identity and connected devices (reference §7.3). */
export function DevicesPage() {
  return (
    <section className="page">
      <h2 className="page-title">Devices</h2>
      <EmptyState>Devices arrive with the peers work.</EmptyState>
    </section>
  );
}
