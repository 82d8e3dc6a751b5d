import { useEffect, useState } from 'react';
import { dialogAvailable } from '../api/fs';

/**
 * Whether native dialogs exist here (the desktop window); false until known.
 * wanted false asks nothing (a field without a Browse button).
 */
export function useDialogAvailable(wanted = true): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    if (!wanted) return;
    let alive = true;
    void dialogAvailable().then((ok) => alive && setAvailable(ok));
    return () => {
      alive = false;
    };
  }, [wanted]);
  return available;
}
