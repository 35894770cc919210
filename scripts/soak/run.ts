/**
 * One soak run: a real server of its own (data dir, SICKBAY_INSTANCE, inspector on loopback),
 * N sessions started at once across the scenarios (round-robin), each driven with its
 * reference solution through the terminal gateway by scripts/verify's runOne, then held live
 * with keystroke echo sampled until the soak's minutes are up, then ended. The server is
 * sampled all along; at the end it is stopped and what is left is counted.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { SessionEvent } from '@/lib/audit/events';
import { listInstanceObjects, removeInstanceObjects, type InstanceObjects } from '@/bench/lib/cleanup';
import { loopDelayOf, ownLoopDelay, type HeapFigures, type LoopDelay, type Resources } from '@/bench/lib/inspector';
import { dockerClis } from '@/bench/lib/proc';
import { BarePtyTypist, echoSamples } from '@/bench/lib/terminal';
import { objectName } from '@/lib/lifecycle/objects';
import { ManagedServer } from '@/bench/lib/server-process';
import { summarize, type Summary } from '@/bench/lib/stats';
import { HttpLab } from '../verify/lab';
import type { TerminalDriver } from '../verify/terminal-driver';
import { runOne, type RunResult } from '../verify/verify';
import { driverEcho, ServerSampler, startTimes, type ServerSample, type StartTimes } from './measure';

export interface SoakOptions {
  root: string;
  sessions: number;
  minutes: number;
  /** Scenario slugs to cycle through (default: every scenario the server serves). */
  scenarios?: string[];
  dataDir: string;
  instance: string;
  docker: Docker;
  /** Progress lines. */
  log: (line: string) => void;
  /** Where runOne's own lines and the server's output go. */
  logDir: string;
  /**
   * Record the server's CPU profile for this many seconds from the middle of the hold (the
   * busiest part) into `<logDir>/server.cpuprofile` (Chrome DevTools opens it). 0: none.
   */
  cpuProfileSeconds?: number;
  /** Echo samples per round on each held terminal (default 10), and the pause between rounds. */
  echoPerRound?: number;
  echoEveryMs?: number;
}

export interface SoakSession {
  index: number;
  scenario: string;
  seed: string;
  sessionId: string | null;
  ready: boolean;
  /** Every goal passed at the final check (the report's goals). */
  solved: boolean;
  ok: boolean;
  problems: string[];
  start: StartTimes;
  scriptMs: number | null;
  total: number | null;
  echoSamples: number;
  echoTimeouts: number;
}

export interface SoakResult {
  sessions: SoakSession[];
  counts: { started: number; ready: number; solved: number; ok: number };
  start: { readyMs: Summary; queueMs: Summary; provisioningMs: Summary; retries: number };
  /** Echo through a bare `docker exec -it` on one held console at the same rounds (no Sickbay code). */
  echoFloor: Summary;
  echo: Summary & { timeouts: number };
  server: {
    samples: ServerSample[];
    rssBytes: { first: number; max: number; last: number };
    /** After every session ended, two full GCs (inspector). */
    heapAfterGc: HeapFigures | null;
    /** The server's event-loop delay over the run (inspector), and the soak driver's own. */
    loopDelay: { server: LoopDelay | null; driver: LoopDelay };
    resourcesAfterEnd: Resources | null;
  };
  leftovers: {
    /** Labelled with the soak's instance after the server stopped. */
    objects: InstanceObjects;
    objectCount: number;
    /** Docker CLI processes (terminals, shell endings) the server still ran after every session ended. */
    serverChildren: number;
    /** Proxy socket folders left in the data dir after every session ended. */
    socketDirs: number;
  };
  /** Wall time of the whole soak and whether it hit its hard deadline. */
  wallSeconds: number;
  timedOut: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Soak {
  server: ManagedServer | null = null;
  private stopped = false;

  constructor(private readonly opts: SoakOptions) {}

  /** After `afterMs`, the server's CPU profile for `forMs`, written beside its log (a failure is only logged). */
  private async profileServer(server: ManagedServer, afterMs: number, forMs: number): Promise<void> {
    const { log, logDir } = this.opts;
    await sleep(afterMs);
    try {
      const inspector = await server.inspector();
      await inspector.startCpuProfile();
      log(`profiling the server's CPU for ${Math.round(forMs / 1000)} s`);
      await sleep(forMs);
      const file = path.join(logDir, 'server.cpuprofile');
      fs.writeFileSync(file, JSON.stringify(await inspector.stopCpuProfile()));
      log(`wrote ${file}`);
    } catch (err) {
      log(`no CPU profile: ${(err as Error).message}`);
    }
  }

  /** Ctrl-C: stop the server (it ends its sessions), then remove anything still labelled. */
  async abort(): Promise<void> {
    this.stopped = true;
    await this.server?.stop(60_000).catch(() => {});
    await removeInstanceObjects(this.opts.docker, this.opts.instance).catch(() => 0);
  }

  async run(): Promise<SoakResult> {
    const { opts } = this;
    const t0 = Date.now();
    opts.log(`starting the server (data ${opts.dataDir}, instance ${opts.instance})`);
    const server = await ManagedServer.start({
      root: opts.root,
      dataDir: opts.dataDir,
      instance: opts.instance,
      inspect: true,
      ownSession: true,
      logFile: path.join(opts.logDir, 'server.log'),
      env: { SICKBAY_MAX_SESSIONS: String(Math.max(25, opts.sessions + 5)), SICKBAY_SWEEP_INTERVAL: '60s' },
    });
    this.server = server;
    const lab = new HttpLab(server.url);
    const served = await lab.scenarios();
    const slugs = opts.scenarios ?? served;
    const unknown = slugs.filter((s) => !served.includes(s));
    if (unknown.length) throw new Error(`unknown scenario(s) ${unknown.join(', ')} (served: ${served.join(', ')})`);

    const sampler = new ServerSampler(server, t0);
    sampler.start();
    // Where a slow echo waits: the server's loop, this driver's loop (it types and reads every
    // terminal), or neither (then the engine's exec path or the host's scheduler).
    const driverLoop = ownLoopDelay();
    await server.inspector().then((i) => i.startLoopDelay()).catch((err: Error) => opts.log(`no event-loop figures from the server: ${err.message}`));
    const profiling = opts.cpuProfileSeconds ? this.profileServer(server, opts.minutes * 30_000, opts.cpuProfileSeconds * 1000) : Promise.resolve();
    const holdUntil = t0 + opts.minutes * 60_000;
    const hardDeadline = holdUntil + 30 * 60_000;
    const runLog = fs.createWriteStream(path.join(opts.logDir, 'sessions.log'));
    const echo: number[] = [];
    // The floor beside the held terminals: a bare `docker exec -it` shell on one held console
    // (the first held session's, then the next one's when it ends), typed into at the same
    // rounds — the engine's own exec path, no Sickbay code in it.
    const floorEcho: number[] = [];
    let floorTaken = false;
    const perSession = new Map<number, { samples: number; timeouts: number }>();
    const finished: (RunResult | null)[] = Array.from({ length: opts.sessions }, () => null);

    const hold = (index: number) => async ({ id, terminal }: { id: string; terminal: TerminalDriver }) => {
      const mine = perSession.get(index) ?? { samples: 0, timeouts: 0 };
      perSession.set(index, mine);
      let floor: BarePtyTypist | null = null;
      let noFloorHere = false;
      const rounds = Math.max(1, Math.ceil((opts.minutes * 60_000) / (opts.echoEveryMs ?? 15_000)) + 1);
      try {
        for (let round = 0; round < rounds && !this.stopped && !terminal.closed; round++) {
          if (!floor && !floorTaken && !noFloorHere) {
            floorTaken = true;
            floor = new BarePtyTypist(objectName(id, 'console'));
            if (!(await floor.ready().then(() => true, () => false))) {
              await floor.close(); // no prompt: this console gives no floor, the next held one may
              floor = null;
              floorTaken = false;
              noFloorHere = true;
            }
          }
          const floorRun = floor ? echoSamples(floor, { samples: opts.echoPerRound ?? 10, warmup: 1, paceMs: 50, timeoutMs: 5_000 }).catch(() => []) : Promise.resolve([]);
          try {
            const run = await driverEcho(terminal, opts.echoPerRound ?? 10);
            echo.push(...run.samples);
            mine.samples += run.samples.length;
            mine.timeouts += run.timeouts;
          } catch {
            return; // the terminal closed: nothing more to sample
          } finally {
            floorEcho.push(...(await floorRun));
          }
          if (Date.now() >= holdUntil) return;
          await sleep(Math.min(opts.echoEveryMs ?? 15_000, Math.max(0, holdUntil - Date.now())));
        }
      } finally {
        if (floor) {
          await floor.close();
          floorTaken = false;
        }
      }
    };

    opts.log(`${opts.sessions} session(s) at once across ${slugs.length} scenario(s); held until ${opts.minutes} min`);
    const runs = Array.from({ length: opts.sessions }, (_, index) => {
      const scenario = slugs[index % slugs.length] as string;
      const seed = `soak-${index + 1}`;
      return runOne(
        {
          lab,
          scenariosDir: path.join(opts.root, 'scenarios'),
          seeds: [seed],
          readyTimeoutMs: 30 * 60_000,
          settleMs: 180_000,
          transcriptDir: path.join(opts.logDir, 'transcripts'),
          docker: opts.docker,
          log: (line) => runLog.write(`${new Date().toISOString()} [${index + 1} ${scenario}] ${line}\n`),
          hold: hold(index),
        },
        scenario,
        seed,
        'reference',
      ).then((r) => {
        finished[index] = r;
        const goals = r.goals ? `${r.goals.passed}/${r.goals.total} goals` : 'no report';
        opts.log(`session ${index + 1}/${opts.sessions} ${scenario}: ${r.ok ? 'ok' : 'FAILED'} (${goals}${r.ok ? '' : `; ${r.problems[0] ?? ''}`})`);
        return r;
      });
    });

    const progress = setInterval(() => {
      const s = sampler.latest();
      const done = finished.filter(Boolean).length;
      const statuses = s ? Object.entries(s.statuses).map(([k, v]) => `${k} ${v}`).join(', ') : '-';
      opts.log(
        `${Math.round((Date.now() - t0) / 1000)} s: ${done}/${opts.sessions} finished; sessions: ${statuses}; ` +
          `server RSS ${s ? (s.rssBytes / 2 ** 20).toFixed(0) : '-'} MiB, ${s?.dockerClis ?? '-'} docker CLI(s), load ${s?.load1 ?? '-'}; echo samples ${echo.length}`,
      );
    }, 30_000);
    progress.unref();

    let timedOut = false;
    let deadlineTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(runs),
      new Promise<void>((resolve) => {
        deadlineTimer = setTimeout(() => {
          timedOut = true;
          resolve();
        }, hardDeadline - Date.now());
      }),
    ]);
    clearTimeout(deadlineTimer);
    clearInterval(progress);
    runLog.end();
    if (timedOut) opts.log(`hard deadline reached: ${finished.filter((r) => !r).length} run(s) still going are abandoned; the server's stop ends them`);

    // The start of each session, from its lifecycle events (the server is still up).
    const sessions: SoakSession[] = [];
    for (let index = 0; index < opts.sessions; index++) {
      const r = finished[index];
      const scenario = slugs[index % slugs.length] as string;
      let events: SessionEvent[] = [];
      if (r?.sessionId) events = await lab.events(r.sessionId).catch(() => []);
      const start = startTimes(events);
      const e = perSession.get(index) ?? { samples: 0, timeouts: 0 };
      sessions.push({
        index: index + 1,
        scenario,
        seed: `soak-${index + 1}`,
        sessionId: r?.sessionId ?? null,
        ready: start.readyMs !== null,
        solved: !!r?.goals && r.goals.total > 0 && r.goals.passed === r.goals.total,
        ok: r?.ok ?? false,
        problems: r ? r.problems : ['still running at the hard deadline'],
        start,
        scriptMs: r?.ms.script ?? null,
        total: r?.total ?? null,
        echoSamples: e.samples,
        echoTimeouts: e.timeouts,
      });
    }

    await profiling;
    // After every session ended: what the server still holds.
    await sampler.sample();
    sampler.stop();
    let heapAfterGc: HeapFigures | null = null;
    let resourcesAfterEnd: Resources | null = null;
    let serverLoop: LoopDelay | null = null;
    const driverLoopDelay = loopDelayOf(driverLoop);
    driverLoop.disable();
    try {
      const inspector = await server.inspector();
      serverLoop = await inspector.loopDelay();
      heapAfterGc = await inspector.heapAfterGc();
      resourcesAfterEnd = await inspector.resources();
    } catch (err) {
      opts.log(`could not read the heap through the inspector: ${(err as Error).message}`);
    }
    const serverChildren = dockerClis(server.pid);
    const runDir = path.join(opts.dataDir, 'run');
    const socketDirs = fs.existsSync(runDir) ? fs.readdirSync(runDir).length : 0;
    opts.log('stopping the server');
    await server.stop(90_000);
    const objects = await listInstanceObjects(opts.docker, opts.instance);
    const rss = sampler.samples.map((s) => s.rssBytes).filter((v) => v > 0);
    return {
      sessions,
      counts: {
        started: sessions.filter((s) => s.sessionId).length,
        ready: sessions.filter((s) => s.ready).length,
        solved: sessions.filter((s) => s.solved).length,
        ok: sessions.filter((s) => s.ok).length,
      },
      start: {
        readyMs: summarize(sessions.flatMap((s) => (s.start.readyMs === null ? [] : [s.start.readyMs])), 0),
        queueMs: summarize(sessions.flatMap((s) => (s.start.queueMs === null ? [] : [s.start.queueMs])), 0),
        provisioningMs: summarize(sessions.flatMap((s) => (s.start.provisioningMs === null ? [] : [s.start.provisioningMs])), 0),
        retries: sessions.reduce((n, s) => n + s.start.retries, 0),
      },
      echo: { ...summarize(echo, 2), timeouts: sessions.reduce((n, s) => n + s.echoTimeouts, 0) },
      echoFloor: summarize(floorEcho, 2),
      server: {
        samples: sampler.samples,
        rssBytes: { first: rss[0] ?? 0, max: Math.max(0, ...rss), last: rss[rss.length - 1] ?? 0 },
        heapAfterGc,
        resourcesAfterEnd,
        loopDelay: { server: serverLoop, driver: driverLoopDelay },
      },
      leftovers: {
        objects,
        objectCount: objects.containers.length + objects.networks.length + objects.images.length,
        serverChildren,
        socketDirs,
      },
      wallSeconds: Math.round((Date.now() - t0) / 1000),
      timedOut,
    };
  }
}
