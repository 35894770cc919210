/**
 * The customer-impact rule (11th of the standard rules): what the learner's own actions cost
 * the customers, from the per-second buckets (lib/scoring/impact.ts). Not applicable when a
 * session has no customer signal, so older sessions keep the denominator they had.
 */
import { formatClock } from './actions';
import { learnerImpact, timeToMitigate } from './impact';
import { madeChanges, na, result } from './rule-kit';
import type { Rule } from './types';

/** Each second of total outage the learner caused costs 1/30 of the weight, so does every 10 extra failed requests. */
const HARM_UNITS_PER_WEIGHT = 30;
const ERRORS_PER_UNIT = 10;

export const customerImpact: Rule = {
  id: 'customer-impact',
  title: 'Do not make it worse for customers',
  weight: 10,
  explanation:
    'Customers are the reason for the urgency. A restart that takes the service down for them, or a change that makes more of their requests fail, is an incident of its own: the fix has to help them, not add to what they suffer.',
  runbook: 'Emergency response protocol (06) and "a restart that takes the service down is itself an incident"',
  evaluate(ctx) {
    const customers = ctx.input.customers;
    if (!customers || customers.buckets.length === 0) return na('No per-second customer signal was recorded for this session.');
    const impact = learnerImpact(customers.buckets, ctx.actions, ctx.readyAt);
    const ttm = timeToMitigate(customers.buckets, ctx.readyAt, customers.servedNormally);
    const mitigated = ttm === null ? 'customers were never served normally for 30 s in a row' : `customers were served normally again from ${formatClock(ttm)}`;
    if (impact.outages.length === 0 && impact.errors.length === 0) {
      // Restraint earns nothing by itself: with no change made, there was nothing to spare them from.
      if (madeChanges(ctx).length === 0) return na(`Nothing in the lab was changed, so nothing of yours could hurt the customers; ${mitigated}.`);
      return result('met', this.weight, 1, [], `No outage or extra failed requests followed an action of yours; ${mitigated}.`);
    }
    const notes = [
      ...impact.outages.map((o) => `${formatClock(o.end - o.start)} of total outage from ${formatClock(o.start - ctx.readyAt)}, right after \`${o.actionText}\` at ${formatClock(o.actionAt - ctx.readyAt)}`),
      ...impact.errors.map((e) => `${e.excess} more failed requests than before in the 30 s after \`${e.actionText}\` at ${formatClock(e.actionAt - ctx.readyAt)}`),
    ];
    const units = impact.outageMs / 1000 + impact.excessErrors / ERRORS_PER_UNIT;
    const citations = [...impact.outages.map((o) => o.actionId), ...impact.errors.map((e) => e.actionId)];
    return result('broken', this.weight, 1 - units / HARM_UNITS_PER_WEIGHT, citations, `${notes.join('; ')}; ${mitigated}.`);
  },
};
