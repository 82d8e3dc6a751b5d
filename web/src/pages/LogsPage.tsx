import { EmptyState } from '../components/EmptyState';

/** Route /logs — tail of the node's log file (reference §8.8). */
export function LogsPage() {
  return (
    <section className="page">
      <h1 className="page-title">Node Logs</h1>
      <EmptyState>Node logs arrive with the node-supervisor work.</EmptyState>
    </section>
  );
}
