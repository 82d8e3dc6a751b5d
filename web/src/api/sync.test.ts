import { describe, expect, it } from 'vitest';
import { jsonResponse, stubFetch } from '../test/fakes';
import { ApiError } from './client';
import {
  addFolder,
  backupNow,
  baseName,
  getSyncState,
  listFailed,
  looksAbsolute,
  pauseSync,
  quickstart,
  removeFolder,
  rescanAll,
  rescanFolder,
  retryFailed,
  setFolderEnabled,
  syncStateOfEvent,
  toSyncState,
  toWatchedFolder,
} from './sync';

const FOLDER = {
  id: 'f1',
  path: '/home/ana/Documents',
  name: 'Documents',
  enabled: true,
  status: 'syncing',
  fileCount: 10,
  totalSizeBytes: 4096,
  syncedFiles: 7,
  syncedBytes: 2048,
  pendingFiles: 2,
  failedFiles: 1,
  lastSynced: '2025-03-01T10:00:00Z',
  lastScan: '2025-03-01T10:05:00Z',
  watchLimited: false,
  manifestCid: 'zDvZRwzm1ePSzKSXt57D5YxHwcSDmsCyYN65wW4HT7fuX9HrzFXy',
  manifestSequence: 4,
  manifestUpdatedAt: '2025-03-01T10:00:00Z',
  backupSequence: 3,
  backupSyncedAt: '2025-03-01T09:00:00Z',
  backupAckReceived: false,
  pendingRetry: true,
  notifyError: 'backup server unreachable',
};

const STATE = {
  folders: [FOLDER],
  paused: false,
  isSyncing: true,
  queueSize: 2,
  totalFiles: 10,
  syncedFiles: 7,
  uploads: [{ folderId: 'f1', path: 'a/b.txt', bytesDone: 10, totalBytes: 100 }],
  rateBytesPerSec: 2048,
  recentUploads: [{ folderId: 'f1', path: 'c.txt', cid: 'zC', size: 5, at: '2025-03-01T10:01:00Z' }],
  nodeRunning: true,
  backupEnabled: true,
  backupPeer: 'NAS',
};

type Call = { url: string; method: string; body?: unknown };

function backend(answer: (call: Call) => Response) {
  const calls: Call[] = [];
  stubFetch((url, init) => {
    const call: Call = {
      url,
      method: init?.method ?? 'GET',
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return Promise.resolve(answer(call));
  });
  return calls;
}

const accepted = () => new Response(null, { status: 202 });

describe('toWatchedFolder', () => {
  it('keeps every field of a full folder', () => {
    expect(toWatchedFolder(FOLDER)).toEqual({ ...FOLDER, error: undefined });
  });

  it('turns absent optional fields into undefined and missing figures into 0', () => {
    const f = toWatchedFolder({ id: 'f2', path: '/srv/photos', enabled: true, status: 'idle' });
    expect(f).toEqual({
      id: 'f2',
      path: '/srv/photos',
      name: 'photos', // from the path when the name is missing
      enabled: true,
      status: 'idle',
      error: undefined,
      fileCount: 0,
      totalSizeBytes: 0,
      syncedFiles: 0,
      syncedBytes: 0,
      pendingFiles: 0,
      failedFiles: 0,
      lastSynced: undefined,
      lastScan: undefined,
      watchLimited: false,
      manifestCid: undefined,
      manifestSequence: 0,
      manifestUpdatedAt: undefined,
      backupSequence: 0,
      backupSyncedAt: undefined,
      backupAckReceived: false,
      pendingRetry: false,
      notifyError: undefined,
    });
  });

  it("reads Go's zero time, empty strings and garbage as absent", () => {
    const f = toWatchedFolder({
      ...FOLDER,
      lastSynced: '0001-01-01T00:00:00Z',
      backupSyncedAt: 'yesterday',
      manifestCid: '',
      notifyError: '',
      error: '',
      fileCount: 'many',
    });
    expect(f).toMatchObject({ lastSynced: undefined, backupSyncedAt: undefined, manifestCid: undefined, fileCount: 0 });
    expect(f?.notifyError).toBeUndefined();
    expect(f?.error).toBeUndefined();
  });

  it('reads an unknown status as idle, or paused when the folder is off', () => {
    expect(toWatchedFolder({ ...FOLDER, status: 'dancing' })?.status).toBe('idle');
    expect(toWatchedFolder({ ...FOLDER, enabled: false, status: undefined })?.status).toBe('paused');
    expect(toWatchedFolder({ ...FOLDER, status: 'error', error: 'folder missing' })).toMatchObject({
      status: 'error',
      error: 'folder missing',
    });
  });

  it('refuses a folder without an ID or path', () => {
    expect(toWatchedFolder({ ...FOLDER, id: '' })).toBeNull();
    expect(toWatchedFolder({ ...FOLDER, path: undefined })).toBeNull();
    expect(toWatchedFolder(null)).toBeNull();
    expect(toWatchedFolder([FOLDER])).toBeNull();
  });
});

describe('toSyncState', () => {
  it('keeps a full state', () => {
    const s = toSyncState(STATE);
    expect(s).toMatchObject({ ...STATE, folders: [expect.objectContaining({ id: 'f1', status: 'syncing' })] });
  });

  it('turns missing or null lists into [] and absent fields into defaults', () => {
    expect(toSyncState({ paused: true, folders: null })).toEqual({
      folders: [],
      paused: true,
      isSyncing: false,
      queueSize: 0,
      totalFiles: 0,
      syncedFiles: 0,
      uploads: [],
      rateBytesPerSec: 0,
      recentUploads: [],
      nodeRunning: false,
      backupEnabled: false,
      backupPeer: undefined,
    });
  });

  it('drops list entries it cannot read, and keeps a recent upload without a time', () => {
    const s = toSyncState({
      ...STATE,
      folders: [FOLDER, { path: '/no/id' }, 'junk'],
      uploads: [{ folderId: 'f1' }, ...STATE.uploads],
      recentUploads: [{ path: 'd.txt', size: 1 }, 42],
    });
    expect(s?.folders.map((f) => f.id)).toEqual(['f1']);
    expect(s?.uploads).toEqual(STATE.uploads);
    expect(s?.recentUploads).toEqual([{ folderId: '', path: 'd.txt', cid: '', size: 1, at: '' }]);
  });

  it('is null for anything that is not a sync state', () => {
    expect(toSyncState({ version: '0.1.0' })).toBeNull();
    expect(toSyncState({ paused: false, folders: 'none' })).toBeNull();
    expect(toSyncState(undefined)).toBeNull();
  });

  it('reads the state out of a sync-state event envelope', () => {
    expect(syncStateOfEvent({ type: 'sync-state', time: 'now', data: STATE })?.backupPeer).toBe('NAS');
    expect(syncStateOfEvent({ type: 'sync-state', time: 'now' })).toBeNull();
    expect(syncStateOfEvent(null)).toBeNull();
  });
});

describe('sync endpoints', () => {
  it('GETs the state and normalises it', async () => {
    const calls = backend(() => jsonResponse({ paused: false }));
    const s = await getSyncState();
    expect(s.folders).toEqual([]);
    expect(s.recentUploads).toEqual([]);
    expect(calls).toEqual([{ url: '/api/sync', method: 'GET', body: undefined }]);
  });

  it('refuses an answer that is not a sync state', async () => {
    backend(() => jsonResponse(['not', 'a', 'state']));
    await expect(getSyncState()).rejects.toMatchObject({ status: 200, message: '200 unexpected answer from /api/sync' });
  });

  it("passes on the backend's refusal of a folder with its message", async () => {
    const calls = backend(() => jsonResponse({ error: 'the folder overlaps /home/ana, which is watched' }, 400));
    const err = await addFolder('  /home/ana/Documents ').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, body: { error: 'the folder overlaps /home/ana, which is watched' } });
    // Trimmed before sending.
    expect(calls).toEqual([{ url: '/api/sync/folders', method: 'POST', body: { path: '/home/ana/Documents' } }]);
  });

  it('adds, toggles and quick-starts folders, answering the folder', async () => {
    const calls = backend((c) => jsonResponse({ ...FOLDER, enabled: c.method !== 'PATCH' }, c.method === 'POST' ? 201 : 200));
    await expect(addFolder('/home/ana/Documents')).resolves.toMatchObject({ id: 'f1', enabled: true });
    await expect(setFolderEnabled('f1', false)).resolves.toMatchObject({ id: 'f1', enabled: false });
    await expect(quickstart()).resolves.toMatchObject({ id: 'f1' });
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/sync/folders', { path: '/home/ana/Documents' }],
      ['PATCH', '/api/sync/folders/f1', { enabled: false }],
      ['POST', '/api/sync/quickstart', undefined],
    ]);
  });

  it('escapes folder IDs in paths and takes 202 and 204 without a body', async () => {
    const calls = backend((c) => (c.method === 'DELETE' ? new Response(null, { status: 204 }) : accepted()));
    await removeFolder('a/b c');
    await rescanFolder('f1');
    await rescanAll();
    await retryFailed('f1');
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'DELETE /api/sync/folders/a%2Fb%20c',
      'POST /api/sync/folders/f1/rescan',
      'POST /api/sync/rescan',
      'POST /api/sync/folders/f1/retry',
    ]);
  });

  it('lists failed files, [] when the list is missing', async () => {
    let body: unknown = {
      files: [{ path: 'x.bin', error: 'node said 500', attempts: 3, nextRetryAt: '2025-03-01T11:00:00Z' }, { error: 'no path' }],
    };
    backend(() => jsonResponse(body));
    await expect(listFailed('f1')).resolves.toEqual([
      { path: 'x.bin', error: 'node said 500', attempts: 3, nextRetryAt: '2025-03-01T11:00:00Z' },
    ]);
    body = { files: null };
    await expect(listFailed('f1')).resolves.toEqual([]);
    body = 'nope';
    await expect(listFailed('f1')).rejects.toMatchObject({ message: '200 unexpected answer from /api/sync/folders/f1/failed' });
  });

  it('answers the sequence of Backup Now, and passes on a 409', async () => {
    let answer = () => jsonResponse({ sequence: 5 }, 202);
    backend(() => answer());
    await expect(backupNow('f1')).resolves.toEqual({ sequence: 5 });
    answer = accepted;
    await expect(backupNow('f1')).resolves.toEqual({ sequence: null });
    answer = () => jsonResponse({ error: 'no backup server is paired' }, 409);
    await expect(backupNow('f1')).rejects.toMatchObject({ status: 409, message: '409 no backup server is paired' });
  });

  it('answers the state after pausing, and reports a network failure as status 0', async () => {
    backend(() => jsonResponse({ ...STATE, paused: true }));
    await expect(pauseSync()).resolves.toMatchObject({ paused: true, backupPeer: 'NAS' });
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(pauseSync()).rejects.toMatchObject({ status: 0, message: 'Failed to fetch' });
  });
});

describe('path helpers', () => {
  it('recognises absolute paths of Unix and Windows', () => {
    expect(looksAbsolute('/home/ana')).toBe(true);
    expect(looksAbsolute(' C:\\Users\\ana ')).toBe(true);
    expect(looksAbsolute('d:/data')).toBe(true);
    expect(looksAbsolute('\\\\nas\\share')).toBe(true);
    expect(looksAbsolute('~/Documents')).toBe(true); // the backend expands ~
    expect(looksAbsolute('~ana')).toBe(false);
    expect(looksAbsolute('Documents')).toBe(false);
    expect(looksAbsolute('C:relative')).toBe(false);
  });

  it('takes the base name with either separator', () => {
    expect(baseName('/home/ana/Documents/')).toBe('Documents');
    expect(baseName('C:\\Users\\ana\\Pictures')).toBe('Pictures');
    expect(baseName('/')).toBe('/');
  });
});
