/**
 * The browser's side of the HTTP API (docs/api.md). Every error answer is
 * `{"error":{"code","message"}}`; here it becomes a thrown ApiError carrying that message, so
 * components show what the server said instead of a bare status.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'DELETE';

/** Sends a request; answers other than 2xx throw an ApiError. Network failures throw as fetch does. */
export async function apiFetch(path: string, options: { method?: Method; body?: unknown } = {}): Promise<Response> {
  const res = await fetch(path, {
    method: options.method ?? 'GET',
    cache: 'no-store',
    ...(options.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(options.body) }),
  });
  if (!res.ok) throw await errorOf(res);
  return res;
}

/** A request whose answer is JSON. */
export async function api<T>(path: string, options: { method?: Method; body?: unknown } = {}): Promise<T> {
  return (await (await apiFetch(path, options)).json()) as T;
}

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.message) return new ApiError(body.error.message, res.status, body.error.code);
  } catch {
    /* not JSON (a proxy's error page, say): the status is all there is */
  }
  return new ApiError(`HTTP ${res.status}`, res.status);
}
