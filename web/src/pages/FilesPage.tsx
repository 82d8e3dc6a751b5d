import { EmptyState } from '../components/EmptyState';

/** Route /files, labelled Restore in the nav — stored files and download by CID (reference §8.4). */
export function FilesPage() {
  return (
    <section className="page">
      <h2 className="page-title">Files</h2>
      <EmptyState>File restore arrives with the node-files work.</EmptyState>
    </section>
  );
}
