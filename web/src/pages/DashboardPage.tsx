import { EmptyState } from '../components/EmptyState';

/** Route / — node status and quick stats (reference §8.3). */
export function DashboardPage() {
  return (
    <section className="page">
      <h2 className="page-title">Dashboard</h2>
      <EmptyState>Node status arrives with the node-supervisor work.</EmptyState>
    </section>
  );
}
