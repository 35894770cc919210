/**
 * `npm run bench:footprint -- [--counts 10,100] [--concurrency 4] [--snapshots] [--out FILE]`
 *
 * Does the server's own memory stay flat as sessions come and go? A real server (its own data
 * dir and SICKBAY_INSTANCE, the V8 inspector on loopback) runs complete leaky-job sessions, a
 * few at a time: start, wait until ready, open the terminal, run ps, stats, logs, an exec and
 * events through the session's proxy, load its page, check the goals, submit a diagnosis, close
 * the terminal, end, read the report, its page, the replay page and the recording. After each count (10, then 100 in all) it measures the server from
 * outside: RSS, heap after two full GCs, live libuv handles by kind, open file descriptors, and
 * (--snapshots) a heap snapshot summarised by constructor, whose growth names what leaks.
 * Target (issue #18): RSS and heap after 100 within 1.5x of after 10.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { PROMPT_MARKER } from '@/lib/terminal/typed-lines';
import { toolLog } from '@/scripts/cli/options';
import { api } from '@/test/integration/helpers';
import { listInstanceObjects, removeInstanceObjects } from './lib/cleanup';
import { snapshotGrowth, type HeapFigures, type Resources, type SnapshotSummary } from './lib/inspector';
import { gitState, machineInfo } from './lib/machine';
import { dockerClis } from './lib/proc';
import { mib, table } from './lib/report';
import { appBuild } from './lib/server';
import { ManagedServer } from './lib/server-process';
import { WebSocketTypist } from './lib/terminal';

const ROOT = path.resolve(import.meta.dirname, '..');
const SCENARIO = 'leaky-job';
const TARGET_RATIO = 1.5;
const USAGE = 'usage: npm run bench:footprint -- [--counts 10,100] [--concurrency 1-8] [--snapshots] [--out FILE]';

interface Args {
  counts: number[];
  concurrency: number;
  snapshots: boolean;
  out: string | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { counts: [10, 100], concurrency: 4, snapshots: false, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const v = () => argv[++i] ?? '';
    if (a === '--counts') {
      args.counts = v().split(',').map(Number);
      if (args.counts.length < 2 || args.counts.some((n, j) => !Number.isInteger(n) || n < 1 || n > 500 || (j > 0 && n <= (args.counts[j - 1] as number)))) {
        throw new Error('--counts takes two or more increasing integers up to 500, e.g. 10,100');
      }
    } else if (a === '--concurrency') {
      args.concurrency = Number(v());
      if (!Number.isInteger(args.concurrency) || args.concurrency < 1 || args.concurrency > 8) throw new Error('--concurrency must be 1-8');
    } else if (a === '--snapshots') args.snapshots = true;
    else if (a === '--out') args.out = path.resolve(v());
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  return args;
}

interface View {
  id: string;
  status: string;
  statusDetail: string | null;
  terminal: { path: string; token: string } | null;
}

/** One complete session through the HTTP API and the terminal, as a learner's would go. */
async function cycle(base: string, n: number): Promise<void> {
  const created = await api<View>(base, 'POST', '/api/sessions', { scenario: SCENARIO, seed: `footprint-${n}` });
  if (created.status !== 201) throw new Error(`POST /api/sessions: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id;
  let ended: { status: number; body: unknown } = { status: 0, body: null };
  try {
    let view = created.body;
    const deadline = Date.now() + 600_000;
    while (view.status !== 'ready' || !view.terminal) {
      if (view.status === 'failed' || view.status === 'ended') throw new Error(`session ${id} ${view.status}: ${view.statusDetail}`);
      if (Date.now() > deadline) throw new Error(`session ${id} not ready after 600 s (${view.status})`);
      await new Promise((r) => setTimeout(r, 500));
      view = (await api<View>(base, 'GET', `/api/sessions/${id}`)).body;
    }
    const typist = new WebSocketTypist(base, id, view.terminal.token);
    try {
      await typist.ready(120_000);
      // What a learner's first minutes look like through the proxy: lists, stats, logs, an exec.
      for (const line of [
        "docker ps --format '{{.Names}}'",
        'docker stats --no-stream',
        'docker logs --tail 200 $(docker ps -q --filter name=api) 2>&1 | tail -3',
        'docker exec $(docker ps -q --filter name=api) ps aux | head -5',
        'docker events --since 1m --until 0s | tail -3',
      ]) {
        const from = typist.output.length;
        typist.type(`${line}\r`);
        await typist.output.waitFor(`"${line}" through the proxy`, from, (t) => t.includes(PROMPT_MARKER), 120_000);
      }
    } finally {
      await typist.close();
    }
    // The session page renders its briefing (MDX) on the server.
    await fetch(`${base}/sessions/${id}`).then((r) => r.text());
    await api(base, 'POST', `/api/sessions/${id}/check`);
    const events = (await api<{ events: { id: number; kind: string }[] }>(base, 'GET', `/api/sessions/${id}/events`)).body.events;
    const evidence = events.filter((e) => e.kind === 'docker').map((e) => e.id).slice(0, 5);
    await api(base, 'POST', `/api/sessions/${id}/diagnosis`, { category: 'runaway-process', culprit: 'the footprint bench', evidence, decision: 'fix-in-place', reason: 'measuring the server' });
  } finally {
    ended = await api(base, 'DELETE', `/api/sessions/${id}`);
  }
  if (ended.status !== 200) throw new Error(`DELETE /api/sessions/${id}: ${ended.status} ${JSON.stringify(ended.body)}`);
  await api(base, 'GET', `/api/sessions/${id}/report`);
  await fetch(`${base}/sessions/${id}/report`).then((r) => r.text()); // the debrief (MDX) and the report
  await fetch(`${base}/sessions/${id}/replay`).then((r) => r.text());
  await fetch(`${base}/api/sessions/${id}/recording`).then((r) => r.arrayBuffer());
}

interface Point {
  sessions: number;
  rssBytes: number;
  heap: HeapFigures;
  resources: Resources;
  fds: number;
  dockerClis: number;
  snapshot?: SnapshotSummary;
}

async function measure(server: ManagedServer, sessions: number, snapshots: boolean): Promise<Point> {
  const inspector = await server.inspector();
  // Let in-flight work (recording flushes, closing sockets) finish before the collection.
  await new Promise((r) => setTimeout(r, 3_000));
  const heap = await inspector.heapAfterGc();
  const point: Point = { sessions, rssBytes: server.rss().selfBytes, heap, resources: await inspector.resources(), fds: server.fds(), dockerClis: dockerClis(server.pid) };
  if (snapshots) point.snapshot = await inspector.snapshotSummary();
  return point;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const docker = new Docker();
  const machine = await machineInfo(docker);
  const log = toolLog('footprint');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-foot-'));
  const instance = `foot-${crypto.randomBytes(3).toString('hex')}`;
  if (await (await appBuild(ROOT)).ensureAppBuilt(ROOT, { dataDir })) log('the app was out of date: built it');
  log(`server on ${dataDir} (instance ${instance}); ${args.counts.join(' then ')} ${SCENARIO} sessions, ${args.concurrency} at a time; load ${os.loadavg()[0]?.toFixed(1)}`);
  const server = await ManagedServer.start({ root: ROOT, dataDir, instance, inspect: true, logFile: path.join(dataDir, 'server.log'), env: { SICKBAY_MAX_SESSIONS: '30' } });
  let aborted = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      aborted = true;
      log(`${sig}: stopping the server and removing what it started`);
      void server
        .stop()
        .then(() => removeInstanceObjects(docker, instance))
        .finally(() => process.exit(130));
    });
  }

  const points: Point[] = [];
  const failures: string[] = [];
  let done = 0;
  const t0 = Date.now();
  try {
    // Warm-up: the first requests load route modules and JIT-compile; they are not growth.
    await cycle(server.url, 0);
    const warm = await measure(server, 0, args.snapshots);
    points.push(warm);
    log(`after warm-up: RSS ${mib(warm.rssBytes)}, heap ${mib(warm.heap.heapUsedBytes)}, fds ${warm.fds}`);
    for (const target of args.counts) {
      while (done < target && !aborted) {
        const batch = Array.from({ length: Math.min(args.concurrency, target - done) }, (_, i) => done + i + 1);
        const results = await Promise.allSettled(batch.map((n) => cycle(server.url, n)));
        for (const r of results) if (r.status === 'rejected') failures.push((r.reason as Error).message);
        done += batch.length;
        if (done % 10 === 0) log(`${done} sessions (${failures.length} failed), RSS ${mib(server.rss().selfBytes)}, ${Math.round((Date.now() - t0) / 1000)} s, load ${os.loadavg()[0]?.toFixed(1)}`);
      }
      const p = await measure(server, done, args.snapshots);
      points.push(p);
      log(`after ${done}: RSS ${mib(p.rssBytes)}, heap ${mib(p.heap.heapUsedBytes)}, external ${mib(p.heap.externalBytes)}, fds ${p.fds}, handles ${JSON.stringify(p.resources)}`);
    }
  } finally {
    await server.stop();
  }
  const leftovers = await listInstanceObjects(docker, instance);
  const first = points[1] as Point;
  const last = points[points.length - 1] as Point;
  const rssRatio = Number((last.rssBytes / first.rssBytes).toFixed(2));
  const heapRatio = Number((last.heap.heapUsedBytes / first.heap.heapUsedBytes).toFixed(2));
  const growth = first.snapshot && last.snapshot ? snapshotGrowth(first.snapshot, last.snapshot) : null;

  console.log(`\nServer footprint — ${SCENARIO} sessions started and ended, ${args.concurrency} at a time (measured after two full GCs)`);
  console.log(
    table(
      ['sessions', 'RSS', 'heap used', 'external', 'fds', 'docker CLIs', 'handles'],
      points.map((p) => [p.sessions === 0 ? 'warm-up' : p.sessions, mib(p.rssBytes), mib(p.heap.heapUsedBytes), mib(p.heap.externalBytes), p.fds, p.dockerClis, Object.entries(p.resources).map(([k, v]) => `${k} ${v}`).join(', ')]),
    ),
  );
  console.log(`  RSS ${last.sessions} vs ${first.sessions}: ${rssRatio}x; heap ${heapRatio}x (target within ${TARGET_RATIO}x); ${failures.length} session(s) failed`);
  if (growth) console.log(table(['grew most (constructor)', 'count', 'bytes'], growth.slice(0, 15).map((g) => [g.key.slice(0, 70), g.countDelta, g.bytesDelta])));
  const left = leftovers.containers.length + leftovers.networks.length + leftovers.images.length;
  if (left) console.log(`  ! ${left} object(s) left: ${JSON.stringify(leftovers)}`);
  for (const f of failures.slice(0, 5)) console.log(`  failed: ${f}`);

  const out = args.out ?? path.join(ROOT, 'bench', 'results', 'footprint.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const strip = (p: Point) => ({ ...p, snapshot: undefined });
  fs.writeFileSync(
    out,
    `${JSON.stringify({ schema: 1, tool: 'npm run bench:footprint', args: process.argv.slice(2), at: new Date().toISOString(), git: gitState(ROOT), machine, scenario: SCENARIO, concurrency: args.concurrency, points: points.map(strip), rssRatio, heapRatio, target: TARGET_RATIO, growth, failures, leftovers }, null, 2)}\n`,
  );
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
  const met = rssRatio <= TARGET_RATIO && heapRatio <= TARGET_RATIO && failures.length === 0 && left === 0;
  if (met) fs.rmSync(dataDir, { recursive: true, force: true });
  else console.log(`kept ${dataDir} (server.log)`);
  return met ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`footprint: ${(err as Error).stack ?? String(err)}`);
    process.exit(2);
  },
);
