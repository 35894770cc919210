/**
 * `npm run faults -- [--kills 50] [--cycles 500] [--floods 200] [--only kill,churn,disk,engine]
 *                    [--engine-restart] [--seed N] [--out FILE]`
 *
 * The fault suite on the real server (docs/security.md, "Reliability"):
 *   kill    kill -9 of the server at --kills random moments across provisioning, typing,
 *           diagnosis submission and teardown, restarting it each time: nothing committed lost,
 *           nothing orphaned after the sweep
 *   churn   --cycles terminal open/close cycles and --floods proxy connection floods: file
 *           descriptors, handles and heap back at the baseline
 *   disk    the data directory's disk filled (a small tmpfs; root): a clear error, a whole store
 *   engine  the Docker engine restarted with sessions live — only with --engine-restart, and
 *           only ever on a private dockerd in its own network namespace (never the shared one)
 * The short form runs in the integration suite (test/integration/faults.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { gitState, machineInfo } from '@/bench/lib/machine';
import { appBuild } from '@/bench/lib/server';
import { argsOrUsage, intOption, listOption, readOptions, toolLog } from './cli/options';
import { churn, type ChurnResult } from './faults/churn';
import { diskFull, type DiskFullResult } from './faults/disk-full';
import { engineRestart, type EngineRestartResult } from './faults/engine-restart';
import { killSweep, type KillSweep } from './faults/kill';
import { FaultLab, ROOT } from './faults/lab';

const FAULTS = ['kill', 'churn', 'disk', 'engine'] as const;
type Fault = (typeof FAULTS)[number];
const USAGE = `usage: npm run faults -- [--kills N] [--cycles N] [--floods N] [--only ${FAULTS.join(',')}] [--engine-restart] [--seed N] [--out FILE]`;

interface Args {
  kills: number;
  cycles: number;
  floods: number;
  only: Set<Fault> | null;
  engineRestart: boolean;
  seed: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const v = readOptions(
    argv,
    { kills: { type: 'string' }, cycles: { type: 'string' }, floods: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' }, 'engine-restart': { type: 'boolean' }, out: { type: 'string' } },
    USAGE,
  );
  const only = listOption(v, 'only');
  const unknown = (only ?? []).filter((s) => !(FAULTS as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown fault(s) ${unknown.join(', ')}`);
  return {
    kills: intOption(v, 'kills', 0, 500, 50),
    cycles: intOption(v, 'cycles', 0, 10_000, 500),
    floods: intOption(v, 'floods', 0, 5_000, 200),
    only: only ? new Set(only as Fault[]) : null,
    engineRestart: v['engine-restart'] === true,
    seed: intOption(v, 'seed', 0, 2 ** 31, Date.now() % 1_000_000),
    out: typeof v.out === 'string' ? path.resolve(v.out) : path.join(ROOT, 'bench', 'results', 'faults.json'),
  };
}

async function main(): Promise<number> {
  const args = argsOrUsage(parseArgs, process.argv.slice(2), USAGE);
  if (!args) return 2;
  const wanted = (f: Fault) => (args.only ? args.only.has(f) : true);
  const log = toolLog('faults');
  if (wanted('engine') && !args.engineRestart) {
    log('engine restart: skipped (pass --engine-restart: it runs on a private dockerd in its own network namespace, never the shared engine)');
  }
  const docker = new Docker();
  const machine = await machineInfo(docker);
  log(`seed ${args.seed}; load ${machine.loadAverage.join(' ')}`);
  if (await (await appBuild(ROOT)).ensureAppBuilt(ROOT)) log('the app was out of date: built it');

  const results: { kill?: KillSweep; churn?: ChurnResult; disk?: DiskFullResult; engine?: EngineRestartResult } = {};
  const errors: Record<string, string> = {};
  let lab: FaultLab | null = null;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping the server and removing what the suite started`);
      void (lab?.close() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  const attempt = async (name: Fault, fn: () => Promise<void>) => {
    log(`▶ ${name}`);
    try {
      await fn();
    } catch (err) {
      errors[name] = (err as Error).stack ?? String(err);
      log(`✖ ${name}: ${(err as Error).message}`);
    }
  };

  if (wanted('kill') && args.kills > 0) {
    await attempt('kill', async () => {
      const l = await FaultLab.start({ log });
      lab = l;
      try {
        results.kill = await killSweep(l, args.kills, args.seed, log);
      } finally {
        await l.close({ keepData: !!results.kill?.problems.length });
        lab = null;
      }
    });
  }
  if (wanted('churn') && (args.cycles > 0 || args.floods > 0)) {
    await attempt('churn', async () => {
      const l = await FaultLab.start({ log });
      lab = l;
      try {
        results.churn = await churn(l, { terminalCycles: args.cycles, floods: args.floods, log });
      } finally {
        await l.close();
        lab = null;
      }
    });
  }
  if (wanted('disk')) await attempt('disk', async () => void (results.disk = await diskFull({ log })));
  if (wanted('engine') && args.engineRestart) await attempt('engine', async () => void (results.engine = await engineRestart({ log })));

  const problems = [
    ...(results.kill?.problems ?? []).map((p) => `kill: ${p}`),
    ...(results.churn?.problems ?? []).map((p) => `churn: ${p}`),
    ...(results.disk?.problems ?? []).map((p) => `disk: ${p}`),
    ...(results.engine?.problems ?? []).map((p) => `engine: ${p}`),
    ...Object.entries(errors).map(([k, e]) => `${k}: did not run to the end: ${e.split('\n')[0]}`),
  ];
  console.log('\nFault suite');
  const k = results.kill;
  if (k) {
    const by = (phase: string) => k.moments.filter((m) => m.phase === phase).length;
    console.log(
      `  kill -9: ${k.moments.length} moments (provisioning ${by('provisioning')}, typing ${by('typing')}, diagnosis ${by('diagnosis')}, teardown ${by('teardown')}), seed ${k.seed}; ` +
        `events/reports/recording bytes lost: ${k.lostEvents}; recording tail lost at most ${k.recordingWindowMaxMs} ms; leftovers after the sweep: ${k.leftovers}; ` +
        `restart median ${median(k.moments.map((m) => m.restartMs))} ms`,
    );
  }
  const c = results.churn;
  if (c) {
    const mb = (b: number) => (b / 2 ** 20).toFixed(1);
    console.log(
      `  churn: ${c.terminalCycles} terminal cycles, ${c.floods} floods of ${c.connectionsPerFlood} connections (${c.pingsAnswered} requests answered); ` +
        `fds ${c.baseline.fds} -> ${c.after.fds}, heap ${mb(c.baseline.heap.heapUsedBytes)} -> ${mb(c.after.heap.heapUsedBytes)} MiB, RSS ${mb(c.baseline.rssBytes)} -> ${mb(c.after.rssBytes)} MiB`,
    );
  }
  const d = results.disk;
  if (d) console.log(d.skipped ? `  disk full: skipped (${d.skipped})` : `  disk full: refused with ${d.refusal?.status} ${d.refusal?.code} ("${d.refusal?.message}"); terminal kept working: ${d.terminalWorkedWhileFull}; integrity_check ${d.integrity}`);
  const e = results.engine;
  if (e) console.log(e.skipped ? `  engine restart: skipped (${e.skipped})` : `  engine restart: ${e.sessions.length} live sessions interrupted within ${e.interruptedWithinMs} ms ("${e.sessions[0]?.detail}"); start while down: ${e.startWhileDown?.status}; leftovers ${e.leftovers.length}; new session after: ${e.newSessionWorked ? 'worked' : 'FAILED'}`);
  for (const p of problems) console.log(`  ✖ ${p}`);
  console.log(problems.length ? `\n${problems.length} problem(s)` : '\nno problems');

  fs.mkdirSync(path.dirname(args.out), { recursive: true });
  fs.writeFileSync(
    args.out,
    `${JSON.stringify({ schema: 1, tool: 'npm run faults', args: process.argv.slice(2), at: new Date().toISOString(), git: gitState(ROOT), machine, loadAverageAtEnd: os.loadavg().map((x) => Number(x.toFixed(2))), results, errors, problems }, null, 2)}\n`,
  );
  log(`wrote ${path.relative(process.cwd(), args.out)}`);
  return problems.length ? 1 : 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.floor(s.length / 2)] as number) : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`faults: ${(err as Error).stack ?? String(err)}`);
    process.exit(2);
  },
);
