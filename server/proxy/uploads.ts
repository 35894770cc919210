/**
 * `docker cp` into a container: the tar body is streamed to the engine as it arrives, counted
 * on the way, with backpressure, so the server holds a few chunks per upload, never the whole
 * archive. Past the cap the engine request is aborted and the learner gets the refusal. The
 * engine extracts as it reads and has no rollback: entries that arrived complete before the
 * abort stay in the container, the one being written is left cut short (docs/security.md).
 */
import type http from 'node:http';
import { SickbayError } from '@/lib/errors';
import { UploadLedger } from '@/lib/proxy/uploads';
import type { Call } from './call';
import type { ProxyContext } from './context';
import { passedHeaders } from './forward';
import type { OwnedContainer } from './ownership';

/** One ledger for every session proxy of this process: the byte budget is server-wide. */
export const uploads = new UploadLedger();

function declaredLength(req: http.IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new SickbayError('bad_request', 'invalid Content-Length');
  return Number(raw);
}

export interface UploadExchange {
  ctx: ProxyContext;
  call: Call;
  incoming: http.IncomingMessage;
  res: http.ServerResponse;
  container: OwnedContainer;
  /** The engine path, container resolved, query rebuilt. */
  path: string;
  ledger?: UploadLedger;
}

export async function streamUpload(u: UploadExchange): Promise<void> {
  const ledger = u.ledger ?? uploads;
  const declared = declaredLength(u.incoming);
  const release = ledger.acquire(u.ctx.scope.sessionId, ledger.reservation(declared));
  u.res.once('close', release);
  const max = ledger.limits.maxBytes;
  const { request, response } = u.ctx.engine.stream('PUT', u.path, { contentType: 'application/x-tar', ...(declared !== undefined ? { contentLength: declared } : {}) });
  let received = 0;
  let answered = false;
  let fail: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {});

  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received > max) {
      // After the engine answered, the rest is only read to be dropped; past the cap, no more.
      if (answered) u.incoming.socket.destroy();
      else stop(ledger.tooLarge());
      return;
    }
    if (answered) return;
    if (!request.write(chunk)) {
      u.incoming.pause();
      request.once('drain', () => u.incoming.resume());
    }
  };
  const stop = (err: Error) => {
    u.incoming.off('data', onData);
    u.incoming.pause();
    request.destroy();
    u.call.facts.flags = { ...u.call.facts.flags, bytes: received };
    fail(err);
  };
  u.incoming.on('data', onData);
  u.incoming.once('end', () => {
    if (!answered) request.end();
  });
  u.incoming.once('close', () => {
    if (!u.incoming.complete && !answered) stop(new SickbayError('bad_request', 'the upload was cut off before its end'));
  });
  u.res.once('close', () => request.destroy());

  const upstream = await Promise.race([response, failed]);
  answered = true;
  const status = upstream.statusCode ?? 502;
  u.res.writeHead(status, passedHeaders(upstream.headers));
  u.res.flushHeaders();
  u.call.facts.flags = { ...u.call.facts.flags, bytes: received };
  u.call.finish({ allowed: true, status });
  upstream.on('error', () => u.res.destroy());
  upstream.pipe(u.res);
  // An engine that answered early (a bad path) stops reading: drop what is left of the body.
  if (!u.incoming.complete) u.incoming.resume();
}
