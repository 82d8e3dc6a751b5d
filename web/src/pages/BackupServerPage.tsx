import { EmptyState } from '../components/EmptyState';

/** Route /backup-server — the backup daemon's state (reference §8.7). */
export function BackupServerPage() {
  return (
    <section className="page">
      <h1 className="page-title">Backup Server Dashboard</h1>
      <EmptyState>The backup daemon view arrives with the backup-daemon work.</EmptyState>
    </section>
  );
}
