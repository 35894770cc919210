/**
 * Progress over a learner's attempts: per scenario (attempts, best and last score, completed,
 * a live session to resume) and per protocol rule (how often it was met over the last few
 * scored attempts). Pure: the pages and the API call it on the engine's history().
 */
import { isLive, type SessionStatus } from '../lifecycle/status';
import type { Attempt, ReportSummary, RuleOutcome, RuleSummary } from './types';

/** How many of the newest scored attempts the per-rule figures look at. */
export const RULE_WINDOW = 5;

export interface ScoredAttempt {
  sessionId: string;
  total: number;
  /** When it ended (ISO), else when it was created. */
  at: string;
  goals: { passed: number; total: number };
}

export interface ScenarioProgress {
  scenario: string;
  /** Sessions of this scenario that became ready (the learner got a console). */
  attempts: number;
  /** Attempts with a report. */
  scored: number;
  best: ScoredAttempt | null;
  last: ScoredAttempt | null;
  /** Some attempt ended with every goal met. */
  completed: boolean;
  /** The newest live session of this scenario, to resume. */
  live: { sessionId: string; status: SessionStatus } | null;
}

export interface RuleAttempt {
  sessionId: string;
  scenario: string;
  at: string;
  outcome: RuleOutcome;
  /** points / weight, 0..1; null when the rule did not apply. */
  fraction: number | null;
}

export interface RuleProgress {
  id: string;
  title: string;
  weight: number;
  /** The rule in each of the window's attempts, oldest first (the chart's strip). */
  recent: RuleAttempt[];
  met: number;
  partial: number;
  broken: number;
  /** Attempts in the window where the rule applied. */
  applicable: number;
  /** Mean share of the rule's points earned where it applied (0..1), null when it never applied. */
  strength: number | null;
}

export interface Progress {
  /** Scored attempts in the per-rule window. */
  window: number;
  /** Every attempt with a report, oldest first: the score chart. */
  scores: (ScoredAttempt & { scenario: string })[];
  scenarios: Record<string, ScenarioProgress>;
  rules: RuleProgress[];
}

export function ruleOutcome(rule: RuleSummary): RuleOutcome {
  if (rule.status === 'not-applicable') return 'not-applicable';
  if (rule.status === 'met') return 'met';
  if (rule.status === 'partial') return 'partial';
  return rule.points > 0 ? 'partial' : 'broken';
}

const allGoalsMet = (r: ReportSummary) => r.goals.total > 0 && r.goals.passed === r.goals.total;

function scored(a: Attempt & { report: ReportSummary }): ScoredAttempt {
  return { sessionId: a.id, total: a.report.total, at: a.endedAt ?? a.createdAt, goals: a.report.goals };
}

/** Oldest first, by creation time, then id (stable for equal times). */
function chronological(attempts: readonly Attempt[]): Attempt[] {
  return [...attempts].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

function hasReport(a: Attempt): a is Attempt & { report: ReportSummary } {
  return a.report !== null;
}

export function summarizeProgress(attempts: readonly Attempt[], options: { window?: number } = {}): Progress {
  const windowSize = Math.max(1, options.window ?? RULE_WINDOW);
  const ordered = chronological(attempts.filter((a) => !a.team));
  const withReports = ordered.filter(hasReport);

  const scenarios: Record<string, ScenarioProgress> = {};
  for (const a of ordered) {
    const s = (scenarios[a.scenario] ??= { scenario: a.scenario, attempts: 0, scored: 0, best: null, last: null, completed: false, live: null });
    if (a.readyAt !== null || a.report !== null) s.attempts += 1;
    if (isLive(a.status)) s.live = { sessionId: a.id, status: a.status };
    if (!hasReport(a)) continue;
    const sa = scored(a);
    s.scored += 1;
    s.last = sa;
    if (!s.best || sa.total > s.best.total) s.best = sa;
    if (allGoalsMet(a.report)) s.completed = true;
  }

  const window = withReports.slice(-windowSize);
  // Rules in report order, newest report first, so a renamed title shows as it is now.
  const rules = new Map<string, RuleProgress>();
  for (const a of [...window].reverse()) {
    for (const r of a.report.rules) {
      if (!rules.has(r.id)) rules.set(r.id, { id: r.id, title: r.title, weight: r.weight, recent: [], met: 0, partial: 0, broken: 0, applicable: 0, strength: null });
    }
  }
  for (const rp of rules.values()) {
    let earned = 0;
    for (const a of window) {
      const r = a.report.rules.find((x) => x.id === rp.id);
      const outcome: RuleOutcome = r ? ruleOutcome(r) : 'not-applicable';
      const fraction = r && outcome !== 'not-applicable' ? (r.weight > 0 ? Math.max(0, Math.min(1, r.points / r.weight)) : outcome === 'met' ? 1 : 0) : null;
      rp.recent.push({ sessionId: a.id, scenario: a.scenario, at: a.endedAt ?? a.createdAt, outcome, fraction });
      if (outcome === 'not-applicable') continue;
      rp[outcome] += 1;
      rp.applicable += 1;
      earned += fraction ?? 0;
    }
    rp.strength = rp.applicable > 0 ? earned / rp.applicable : null;
  }

  return {
    window: window.length,
    scores: withReports.map((a) => ({ ...scored(a), scenario: a.scenario })),
    scenarios,
    rules: [...rules.values()],
  };
}

/** "1 of 4", "never applied yet". */
export function metPhrase(rule: Pick<RuleProgress, 'met' | 'applicable'>): string {
  return rule.applicable === 0 ? 'not practised yet' : `${rule.met} of ${rule.applicable}`;
}
