/**
 * Goals every scenario repeats, as factories: "the service kept running, same main process"
 * and "N requests in a row succeed" (probe.py from the traffic service). A scenario lists
 * them beside its own goals; their evidence never names a per-run culprit.
 */
import { compareNotRestarted } from './checks';
import { runProbe } from './traffic';
import { HEALTH_INTERVAL_MS, type Goal, type GoalResult, type HealthcheckSpec, type ScenarioContext } from './types';

export interface KeptRunningOptions {
  /** Default `<first service>-not-restarted`. */
  id?: string;
  /** Default `<who> kept running: no restart, same main process`. */
  title?: string;
  /** Default `<who> keeps running without a restart`. */
  outcome?: string;
  /** The evidence when every service kept running (default: what compareNotRestarted says). */
  evidence?: string;
}

/** Did every one of `services` keep its container, start time and main PID since ready? */
export async function keptRunningNow<P>(ctx: ScenarioContext<P>, services: readonly string[]): Promise<GoalResult> {
  const results = await Promise.all(services.map(async (s) => compareNotRestarted(s, ctx.baseline(s), await ctx.inspect(s))));
  const broken = results.filter((r) => !r.pass);
  if (broken.length > 0) return { pass: false, evidence: broken.map((r) => r.evidence).join(' ') };
  return { pass: true, evidence: results.map((r) => r.evidence).join(' ') };
}

/**
 * "<who> kept running: no restart, same main process": fails on a restart, a stop and start,
 * a recreate or a new main PID of any of `services` (compareNotRestarted).
 */
export function keptRunning<P>(services: string | readonly string[], who: string, options: KeptRunningOptions = {}): Goal<P> {
  const list = typeof services === 'string' ? [services] : [...services];
  return {
    id: options.id ?? `${list[0]}-not-restarted`,
    title: options.title ?? `${who} kept running: no restart, same main process`,
    outcome: options.outcome ?? `${who} keeps running without a restart`,
    guard: true,
    check: async (ctx) => {
      const result = await keptRunningNow(ctx, list);
      return result.pass && options.evidence ? { pass: true, evidence: options.evidence } : result;
    },
  };
}

export interface InARowOptions<P> {
  id: string;
  title: string;
  /** The title while the session runs (default: the title, already an outcome). */
  outcome?: string;
  /** What the customers request (probe.py runs from the traffic service). */
  url: (params: P) => string;
  count: number;
  /** Seconds each request may take (probe.py's default is 5). */
  timeoutS?: number;
  /**
   * Let each request take longer on a busy host (timeoutS times ctx.hostBusy(), at most 3x).
   * For goals whose failure is a hang or a refusal, not slowness: a fixed timeout would fail a
   * fixed service because twenty neighbours load the host, and a broken one still fails.
   */
  timeoutGrowsWithLoad?: boolean;
  /** The requests in words, plural: "requests to /api/orders", "checkouts". */
  what: string;
  /** How they went well, for the evidence: default "succeeded" ("were saved"). */
  verb?: string;
  /** Also report the p95 latency when they pass. */
  showP95?: boolean;
  /** The p95 latency must also stay under this many ms. */
  p95BelowMs?: (params: P) => number;
  /**
   * A request of the same service that never touches what the scenario breaks (e.g. its index
   * page, no database). Probed just before, the same number of times: its p95 is what this host
   * adds to any answer right now, and the latency target is raised by it. On a server busy with
   * twenty sessions a fixed target would fail a learner for their neighbours' load.
   */
  hostLatencyUrl?: (params: P) => string;
}

/** "N requests in a row succeed", measured from the customers' side. */
export function requestsInARow<P>(o: InARowOptions<P>): Goal<P> {
  const verb = o.verb ?? 'succeeded';
  return {
    id: o.id,
    title: o.title,
    outcome: o.outcome ?? o.title,
    check: async (ctx) => {
      const timeoutS = probeTimeoutS(ctx, o);
      const host = o.p95BelowMs && o.hostLatencyUrl ? await hostLatency(ctx, o.hostLatencyUrl(ctx.params), o.count, timeoutS) : 0;
      const r = await runProbe(ctx, { url: o.url(ctx.params), count: o.count, timeoutS });
      if (typeof r === 'string') return { pass: false, evidence: `Could not run the probe: ${r}.` };
      if (r.consecutiveOk < o.count) {
        return { pass: false, evidence: `Only ${r.consecutiveOk} ${o.what} ${verb} before a failure (${r.firstFailure ?? 'unknown error'}).` };
      }
      const all = `${o.count} of ${o.count} ${o.what} ${verb} in a row`;
      if (!o.p95BelowMs) return { pass: true, evidence: o.showP95 ? `${all} (p95 ${r.p95Ms ?? '?'} ms).` : `${all}.` };
      const base = o.p95BelowMs(ctx.params);
      const target = base + host;
      const p95 = Math.round(r.p95Ms ?? Infinity);
      const why = host > 0 ? `target: under ${target} ms, ${base} ms plus the ${host} ms this host took for an answer without the broken part` : `target: under ${target} ms`;
      if (p95 >= target) return { pass: false, evidence: `All ${o.count} ${o.what} ${verb}, but p95 is ${p95} ms (${why}).` };
      return { pass: true, evidence: `${all} with p95 ${p95} ms (${why}).` };
    },
  };
}

/** The per-request timeout of a check: timeoutS, scaled by the host's load when the goal allows it. */
function probeTimeoutS<P>(ctx: ScenarioContext<P>, o: InARowOptions<P>): number | undefined {
  if (!o.timeoutGrowsWithLoad) return o.timeoutS;
  const busy = Math.min(3, Math.max(1, ctx.hostBusy?.() ?? 1));
  return Math.ceil((o.timeoutS ?? 5) * busy);
}

/** p95 ms of `count` requests to `url` (0 when the probe fails: then no allowance is given). */
async function hostLatency<P>(ctx: ScenarioContext<P>, url: string, count: number, timeoutS?: number): Promise<number> {
  const r = await runProbe(ctx, { url, count, timeoutS });
  if (typeof r === 'string' || r.consecutiveOk < count || r.p95Ms === null || r.p95Ms === undefined) return 0;
  return Math.round(r.p95Ms);
}

/** A health check that GETs /healthz on the service's own port with curl (fails on non-2xx). */
export function httpHealthcheck(port: number, options: Partial<Omit<HealthcheckSpec, 'test'>> & { curlTimeoutS?: number } = {}): Partial<HealthcheckSpec> & { test: string[] } {
  const { curlTimeoutS = 2, intervalMs = HEALTH_INTERVAL_MS, ...rest } = options;
  return { test: ['CMD', 'curl', '-fsS', '-m', String(curlTimeoutS), `http://127.0.0.1:${port}/healthz`], intervalMs, ...rest };
}
