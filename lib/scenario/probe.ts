/**
 * Goal checks that ask "do real requests work again?" run /opt/sickbay/probe.py (in
 * sickbay/service) from a container on the session network — usually the `traffic` service,
 * the customers' position — and read its one JSON line. One helper instead of one per scenario.
 */
import type { ScenarioContext } from './types';

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
