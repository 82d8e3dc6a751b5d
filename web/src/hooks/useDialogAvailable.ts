import { useEffect, useState } from 'react';
import { dialogAvailable } from '../api/fs';

/** Whether native dialogs exist here (the desktop window); false until known. */
export function useDialogAvailable(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    let alive = true;
    void dialogAvailable().then((ok) => alive && setAvailable(ok));
    return () => {
      alive = false;
    };
  }, []);
  return available;
}
