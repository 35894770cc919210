/**
 * What progress is computed from: the learner's sessions, each with a summary of its stored
 * report. The engine's history() returns a superset of this shape (server/engine/history.ts);
 * everything in lib/progress is a pure function of such a list.
 */

/** A protocol rule's result as the report stored it (lib/scoring/types.ts RuleResult). */
export interface RuleSummary {
  id: string;
  title: string;
  /** met / broken / not-applicable today; "partial" is read too, should the scorer name it. */
  status: string;
  points: number;
  weight: number;
}

export interface ReportSummary {
  /** 0-100. */
  total: number;
  goals: { passed: number; total: number };
  ruleSetVersion: string;
  /** report.protocol.results, in report order. */
  rules: RuleSummary[];
}

import type { SessionStatus } from '../lifecycle/status';

export interface Attempt {
  id: string;
  scenario: string;
  status: SessionStatus;
  /** ISO times, as in every session view. */
  createdAt: string;
  readyAt: string | null;
  endedAt: string | null;
  report: ReportSummary | null;
  /**
   * Set for a team session (a drill's, or one shared with teammates): listed in the history,
   * but not the learner's own progress — a watcher did not do the drill, and a team's score is
   * the team's.
   */
  team?: object | null;
}

/** How one rule went in one attempt. Broken with some points earned counts as partial. */
export type RuleOutcome = 'met' | 'partial' | 'broken' | 'not-applicable';
