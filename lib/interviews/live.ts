/**
 * The interviewer's live view (#13 item 3), the pure part: every typed command and Docker call
 * of a session so far, each tagged with its tier of the diagnostic hierarchy (the same
 * classifier the report scores with, so the live tag never disagrees with the report), the
 * emergency timeline's milestones and the last goal check.
 *
 * Each tag carries a text label and an icon as well as a tone (the colour): colour alone says
 * nothing to a colour-blind interviewer or on a black-and-white printout.
 */
import { classifyEvents, commandText, type Tier } from '../audit/classify';
import type { GoalOutcome, SessionEvent } from '../audit/events';
import { ruleContext } from '../scoring/protocol';
import { timelineSteps } from '../scoring/rules';
import { protocolExpectations } from '../scoring/types';

/** The six groups the interviewer reads, from harmless to evidence-losing; the colour follows the group. */
export type TierTone = 'outside' | 'inside' | 'interactive' | 'change' | 'destructive' | 'losing';

export interface TierTag {
  tier: Tier;
  label: string;
  icon: string;
  tone: TierTone;
}

const TAGS: Record<Tier, Omit<TierTag, 'tier'>> = {
  external: { label: 'look from outside', icon: '◎', tone: 'outside' },
  'read-only': { label: 'read-only inside', icon: '◉', tone: 'inside' },
  // Both keep the target untouched; the label says which of the two it was.
  snapshot: { label: 'snapshot (keeps evidence)', icon: '⧉', tone: 'inside' },
  sidecar: { label: 'debug sidecar', icon: '⇄', tone: 'inside' },
  // Never shown as harmless: what the classifier cannot vouch for sits with interactive.
  unknown: { label: 'unclassified', icon: '?', tone: 'interactive' },
  interactive: { label: 'interactive', icon: '⌨', tone: 'interactive' },
  change: { label: 'change', icon: '✎', tone: 'change' },
  'state-losing': { label: 'evidence-losing', icon: '⚠', tone: 'losing' },
  destructive: { label: 'destructive', icon: '✖', tone: 'destructive' },
};

export function tierTag(tier: Tier): TierTag {
  return { tier, ...TAGS[tier] };
}

export interface LiveEntry {
  /** The event's id (the replay and the report cite the same id). */
  id: number;
  /** ms on the session clock (since ready; negative before). */
  t: number;
  source: 'console' | 'exec' | 'docker';
  /** The line as typed, or a docker-CLI-like rendering of the call. */
  text: string;
  /** Where a typed line ran ("in api"), when inside a container. */
  target?: string;
  tag: TierTag;
  /** The classifier's sentence: what the command does. */
  summary: string;
  /** The proxy refused the call (it did nothing). */
  refused: boolean;
}

export interface LiveBudget {
  name: string;
  /** ms after ready, scaled by the scenario. */
  budgetMs: number;
  /** ms after ready when it was reached; null while it has not been. */
  atMs: number | null;
  miss: string;
}

export interface LiveGoals {
  /** ms on the session clock of the last check. */
  t: number;
  final: boolean;
  passed: number;
  total: number;
  results: GoalOutcome[];
}

export interface LiveTimeline {
  entries: LiveEntry[];
  budgets: LiveBudget[];
  goals: LiveGoals | null;
}

export interface LiveInput {
  events: readonly SessionEvent[];
  /** ms since creation when the session became ready; null before. */
  readyAt: number | null;
  timelineScale?: number;
  /** The scenario's service names (typed container names map to them). */
  services?: string[];
}

/**
 * The live timeline of a session's log so far. The whole log is classified each time (a psql
 * line means something only after the line that opened psql); callers cut by id afterwards.
 */
export function liveTimeline(input: LiveInput): LiveTimeline {
  const zero = input.readyAt ?? 0;
  const classified = classifyEvents(input.events);
  const entries: LiveEntry[] = [];
  for (const { event, classification: c } of classified) {
    // Companion calls (exec start, resize, wait) only complete the call they belong to.
    if (!c || c.companion) continue;
    if (event.kind !== 'typed' && event.kind !== 'docker') continue;
    entries.push({
      id: event.id,
      t: event.t - zero,
      source: event.kind === 'docker' ? 'docker' : event.where,
      text: commandText(event),
      ...(event.kind === 'typed' && event.where === 'exec' && event.target ? { target: event.target } : {}),
      tag: tierTag(c.tier),
      summary: c.summary,
      refused: event.kind === 'docker' && !event.allowed,
    });
  }
  const ctx = ruleContext({
    events: classified,
    expectations: protocolExpectations({ timelineScale: input.timelineScale ?? 1 }),
    ...(input.readyAt === null ? {} : { timing: { readyAt: input.readyAt } }),
    ...(input.services ? { services: input.services } : {}),
  });
  // Before ready nothing counts yet: the milestones are measured from ready.
  const budgets = timelineSteps(ctx).map((s) => ({ name: s.name, budgetMs: s.budget, atMs: input.readyAt === null ? null : (s.elapsed ?? null), miss: s.miss }));
  let goals: LiveGoals | null = null;
  for (const e of input.events) {
    if (e.kind === 'goals') goals = { t: e.t - zero, final: e.final, passed: e.passed, total: e.total, results: e.results };
  }
  return { entries, budgets, goals };
}

export type BudgetState = 'met' | 'late' | 'running' | 'overdue';

/**
 * Where a milestone stands at `elapsedMs` after ready: reached in time, reached late, still
 * running (the countdown ticks), or overdue (the budget passed without it).
 */
export function budgetState(b: LiveBudget, elapsedMs: number): BudgetState {
  if (b.atMs !== null) return b.atMs <= b.budgetMs ? 'met' : 'late';
  return elapsedMs < b.budgetMs ? 'running' : 'overdue';
}
