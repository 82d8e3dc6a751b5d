import { useEffect, useState } from 'react';

/**
 * The browser's clock (ms), re-read every intervalMs while active. A display
 * timer for live figures such as uptime; it asks the backend nothing.
 */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
