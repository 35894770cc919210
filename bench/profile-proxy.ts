/**
 * `node --import tsx bench/profile-proxy.ts [runs]` — where a proxied Docker call spends its
 * time (docs/benchmarks.md, "Proxy"). Not part of `npm run bench`: it patches two internals of
 * the running proxy to take their cost out, one at a time, and measures raw HTTP requests over
 * the session's proxy socket against the engine's socket:
 *
 *   as shipped        every call: ownership look-up (the session's container list, reused
 *                     for 2 s) + the call + the audit event (a SQLite commit, synchronous=NORMAL)
 *   no audit commit   the audit event kept in memory instead of committed to the store
 *   ... never re-read ... and the ownership list read once for the whole run
 *
 * It also times the store's appendEvent alone. One leaky-job session in this process, removed
 * by its label at the end.
 */
import http from 'node:http';
import path from 'node:path';
import Docker from 'dockerode';
import { engineSocketPath } from '@/server/engine/console';
import { objectName } from '@/lib/lifecycle/objects';
import { Ownership } from '@/server/proxy/ownership';
import { removeInstanceObjects } from './lib/cleanup';
import { InProcessLab } from './lib/lab';
import { table } from './lib/report';
import { since, summarize } from './lib/stats';

const ROOT = path.resolve(import.meta.dirname, '..');
const runs = Math.min(500, Math.max(5, Number(process.argv[2] ?? 40) || 40));

function get(sock: string, target: string, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ socketPath: sock, method, path: target, agent: false, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(since(t0)));
    });
    req.on('timeout', () => req.destroy(new Error(`${target} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

async function median(sock: string, target: string, method?: string): Promise<number> {
  const out: number[] = [];
  for (let i = -3; i < runs; i++) {
    const ms = await get(sock, target, method);
    if (i >= 0) out.push(ms);
  }
  return summarize(out).median;
}

const docker = new Docker();
const lab = await InProcessLab.start(ROOT);
try {
  const s = await lab.startSession('bench-profile');
  const api = s.containers.api as string;
  const proxy = lab.proxySocket(s.id);
  const direct = engineSocketPath();
  const targets: [string, string, string?][] = [
    ['HEAD /_ping', '/_ping', 'HEAD'],
    ['GET /containers/json', '/v1.41/containers/json'],
    ['GET /containers/<api>/json', `/v1.41/containers/${objectName(s.id, 'api')}/json`],
    ['GET /containers/<api>/logs?tail=100', `/v1.41/containers/${api}/logs?stdout=1&stderr=1&tail=100`],
  ];

  const store = lab.services.store;
  const append = store.appendEvent.bind(store);
  const appendMs: number[] = [];
  const memory: unknown[] = [];
  const timed = ((...args: Parameters<typeof append>) => {
    const t0 = performance.now();
    const e = append(...args);
    appendMs.push(since(t0));
    return e;
  }) as typeof append;
  const inMemory = ((...args: Parameters<typeof append>) => {
    memory.push(args);
    return { id: memory.length, sessionId: args[0], t: 0, at: args[2], ...args[1] };
  }) as unknown as typeof append;
  const list = Ownership.prototype.containers;
  let cached: Awaited<ReturnType<typeof list>> | null = null;
  const cachedList = async function (this: Ownership) {
    cached ??= await list.call(this);
    return cached;
  };

  // The engine's own label-filtered list: the look-up the proxy makes for every targeted call.
  const filters = encodeURIComponent(JSON.stringify({ label: { 'sickbay.managed-by=sickbay': true, [`sickbay.session=${s.id}`]: true } }));
  const lookup = await median(direct, `/v1.41/containers/json?all=1&filters=${filters}`);

  const rows: (string | number)[][] = [];
  for (const [name, target, method] of targets) {
    const d = await median(direct, target, method);
    store.appendEvent = timed;
    Ownership.prototype.containers = list;
    const shipped = await median(proxy, target, method);
    store.appendEvent = inMemory;
    const noCommit = await median(proxy, target, method);
    Ownership.prototype.containers = cachedList;
    const noLookup = await median(proxy, target, method);
    store.appendEvent = append;
    Ownership.prototype.containers = list;
    rows.push([name, d.toFixed(2), shipped.toFixed(2), noCommit.toFixed(2), noLookup.toFixed(2)]);
  }
  const a = summarize(appendMs);
  console.log(`proxy profile: medians of ${runs} raw requests each, ms (session ${s.id})\n`);
  console.log(table(['request', 'direct', 'proxy as shipped', 'no audit commit', '... list never re-read'], rows));
  console.log(`\n  store.appendEvent (one audit event, synchronous=NORMAL): median ${a.median} ms, p95 ${a.p95} ms, n ${a.n}`);
  console.log(`  the ownership look-up alone (label-filtered list on the engine): median ${lookup.toFixed(2)} ms`);
  await lab.endSession(s.id);
} finally {
  await lab.close();
  await removeInstanceObjects(docker, lab.instance);
}
