/** Rule 8, the emergency timeline: triage within 30 s, logs and resources within 2 min, a look inside within 5 min. */
import type { Observation, Tier } from '../audit/classify';
import { actionParts, formatClock, isInside } from './actions';
import { result } from './rule-kit';
import type { Action, Rule, RuleContext } from './types';

const OBSERVING: readonly Tier[] = ['external', 'read-only', 'interactive', 'sidecar', 'snapshot'];

function firstObserving(actions: Action[], kind: Observation): Action | undefined {
  return actions.find((a) => OBSERVING.includes(a.tier) && actionParts(a).some((p) => p.observes.includes(kind) && p.tier !== 'change'));
}

export const TIMELINE_BUDGETS_MS = { triage: 30_000, quick: 120_000, internal: 300_000 } as const;

/** Reading the briefing may hold the budgets back this long after ready, no longer. */
const READING_ALLOWANCE_MS = 300_000;

/**
 * When the budgets start counting (ms since creation): the first line typed in the terminal
 * (work has begun), at the latest ready plus the reading allowance. The session clock starts
 * at ready, but the console opens by itself then, so "from ready" (or "from the first terminal
 * open") would charge the time spent reading the briefing. docs/scoring.md says why not a
 * "start the clock" button.
 */
function timelineStart(ctx: RuleContext): number {
  let start = ctx.readyAt + READING_ALLOWANCE_MS;
  for (const { event } of ctx.input.events) {
    if (event.kind === 'typed' && event.t >= ctx.readyAt && event.t < start) start = event.t;
  }
  return start;
}

export interface TimelineStep {
  name: string;
  /** Budget in ms after the budgets started counting (scaled by the scenario). */
  budget: number;
  /** ms after ready when the budgets started counting (the briefing was read). */
  from: number;
  /** ms after ready when it happened; undefined when it never did. */
  elapsed?: number;
  ids: number[];
  miss: string;
}

/** The three milestones of the emergency timeline, measured from the moment the session was ready. */
export function timelineSteps(ctx: RuleContext): TimelineStep[] {
  const scale = Math.max(0.1, ctx.expectations.timelineScale || 1);
  const actions = ctx.actions;
  const triage = actions.find((a) => a.tier === 'external');
  const logs = firstObserving(actions, 'logs');
  const resources = firstObserving(actions, 'resources');
  const quick = logs && resources ? (logs.t >= resources.t ? logs : resources) : undefined;
  // `docker top` shows the container's processes without entering it: the same investigation,
  // less invasive, so an expert who needs nothing more is not charged for never going in.
  const processesFromOutside = (a: Action) => a.tier === 'external' && actionParts(a).some((p) => p.observes.includes('processes'));
  const internal = actions.find((a) => ((a.tier === 'read-only' || a.tier === 'interactive' || a.tier === 'sidecar' || a.tier === 'snapshot') && isInside(a)) || processesFromOutside(a));
  const from = timelineStart(ctx) - ctx.readyAt;
  const step = (name: string, hit: Action | undefined, budget: number, miss: string, extra: Action[] = []): TimelineStep => ({
    name,
    budget: budget * scale,
    from,
    elapsed: hit ? hit.t - ctx.readyAt : undefined,
    // Both halves of the quick diagnosis earned it, not only the later one.
    ids: hit ? [...hit.ids, ...extra.flatMap((a) => a.ids)] : [],
    miss,
  });
  return [
    step('outside health check', triage, TIMELINE_BUDGETS_MS.triage, 'no outside look (logs, stats, inspect)'),
    step(
      'logs and resource usage',
      quick,
      TIMELINE_BUDGETS_MS.quick,
      !logs && !resources ? 'neither logs nor resource usage were looked at' : !logs ? 'the logs were never read' : 'resource usage was never checked',
      quick && logs && resources ? [logs, resources] : [],
    ),
    step('look inside', internal, TIMELINE_BUDGETS_MS.internal, 'no look inside the container (nor at its processes with docker top)'),
  ];
}

export const timeline: Rule = {
  id: 'timeline',
  title: 'Emergency timeline: triage, quick diagnosis, internal investigation',
  weight: 10,
  explanation:
    'Under pressure, order and pace matter: a health check from outside within half a minute, logs and resource use within two minutes, a look inside within five, then a decision.',
  runbook: 'Emergency response protocol (06a-c)',
  evaluate(ctx) {
    const credit = (elapsed: number | undefined, budget: number) => (elapsed === undefined ? 0 : elapsed <= budget ? 1 : elapsed <= 2 * budget ? 0.5 : 0.25);
    const steps = timelineSteps(ctx);
    let earned = 0;
    const notes: string[] = [];
    const citations: number[] = [];
    let allOnTime = true;
    for (const s of steps) {
      const c = credit(s.elapsed === undefined ? undefined : s.elapsed - s.from, s.budget);
      earned += c / steps.length;
      if (c < 1) allOnTime = false;
      citations.push(...s.ids);
      if (s.elapsed !== undefined) notes.push(`${s.name} at ${formatClock(s.elapsed)} (budget ${formatClock(s.budget)})${c < 1 ? ', late' : ''}`);
      else notes.push(s.miss);
    }
    const from = steps[0]?.from ?? 0;
    const since = from >= 1_000 ? ` The budgets counted from ${formatClock(from)}, the first line typed (reading the briefing is not timed).` : '';
    return result(allOnTime ? 'met' : 'broken', this.weight, earned, [...new Set(citations)], `${notes.join('; ')}.${since}`);
  },
};
