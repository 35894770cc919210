/**
 * The emergency timeline's budgets as a learner reads them before the clock starts: the
 * timeline rule's own milestones (timelineSteps) measured on a session with no actions yet,
 * so the announcement can never disagree with what is scored.
 */
import { ruleContext } from './protocol';
import { timelineSteps } from './rules';
import { protocolExpectations } from './types';

export interface TimelineBudget {
  name: string;
  /** ms after ready. */
  budgetMs: number;
}

export function timelineBudgets(timelineScale = 1): TimelineBudget[] {
  const ctx = ruleContext({ events: [], expectations: protocolExpectations({ timelineScale }) });
  return timelineSteps(ctx).map((s) => ({ name: s.name, budgetMs: s.budget }));
}
