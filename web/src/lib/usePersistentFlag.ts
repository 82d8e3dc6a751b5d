import { useCallback, useState } from 'react';

// localStorage can throw (storage disabled, quota, some webview sandboxes);
// a UI preference is not worth crashing for, so failures fall back to the default.
function read(key: string, fallback: boolean): boolean {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : raw === 'true';
  } catch {
    return fallback;
  }
}

/** A boolean UI preference kept in localStorage as "true"/"false". */
export function usePersistentFlag(key: string, fallback = false): [boolean, (next: boolean) => void] {
  const [value, setValue] = useState(() => read(key, fallback));
  const set = useCallback(
    (next: boolean) => {
      setValue(next);
      try {
        localStorage.setItem(key, String(next));
      } catch {
        // keep the in-memory value; it just won't survive a reload
      }
    },
    [key],
  );
  return [value, set];
}
