/**
 * Streaming a call through to the engine. Headers are flushed as soon as the engine answers
 * (`docker attach`, `logs -f` and `wait` hang otherwise), the body is piped, and a learner who
 * hangs up (Ctrl-C on `logs -f`) ends the engine request too.
 */
import type http from 'node:http';
import { encodePath, MAX_API_VERSION } from '@/lib/proxy/target';
import { encodeQuery } from '@/lib/proxy/query';
import type { Call } from './call';
import type { ProxyContext } from './context';
import { sendJson } from './http-io';

/** Engine response headers a Docker client may need; everything else is dropped. */
const PASSED_HEADERS = ['content-type', 'content-length', 'api-version', 'docker-experimental', 'ostype', 'server', 'x-docker-container-path-stat'];

export function passedHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const v = headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}

export function enginePath(path: string, version: string | null, query: Readonly<Record<string, string | undefined>> = {}): string {
  return encodePath(path, version) + encodeQuery(query);
}

/**
 * Where a request whose body the proxy built goes: always the API version the schemas were
 * checked against, whatever version the learner's client named. For older versions the engine
 * rewrites create bodies itself (below 1.25 it drops AutoRemove, below 1.40 an empty IpcMode
 * becomes "shareable"), which would undo what the proxy forced.
 */
export function builtBodyPath(path: string, query: Readonly<Record<string, string | undefined>> = {}): string {
  return enginePath(path, MAX_API_VERSION, query);
}

export interface ForwardOptions {
  body?: Buffer | string;
  contentType?: string;
}

/** Forwards a call and streams the engine's answer back unchanged. */
export async function forwardStream(ctx: ProxyContext, call: Call, res: http.ServerResponse, method: string, path: string, options: ForwardOptions = {}): Promise<void> {
  const { request, response } = ctx.engine.send(method, path, options);
  res.once('close', () => request.destroy());
  const upstream = await response;
  const status = upstream.statusCode ?? 502;
  res.writeHead(status, passedHeaders(upstream.headers));
  res.flushHeaders();
  call.finish({ allowed: true, status });
  upstream.on('error', () => res.destroy());
  upstream.pipe(res);
}

/**
 * Forwards a call whose JSON answer the proxy rewrites (lists, info, network inspect). Error
 * answers from the engine are passed on as they are.
 */
export async function forwardJson(ctx: ProxyContext, call: Call, res: http.ServerResponse, method: string, path: string, rewrite: (body: unknown) => unknown | Promise<unknown>, body?: unknown): Promise<void> {
  const answer = await ctx.engine.json(method, path, body);
  const out = answer.status >= 200 && answer.status < 300 ? await rewrite(answer.body) : answer.body;
  sendJson(res, answer.status, out ?? {}, answer.headers['api-version'] ? { 'Api-Version': String(answer.headers['api-version']) } : {});
  call.finish({ allowed: true, status: answer.status });
}

