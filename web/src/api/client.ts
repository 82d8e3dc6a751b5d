// The single way the UI talks to the Go backend. Same origin (served by the
// backend, proxied by Vite in dev); auth is the backend's HttpOnly session
// cookie, so nothing here handles tokens.

/**
 * Thrown for any failed request: status 0 means the request never got an answer.
 * body is the parsed JSON of the error response (e.g. {"error", "problems"}),
 * or undefined when there was none or it was not JSON.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly body: unknown;

  constructor(status: number, message: string, body?: unknown) {
    super(status > 0 ? `${status} ${message}` : message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

// The backend rejects state-changing requests without this header (a simple
// CSRF guard: cross-site forms cannot set custom headers). Sending it on every
// request keeps callers from having to remember which ones need it.
const CSRF_HEADER = 'X-Archivist-CSRF';

export function apiGet<T>(path: string): Promise<T> {
  return apiSend<T>('GET', path);
}

export async function apiSend<T>(method: HttpMethod, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', [CSRF_HEADER]: '1' };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let res: Response;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, err instanceof Error ? err.message : String(err));
  }

  const text = await res.text();
  if (!res.ok) {
    const errBody = parseJSON(text);
    throw new ApiError(res.status, errorMessage(errBody, res.statusText), errBody);
  }
  if (text === '') {
    // 204 and friends: callers that expect no body type T as void.
    return undefined as T;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, `invalid JSON from ${path}`);
  }
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON (a proxy's HTML page, an empty body)
  }
}

// Error bodies are {"error":"…"}; anything else (a proxy's HTML page, an
// empty body) falls back to the status text so the user still sees something.
function errorMessage(body: unknown, statusText: string): string {
  if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string') {
    return body.error;
  }
  return statusText || 'request failed';
}
