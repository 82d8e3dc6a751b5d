import { Link, useLocation } from 'react-router-dom';
import { EmptyState } from '../components/EmptyState';

/** Any path no route matches (a stale bookmark, a typo in the webview URL). */
export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <section className="page">
      <h2 className="page-title">Not Found</h2>
      <EmptyState>
        Nothing lives at <code>{pathname}</code>. <Link to="/">Back to the dashboard</Link>.
      </EmptyState>
    </section>
  );
}
