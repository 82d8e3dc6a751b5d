import { EmptyState } from '../components/EmptyState';

/** Route /settings — config.toml editor (reference §8.9). */
export function SettingsPage() {
  return (
    <section className="page">
      <h2 className="page-title">Settings</h2>
      <EmptyState>Settings arrive with the configuration work.</EmptyState>
    </section>
  );
}
