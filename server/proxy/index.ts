/**
 * The per-session Docker API proxy: a unix socket the session's console container sees as
 * /var/run/docker.sock. Every request goes through the same gate (lib/proxy: target parsing,
 * allowlist, query and body checks), is scoped to the session's own objects here, forwarded
 * to the real engine, and written to the session's audit log exactly once.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { SickbayError } from '@/lib/errors';
import { AUDIT_LIMITS, AuditBudget, capText, rateText, type ProxyEvent } from '@/lib/proxy/audit-budget';
import { COACH_PREFIX } from '@/lib/proxy/coach';
import { REFUSAL_PREFIX } from '@/lib/proxy/refusal';
import { bodyLimit, checkRequest } from '@/lib/proxy/request';
import { REQUEST_TIMEOUTS } from '@/lib/proxy/uploads';
import { deniedAction } from '@/lib/proxy/routes';
import { Call, type AuditSink } from './call';
import type { ProxyContext, ProxyOptions } from './context';
import { EngineClient } from './engine-client';
import { dispatch } from './handlers';
import { hijack } from './hijack';
import { drain, errorAnswer, readBody, sendJson, writeRawError } from './http-io';
import { ExecRegistry, Ownership } from './ownership';
import { listenOnUnixSocket } from '../unix-socket';

export type { ProxyOptions } from './context';

const MAX_CONNECTIONS = 128;

export interface SessionProxy {
  socketPath: string;
  /** Stops listening, destroys open connections (hijacked ones too) and removes the socket. */
  close(): Promise<void>;
}

/** A readable path for refusals logged before the target could be parsed. */
function roughPath(url: string | undefined): string {
  const raw = (url ?? '').split('?')[0] ?? '';
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    /* keep it raw */
  }
  return decoded.replace(/^\/v[0-9.]+(?=\/)/, '').slice(0, 512);
}

function newCall(sink: AuditSink, method: string, url: string | undefined, connection: number): Call {
  const p = roughPath(url);
  return new Call(sink, { action: deniedAction(method, p), method, path: p, flags: { connection } });
}

function refusalReason(message: string, status: number): string {
  if (message.startsWith(REFUSAL_PREFIX) || message.startsWith(COACH_PREFIX)) return message;
  return status === 404 ? `${REFUSAL_PREFIX}not an object of this session (${message})` : `${REFUSAL_PREFIX}${message}`;
}

/** Anything but a read may create, remove or change one of the session's containers. */
function mutates(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

export async function startSessionProxy(options: ProxyOptions): Promise<SessionProxy> {
  if (!options.sessionId || !options.instance) throw new SickbayError('bad_request', 'the proxy needs a session id and an instance');
  const write = (event: ProxyEvent) => {
    try {
      options.audit(event);
    } catch (err) {
      options.log?.(`proxy ${options.sessionId}: audit sink failed: ${(err as Error).message}`);
    }
  };
  // Every proxy event passes the session's audit budget (lib/proxy/audit-budget.ts).
  const budget = new AuditBudget({ ...AUDIT_LIMITS, ...options.auditLimits });
  const emit: AuditSink = (event) => {
    for (const e of budget.record(event, Date.now())) write(e);
  };
  /**
   * A refused call, answered and logged; past the refusal rate it is answered 429 instead and
   * only counted (the streak is logged in aggregate).
   */
  const refused = (call: Call, err: unknown): { status: number; message: string } => {
    const answer = errorAnswer(err);
    // A stream that failed after its answer went out was logged already: not a refusal.
    if (call.done) return answer;
    if (budget.admitRefusal(Date.now())) {
      call.finish({ allowed: false, status: answer.status, reason: refusalReason(answer.message, answer.status) });
      return answer;
    }
    for (const e of budget.suppress(call.facts.action, Date.now())) write(e);
    const r = budget.limits;
    return { status: 429, message: `${REFUSAL_PREFIX}too many refused calls from this session (more than ${r.refusalBurst} at once, then ${rateText(r.refusalsPerSecond)}): wait a moment. This one was refused too: ${capText(answer.message.replace(REFUSAL_PREFIX, ''), 300)}` };
  };
  const engine = new EngineClient(options.engineSocketPath);
  const scope = { sessionId: options.sessionId, instance: options.instance };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
  const ctx: ProxyContext = { options, scope, engine, owned: new Ownership(engine, scope), execs: new ExecRegistry(), emit, coached: new Map(), serial };

  const sockets = new Set<Duplex>();
  const track = (s: Duplex) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const connectionIds = new WeakMap<object, number>();
  let connections = 0;

  // A client that trickles its headers or body (slowloris) is cut off with a 408.
  const server = http.createServer({ headersTimeout: REQUEST_TIMEOUTS.headersMs, requestTimeout: REQUEST_TIMEOUTS.requestMs, connectionsCheckingInterval: 1_000 });
  // One learner's CLI needs a handful (stats opens one per container); this bounds the engine
  // sockets a runaway loop in the console can hold open.
  server.maxConnections = MAX_CONNECTIONS;
  server.on('connection', (socket) => {
    track(socket);
    connectionIds.set(socket, ++connections);
    socket.on('error', () => socket.destroy());
  });

  // A request that timed out (or could not be parsed) is answered here, and the answer is
  // flushed before the connection closes: Node's own default destroys it right after writing.
  const responses = new WeakMap<Duplex, http.ServerResponse>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const started = responses.get(socket)?.headersSent;
    // The client went away (reset, or closed mid-request): nobody to answer.
    if (started || !socket.writable || err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE') {
      socket.destroy();
      return;
    }
    const [status, text] = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout'] : err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    setTimeout(() => socket.destroy(), 1_000).unref();
  });

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    responses.set(req.socket, res);
    const method = req.method ?? '';
    const call = newCall(emit, method, req.url, connectionIds.get(req.socket) ?? 0);
    void (async () => {
      try {
        const checked = checkRequest(method, req.url ?? '');
        call.facts.action = checked.route.action;
        call.facts.path = checked.path;
        // Uploads stream through (server/proxy/uploads.ts); every other body is small and read first.
        const body = checked.route.body === 'tar' ? Buffer.alloc(0) : await readBody(req, bodyLimit(checked.route));
        try {
          await dispatch({ ctx, call, req: checked, body, incoming: req, res });
        } finally {
          if (mutates(method)) ctx.owned.invalidate();
        }
      } catch (err) {
        const answer = refused(call, err);
        if (res.headersSent) res.destroy();
        else {
          const drained = await drain(req);
          sendJson(res, answer.status, { message: answer.message }, drained ? {} : { Connection: 'close' });
        }
      }
    })();
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const method = req.method ?? '';
    const call = newCall(emit, method, req.url, connectionIds.get(socket) ?? 0);
    void (async () => {
      try {
        const checked = checkRequest(method, req.url ?? '');
        call.facts.action = checked.route.action;
        call.facts.path = checked.path;
        try {
          await hijack(ctx, call, checked, req, socket, head, track);
        } finally {
          if (mutates(method)) ctx.owned.invalidate();
        }
      } catch (err) {
        const answer = refused(call, err);
        writeRawError(socket, answer.status, answer.message);
      }
    })();
  });

  // Only ever bind-mounted into that session's console, whose user must be able to connect.
  await listenOnUnixSocket(server, options.socketPath);

  let closing: Promise<void> | undefined;
  return {
    socketPath: options.socketPath,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const s of sockets) s.destroy();
        engine.close();
        for (const e of budget.flush()) write(e);
        await closed;
        await fs.unlink(options.socketPath).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') throw err;
        });
      })();
      return closing;
    },
  };
}
