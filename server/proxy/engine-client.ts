/**
 * A small HTTP client for the real engine's unix socket. Forwarded calls stay streams (logs -f,
 * stats, events and archives can be long or large); only the proxy's own look-ups and the
 * responses it must filter are buffered, with a size cap.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { SickbayError } from '@/lib/errors';

const JSON_RESPONSE_LIMIT = 32 * 1024 * 1024;
const LOOKUP_TIMEOUT_MS = 30_000;

export interface Upgraded {
  upgraded: true;
  socket: Duplex;
  head: Buffer;
}

export interface NotUpgraded {
  upgraded: false;
  response: http.IncomingMessage;
}

export interface SendOptions {
  body?: Buffer | string;
  contentType?: string;
}

function unavailable(err: unknown): SickbayError {
  return new SickbayError('engine_unavailable', `the Docker engine is unreachable: ${(err as Error).message}`, { cause: err });
}

export class EngineClient {
  private readonly agent: http.Agent;

  constructor(private readonly socketPath: string) {
    this.agent = new http.Agent({ keepAlive: true, maxFreeSockets: 4 });
  }

  private options(method: string, path: string, options: SendOptions, extraHeaders: Record<string, string> = {}): http.RequestOptions {
    const headers: Record<string, string> = { Host: 'docker', ...extraHeaders };
    if (options.body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(options.body));
    }
    return { socketPath: this.socketPath, method, path, headers, agent: this.agent };
  }

  /** Sends a request and resolves with the (unread) response stream. */
  send(method: string, path: string, options: SendOptions = {}): { request: http.ClientRequest; response: Promise<http.IncomingMessage> } {
    const request = http.request(this.options(method, path, options));
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', (err) => reject(unavailable(err)));
    });
    request.end(options.body);
    return { request, response };
  }

  /**
   * Starts a request whose body the caller writes (an upload streamed through): chunked
   * unless a length is given. The caller ends or destroys `request`.
   */
  stream(method: string, path: string, options: { contentType: string; contentLength?: number }): { request: http.ClientRequest; response: Promise<http.IncomingMessage> } {
    const headers: Record<string, string> = { Host: 'docker', 'Content-Type': options.contentType };
    if (options.contentLength !== undefined) headers['Content-Length'] = String(options.contentLength);
    // Its own connection: an aborted upload destroys it, which must not touch a pooled one.
    const request = http.request({ socketPath: this.socketPath, method, path, headers, agent: false });
    const response = new Promise<http.IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', (err) => reject(unavailable(err)));
    });
    return { request, response };
  }

  /** A buffered JSON call (the proxy's own look-ups and responses it filters). */
  async json<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: T }> {
    const { request, response } = this.send(method, path, body === undefined ? {} : { body: JSON.stringify(body) });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${LOOKUP_TIMEOUT_MS} ms`)), LOOKUP_TIMEOUT_MS);
    try {
      const res = await response;
      const text = (await readAll(res, JSON_RESPONSE_LIMIT)).toString('utf8');
      let parsed: unknown = null;
      if (text.trim() !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = { message: text.trim() };
        }
      }
      return { status: res.statusCode ?? 500, headers: res.headers, body: parsed as T };
    } finally {
      clearTimeout(timer);
    }
  }

  /** An HTTP upgrade (exec start, attach): the engine answers 101 and the socket becomes a raw stream. */
  upgrade(method: string, path: string, body: string): Promise<Upgraded | NotUpgraded> {
    const opts = this.options(method, path, { body }, { Connection: 'Upgrade', Upgrade: 'tcp' });
    // A hijacked socket must not go back to the keep-alive pool.
    opts.agent = false;
    return new Promise((resolve, reject) => {
      const request = http.request(opts);
      request.once('upgrade', (_res, socket, head) => resolve({ upgraded: true, socket, head }));
      request.once('response', (response) => resolve({ upgraded: false, response }));
      request.once('error', (err) => reject(unavailable(err)));
      request.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Reads a whole stream, failing past `limit` bytes. */
export function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        (stream as unknown as { destroy?: () => void }).destroy?.();
        reject(new SickbayError('internal', `engine response larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', (err) => reject(unavailable(err)));
  });
}
