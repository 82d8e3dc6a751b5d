// State of the Restore page's transfers: the upload queue and the one
// save-to-folder download at a time. Progress comes from the backend's
// events (real byte counts), which the page feeds in through onProgress.
import { useCallback, useEffect, useRef, useState } from 'react';
import { downloadToFolder, serverFileName, uploadFile, type TransferProgress } from '../../api/files';
import { errorText } from '../../lib/errorText';

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled';

export interface Upload {
  key: number;
  /** The name on the user's disk. */
  name: string;
  /** The name the server gives it, which its progress events carry. */
  serverName: string;
  size: number;
  status: UploadStatus;
  bytesDone: number;
  totalBytes: number;
  cid?: string;
  error?: string;
}

interface Job {
  key: number;
  file: File;
}

/**
 * Uploads files one after another (one request at a time keeps the node's
 * disk and the events easy to follow; an event is matched to the running
 * upload by file name). onUploaded runs after each success.
 *
 * Leaving the page does not cancel what is queued: the uploads go on, and the
 * list shows them the next time it loads.
 */
export function useUploads(onUploaded: () => void) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const queue = useRef<Job[]>([]);
  const running = useRef<{ key: number; abort: AbortController } | null>(null);
  const nextKey = useRef(1);
  const onUploadedRef = useRef(onUploaded);
  useEffect(() => {
    onUploadedRef.current = onUploaded;
  });

  const update = useCallback((key: number, patch: Partial<Upload>) => {
    setUploads((us) => us.map((u) => (u.key === key ? { ...u, ...patch } : u)));
  }, []);

  const pump = useCallback(async () => {
    if (running.current) return;
    for (let job = queue.current.shift(); job; job = queue.current.shift()) {
      const abort = new AbortController();
      running.current = { key: job.key, abort };
      update(job.key, { status: 'uploading' });
      try {
        const { cid } = await uploadFile(job.file, abort.signal);
        update(job.key, { status: 'done', cid, bytesDone: job.file.size, totalBytes: job.file.size });
        onUploadedRef.current();
      } catch (err) {
        update(job.key, abort.signal.aborted ? { status: 'cancelled' } : { status: 'failed', error: errorText(err) });
      } finally {
        running.current = null;
      }
    }
  }, [update]);

  const add = useCallback(
    (files: File[]) => {
      if (files.length === 0) return;
      const jobs = files.map((file) => ({ key: nextKey.current++, file }));
      setUploads((us) => [
        ...us,
        ...jobs.map(
          ({ key, file }): Upload => ({
            key,
            name: file.name,
            serverName: serverFileName(file.name),
            size: file.size,
            status: 'queued',
            bytesDone: 0,
            totalBytes: file.size,
          }),
        ),
      ]);
      queue.current.push(...jobs);
      void pump();
    },
    [pump],
  );

  const cancel = useCallback(
    (key: number) => {
      if (running.current?.key === key) {
        running.current.abort.abort();
        return;
      }
      queue.current = queue.current.filter((j) => j.key !== key);
      update(key, { status: 'cancelled' });
    },
    [update],
  );

  const clearFinished = useCallback(() => {
    setUploads((us) => us.filter((u) => u.status === 'queued' || u.status === 'uploading'));
  }, []);

  const onProgress = useCallback((p: TransferProgress) => {
    setUploads((us) =>
      us.map((u) =>
        u.status === 'uploading' && u.serverName === p.filename
          ? { ...u, bytesDone: p.bytesDone, totalBytes: p.totalBytes >= 0 ? p.totalBytes : u.totalBytes }
          : u,
      ),
    );
  }, []);

  return { uploads, add, cancel, clearFinished, onProgress };
}

export interface Saving {
  cid: string;
  destination: string;
  status: 'running' | 'done' | 'failed';
  /** The name the server saves it under, once its first progress event says. */
  filename?: string;
  bytesDone: number;
  /** -1 until known. */
  totalBytes: number;
  path?: string;
  error?: string;
}

/** Save-to-folder downloads, one at a time; onSaved runs after a success. */
export function useSaveToFolder(onSaved: () => void) {
  const [saving, setSaving] = useState<Saving | null>(null);
  const onSavedRef = useRef(onSaved);
  useEffect(() => {
    onSavedRef.current = onSaved;
  });

  const start = useCallback((cid: string, destination: string) => {
    setSaving({ cid, destination, status: 'running', bytesDone: 0, totalBytes: -1 });
    downloadToFolder(cid, destination)
      .then(({ path }) => {
        setSaving((s) => (s && s.cid === cid ? { ...s, status: 'done', path } : s));
        onSavedRef.current();
      })
      .catch((err: unknown) => {
        setSaving((s) => (s && s.cid === cid ? { ...s, status: 'failed', error: errorText(err) } : s));
      });
  }, []);

  const onProgress = useCallback((p: TransferProgress) => {
    setSaving((s) =>
      s && s.status === 'running' && p.cid === s.cid
        ? { ...s, filename: p.filename, bytesDone: p.bytesDone, totalBytes: p.totalBytes }
        : s,
    );
  }, []);

  const dismiss = useCallback(() => setSaving((s) => (s?.status === 'running' ? s : null)), []);

  return { saving, start, onProgress, dismiss };
}
