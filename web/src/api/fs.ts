// Choosing a folder on the machine that runs the app: path completion
// (GET /api/fs/dirs) for browsers, and the native folder dialog
// (/api/dialog/*) when the UI runs in the desktop window.
import { ApiError, apiGet, apiSend } from './client';

export interface DirEntry {
  name: string;
  /** Absolute path. */
  path: string;
}

export interface DirCompletion {
  /** The folder whose subfolders are listed. */
  dir: string;
  entries: DirEntry[];
  /** More matched than were listed: type more to narrow. */
  truncated: boolean;
}

/** Subfolders completing a partly typed absolute path ("~" = home; "" lists home). */
export async function completeDirs(path: string): Promise<DirCompletion> {
  const v = await apiGet<unknown>(`/api/fs/dirs?path=${encodeURIComponent(path)}`);
  if (!v || typeof v !== 'object' || !('entries' in v) || !Array.isArray(v.entries)) {
    throw new ApiError(200, 'unexpected answer from /api/fs/dirs');
  }
  const entries: DirEntry[] = [];
  for (const e of v.entries as unknown[]) {
    if (e && typeof e === 'object' && 'name' in e && 'path' in e && typeof e.name === 'string' && typeof e.path === 'string') {
      entries.push({ name: e.name, path: e.path });
    }
  }
  return {
    dir: 'dir' in v && typeof v.dir === 'string' ? v.dir : '',
    entries,
    truncated: 'truncated' in v && v.truncated === true,
  };
}

/**
 * Whether native dialogs exist here (only in the desktop window). Any
 * failure — a backend without the endpoint, a headless server — means no.
 */
export async function dialogAvailable(): Promise<boolean> {
  try {
    const v = await apiGet<unknown>('/api/dialog');
    return !!v && typeof v === 'object' && 'available' in v && v.available === true;
  } catch {
    return false;
  }
}

export type DialogKind = 'directory' | 'file';

/** The native folder or file picker: the chosen path, or null when the user cancelled. */
export async function pickPath(kind: DialogKind, title: string, defaultPath = ''): Promise<string | null> {
  // The dialog opens where the field points when that is an absolute path
  // (the backend refuses anything else); a partly typed one starts at home.
  const start = /^(\/|[A-Za-z]:[\\/])/.test(defaultPath.trim()) ? defaultPath.trim() : '';
  const v = await apiSend<unknown>('POST', `/api/dialog/${kind}`, { title, defaultPath: start });
  const path = v && typeof v === 'object' && 'path' in v && typeof v.path === 'string' ? v.path : '';
  return path === '' ? null : path;
}

export const pickDirectory = (title: string, defaultPath = '') => pickPath('directory', title, defaultPath);
