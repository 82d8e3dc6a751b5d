import { describe, expect, it } from 'vitest';
import { jsonResponse, stubFetch } from '../test/fakes';
import { ApiError } from './client';
import {
  checkCid,
  contentURL,
  deleteFile,
  downloadToFolder,
  isNodeNotRunning,
  isValidCid,
  listFiles,
  progressOf,
  serverFileName,
  shortCid,
  uploadFile,
} from './files';

const REAL_CID = 'zDvZRwzm1ePSzKSXt57D5YxHwcSDmsCyYN65wW4HT7fuX9HrzFXy';

function reason(s: string): string {
  const c = checkCid(s);
  if (c.ok) throw new Error(`${s} was accepted`);
  return c.reason;
}

describe('checkCid / isValidCid', () => {
  it('accepts a real dataset CID, ignoring surrounding whitespace', () => {
    expect(isValidCid(REAL_CID)).toBe(true);
    expect(checkCid(`  ${REAL_CID}\n`)).toEqual({ ok: true, cid: REAL_CID });
  });

  it.each(['0', 'O', 'I', 'l'])('rejects the non-base58 character %s', (c) => {
    const s = REAL_CID.slice(0, 10) + c + REAL_CID.slice(11);
    expect(isValidCid(s)).toBe(false);
    expect(reason(s)).toBe(`contains characters that are not in a CID: "${c}"`);
  });

  it('names every foreign character once', () => {
    expect(reason(`zDvZ-0-0_${REAL_CID.slice(9)}`)).toBe('contains characters that are not in a CID: "-", "0", "_"');
  });

  it('rejects short and long strings', () => {
    expect(reason('zDvZRwzm1ePSzKSX')).toBe('too short: 16 characters, a CID has 46–60');
    expect(reason(REAL_CID.slice(0, 45))).toMatch(/^too short: 45 characters/);
    expect(reason(`${REAL_CID}abcdefghij`)).toMatch(/^too long: 62 characters/);
  });

  it('rejects a CIDv0 and other bases', () => {
    expect(reason('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')).toMatch(/CIDv0/);
    expect(reason('bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi')).toBe(
      'must start with "z" (a base58btc CIDv1)',
    );
    expect(reason('not-a-valid-cid')).toBe('must start with "z" (a base58btc CIDv1)');
  });

  it('rejects spaces inside and empty input', () => {
    expect(reason(`${REAL_CID.slice(0, 20)} ${REAL_CID.slice(20)}`)).toBe('contains spaces or line breaks');
    expect(reason(`${REAL_CID.slice(0, 20)}\t${REAL_CID.slice(20)}`)).toBe('contains spaces or line breaks');
    expect(isValidCid('')).toBe(false);
    expect(isValidCid('   ')).toBe(false);
  });

  it('catches a CID cut short or padded, which still looks plausible', () => {
    const damaged = 'does not decode to a CIDv1: a character is probably missing, extra or mistyped';
    expect(reason(REAL_CID.slice(0, -1))).toBe(damaged);
    expect(reason(`${REAL_CID}z`)).toBe(damaged);
    expect(reason(REAL_CID.slice(0, 20) + REAL_CID.slice(21))).toBe(damaged);
    // "z1…" decodes to a leading zero byte: version 0
    expect(reason(`z1${REAL_CID.slice(2)}`)).toBe(damaged);
  });
});

describe('serverFileName', () => {
  it('matches what the server calls an upload in its events', () => {
    expect(serverFileName('report.pdf')).toBe('report.pdf');
    expect(serverFileName('a/b\\c:d*.txt')).toBe('a_b_c_d_.txt');
    expect(serverFileName('  ..hidden.. ')).toBe('hidden');
    expect(serverFileName('tab\there')).toBe('tab_here');
    expect(serverFileName('...')).toBe('upload');
    expect(serverFileName('x'.repeat(256))).toBe('upload');
    expect(serverFileName('con.txt')).toBe('_con.txt');
  });
});

describe('files API', () => {
  it('lists files, filling in missing strings and dropping malformed entries', async () => {
    stubFetch(() =>
      Promise.resolve(
        jsonResponse([
          { cid: REAL_CID, filename: 'a.txt', mimetype: 'text/plain', size: 3, treeCid: 'zT' },
          { cid: 'zX', size: 1 },
          { filename: 'no cid', size: 1 },
        ]),
      ),
    );
    expect(await listFiles()).toEqual([
      { cid: REAL_CID, filename: 'a.txt', mimetype: 'text/plain', size: 3, treeCid: 'zT' },
      { cid: 'zX', filename: '', mimetype: '', size: 1, treeCid: '' },
    ]);
  });

  it('reports a stopped node as such', async () => {
    stubFetch(() => Promise.resolve(jsonResponse({ error: 'Node not running' }, 503)));
    const err = await listFiles().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(isNodeNotRunning(err)).toBe(true);
    expect(isNodeNotRunning(new ApiError(500, 'x'))).toBe(false);
  });

  it('uploads the File itself as the body, named in the query', async () => {
    const fetchMock = stubFetch(() => Promise.resolve(jsonResponse({ cid: REAL_CID })));
    const file = new File(['hello'], 'my report #1.txt', { type: 'text/plain' });
    expect(await uploadFile(file)).toEqual({ cid: REAL_CID });
    const [url, init] = fetchMock.mock.calls[0] ?? [];
    expect(url).toBe('/api/files?name=my%20report%20%231.txt');
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe(file);
    expect(init?.credentials).toBe('same-origin');
    expect(init?.headers).toMatchObject({ 'Content-Type': 'text/plain', 'X-Archivist-CSRF': '1' });
  });

  it('sends octet-stream for a file without a type and surfaces server errors', async () => {
    const fetchMock = stubFetch(() => Promise.resolve(jsonResponse({ error: 'the node failed: disk full' }, 502)));
    const err = await uploadFile(new File(['x'], 'blob')).catch((e: unknown) => e);
    expect(fetchMock.mock.calls[0]?.[1]?.headers).toMatchObject({ 'Content-Type': 'application/octet-stream' });
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(502);
    expect((err as ApiError).message).toBe('502 the node failed: disk full');
  });

  it('posts downloads, deletes by CID and builds the content URL', async () => {
    const fetchMock = stubFetch((_url, init) =>
      Promise.resolve(init?.method === 'DELETE' ? new Response(null, { status: 204 }) : jsonResponse({ path: '/d/a.txt' })),
    );
    expect(await downloadToFolder(REAL_CID, '/d')).toEqual({ path: '/d/a.txt' });
    expect(fetchMock.mock.calls[0]?.[0]).toBe('/api/files/download');
    expect(JSON.parse(fetchMock.mock.calls[0]?.[1]?.body as string)).toEqual({ cid: REAL_CID, destination: '/d' });
    await deleteFile(REAL_CID);
    expect(fetchMock.mock.calls[1]?.[0]).toBe(`/api/files/${REAL_CID}`);
    expect(contentURL(REAL_CID)).toBe(`/api/files/${REAL_CID}/content`);
  });

  it('reads progress from an event envelope', () => {
    const data = { id: 'upload-1', filename: 'a', bytesDone: 5, totalBytes: 10, percent: 50, done: false };
    expect(progressOf({ type: 'upload-progress', time: 't', data })).toEqual({ ...data, cid: undefined, error: undefined });
    expect(progressOf({ type: 'files-changed', time: 't' })).toBeNull();
    expect(progressOf(null)).toBeNull();
  });

  it('shortens a CID for display', () => {
    expect(shortCid(REAL_CID)).toBe('zDvZRwzm…HrzFXy');
    expect(shortCid('zShort')).toBe('zShort');
  });
});
