/**
 * The incident clock, as pure functions of per-second customer buckets and the learner's
 * actions: when customers were served normally again (time to mitigate), which stretches
 * they were not, and what the learner's own actions cost them (seconds of total outage that
 * began right after a restart or stop, failed requests above the share that failed before a change).
 * docs/scoring.md ("Customer impact") states the same rules in words.
 */
import type { ServedNormally } from '../scenario/types';
import type { Action } from './types';

/** One second of the customers' experience, as the customers container reports it. */
export interface ServiceBucket {
  /** Start of the second, ms since the session was created (a multiple of 1000 apart). */
  t: number;
  /** Requests that finished in this second (answered or failed). */
  requests: number;
  /** Requests that got a 2xx/3xx answer. */
  ok: number;
  /** Failed requests by kind, e.g. { "5xx": 3, "refused": 1, "timeout": 2 }. */
  errors: Record<string, number>;
  /** Latency of the successful requests; null when none succeeded. */
  p50Ms: number | null;
  p95Ms: number | null;
}

/** Customers must be served normally this long, without a break, to count as mitigated. */
const MITIGATION_HOLD_MS = 30_000;
/** An outage that starts this soon after a restart or stop (or during its first second) is the action's. */
const OUTAGE_ATTRIBUTION_MS = 15_000;
/**
 * The rate of failures before a change is measured over this long (since ready at most): a
 * minute holds a whole cycle of an incident that fails in bursts (oom-limit's worker dies and
 * comes back every half minute or so), so a calm stretch just before the change does not make
 * the next burst look like the learner's doing...
 */
const ERROR_BASELINE_MS = 60_000;
/** ...and compared with the failures during this long after it. */
const ERROR_WINDOW_MS = 30_000;
/**
 * Fewer net extra failures than this after a change are noise, not harm: at least 5, and at
 * least a tenth of the requests that finished in the window — on a host busy with other
 * sessions, timeouts come and go by that much whatever the learner does (soak of 20, #18).
 */
const MIN_EXCESS_ERRORS = 5;
const MIN_EXCESS_SHARE = 0.1;
/**
 * ...and fewer than chance explains at the failed share before the change: this many standard
 * deviations of the difference between two shares (the baseline's and the window's, each a
 * sample of requests). It matters when most requests were failing already: a service failing
 * 88 % of a few dozen requests can fail all of them for half a minute by chance alone (CI blamed
 * the online index build of pg-blocked-missing-index's reference for 6 extra errors).
 */
const NOISE_SIGMAS = 3;

const SECOND = 1000;

export const failedOf = (b: ServiceBucket): number => b.requests - b.ok;

/** A second in which customers were served normally by the scenario's own standard. */
export function servedNormally(b: ServiceBucket, standard: ServedNormally): boolean {
  if (b.requests <= 0) return false; // nothing finished: customers got nothing
  if (b.ok / b.requests < standard.successRate) return false;
  return b.p95Ms !== null && b.p95Ms <= standard.p95Ms;
}

const sum = (buckets: readonly ServiceBucket[], of: (b: ServiceBucket) => number): number => buckets.reduce((s, b) => s + of(b), 0);

/**
 * The share of finished requests that failed in `buckets`: the baseline extra failures are
 * measured against. A share, not a count per second, because how many requests finish in a
 * second swings with load (timeouts bunch up) while the share says how customers fared: 100 %
 * failing before and after a change is no harm however the counts wobble. Seconds with nothing
 * finished count as failing (customers got nothing); no seconds at all: assume healthy.
 */
function failedShare(buckets: readonly ServiceBucket[]): number {
  if (buckets.length === 0) return 0;
  const requests = sum(buckets, (b) => b.requests);
  return requests === 0 ? 1 : sum(buckets, failedOf) / requests;
}

/**
 * The least net excess that is not noise, for `requests` finished in the window after a change
 * and a failed share `share` measured over `baseRequests` before it: the fixed floors above, and
 * NOISE_SIGMAS standard deviations of (window failures - share x window requests) when both
 * are samples of the same failure rate.
 */
export function excessNoise(requests: number, share: number, baseRequests: number): number {
  const spread = Math.sqrt(requests * share * (1 - share) * (1 + requests / Math.max(baseRequests, 1)));
  return Math.max(MIN_EXCESS_ERRORS, MIN_EXCESS_SHARE * requests, NOISE_SIGMAS * spread);
}

/** A second in which no request succeeded. */
const isOutage = (b: ServiceBucket): boolean => b.ok === 0;

/** Buckets from `from` on, sorted, one per second (a later duplicate of a second wins). */
export function since(buckets: readonly ServiceBucket[], from: number): ServiceBucket[] {
  const bySecond = new Map<number, ServiceBucket>();
  for (const b of buckets) if (b.t + SECOND > from) bySecond.set(b.t, b);
  return [...bySecond.values()].sort((a, b) => a.t - b.t);
}

export interface Interval {
  /** ms since creation: start of the first second and end of the last. */
  start: number;
  end: number;
}

/**
 * Maximal runs of consecutive seconds matching `pred`. A missing second (no report) ends a
 * run: without a report there is no evidence either way.
 */
export function runsOf(buckets: readonly ServiceBucket[], pred: (b: ServiceBucket) => boolean): Interval[] {
  const runs: Interval[] = [];
  let open: Interval | null = null;
  for (const b of buckets) {
    if (pred(b)) {
      if (open && b.t === open.end) open.end = b.t + SECOND;
      else {
        open = { start: b.t, end: b.t + SECOND };
        runs.push(open);
      }
    } else open = null;
  }
  return runs;
}

/**
 * Time to mitigate: from ready until the first second of the first unbroken stretch of
 * MITIGATION_HOLD_MS served normally. 0 when customers were fine from the start; null when
 * they never were for that long.
 */
export function timeToMitigate(buckets: readonly ServiceBucket[], readyAt: number, standard: ServedNormally): number | null {
  const need = MITIGATION_HOLD_MS / SECOND;
  for (const run of runsOf(since(buckets, readyAt), (b) => servedNormally(b, standard))) {
    if ((run.end - run.start) / SECOND >= need) return Math.max(0, run.start - readyAt);
  }
  return null;
}

/** Actions that can hurt customers: effective changes, restarts, stops, removals. */
function riskyActions(actions: readonly Action[]): Action[] {
  return actions.filter((a) => a.effective && (a.tier === 'change' || a.tier === 'state-losing' || a.tier === 'destructive'));
}

export interface CausedOutage extends Interval {
  /** The action it is attributed to: its first event id and when it started. */
  actionId: number;
  actionAt: number;
  actionText: string;
}

export interface CausedErrors {
  actionId: number;
  actionAt: number;
  actionText: string;
  /** Net failed requests above the rate before the action, outside any caused outage. */
  excess: number;
}

export interface LearnerImpact {
  outages: CausedOutage[];
  outageMs: number;
  errors: CausedErrors[];
  excessErrors: number;
}

/**
 * What the learner's own actions cost the customers. An outage (consecutive seconds with no
 * success) is the learner's when it began within OUTAGE_ATTRIBUTION_MS after a restart, stop
 * or removal (or in the second it was typed) and the second before it was not an outage:
 * customers were getting something until the action. Extra errors are counted for every risky
 * action: failures in the ERROR_WINDOW_MS after it (up to the next risky action, outside the
 * caused outages) minus what the failed share of the ERROR_BASELINE_MS before it predicts for
 * the requests that finished in the window, counted when it is more than noise (excessNoise).
 */
export function learnerImpact(buckets: readonly ServiceBucket[], actions: readonly Action[], readyAt: number): LearnerImpact {
  const series = since(buckets, readyAt);
  const byT = new Map(series.map((b) => [b.t, b]));
  const risky = riskyActions(actions).filter((a) => a.t >= readyAt);
  const stopping = risky.filter((a) => a.tier === 'state-losing' || a.tier === 'destructive');
  const outages: CausedOutage[] = [];
  for (const run of runsOf(series, isOutage)) {
    const before = byT.get(run.start - SECOND);
    if (!before || isOutage(before)) continue; // already down (or unknown) before: not the learner's doing
    const cause = [...stopping].reverse().find((a) => a.t < run.start + SECOND && run.start - a.t <= OUTAGE_ATTRIBUTION_MS);
    if (cause) outages.push({ ...run, actionId: cause.ids[0] ?? 0, actionAt: cause.t, actionText: cause.text });
  }
  const inOutage = (t: number) => outages.some((o) => t >= o.start && t < o.end);
  const errors: CausedErrors[] = [];
  risky.forEach((a, i) => {
    const base = series.filter((b) => b.t >= a.t - ERROR_BASELINE_MS && b.t + SECOND <= a.t);
    const until = Math.min(a.t + ERROR_WINDOW_MS, risky[i + 1]?.t ?? Infinity);
    const window = series.filter((b) => b.t + SECOND > a.t && b.t < until && !inOutage(b.t));
    const requests = sum(window, (b) => b.requests);
    const share = failedShare(base);
    const excess = Math.round(sum(window, failedOf) - share * requests);
    if (excess >= excessNoise(requests, share, sum(base, (b) => b.requests))) errors.push({ actionId: a.ids[0] ?? 0, actionAt: a.t, actionText: a.text, excess });
  });
  return {
    outages,
    outageMs: outages.reduce((s, o) => s + (o.end - o.start), 0),
    errors,
    excessErrors: errors.reduce((s, e) => s + e.excess, 0),
  };
}

export interface ImpactSummary {
  /** ms after ready; null when customers were never served normally for MITIGATION_HOLD_MS. */
  timeToMitigateMs: number | null;
  /** Stretches (ms after ready) in which customers were not served normally / got nothing. */
  degraded: Interval[];
  outages: Interval[];
  learner: LearnerImpact;
}

/** Everything the report shows about the customers, on the session clock (ms after ready). */
export function summarizeImpact(buckets: readonly ServiceBucket[], actions: readonly Action[], readyAt: number, standard: ServedNormally): ImpactSummary {
  const series = since(buckets, readyAt);
  const shift = (i: Interval): Interval => ({ start: Math.max(0, i.start - readyAt), end: i.end - readyAt });
  const learner = learnerImpact(buckets, actions, readyAt);
  return {
    timeToMitigateMs: timeToMitigate(buckets, readyAt, standard),
    degraded: runsOf(series, (b) => !servedNormally(b, standard)).map(shift),
    outages: runsOf(series, isOutage).map(shift),
    learner: {
      ...learner,
      outages: learner.outages.map((o) => ({ ...o, ...shift(o), actionAt: o.actionAt - readyAt })),
      errors: learner.errors.map((e) => ({ ...e, actionAt: e.actionAt - readyAt })),
    },
  };
}
