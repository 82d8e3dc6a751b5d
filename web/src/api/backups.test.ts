import { describe, expect, it } from 'vitest';
import {
  LAPTOP_DEVICE_ID,
  manifestJSON,
  NAS_DEVICE_ID,
  restoreJSON,
  stateJSON,
  versionsJSON,
} from '../pages/backupserver/backupFakes';
import { jsonResponse, stubFetch } from '../test/fakes';
import {
  backupServerStateOfEvent,
  disableBackupServer,
  enableBackupServer,
  getBackupServerState,
  getRestore,
  getVersions,
  listRestores,
  pauseBackupServer,
  pollBackupServer,
  restoreOfEvent,
  resumeBackupServer,
  retryManifest,
  startRestore,
  toBackupServerState,
  toManifest,
  toRestore,
} from './backups';
import { ApiError } from './client';

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

describe('toBackupServerState', () => {
  it('reads a full state with its totals, config, sources and manifests', () => {
    const s = toBackupServerState(stateJSON());
    expect(s).not.toBeNull();
    if (!s) return;
    expect(s.mode).toBe('running');
    expect(s.totals).toMatchObject({ manifestsProcessed: 5, filesDownloaded: 40, bytesDownloaded: 5 * 1024 * 1024, filesDeleted: 3 });
    expect(s.config).toEqual({
      enabled: true,
      poll_interval_secs: 300,
      max_concurrent_downloads: 3,
      max_retries: 3,
      auto_delete_tombstones: true,
      trigger_port: 8086,
      keep_last: 10,
      keep_hourly: 24,
      keep_daily: 7,
      keep_weekly: 0,
    });
    expect(s.sources.map((x) => x.name)).toEqual(['Laptop', 'Phone']);
    expect(s.sources[0]?.rejections[0]).toMatchObject({ folderId: 'f-docs', sequence: 3 });
    expect(s.sources[0]?.rejections[0]?.reason).toBe('sequence 3 is older than the newest version 7');
    expect(s.sources[0]?.folders[0]).toMatchObject({ id: 'f-docs', lastSequence: 7, versions: 4, files: 12 });
    expect(s.sources[1]?.totals).toMatchObject({ filesDownloaded: 0, lastPoll: undefined });
    expect(s.inProgress[0]).toMatchObject({ status: 'downloading', filesDone: 4, totalFiles: 10, bytesDone: 1024, totalBytes: 4096 });
    expect(s.failed[0]?.failedFiles).toHaveLength(2);
    expect(s.failed[0]?.nextRetry).toBeDefined();
    expect(s.processed.map((m) => m.sequence)).toEqual([7, 6]);
  });

  it('turns null lists into [], Go zero times into undefined and missing figures into 0', () => {
    const s = toBackupServerState({
      mode: 'disabled',
      totals: { lastActivity: '0001-01-01T00:00:00Z' },
      config: null,
      sources: null,
      inProgress: null,
      failed: undefined,
      processed: [manifestJSON({ failedFiles: null, processedAt: '0001-01-01T00:00:00Z', totalFiles: 'many' }), 'junk'],
    });
    expect(s).toMatchObject({ mode: 'disabled', polling: false, rateBytesPerSec: 0, sources: [], inProgress: [], failed: [] });
    expect(s?.totals.lastActivity).toBeUndefined();
    expect(s?.config.keep_last).toBe(0);
    expect(s?.processed).toHaveLength(1);
    expect(s?.processed[0]).toMatchObject({ failedFiles: [], processedAt: undefined, totalFiles: 0 });
  });

  it('is null for anything that is not a state', () => {
    expect(toBackupServerState({ mode: 'dancing' })).toBeNull();
    expect(toBackupServerState({ version: '0.1.0' })).toBeNull();
    expect(toBackupServerState(null)).toBeNull();
  });

  it('reads an unknown manifest status as its list says, and refuses one without source or folder', () => {
    expect(toManifest(manifestJSON({ status: 'teleporting' }), 'failed')?.status).toBe('failed');
    expect(toManifest(manifestJSON({ status: 'pruned' }), 'done')?.status).toBe('pruned');
    expect(toManifest(manifestJSON({ source: undefined }), 'done')).toBeNull();
    expect(toManifest({ ...manifestJSON(), folderId: 3 }, 'done')).toBeNull();
  });

  it('reads the state out of a backup-server-state event envelope', () => {
    expect(backupServerStateOfEvent({ type: 'backup-server-state', time: 'now', data: stateJSON({ mode: 'paused' }) })?.mode).toBe(
      'paused',
    );
    expect(backupServerStateOfEvent({ type: 'backup-server-state', time: 'now' })).toBeNull();
    expect(backupServerStateOfEvent('nope')).toBeNull();
  });
});

describe('toRestore', () => {
  it('reads a restore and its request', () => {
    const r = toRestore(
      restoreJSON({ skipped: ['a.txt', 3], skippedCount: 2, failed: [{ path: 'b.txt', cid: 'zB', error: 'gone' }], failedCount: 1 }),
    );
    expect(r).toMatchObject({
      id: 'r-1',
      status: 'running',
      request: { server: '', source: LAPTOP_DEVICE_ID, folder: 'f-docs', sequence: 7, dest: '/home/ana/Restored', overwrite: false },
      files: 70,
      skipped: ['a.txt'],
      skippedCount: 2,
      failed: [{ path: 'b.txt', cid: 'zB', error: 'gone' }],
      finishedAt: undefined,
      error: undefined,
    });
  });

  it('reads null lists as empty and refuses a restore without an ID', () => {
    expect(toRestore(restoreJSON({ skipped: null, failed: null, status: 'odd' }))).toMatchObject({
      skipped: [],
      failed: [],
      status: 'running',
    });
    expect(toRestore(restoreJSON({ id: '' }))).toBeNull();
    expect(restoreOfEvent({ type: 'restore-progress', data: restoreJSON({ status: 'done' }) })?.status).toBe('done');
    expect(restoreOfEvent({ type: 'restore-progress', data: {} })).toBeNull();
  });
});

describe('backup server endpoints', () => {
  it('GETs the state', async () => {
    const calls = backend(() => jsonResponse(stateJSON()));
    expect((await getBackupServerState()).sources).toHaveLength(2);
    expect(calls).toEqual([{ url: '/api/backup-server', method: 'GET', body: undefined }]);
  });

  it.each([
    ['enable', enableBackupServer],
    ['disable', disableBackupServer],
    ['pause', pauseBackupServer],
    ['resume', resumeBackupServer],
    ['poll', pollBackupServer],
  ] as const)('POSTs %s and answers the new state', async (name, call) => {
    const calls = backend(() => jsonResponse(stateJSON({ mode: 'paused' })));
    expect((await call()).mode).toBe('paused');
    expect(calls).toEqual([{ url: `/api/backup-server/${name}`, method: 'POST', body: undefined }]);
  });

  it("throws the backend's error message", async () => {
    backend(() => jsonResponse({ error: 'the config could not be saved' }, 500));
    await expect(enableBackupServer()).rejects.toMatchObject({ status: 500, message: '500 the config could not be saved' });
  });

  it('throws on an answer that is not a state', async () => {
    backend(() => jsonResponse({ hello: 'world' }));
    await expect(getBackupServerState()).rejects.toBeInstanceOf(ApiError);
  });

  it('POSTs a retry to the manifest path, escaping the IDs', async () => {
    const calls = backend(() => jsonResponse({ status: 'retrying' }, 202));
    await retryManifest(LAPTOP_DEVICE_ID, 'f/music', 2);
    expect(calls).toEqual([
      { url: `/api/backup-server/manifests/${LAPTOP_DEVICE_ID}/f%2Fmusic/2/retry`, method: 'POST', body: undefined },
    ]);
  });
});

describe('versions and restores', () => {
  it('GETs the versions of every server, newest version first as sent', async () => {
    const calls = backend(() => jsonResponse(versionsJSON()));
    const servers = await getVersions();
    expect(calls[0]).toMatchObject({ url: '/api/versions', method: 'GET' });
    expect(servers.map((s) => [s.device, s.name, s.error])).toEqual([
      ['', 'this device', undefined],
      [NAS_DEVICE_ID, 'Office NAS', 'the device did not answer'],
    ]);
    const docs = servers[0]?.catalog.sources[0]?.folders[0];
    expect(docs?.versions.map((v) => v.sequence)).toEqual([7, 6]);
    expect(docs?.versions[0]).toEqual({ sequence: 7, cid: 'zV7', at: '2025-03-01T10:00:00Z', files: 70, bytes: 7168 });
  });

  it('reads null catalogs as empty', async () => {
    backend(() => jsonResponse({ servers: [{ device: 'X', name: 'NAS', catalog: { sources: null } }, { name: 'n', catalog: null }] }));
    const servers = await getVersions();
    expect(servers.map((s) => s.catalog.sources)).toEqual([[], []]);
    backend(() => jsonResponse({ servers: null }));
    expect(await getVersions()).toEqual([]);
  });

  it('POSTs a restore request and answers the restore', async () => {
    const calls = backend(() => jsonResponse(restoreJSON(), 202));
    const req = { server: NAS_DEVICE_ID, source: LAPTOP_DEVICE_ID, folder: 'f-docs', sequence: 0, dest: '/srv/restored', overwrite: true };
    const r = await startRestore(req);
    expect(r.id).toBe('r-1');
    expect(calls).toEqual([{ url: '/api/restores', method: 'POST', body: req }]);
  });

  it('shows why a restore was refused', async () => {
    backend(() => jsonResponse({ error: 'the destination must be an absolute path, not "x"' }, 400));
    await expect(
      startRestore({ server: '', source: 'L', folder: 'f', sequence: 0, dest: 'x', overwrite: false }),
    ).rejects.toMatchObject({ status: 400, body: { error: 'the destination must be an absolute path, not "x"' } });
  });

  it('lists and reads restores', async () => {
    const calls = backend((call) =>
      call.url === '/api/restores'
        ? jsonResponse({ restores: [restoreJSON({ id: 'r-2' }), { id: '' }, restoreJSON()] })
        : jsonResponse(restoreJSON({ id: 'r/3', status: 'failed', error: 'boom' })),
    );
    expect((await listRestores()).map((r) => r.id)).toEqual(['r-2', 'r-1']);
    expect(await getRestore('r/3')).toMatchObject({ id: 'r/3', status: 'failed', error: 'boom' });
    expect(calls.map((c) => c.url)).toEqual(['/api/restores', '/api/restores/r%2F3']);
  });
});
