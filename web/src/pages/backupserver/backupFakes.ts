// Test-only fixtures for the backup server and restores: answers of
// /api/backup-server, /api/versions and /api/restores as the Go backend
// sends them (JSON shape, not normalised). App code never imports this.
import { NAS_DEVICE_ID } from '../devices/linkFakes';

export { NAS_DEVICE_ID };
/** The laptop whose folders this machine backs up. */
export const LAPTOP_DEVICE_ID = 'L4PT-0PXE-R2KD-M5TA-Z3HC-P6YL-J2VF-G4SU-N7XB-E3QK-W6DM-T5RA-L2ZH';
/** A paired device that is not a source. */
export const PHONE_DEVICE_ID = 'PH0N-3QXE-R2KD-M5TA-Z3HC-P6YL-J2VF-G4SU-N7XB-E3QK-W6DM-T5RA-L2ZH';

export const MANIFEST_CID = 'zDvZRwzm1ePSzKSXt57D5YxHwcSDmsCyYN65wW4HT7fuX9HrzFXy';
export const OLD_MANIFEST_CID = 'zDxWB8ED98hxJ51XwYaoQAwMdskCcmTaPR6Ce2wq88bjvjXRYuR9';

/**
 * ms before now, and 20 s more: the page's clock is read when it mounts, a
 * little before a fixture is made, so "10 min ago" must not read "9 min ago".
 */
export const ago = (ms: number) => new Date(Date.now() - ms - 20_000).toISOString();
export const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();

/** A manifest of the laptop's Documents folder (done, version 7). */
export function manifestJSON(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source: LAPTOP_DEVICE_ID,
    sourceName: 'Laptop',
    folderId: 'f-docs',
    folderName: 'Documents',
    sequence: 7,
    cid: MANIFEST_CID,
    status: 'done',
    attempts: 1,
    discoveredAt: ago(20 * 60_000),
    startedAt: ago(19 * 60_000),
    processedAt: ago(10 * 60_000),
    versionAt: ago(21 * 60_000),
    totalFiles: 12,
    totalBytes: 3 * 1024 * 1024,
    filesDone: 12,
    filesFetched: 4,
    filesFailed: 0,
    bytesDone: 3 * 1024 * 1024,
    bytesFetched: 1024 * 1024,
    deleted: 2,
    ...over,
  };
}

/** The laptop: a source, idle, with one folder and one refused manifest. */
export function sourceJSON(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    device: LAPTOP_DEVICE_ID,
    name: 'Laptop',
    nodePeerId: '16Uiu2HAm4BMsxcYGPDauUDPHZ5LeXuX2Y2Bs7o1C8Rtp96zCjpiY',
    offers: true,
    lastPoll: ago(30_000),
    lastSeen: ago(30_000),
    busy: false,
    totals: { manifestsProcessed: 5, filesDownloaded: 40, bytesDownloaded: 5 * 1024 * 1024, filesDeleted: 3, bytesDeleted: 0 },
    failures: 1,
    rejections: [
      { folderId: 'f-docs', sequence: 3, cid: OLD_MANIFEST_CID, reason: 'sequence 3 is older than the newest version 7', at: ago(3_600_000) },
    ],
    folders: [{ id: 'f-docs', name: 'Documents', lastSequence: 7, lastAt: ago(21 * 60_000), files: 12, bytes: 3 * 1024 * 1024, versions: 4 }],
    ...over,
  };
}

/** A running backup server: one manifest downloading, one failed, two processed. */
export function stateJSON(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mode: 'running',
    polling: false,
    rateBytesPerSec: 0,
    totals: {
      manifestsProcessed: 5,
      filesDownloaded: 40,
      bytesDownloaded: 5 * 1024 * 1024,
      filesDeleted: 3,
      bytesDeleted: 2048,
      lastActivity: ago(10 * 60_000),
      lastPoll: ago(30_000),
    },
    config: {
      enabled: true,
      poll_interval_secs: 300,
      max_concurrent_downloads: 3,
      max_retries: 3,
      auto_delete_tombstones: true,
      trigger_port: 8086,
      source_peers: null,
      keep_last: 10,
      keep_hourly: 24,
      keep_daily: 7,
      keep_weekly: 0,
    },
    sources: [
      sourceJSON(),
      {
        device: PHONE_DEVICE_ID,
        name: 'Phone',
        nodePeerId: '',
        offers: false,
        lastPoll: ago(60_000),
        lastSeen: ago(60_000),
        busy: false,
        totals: {},
        failures: 0,
        rejections: [],
        folders: [],
      },
    ],
    inProgress: [
      manifestJSON({
        folderId: 'f-photos',
        folderName: 'Photos',
        sequence: 3,
        status: 'downloading',
        processedAt: undefined,
        totalFiles: 10,
        filesDone: 4,
        filesFailed: 1,
        totalBytes: 4096,
        bytesDone: 1024,
        startedAt: ago(2 * 60_000),
      }),
    ],
    failed: [
      manifestJSON({
        folderId: 'f-music',
        folderName: 'Music',
        sequence: 2,
        status: 'failed',
        error: '2 of 9 files could not be fetched',
        attempts: 2,
        nextRetry: ahead(5 * 60_000 + 30_000),
        processedAt: undefined,
        filesFailed: 2,
        failedFiles: [
          { path: 'albums/a.flac', cid: 'zA', error: 'no peer has it' },
          { path: 'albums/b.flac', cid: 'zB', error: 'stalled for 60 s' },
        ],
      }),
    ],
    processed: [
      manifestJSON(),
      manifestJSON({ sequence: 6, cid: OLD_MANIFEST_CID, processedAt: ago(3 * 3_600_000), deleted: 0, filesFetched: 12 }),
    ],
    ...over,
  };
}

export function versionJSON(sequence: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { sequence, cid: `zV${sequence}`, at: '2025-03-01T10:00:00Z', files: sequence * 10, bytes: sequence * 1024, ...over };
}

/** GET /api/versions: this device keeps the laptop's backups; the NAS is paired but unreachable, or given. */
export function versionsJSON(nas: Record<string, unknown> | null = null): Record<string, unknown> {
  return {
    servers: [
      {
        device: '',
        name: 'this device',
        catalog: {
          sources: [
            {
              device: LAPTOP_DEVICE_ID,
              name: 'Laptop',
              folders: [
                { id: 'f-docs', name: 'Documents', versions: [versionJSON(7), versionJSON(6, { at: '2025-02-28T09:00:00Z' })] },
                { id: 'f-photos', name: 'Photos', versions: [versionJSON(3)] },
              ],
            },
          ],
        },
      },
      nas ?? { device: NAS_DEVICE_ID, name: 'Office NAS', error: 'the device did not answer', catalog: { sources: [] } },
    ],
  };
}

/** A restore of Documents #7 into /home/ana/Restored, under way. */
export function restoreJSON(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'r-1',
    request: { server: '', source: LAPTOP_DEVICE_ID, folder: 'f-docs', sequence: 7, dest: '/home/ana/Restored', overwrite: false },
    status: 'running',
    serverName: 'this device',
    sourceName: 'Laptop',
    folderName: 'Documents',
    sequence: 7,
    versionAt: '2025-03-01T10:00:00Z',
    files: 70,
    bytes: 7168,
    filesDone: 0,
    bytesDone: 0,
    skipped: [],
    skippedCount: 0,
    failed: [],
    failedCount: 0,
    startedAt: new Date().toISOString(),
    ...over,
  };
}
