import { ApiError } from '../api/client';

/** The server's message without the status prefix; "API unreachable" when there was no answer. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return `API unreachable: ${err.message}`;
    const body = err.body;
    if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string') return body.error;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
