/**
 * What the Customers chart shows, as pure functions: the customers' seconds as chart series on
 * the session clock, the learner's actions as markers on the same axis, the error budget left
 * and the emergency timeline's budgets counting down. The chart component (app/_components/
 * customers/CustomerChart.tsx) only draws what these return.
 */
import type { SessionEvent } from '../audit/events';
import type { ServedNormally } from '../scenario/types';
import type { ServiceBucket } from '../scoring/impact';
import { formatClock } from './clock';

export interface CustomerSeries {
  /** Seconds on the session clock (start of each second). */
  x: number[];
  /** Share of the second's requests that succeeded, in %; null when none finished. */
  success: (number | null)[];
  /** p95 latency of the successes, ms; null without one. */
  p95: (number | null)[];
}

/** The buckets from ready on, as series on the session clock (`zero`: ready, ms since creation). */
export function customerSeries(buckets: readonly ServiceBucket[], zero: number): CustomerSeries {
  const out: CustomerSeries = { x: [], success: [], p95: [] };
  for (const b of [...buckets].sort((a, c) => a.t - c.t)) {
    if (b.t + 1000 <= zero) continue;
    out.x.push((b.t - zero) / 1000);
    out.success.push(b.requests > 0 ? Math.round((b.ok / b.requests) * 1000) / 10 : null);
    out.p95.push(b.p95Ms);
  }
  return out;
}

export interface ActionMarker {
  id: number;
  /** Seconds on the session clock. */
  x: number;
  /** What the learner did, short. */
  label: string;
}

const MARKER_TEXT = 60;

/**
 * The learner's actions: every command line they typed, their diagnosis, update and hints.
 * Docker calls are left out: each typed `docker ...` already is one marker, and one command
 * can make dozens of calls.
 */
export function actionMarkers(events: readonly SessionEvent[], zero: number): ActionMarker[] {
  const out: ActionMarker[] = [];
  for (const e of events) {
    if (e.t < zero) continue;
    const label =
      e.kind === 'typed' ? e.line.trim() : e.kind === 'diagnosis' ? 'diagnosis sent' : e.kind === 'update' ? 'update sent' : e.kind === 'hint' ? 'hint taken' : '';
    if (!label) continue;
    out.push({ id: e.id, x: (e.t - zero) / 1000, label: label.length > MARKER_TEXT ? `${label.slice(0, MARKER_TEXT - 1)}…` : label });
  }
  return out;
}

export interface ErrorBudget {
  /** Failures the standard allows over the requests so far: (1 - successRate) × requests. */
  allowed: number;
  failed: number;
  /** 0-100: what is left of the allowance; 0 once spent. */
  leftPercent: number;
  text: string;
}

/** The error budget since ready: the scenario's success rate applied to every request so far. */
export function errorBudget(buckets: readonly ServiceBucket[], zero: number, standard: ServedNormally): ErrorBudget {
  let requests = 0;
  let failed = 0;
  for (const b of buckets) {
    if (b.t + 1000 <= zero) continue;
    requests += b.requests;
    failed += b.requests - b.ok;
  }
  const allowed = (1 - standard.successRate) * requests;
  const leftPercent = allowed > 0 ? Math.max(0, Math.round((1 - failed / allowed) * 100)) : failed > 0 ? 0 : 100;
  const share = `${Math.round((1 - standard.successRate) * 1000) / 10}%`;
  const text =
    requests === 0
      ? `no requests finished yet (the budget is ${share} of them)`
      : `${failed} of ${requests} requests failed; ${share} may fail: ${leftPercent > 0 ? `${leftPercent}% of the budget left` : 'budget spent'}`;
  return { allowed, failed, leftPercent, text };
}

export interface BudgetClock {
  name: string;
  budgetMs: number;
  /** ms left; 0 once passed. */
  leftMs: number;
  text: string;
}

/** The emergency timeline's budgets (30 s, 2 min, 5 min by default) against the session clock. */
export function budgetClocks(budgets: readonly { name: string; budgetMs: number }[], elapsedMs: number): BudgetClock[] {
  return budgets.map((b) => {
    const leftMs = Math.max(0, b.budgetMs - Math.max(0, elapsedMs));
    return { ...b, leftMs, text: leftMs > 0 ? `${formatClock(leftMs + 999)} left` : 'passed' };
  });
}
