import { describe, expect, it } from 'vitest';
import { jsonResponse, stubFetch } from '../test/fakes';
import { ApiError, apiGet, apiSend } from './client';

describe('api client', () => {
  it('sends the CSRF header and same-origin credentials, and parses JSON', async () => {
    const fetchMock = stubFetch(() => Promise.resolve(jsonResponse({ ok: true })));
    await expect(apiGet<{ ok: boolean }>('/api/thing')).resolves.toEqual({ ok: true });

    const init = fetchMock.mock.calls[0]?.[1];
    expect(init?.credentials).toBe('same-origin');
    expect(init?.headers).toMatchObject({ 'X-Archivist-CSRF': '1' });
  });

  it('sends a JSON body on state-changing requests', async () => {
    const fetchMock = stubFetch(() => Promise.resolve(new Response(null, { status: 204 })));
    await expect(apiSend('POST', '/api/thing', { a: 1 })).resolves.toBeUndefined();

    const init = fetchMock.mock.calls[0]?.[1];
    expect(init?.method).toBe('POST');
    expect(init?.body).toBe('{"a":1}');
    expect(init?.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Archivist-CSRF': '1' });
  });

  it('throws ApiError with the status and the server message', async () => {
    stubFetch(() => Promise.resolve(jsonResponse({ error: 'folder not found' }, 404)));
    const err = await apiGet('/api/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, message: '404 folder not found' });
  });

  it('falls back to the status text when the error body is not JSON', async () => {
    stubFetch(() => Promise.resolve(new Response('<html>', { status: 502, statusText: 'Bad Gateway' })));
    await expect(apiGet('/api/x')).rejects.toMatchObject({ status: 502, message: '502 Bad Gateway', body: undefined });
  });

  it('keeps the parsed error body so callers can read more than the message', async () => {
    const body = { error: 'node.api_port: bad', problems: [{ key: 'node.api_port', message: 'bad' }] };
    stubFetch(() => Promise.resolve(jsonResponse(body, 422)));
    const err = await apiSend('PUT', '/api/config', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, message: '422 node.api_port: bad', body });
  });

  it('reports a request that never got an answer as status 0', async () => {
    stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(apiGet('/api/x')).rejects.toMatchObject({ status: 0, message: 'Failed to fetch', body: undefined });
  });
});
