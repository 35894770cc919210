/**
 * `npm run bench [-- --quick] [--capacity] [--cold] [--only LIST] [--out FILE]`
 *
 * Measures Sickbay against floors taken in the same run, on this machine, and writes every
 * figure (median, p95, number of runs) with the machine's description to bench/results/ as
 * JSON; docs/benchmarks.md explains them and records a run.
 *
 *   start     create -> ready of a leaky-job session (warm images), vs creating and starting
 *             the same network and containers straight through the Docker API; teardown; the
 *             share of each provisioning phase (the engine's own `provision` events)
 *   proxy     docker ps / inspect / logs --tail 100 / exec true through the session's proxy
 *             socket vs straight to the engine's socket; server memory while two docker cp
 *             uploads are held
 *   echo      one keystroke over the terminal WebSocket of a real server until it is echoed,
 *             vs node-pty running `docker exec -it <console> bash` directly
 *   drill     an individuals drill of N participants (20; 3 with --quick) on a team-mode server:
 *             N sessions provisioned and held, released by one Start: Start -> all ready, the
 *             spread of their ready times, then echo p50/p95 with all N terminals typing at once
 *   capacity  sessions one by one (max 25) until echo p95 > 100 ms or memory runs short
 *             (skipped with --quick unless --capacity)
 *   cold      only with --cold: images rebuilt with --force, next build, server start
 *
 * start and proxy run the engine in this process (startServices on a temporary data dir);
 * echo and capacity run the real server (production build; built first when out of date);
 * drill runs a server of its own in team mode, with the facilitator's and participants' accounts.
 * Every object carries a bench-only SICKBAY_INSTANCE and is removed by that label at the end,
 * also on Ctrl-C. Traffic goes to loopback and our own containers only (--cold excepted).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { countInstanceObjects, removeInstanceObjects } from './lib/cleanup';
import { InProcessLab, LEAKY_JOB_IMAGES } from './lib/lab';
import { gitState, machineInfo } from './lib/machine';
import { mib, ms, table, x } from './lib/report';
import { TARGETS, targets } from './lib/targets';
import { BenchServer } from './lib/server';
import { benchCapacity, type CapacityResult } from './sections/capacity';
import { benchCold, type ColdResult } from './sections/cold';
import { benchEcho, type EchoResult } from './sections/echo';
import { benchProxy, type ProxyResult } from './sections/proxy';
import { ratio } from './lib/stats';
import { benchPooledStart, benchStart, type StartResult } from './sections/start';
import { benchDrill, drillAccounts, type DrillResult } from './sections/drill';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECTIONS = ['start', 'proxy', 'drill', 'echo', 'capacity', 'cold'] as const;
type Section = (typeof SECTIONS)[number];
const USAGE = `usage: npm run bench [-- --quick] [--capacity] [--cold] [--only ${SECTIONS.join(',')}] [--out FILE]`;

interface Options {
  quick: boolean;
  capacity: boolean;
  cold: boolean;
  only: Set<Section> | null;
  out: string | null;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { quick: false, capacity: false, cold: false, only: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--quick') opts.quick = true;
    else if (a === '--capacity') opts.capacity = true;
    else if (a === '--cold') opts.cold = true;
    else if (a === '--only' || a === '--out') {
      const v = argv[++i];
      if (!v) throw new Error(`${a} needs a value\n${USAGE}`);
      if (a === '--out') opts.out = path.resolve(v);
      else {
        const list = v.split(',').map((s) => s.trim());
        const bad = list.filter((s) => !(SECTIONS as readonly string[]).includes(s));
        if (bad.length) throw new Error(`unknown section(s) ${bad.join(', ')}\n${USAGE}`);
        opts.only = new Set(list as Section[]);
      }
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  return opts;
}

function wanted(opts: Options, s: Section): boolean {
  if (s === 'cold') return opts.cold && (!opts.only || opts.only.has('cold'));
  if (opts.only) return opts.only.has(s);
  if (s === 'capacity') return !opts.quick || opts.capacity;
  return true;
}

function printStart(s: StartResult): void {
  console.log(`\nSession start — leaky-job, warm images, ${s.runs} run(s) after one warm-up`);
  console.log(
    table(
      ['figure', 'median', 'p95', 'n', 'floor median', 'floor p95', 'ratio'],
      [
        ['create -> ready (faults active)', ms(s.start.median), ms(s.start.p95), s.start.n, ms(s.floor.all.median), ms(s.floor.all.p95), x(s.ratio)],
        ['  vs scenario containers only', '', '', '', ms(s.floor.services.median), ms(s.floor.services.p95), x(s.ratioVsServicesOnly)],
        ['teardown (engine phase)', ms(s.teardown.median), ms(s.teardown.p95), s.teardown.n, ms(s.floor.teardown.median), ms(s.floor.teardown.p95), x(s.teardownRatio)],
        ['end (DELETE: final check + teardown)', ms(s.end.median), ms(s.end.p95), s.end.n, '', '', ''],
        ...(s.pooled
          ? [
              ['with a pool of one: create -> ready (claim)', ms(s.pooled.claim.median), ms(s.pooled.claim.p95), s.pooled.claim.n, ms(s.floor.all.median), ms(s.floor.all.p95), x(s.pooledRatio ?? null)],
              ['  the pool refilling in the background', ms(s.pooled.refill.median), ms(s.pooled.refill.p95), s.pooled.refill.n, '', '', ''],
            ]
          : []),
      ],
    ),
  );
  console.log('\n  where the start time goes without a pool (provision events; the console is built alongside readiness and faults, off the critical path)');
  const rows = Object.entries(s.phases).map(([p, f]) => [p, ms(f.median), ms(f.p95), f.n, `${f.sharePct.toFixed(1)} %`]);
  rows.push(['(outside the phases)', ms(s.unaccounted.median), ms(s.unaccounted.p95), s.unaccounted.n, `${s.unaccounted.sharePct.toFixed(1)} %`]);
  console.log(table(['phase', 'median', 'p95', 'n', 'share'], rows));
}

function printEcho(e: EchoResult): void {
  console.log(`\nKeystroke echo — ${e.samples} samples each, one keystroke per ${e.paceMs} ms`);
  console.log(
    table(
      ['path', 'p50', 'p95', 'p99', 'max', 'n'],
      [
        ['terminal WebSocket (gateway)', ms(e.gateway.median), ms(e.gateway.p95), ms(e.gateway.p99), ms(e.gateway.max), e.gateway.n],
        ['bare pty: docker exec -it', ms(e.barePty.median), ms(e.barePty.p95), ms(e.barePty.p99), ms(e.barePty.max), e.barePty.n],
        ['ratio', x(e.ratioP50), '', x(e.ratioP99), '', ''],
        ...(e.withMirrors ? [['gateway with 3 read-only mirrors', ms(e.withMirrors.median), ms(e.withMirrors.p95), ms(e.withMirrors.p99), ms(e.withMirrors.max), e.withMirrors.n]] : []),
        ['WebSocket ping -> pong (no pty)', ms(e.wsRoundTrip.median), ms(e.wsRoundTrip.p95), ms(e.wsRoundTrip.p99), ms(e.wsRoundTrip.max), e.wsRoundTrip.n],
      ],
    ),
  );
}

function printProxy(p: ProxyResult): void {
  console.log(`\nProxy overhead — docker CLI, ${p.runs} runs each side (docker ps lists ${p.psRows.direct} directly, ${p.psRows.proxy} through the proxy)`);
  const row = (name: string, c: ProxyResult['calls'][string]) => [name, ms(c.direct.median), ms(c.direct.p95), ms(c.proxy.median), ms(c.proxy.p95), c.direct.n, x(c.ratio), ms(c.overheadMs)];
  const header = ['call', 'direct median', 'direct p95', 'proxy median', 'proxy p95', 'n', 'ratio', 'overhead'];
  console.log(table(header, Object.entries(p.calls).map(([n, c]) => row(`docker ${n}`, c))));
  console.log('\n  the same reads without the CLI (raw HTTP over each socket)');
  console.log(table(header, Object.entries(p.raw).map(([n, c]) => row(n, c))));
  const u = p.uploads;
  console.log(
    `\n  docker cp uploads held (${u.uploadsHeld} × ${mib(u.bytesSentEach)} sent, streamed): server RSS ${mib(u.rssBeforeBytes)} -> ${mib(u.rssHeldBytes)} held (+${mib(u.growthBytes)}), live buffers ${mib(u.buffersBeforeBytes)} -> ${mib(u.buffersHeldBytes)} (buffered bodies would add ${mib(u.uploadsHeld * u.bytesSentEach)}) -> RSS ${mib(u.rssAfterBytes)} after; a third upload ${u.thirdRefused ? 'refused' : 'NOT refused'}`,
  );
}

function printCapacity(c: CapacityResult): void {
  console.log(`\nCapacity — leaky-job sessions with a terminal each, up to ${c.maxSessions}; stop when echo p95 > ${c.echoP95LimitMs} ms`);
  console.log(
    table(
      ['sessions', 'start', 'echo p50', 'echo p95', 'containers', 'server RSS', 'CLI RSS', 'available', 'load'],
      c.steps.map((s) => [s.sessions, ms(s.startMs), ms(s.echo.median), ms(s.echo.p95), mib(s.containersBytes), mib(s.serverRssBytes), mib(s.childrenRssBytes), mib(s.memAvailableBytes), s.loadAverage1]),
    ),
  );
  console.log(`  held ${c.held}; stopped: ${c.stoppedBecause}`);
  if (c.perSession) {
    console.log(
      `  per session: ${mib(c.perSession.totalBytes)} (containers ${mib(c.perSession.containersBytes)}, server + its docker CLIs ${mib(c.perSession.serverBytes)}); ` +
        `server RSS at ${c.held}: ${mib(c.serverRssAtHeldBytes)} (idle ${mib(c.baseline.serverRssBytes)})`,
    );
  }
}

function printCold(c: ColdResult): void {
  console.log(`\nCold start (${c.label})`);
  const rows: (string | number)[][] = c.images.map((p) => [`images: ${p.phase}`, `${p.seconds.toFixed(1)} s`]);
  rows.push(['images total', `${c.imagesTotalSeconds.toFixed(1)} s`], ['app build (next build)', `${c.nextBuildSeconds.toFixed(1)} s`], ['serve (server ready)', `${c.serveSeconds.toFixed(1)} s`], ['total', `${c.totalSeconds.toFixed(1)} s`]);
  console.log(table(['phase', 'time'], rows));
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  const started = new Date();
  const docker = new Docker();
  const log = (m: string) => console.log(`  ${m}`);
  await docker.ping().catch((err: Error) => {
    throw new Error(`the Docker engine does not answer (${err.message}): run \`npm start\` or \`npm run setup\` first`);
  });
  const missing: string[] = [];
  for (const img of LEAKY_JOB_IMAGES) await docker.getImage(img).inspect().catch(() => missing.push(img));
  if (missing.length) throw new Error(`image(s) missing: ${missing.join(', ')}. The warm figures need them: run \`npm run images\` first`);

  const machine = await machineInfo(docker);
  const git = gitState(ROOT);
  const mode = opts.quick ? 'quick' : 'full';
  const n = {
    startRuns: opts.quick ? 3 : 8,
    proxyRuns: opts.quick ? 10 : 30,
    echoSamples: opts.quick ? 100 : 500,
    drillSessions: opts.quick ? 3 : TARGETS.sessions,
    drillEchoSamples: 100,
  };
  console.log(`sickbay bench (${mode}) — ${machine.cpus} CPU(s) ${machine.cpuModel}, ${mib(machine.memoryBytes)} RAM, kernel ${machine.kernel}, Docker ${machine.docker.server}, load ${machine.loadAverage.join(' ')}`);

  // Everything we start, for the cleanup at the end or on Ctrl-C.
  const instances = new Set<string>();
  let lab: InProcessLab | null = null;
  let server: BenchServer | null = null;
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await lab?.close().catch(() => {});
      lab = null;
      await server?.stop().catch(() => {});
      server = null;
      for (const i of instances) await removeInstanceObjects(docker, i).catch(() => 0);
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.log(`\n${sig}: removing everything the benchmark started…`);
      const force = setTimeout(() => process.exit(130), 120_000);
      force.unref();
      void cleanup().finally(() => process.exit(130));
    });
  }

  const results: { start?: StartResult; proxy?: ProxyResult; drill?: DrillResult; echo?: EchoResult; capacity?: CapacityResult; cold?: ColdResult } = {};
  const errors: Record<string, string> = {};
  const attempt = async (name: Section, fn: () => Promise<void>) => {
    console.log(`\n▶ ${name}`);
    const t0 = Date.now();
    try {
      await fn();
      console.log(`✔ ${name} (${((Date.now() - t0) / 1000).toFixed(0)}s)`);
    } catch (err) {
      errors[name] = (err as Error).stack ?? String(err);
      console.log(`✖ ${name}: ${(err as Error).message}`);
    }
  };

  if (wanted(opts, 'start') || wanted(opts, 'proxy')) {
    try {
      const l = await InProcessLab.start(ROOT);
      lab = l;
      instances.add(l.instance);
      if (wanted(opts, 'start')) {
        await attempt('start', async () => {
          const { result, floorInstance } = await benchStart(l, { runs: n.startRuns, log });
          instances.add(floorInstance);
          result.pooled = await benchPooledStart(l, { runs: n.startRuns, log });
          result.pooledRatio = ratio(result.pooled.claim.median, result.floor.all.median, 4);
          results.start = result;
        });
      }
      if (wanted(opts, 'proxy')) await attempt('proxy', async () => void (results.proxy = await benchProxy(l, { runs: n.proxyRuns, log })));
      if (Object.keys(errors).length) console.log(`  engine log:\n${l.logs.slice(-20).map((m) => `    ${m}`).join('\n')}`);
    } finally {
      await lab?.close();
      lab = null;
    }
  }

  if (wanted(opts, 'drill')) {
    try {
      console.log('\n▶ starting a team-mode server for the drill (production build)');
      const s = await BenchServer.start(ROOT, log, drillAccounts(n.drillSessions));
      server = s;
      instances.add(s.instance);
      await attempt('drill', async () => {
        const d = await benchDrill(s, { sessions: n.drillSessions, samples: n.drillEchoSamples, log });
        results.drill = d;
        console.log(`  drill: ${d.sessions - d.failed}/${d.sessions} held in ${ms(d.provisionAllMs)}; Start -> all ready ${ms(d.releaseMs)}, ready times spread ${ms(d.readySpreadMs)}`);
      });
    } finally {
      await server?.stop();
      server = null;
    }
  }

  if (wanted(opts, 'echo') || wanted(opts, 'capacity')) {
    try {
      console.log('\n▶ starting the server (production build)');
      const s = await BenchServer.start(ROOT, log);
      server = s;
      instances.add(s.instance);
      if (wanted(opts, 'echo')) await attempt('echo', async () => void (results.echo = await benchEcho(s, { samples: n.echoSamples, log })));
      if (wanted(opts, 'capacity')) {
        await attempt('capacity', async () => {
          results.capacity = await benchCapacity(s, docker, { maxSessions: 25, echoP95LimitMs: TARGETS.echoP95Ms, samples: 100, deadlineMs: 45 * 60_000, log });
        });
      }
    } finally {
      await server?.stop();
      server = null;
    }
  }

  if (wanted(opts, 'cold')) await attempt('cold', async () => void (results.cold = await benchCold(ROOT, log)));

  await cleanup();
  const leftovers: Record<string, number> = {};
  for (const i of instances) leftovers[i] = await countInstanceObjects(docker, i).catch(() => -1);

  const judged = targets(results);
  if (results.start) printStart(results.start);
  if (results.echo) printEcho(results.echo);
  if (results.proxy) printProxy(results.proxy);
  if (results.capacity) printCapacity(results.capacity);
  if (results.cold) printCold(results.cold);
  console.log('\nTargets');
  console.log(table(['target', 'value', 'status'], judged.map((t) => [t.target, t.value, t.status])));

  const finished = new Date();
  const report = {
    schema: 1,
    tool: 'npm run bench',
    mode,
    args: process.argv.slice(2),
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationSeconds: Math.round((finished.getTime() - started.getTime()) / 1000),
    git,
    machine,
    loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))),
    units: 'milliseconds unless a field says otherwise; every figure is { n, median, p95, p99, min, max, mean }',
    results,
    targets: judged,
    errors,
    leftovers,
  };
  const out = opts.out ?? path.join(ROOT, 'bench', 'results', opts.only ? 'partial.json' : 'latest.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), out) || out}`);
  const left = Object.values(leftovers).reduce((a, b) => a + Math.max(0, b), 0);
  if (left) console.log(`! ${left} labelled object(s) left behind: ${JSON.stringify(leftovers)}`);
  if (Object.keys(errors).length) {
    for (const [name, e] of Object.entries(errors)) console.log(`\n✖ ${name}:\n${e}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench: ${(err as Error).message}`);
    process.exit(2);
  },
);
