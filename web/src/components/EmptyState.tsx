import type { ReactNode } from 'react';

/** The one-line "nothing here yet" message every unfinished page shows instead of made-up data. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty-state">{children}</p>;
}
