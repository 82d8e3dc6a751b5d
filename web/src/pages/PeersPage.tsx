import { EmptyState } from '../components/EmptyState';

/** Route /peers — legacy peer view, reachable by URL only (reference §8.6). */
export function PeersPage() {
  return (
    <section className="page">
      <h2 className="page-title">Peers</h2>
      <EmptyState>Peer details arrive with the peers work.</EmptyState>
    </section>
  );
}
