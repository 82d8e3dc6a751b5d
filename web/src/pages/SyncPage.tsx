import { EmptyState } from '../components/EmptyState';

/** Route /sync, labelled Backups in the nav — watched folders (reference §8.5). */
export function SyncPage() {
  return (
    <section className="page">
      <h2 className="page-title">Sync</h2>
      <EmptyState>Folder backups arrive with the folder-sync work.</EmptyState>
    </section>
  );
}
