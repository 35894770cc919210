/**
 * The handlers behind the route table (lib/proxy/routes.ts), one per handler kind. Each
 * resolves the object the call names within the session (or answers "absent"), checks the
 * body against its schema, forwards what it rebuilt, and fills in the call's audit facts.
 */
import crypto from 'node:crypto';
import { isSickbayError } from '@/lib/errors';
import { LABEL } from '@/lib/lifecycle/labels';
import { queryFlags } from '@/lib/proxy/audit';
import { capCommand } from '@/lib/proxy/audit-budget';
import { aliasRefusal, endpointBody, planExecCreate, planExecStart, planNetworkEndpoint, planUpdate } from '@/lib/proxy/bodies';
import { isJsonObject } from '@/lib/proxy/json';
import { checkPidBudget, SESSION_LIMITS } from '@/lib/proxy/limits';
import { absent, refuse } from '@/lib/proxy/refusal';
import { capApiVersion, imageRefAllowed, imageView, ownItems, ownNetworkView, redactHostPaths, reduceInfo, visibleImages } from '@/lib/proxy/responses';
import { FILTER_KEYS, forceLabelFilters, parseFilters, sessionPrefix } from '@/lib/proxy/scope';
import { execExitCode } from '@/lib/proxy/exec-exit';
import { planSidecar, sidecarBody, sidecarName } from '@/lib/proxy/sidecar';
import { MAX_API_VERSION } from '@/lib/proxy/target';
import { type Exchange, setTarget, withId } from './exchange';
import { commit, removeSnapshot } from './snapshot-handlers';
import { coachGate } from './coach-gate';
import { sessionPidLimits } from './budgets';
import type { OwnedContainer } from './ownership';
import { EventGate } from './event-stream';
import { readAll } from './engine-client';
import { builtBodyPath, enginePath, forwardJson, forwardStream, passedHeaders } from './forward';
import { bodyText } from './http-io';
import { streamUpload } from './uploads';

type Item = Record<string, unknown>;

/**
 * A sidecar joining a container outside the session gets the same answer whether that
 * container exists elsewhere or not at all. It is a refusal (403), not Docker's 404: on a 404
 * from create the CLI concludes the image is missing and tries to pull it.
 */
async function joinable(x: Exchange, ref: string, flag: '--pid' | '--net'): Promise<OwnedContainer> {
  try {
    return await x.ctx.owned.container(ref);
  } catch (err) {
    if (isSickbayError(err) && err.code === 'not_found') throw refuse(`${flag} container:${ref}: No such container: ${ref}`);
    throw err;
  }
}

async function ping(x: Exchange): Promise<void> {
  const { request, response } = x.ctx.engine.send(x.req.method, enginePath('/_ping', x.req.version));
  x.res.once('close', () => request.destroy());
  const upstream = await response;
  const body = await readAll(upstream, 1024);
  const headers: Record<string, string> = {
    'Content-Type': 'text/plain; charset=utf-8',
    'Api-Version': capApiVersion(upstream.headers['api-version'] as string | undefined, MAX_API_VERSION),
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
  };
  for (const h of ['ostype', 'docker-experimental', 'builder-version']) {
    const v = upstream.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  // No swarm here, whatever the engine says: the CLI then never offers swarm commands.
  headers.Swarm = 'inactive';
  headers['Content-Length'] = String(x.req.method === 'HEAD' ? 0 : body.length);
  x.res.writeHead(upstream.statusCode ?? 502, headers);
  x.res.end(x.req.method === 'HEAD' ? undefined : body);
  x.call.finish({ allowed: true, status: upstream.statusCode ?? 502 });
}

async function info(x: Exchange): Promise<void> {
  const containers = await x.ctx.owned.containers({ fresh: true });
  const count = (state: string) => containers.filter((c) => c.state === state).length;
  const running = count('running');
  const paused = count('paused');
  await forwardJson(x.ctx, x.call, x.res, 'GET', enginePath('/info', x.req.version), (body) =>
    reduceInfo(isJsonObject(body) ? body : {}, { containers: containers.length, running, paused, stopped: containers.length - running - paused }),
  );
}

async function listContainers(x: Exchange): Promise<void> {
  const filters = forceLabelFilters(x.req.query.filters, x.ctx.scope, FILTER_KEYS.containers);
  const path = enginePath('/containers/json', x.req.version, { ...x.req.query, filters });
  await forwardJson(x.ctx, x.call, x.res, 'GET', path, (body) => ownItems(body, x.ctx.scope));
}

async function listNetworks(x: Exchange): Promise<void> {
  const filters = forceLabelFilters(x.req.query.filters, x.ctx.scope, FILTER_KEYS.networks);
  await forwardJson(x.ctx, x.call, x.res, 'GET', enginePath('/networks', x.req.version, { filters }), (body) => ownItems(body, x.ctx.scope));
}

function imageScope(x: Exchange) {
  return { images: x.ctx.options.sidecar.images, snapshotRepository: x.ctx.options.commitRepository };
}

async function listImages(x: Exchange): Promise<void> {
  const filters = JSON.stringify(parseFilters(x.req.query.filters, FILTER_KEYS.images));
  const path = enginePath('/images/json', x.req.version, { ...x.req.query, filters });
  await forwardJson(x.ctx, x.call, x.res, 'GET', path, (body) => visibleImages(body, imageScope(x)));
}

async function imageInspect(x: Exchange): Promise<void> {
  const ref = x.req.ref ?? '';
  x.call.facts.target = ref;
  if (!imageRefAllowed(ref, imageScope(x))) throw absent('image', ref);
  await forwardJson(x.ctx, x.call, x.res, 'GET', enginePath(x.req.path, x.req.version), (body) => imageView(body as Item, imageScope(x)));
}

/** `docker events`: forced label filters, and every event line checked again before it goes out. */
async function events(x: Exchange): Promise<void> {
  const filters = forceLabelFilters(x.req.query.filters, x.ctx.scope, FILTER_KEYS.events);
  const { request, response } = x.ctx.engine.send('GET', enginePath('/events', x.req.version, { ...x.req.query, filters }));
  x.res.once('close', () => request.destroy());
  const upstream = await response;
  const status = upstream.statusCode ?? 502;
  x.res.writeHead(status, passedHeaders(upstream.headers));
  x.res.flushHeaders();
  x.call.finish({ allowed: true, status });
  if (status !== 200) {
    upstream.pipe(x.res);
    return;
  }
  const gate = new EventGate(x.res, x.ctx.scope, (id) => x.ctx.execs.has(id));
  upstream.setEncoding('utf8');
  upstream.on('data', (text: string) => {
    if (!gate.write(text)) x.res.destroy();
  });
  upstream.on('end', () => gate.end());
  x.res.once('close', () => gate.close());
  upstream.on('error', () => x.res.destroy());
}

/** Calls on one own container or exec, streamed through unchanged. */
async function forward(x: Exchange): Promise<void> {
  const ref = x.req.ref ?? '';
  if (x.req.route.target === 'exec') {
    const exec = x.ctx.execs.get(ref);
    if (!exec) throw absent('exec', ref);
    x.call.facts.target = exec.target;
    x.call.facts.targetId = exec.containerId;
    if (x.req.route.action === 'exec-inspect') {
      // Record what ran and how it ended, as Docker says: goals trust the exit status, not the text.
      x.call.facts.command = exec.command;
      await forwardJson(x.ctx, x.call, x.res, x.req.method, enginePath(x.req.path, x.req.version, x.req.query), (body) => {
        const exitCode = execExitCode(body);
        if (exitCode !== undefined) x.call.facts.flags = { ...x.call.facts.flags, exitCode };
        return body;
      });
      return;
    }
    await forwardStream(x.ctx, x.call, x.res, x.req.method, enginePath(x.req.path, x.req.version, x.req.query));
    return;
  }
  const container = await x.ctx.owned.container(ref);
  setTarget(x.call, container);
  coachGate(x.ctx, x.call, container);
  await forwardStream(x.ctx, x.call, x.res, x.req.method, enginePath(withId(x.req, container.id), x.req.version, x.req.query));
}

async function containerInspect(x: Exchange): Promise<void> {
  const container = await x.ctx.owned.container(x.req.ref ?? '');
  setTarget(x.call, container);
  await forwardJson(x.ctx, x.call, x.res, 'GET', enginePath(withId(x.req, container.id), x.req.version, x.req.query), (body) => redactHostPaths(body as Item));
}

/** exec start / attach without an upgrade (e.g. curl, or a detached exec start). */
async function hijackWithoutUpgrade(x: Exchange): Promise<void> {
  if (x.req.route.action !== 'exec-start') {
    if (x.body.length > 0) throw refuse('attach takes no request body');
    return forward(x);
  }
  const ref = x.req.ref ?? '';
  const exec = x.ctx.execs.get(ref);
  if (!exec) throw absent('exec', ref);
  const plan = planExecStart(bodyText(x.body));
  x.call.facts.target = exec.target;
  x.call.facts.targetId = exec.containerId;
  x.call.facts.flags = { ...x.call.facts.flags, tty: plan.tty, detach: plan.detach };
  await forwardStream(x.ctx, x.call, x.res, 'POST', builtBodyPath(x.req.path), { body: JSON.stringify(plan.body) });
}

async function execCreate(x: Exchange): Promise<void> {
  const container = await x.ctx.owned.container(x.req.ref ?? '');
  setTarget(x.call, container);
  const plan = planExecCreate(bodyText(x.body));
  x.call.facts.command = plan.command;
  x.call.facts.flags = {
    ...x.call.facts.flags,
    tty: plan.tty,
    interactive: plan.stdin,
    detach: plan.detach,
    ...(plan.user ? { user: plan.user } : {}),
    ...(plan.workdir ? { workdir: plan.workdir } : {}),
    ...(plan.env ? { env: plan.env } : {}),
  };
  await forwardJson(x.ctx, x.call, x.res, 'POST', builtBodyPath(withId(x.req, container.id)), (body) => {
    const id = (body as { Id?: unknown } | null)?.Id;
    if (typeof id === 'string') {
      // The registry keeps the command as the audit stores it (up to 4 096 execs are remembered).
      x.ctx.execs.add(id, { containerId: container.id, target: container.target, tty: plan.tty, stdin: plan.stdin, command: capCommand(plan.command) });
      x.call.facts.flags = { ...x.call.facts.flags, exec: id.slice(0, 12) };
    }
    return body;
  }, plan.body);
}

async function sidecarCreate(x: Exchange): Promise<void> {
  const { options, scope, owned } = x.ctx;
  const plan = planSidecar(bodyText(x.body), x.req.query.name, options.sidecar, options.commitRepository);
  x.call.facts.command = plan.command;
  x.call.facts.flags = { ...x.call.facts.flags, image: plan.image, tty: plan.tty, interactive: plan.interactive };
  const pid = plan.pidRef ? await joinable(x, plan.pidRef, '--pid') : undefined;
  const net = plan.netRef ? await joinable(x, plan.netRef, '--net') : undefined;
  if (pid) x.call.facts.flags = { ...x.call.facts.flags, pid: pid.target };
  if (net) x.call.facts.flags = { ...x.call.facts.flags, net: net.target };
  const name = sidecarName(plan, sessionPrefix(scope), crypto.randomBytes(3).toString('hex'));
  x.call.facts.target = name.slice(sessionPrefix(scope).length);
  const body = sidecarBody(plan, { ...(pid ? { pidId: pid.id } : {}), ...(net ? { netId: net.id } : {}) }, options.sidecar, scope);
  const pidsLimit = (body.HostConfig as { PidsLimit: number }).PidsLimit;
  await x.ctx.serial(async () => {
    const sidecars = (await owned.containers({ fresh: true })).filter((c) => c.role === 'sidecar').length;
    const max = SESSION_LIMITS.maxSidecars;
    if (sidecars >= max) throw refuse(`a session may have at most ${max} debug sidecars: remove one first (docker rm -f <name>)`);
    checkPidBudget(await sessionPidLimits(x.ctx), { name: `a new debug sidecar (${x.call.facts.target})`, pidsLimit });
    await forwardJson(x.ctx, x.call, x.res, 'POST', builtBodyPath('/containers/create', { name }), (answer) => {
      const id = (answer as { Id?: unknown } | null)?.Id;
      if (typeof id === 'string') x.call.facts.targetId = id;
      return answer;
    }, body);
  });
}

async function update(x: Exchange): Promise<void> {
  const container = await x.ctx.owned.container(x.req.ref ?? '');
  setTarget(x.call, container);
  // A sidecar's forced limits are its ceiling: update may lower them, never lift them.
  const { sidecar, updateCeiling } = x.ctx.options;
  const ceiling = container.role === 'sidecar' ? { memoryBytes: sidecar.memoryBytes, nanoCpus: sidecar.nanoCpus, pidsLimit: sidecar.pidsLimit, name: 'the debug sidecar limit' } : updateCeiling;
  const plan = planUpdate(bodyText(x.body), ceiling);
  x.call.facts.flags = { ...x.call.facts.flags, ...plan.flags };
  coachGate(x.ctx, x.call, container);
  await x.ctx.serial(async () => {
    const pidsLimit = plan.body.PidsLimit;
    if (pidsLimit !== undefined) checkPidBudget(await sessionPidLimits(x.ctx), { id: container.id, name: container.target, pidsLimit });
    await forwardJson(x.ctx, x.call, x.res, 'POST', builtBodyPath(withId(x.req, container.id)), (b) => b, plan.body);
  });
}

async function archivePut(x: Exchange): Promise<void> {
  const container = await x.ctx.owned.container(x.req.ref ?? '');
  setTarget(x.call, container);
  await streamUpload({ ctx: x.ctx, call: x.call, incoming: x.incoming, res: x.res, container, path: enginePath(withId(x.req, container.id), x.req.version, x.req.query) });
}

async function removeSidecar(x: Exchange): Promise<void> {
  const container = await x.ctx.owned.container(x.req.ref ?? '');
  setTarget(x.call, container);
  if (container.labels[LABEL.role] !== 'sidecar') throw refuse(`only debug sidecars can be removed; ${container.target} belongs to the scenario`);
  await forwardStream(x.ctx, x.call, x.res, 'DELETE', enginePath(withId(x.req, container.id), x.req.version, x.req.query));
}

async function networkInspect(x: Exchange): Promise<void> {
  const network = await x.ctx.owned.network(x.req.ref ?? '');
  x.call.facts.target = network.name.replace(sessionPrefix(x.ctx.scope), '');
  x.call.facts.targetId = network.id;
  const ownIds = new Set((await x.ctx.owned.containers()).map((c) => c.id));
  await forwardJson(x.ctx, x.call, x.res, 'GET', enginePath(withId(x.req, network.id), x.req.version, x.req.query), (body) => ownNetworkView(body as Item, ownIds));
}

async function networkEndpoint(x: Exchange): Promise<void> {
  const action = x.req.route.action as 'network-connect' | 'network-disconnect';
  const network = await x.ctx.owned.network(x.req.ref ?? '');
  const plan = planNetworkEndpoint(bodyText(x.body), action);
  const container = await x.ctx.owned.container(plan.containerRef);
  setTarget(x.call, container);
  x.call.facts.flags = { ...x.call.facts.flags, network: network.name.replace(sessionPrefix(x.ctx.scope), ''), ...(plan.aliases.length ? { aliases: plan.aliases.join(',') } : {}), ...(plan.force ? { force: true } : {}) };
  if (plan.aliases.length > 0) {
    const own = [container.labels[LABEL.service] ?? '', container.name, container.id.slice(0, 12)].filter((n) => n !== '');
    const refusal = aliasRefusal(plan.aliases, await x.ctx.owned.namesInUse(), own);
    if (refusal) throw refuse(refusal);
  }
  await forwardJson(x.ctx, x.call, x.res, 'POST', builtBodyPath(withId(x.req, network.id)), (b) => b, endpointBody(plan, container.id, action));
}

function absentObject(x: Exchange): never {
  const kind = x.req.route.target === 'plugin' ? 'plugin' : 'volume';
  throw absent(kind, x.req.ref ?? '');
}

/** Runs the handler of an already checked request (target, route, query). */
export async function dispatch(x: Exchange): Promise<void> {
  x.call.facts.flags = { ...x.call.facts.flags, ...queryFlags(x.req.route, x.req.query) };
  switch (x.req.route.handler) {
    case 'ping':
      return ping(x);
    case 'version':
      return forwardJson(x.ctx, x.call, x.res, 'GET', enginePath('/version', x.req.version), (b) => b);
    case 'info':
      return info(x);
    case 'list-containers':
      return listContainers(x);
    case 'list-networks':
      return listNetworks(x);
    case 'list-images':
      return listImages(x);
    case 'events':
      return events(x);
    case 'forward':
      return forward(x);
    case 'container-inspect':
      return containerInspect(x);
    case 'hijack':
      return hijackWithoutUpgrade(x);
    case 'exec-create':
      return execCreate(x);
    case 'sidecar-create':
      return sidecarCreate(x);
    case 'update':
      return update(x);
    case 'commit':
      return commit(x);
    case 'archive-put':
      return archivePut(x);
    case 'remove-sidecar':
      return removeSidecar(x);
    case 'network-inspect':
      return networkInspect(x);
    case 'network-endpoint':
      return networkEndpoint(x);
    case 'image-inspect':
      return imageInspect(x);
    case 'remove-snapshot':
      return removeSnapshot(x);
    case 'absent':
      return absentObject(x);
  }
}

