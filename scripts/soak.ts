/**
 * `npm run soak -- --sessions 20 --minutes 10 [--scenarios a,b] [--out FILE] [--keep-data]`
 *
 * A drill's load on a real server: that many sessions started at once across the scenarios
 * (round-robin), each driven with its reference solution through the real terminal path, held
 * live with keystroke echo sampled until the minutes are up, then ended. Prints progress while
 * it runs and a table at the end; writes every figure to bench/results/soak-<sessions>.json.
 * Targets (docs/benchmarks.md, "Soak"): all sessions ready and solved, echo p95 under 100 ms,
 * nothing left behind. Ctrl-C stops the server (it ends its sessions) and removes whatever
 * still carries the soak's instance label.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { gitState, machineInfo } from '@/bench/lib/machine';
import { appBuild } from '@/bench/lib/server';
import { argsOrUsage, intOption, listOption, readOptions, toolLog } from './cli/options';
import { printSoak, soakTargets } from './soak/report';
import { Soak } from './soak/run';

const ROOT = path.resolve(import.meta.dirname, '..');
const USAGE = 'usage: npm run soak -- [--sessions N (1-40, default 20)] [--minutes M (1-120, default 10)] [--scenarios a,b] [--out FILE] [--keep-data] [--cpu-profile SECONDS]';

interface Args {
  sessions: number;
  minutes: number;
  scenarios: string[] | null;
  out: string | null;
  keepData: boolean;
  cpuProfileSeconds: number;
}

function parseArgs(argv: string[]): Args {
  const v = readOptions(argv, { sessions: { type: 'string' }, minutes: { type: 'string' }, scenarios: { type: 'string' }, out: { type: 'string' }, 'keep-data': { type: 'boolean' }, 'cpu-profile': { type: 'string' } }, USAGE);
  return {
    sessions: intOption(v, 'sessions', 1, 40, 20),
    minutes: intOption(v, 'minutes', 1, 120, 10),
    scenarios: listOption(v, 'scenarios'),
    out: typeof v.out === 'string' ? path.resolve(v.out) : null,
    keepData: v['keep-data'] === true,
    cpuProfileSeconds: intOption(v, 'cpu-profile', 1, 600, 0),
  };
}

async function main(): Promise<number> {
  const args = argsOrUsage(parseArgs, process.argv.slice(2), USAGE);
  if (!args) return 2;
  const docker = new Docker();
  await docker.ping().catch((err: Error) => {
    throw new Error(`the Docker engine does not answer (${err.message}): run \`npm start\` or \`npm run setup\` first`);
  });
  const machine = await machineInfo(docker);
  const started = new Date();
  const log = toolLog('soak');
  log(`${args.sessions} session(s), ${args.minutes} min; ${machine.cpus} CPU(s), load ${machine.loadAverage.join(' ')}`);

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-soak-'));
  const logDir = path.join(dataDir, 'soak-logs');
  fs.mkdirSync(logDir, { recursive: true });
  const t0 = performance.now();
  if (await (await appBuild(ROOT)).ensureAppBuilt(ROOT, { dataDir: logDir })) log(`the app was out of date: next build took ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  const soak = new Soak({
    root: ROOT,
    sessions: args.sessions,
    minutes: args.minutes,
    scenarios: args.scenarios ?? undefined,
    dataDir,
    instance: `soak-${crypto.randomBytes(3).toString('hex')}`,
    docker,
    log,
    logDir,
    cpuProfileSeconds: args.cpuProfileSeconds,
  });
  let interrupted = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      log(`${sig}: stopping the server and removing what the soak started (again to leave at once)`);
      const force = setTimeout(() => process.exit(130), 150_000);
      force.unref();
      void soak.abort().finally(() => process.exit(130));
    });
  }

  let result;
  try {
    result = await soak.run();
  } catch (err) {
    await soak.abort();
    throw err;
  }
  const targets = soakTargets(result, args.sessions);
  printSoak(result, targets);
  const finished = new Date();
  const out = args.out ?? path.join(ROOT, 'bench', 'results', `soak-${args.sessions}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(
    out,
    `${JSON.stringify(
      {
        schema: 1,
        tool: 'npm run soak',
        args: process.argv.slice(2),
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        git: gitState(ROOT),
        machine,
        loadAverageAtEnd: os.loadavg().map((v) => Number(v.toFixed(2))),
        units: 'milliseconds and bytes unless a field says otherwise; timing figures are { n, median, p95, p99, min, max, mean }',
        targets,
        ...result,
      },
      null,
      2,
    )}\n`,
  );
  const met = targets.every((t) => t.met);
  log(`wrote ${path.relative(process.cwd(), out) || out}`);
  // A missed target keeps the logs: the server's output and every session's lines explain it.
  if (met && !args.keepData) fs.rmSync(dataDir, { recursive: true, force: true });
  else log(`kept ${dataDir}: server log ${path.join(logDir, 'server.log')}, session lines ${path.join(logDir, 'sessions.log')}, transcripts in ${path.join(logDir, 'transcripts')}`);
  return met ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`soak: ${(err as Error).stack ?? String(err)}`);
    process.exit(2);
  },
);
