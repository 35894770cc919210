/**
 * The customers of a scenario, from sickbay/service (containers/service/README.md): the
 * `traffic` service runs loadgen.py, steady requests reported second by second over the
 * session's signal socket (CUSTOMER_SIGNAL_SOCKET), and goal checks that ask "do real requests
 * work again?" run probe.py from it and read its one JSON line. It is lab-owned (customers:
 * true): the learner's proxy hides it, so nothing in the console can forge what it reports.
 * One definition of each instead of one per scenario.
 */
import type { ScenarioContext, ServiceInput } from './types';

export interface TrafficOptions {
  url: string;
  /** Requests per second. */
  rps: number;
  /** Seconds per request (loadgen.py's own default when left out). */
  timeoutS?: number;
  networks: string[];
  pids?: number;
}

/** Where the customers container finds the session's signal socket (the host folder is bind-mounted at its dirname). */
export const CUSTOMER_SIGNAL_DIR = '/run/sickbay';
/** The socket's file name, in that folder and in its host folder alike. */
export const CUSTOMER_SIGNAL_FILE = 'signal.sock';
const CUSTOMER_SIGNAL_SOCKET = `${CUSTOMER_SIGNAL_DIR}/${CUSTOMER_SIGNAL_FILE}`;

/** The `traffic` service: loadgen.py at a steady rate, small and capped like every service. */
export function trafficService(options: TrafficOptions): ServiceInput {
  const command = ['python3', '/opt/sickbay/loadgen.py', '--url', options.url, '--rps', String(options.rps), '--report', CUSTOMER_SIGNAL_SOCKET];
  if (options.timeoutS !== undefined) command.push('--timeout', String(options.timeoutS));
  return { image: 'sickbay/service:latest', command, networks: options.networks, limits: { memory: '64m', cpus: 0.25, pids: options.pids ?? 64 }, customers: { url: options.url, rps: options.rps } };
}

/** probe.py's summary line (containers/service/README.md). */
export interface ProbeResult {
  requests: number;
  ok: number;
  failed: number;
  /** Requests that got no HTTP answer at all (refused, reset, timed out). */
  errors?: number;
  consecutiveOk: number;
  statuses?: Record<string, number>;
  p95Ms?: number | null;
  firstFailure?: string | null;
}

export interface ProbeOptions {
  url: string;
  count: number;
  /** Seconds per request (probe.py's default is 5). */
  timeoutS?: number;
  /** Stop at the first failure (default true): "N in a row" checks need no more. */
  stopOnFailure?: boolean;
  /** The service to run it from (default "traffic"). */
  from?: string;
}

/** The last line of probe.py's output as a result, or null when it is not one. */
export function parseProbeOutput(stdout: string): ProbeResult | null {
  try {
    const value = JSON.parse(stdout.trim().split('\n').pop() ?? '') as unknown;
    if (!value || typeof value !== 'object' || typeof (value as ProbeResult).consecutiveOk !== 'number') return null;
    return value as ProbeResult;
  } catch {
    return null;
  }
}

/** Runs the probe; a string says why there is no result (in words a goal's evidence can use). */
export async function runProbe<P>(ctx: ScenarioContext<P>, options: ProbeOptions): Promise<ProbeResult | string> {
  const timeoutS = options.timeoutS ?? 5;
  const args = ['python3', '/opt/sickbay/probe.py', '--url', options.url, '--count', String(options.count), '--timeout', String(timeoutS)];
  if (options.stopOnFailure ?? true) args.push('--stop-on-failure');
  const run = await ctx.exec(options.from ?? 'traffic', args, { timeoutMs: options.count * (timeoutS + 1) * 1000 + 15_000 });
  return parseProbeOutput(run.stdout) ?? `the probe gave no result (exit ${run.exitCode}): ${(run.stderr || run.stdout).trim().slice(0, 200)}`;
}
