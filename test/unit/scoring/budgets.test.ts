import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timelineBudgets } from '@/lib/scoring/budgets';
import { TIMELINE_BUDGETS_MS } from '@/lib/scoring/rules';

describe('the announced timeline budgets', () => {
  it('are the timeline rule\'s milestones: 30 s, 2 min, 5 min after ready', () => {
    assert.deepEqual(timelineBudgets(), [
      { name: 'outside health check', budgetMs: TIMELINE_BUDGETS_MS.triage },
      { name: 'logs and resource usage', budgetMs: TIMELINE_BUDGETS_MS.quick },
      { name: 'look inside', budgetMs: TIMELINE_BUDGETS_MS.internal },
    ]);
    assert.deepEqual(timelineBudgets().map((b) => b.budgetMs), [30_000, 120_000, 300_000]);
  });

  it('follow a scenario\'s timelineScale', () => {
    assert.deepEqual(timelineBudgets(1.5).map((b) => b.budgetMs), [45_000, 180_000, 450_000]);
  });
});
