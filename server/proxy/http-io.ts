/**
 * Reading request bodies under a cap, and writing the proxy's own answers. Docker clients
 * read the `message` of an error body, so every answer the proxy makes itself is JSON.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { SickbayError, statusForCode, toSickbayError } from '@/lib/errors';
import { COACH_PREFIX } from '@/lib/proxy/coach';
import { refuse, REFUSAL_PREFIX } from '@/lib/proxy/refusal';

/** Reads the request body; refuses bodies over `limit` (0: the endpoint takes none). */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(limit === 0 ? refuse('this endpoint takes no request body') : refuse(`request body larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        failed = true;
        req.off('data', onData);
        req.pause();
        reject(limit === 0 ? refuse('this endpoint takes no request body') : refuse(`request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.once('error', (err) => reject(new SickbayError('bad_request', `reading the request failed: ${err.message}`, { cause: err })));
  });
}

/** Decodes a JSON body as UTF-8, refusing invalid byte sequences (Go would replace them). */
export function bodyText(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw refuse('the request body is not valid UTF-8');
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || status === 304) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

/** Status and message the learner sees for an error raised while handling a call. */
export function errorAnswer(err: unknown): { status: number; message: string; refused: boolean } {
  const e = toSickbayError(err);
  const status = statusForCode(e.code);
  // A call the coach held (409) is answered in its own words, like a refusal.
  const refused = e.code === 'forbidden' || e.code === 'not_found' || (e.code === 'conflict' && e.message.startsWith(COACH_PREFIX));
  const message = refused ? e.message : `${REFUSAL_PREFIX}proxy error: ${e.message}`;
  return { status, message, refused };
}

/** Writes an HTTP error answer on a raw socket (upgrade requests have no ServerResponse). */
export function writeRawError(socket: Duplex, status: number, message: string): void {
  const text = JSON.stringify({ message });
  const reason = status === 403 ? 'Forbidden' : status === 404 ? 'Not Found' : status === 400 ? 'Bad Request' : status === 429 ? 'Too Many Requests' : 'Error';
  if (!socket.writable) return;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

/**
 * Reads and discards what is left of a refused request's body, so the client gets to read
 * the refusal instead of a broken pipe. Large or slow bodies are not waited for.
 */
export function drain(req: http.IncomingMessage, maxBytes = 1024 * 1024, timeoutMs = 5_000): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  if (req.destroyed || req.socket.destroyed) return Promise.resolve(false);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.resolve(false);
  return new Promise((resolve) => {
    let size = 0;
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(false);
    };
    function finish(ok: boolean) {
      clearTimeout(timer);
      req.off('data', onData);
      if (!ok) req.pause();
      resolve(ok);
    }
    req.on('data', onData);
    req.once('end', () => finish(true));
    req.once('error', () => finish(false));
    req.resume();
  });
}
