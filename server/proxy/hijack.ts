/**
 * `docker exec -it` and `docker attach`/`run -it` arrive as an HTTP upgrade: the request body
 * (if any) sits in `head`, the proxy answers "101 UPGRADED" itself once the engine did, and
 * then bytes flow both ways untouched. Half-closes are kept (piped stdin ends, output still
 * drains). For TTY sessions with stdin, the learner's keystrokes also go through
 * execInputFilter: the command lines typed inside the container land in the audit log, and
 * in coach mode an evidence-losing line is held once (./exec-input.ts).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { LABEL } from '@/lib/lifecycle/labels';
import { queryFlags } from '@/lib/proxy/audit';
import { planExecStart } from '@/lib/proxy/bodies';
import { absent, refuse } from '@/lib/proxy/refusal';
import { bodyLimit, type CheckedRequest } from '@/lib/proxy/request';
import type { Call } from './call';
import type { ProxyContext } from './context';
import { readAll } from './engine-client';
import { execInputFilter, type ExecInput } from './exec-input';
import { builtBodyPath, enginePath } from './forward';
import { bodyText } from './http-io';

const BODY_WAIT_MS = 10_000;

/** Splits what arrived after the headers into the declared body and early stream bytes. */
function readUpgradeBody(req: http.IncomingMessage, socket: Duplex, head: Buffer, limit: number): Promise<{ body: Buffer; rest: Buffer }> {
  if (req.headers['transfer-encoding']) return Promise.reject(refuse('chunked request bodies are not accepted on an upgrade'));
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isInteger(length) || length < 0) return Promise.reject(refuse('invalid Content-Length'));
  if (length > limit) return Promise.reject(refuse(limit === 0 ? 'this endpoint takes no request body' : `request body larger than ${limit} bytes`));
  if (head.length >= length) return Promise.resolve({ body: head.subarray(0, length), rest: head.subarray(length) });
  return new Promise((resolve, reject) => {
    let buf = head;
    const timer = setTimeout(() => done(refuse('the request body did not arrive')), BODY_WAIT_MS);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= length) done();
    };
    const onEnd = () => done(refuse('the connection closed before the request body arrived'));
    function done(err?: Error) {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      if (err) reject(err);
      else resolve({ body: buf.subarray(0, length), rest: buf.subarray(length) });
    }
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

interface Plan {
  path: string;
  body: string;
  /** Where typed lines are attributed, when keystrokes should be reconstructed. */
  typed?: ExecInput;
}

const roleOf = (labels: Record<string, string>): ExecInput['role'] => (labels[LABEL.role] === 'service' ? 'service' : 'sidecar');

async function plan(ctx: ProxyContext, call: Call, req: CheckedRequest, body: Buffer): Promise<Plan> {
  const ref = req.ref ?? '';
  if (req.route.action === 'exec-start') {
    const exec = ctx.execs.get(ref);
    if (!exec) throw absent('exec', ref);
    const start = planExecStart(bodyText(body));
    call.facts.target = exec.target;
    call.facts.targetId = exec.containerId;
    call.facts.flags = { ...call.facts.flags, tty: start.tty, detach: start.detach };
    call.facts.command = exec.command;
    const path = builtBodyPath(req.path);
    if (!(exec.tty && exec.stdin && !start.detach)) return { path, body: JSON.stringify(start.body) };
    const container = await ctx.owned.container(exec.containerId);
    return { path, body: JSON.stringify(start.body), typed: { target: exec.target, role: roleOf(container.labels), command: exec.command } };
  }
  if (body.length > 0) throw refuse('attach takes no request body');
  const container = await ctx.owned.container(ref);
  call.facts.target = container.target;
  call.facts.targetId = container.id;
  let typed: ExecInput | undefined;
  if (req.query.stdin === '1') {
    const inspect = await ctx.engine.json<{ Config?: { Tty?: boolean; Cmd?: string[] } }>('GET', `/containers/${container.id}/json`);
    if (inspect.body?.Config?.Tty) typed = { target: container.target, role: roleOf(container.labels), command: inspect.body.Config.Cmd ?? [] };
  }
  const [, kind, , ...rest] = req.path.split('/');
  return { path: enginePath(['', kind, container.id, ...rest].join('/'), req.version, req.query), body: '', ...(typed ? { typed } : {}) };
}

/** Relays a non-101 engine answer (e.g. 409 "container is not running") on the raw socket. */
async function relayResponse(socket: Duplex, response: http.IncomingMessage): Promise<number> {
  const body = await readAll(response, 1024 * 1024);
  const status = response.statusCode ?? 502;
  const type = (response.headers['content-type'] as string | undefined) ?? 'application/json';
  socket.end(`HTTP/1.1 ${status} ${response.statusMessage ?? ''}\r\nContent-Type: ${type}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('latin1')}`, 'latin1');
  return status;
}

export async function hijack(ctx: ProxyContext, call: Call, req: CheckedRequest, httpReq: http.IncomingMessage, client: Duplex, head: Buffer, track: (s: Duplex) => void): Promise<void> {
  if (req.route.handler !== 'hijack') throw refuse('only exec start and attach may upgrade the connection');
  call.facts.flags = { ...call.facts.flags, ...queryFlags(req.route, req.query) };
  const { body, rest } = await readUpgradeBody(httpReq, client, head, bodyLimit(req.route));
  const p = await plan(ctx, call, req, body);
  const up = await ctx.engine.upgrade('POST', p.path, p.body);
  if (!up.upgraded) {
    const status = await relayResponse(client, up.response);
    call.finish({ allowed: true, status });
    return;
  }
  const engine = up.socket;
  track(engine);
  client.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
  call.finish({ allowed: true, status: 101 });
  if (up.head.length > 0) client.write(up.head);

  const destroyBoth = () => {
    client.destroy();
    engine.destroy();
  };
  client.on('error', destroyBoth);
  engine.on('error', destroyBoth);
  engine.pipe(client);
  if (p.typed) {
    // Keystrokes pass through the filter (typed lines, coach mode); writes keep backpressure.
    const filter = execInputFilter(ctx, p.typed);
    const pass = (chunk: Buffer) => {
      const { forward, show } = filter(chunk);
      if (show && !client.destroyed) client.write(show);
      if (forward.length > 0 && !engine.write(forward)) {
        client.pause();
        engine.once('drain', () => client.resume());
      }
    };
    if (rest.length > 0) pass(rest);
    client.on('data', pass);
    client.once('end', () => engine.end());
  } else {
    if (rest.length > 0) engine.write(rest);
    // pipe() half-closes the other side on 'end', which is what stdin EOF needs.
    client.pipe(engine);
  }
  client.once('close', () => engine.destroy());
  engine.once('close', () => {
    if (!client.destroyed) client.end();
  });
  client.resume();
}
