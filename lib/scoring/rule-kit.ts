/** What the protocol rules share: results with rounded points, times on the session clock, the lab actions that count. */
import { type Tier, isInvasive } from '../audit/classify';
import { actionParts, formatClock } from './actions';
import type { RuleContext, RuleEvaluation } from './types';

const round1 = (n: number) => Math.round(n * 10 + 1e-9) / 10;
export const uniq = (ids: number[]) => [...new Set(ids)];

export function result(status: RuleEvaluation['status'], weight: number, fraction: number, citations: number[], note: string): RuleEvaluation {
  const f = Math.max(0, Math.min(1, fraction));
  return { status, points: status === 'not-applicable' ? 0 : round1(weight * f), citations: uniq(citations), note };
}

export const na = (note: string): RuleEvaluation => ({ status: 'not-applicable', points: 0, citations: [], note });

export function at(ctx: RuleContext, a: { t: number }): string {
  return formatClock(a.t - ctx.readyAt);
}

/** Actions in order, all of them (refused ones too: the order of intent matters). */
export const all = (ctx: RuleContext) => ctx.actions;
/** Actions that had an effect on the lab. */
export const effective = (ctx: RuleContext) => ctx.actions.filter((a) => a.effective);
/**
 * Effective actions that changed the lab (a change, a restart, a deletion, also inside a
 * compound line). Rules that reward restraint or consistency need one: doing nothing keeps the
 * state and contradicts no decision, but earns nothing.
 */
export const madeChanges = (ctx: RuleContext) => effective(ctx).filter((a) => isInvasive(a.tier) || actionParts(a).some((p) => isInvasive(p.tier)));

export const TIER_WORDS: Record<Tier, string> = {
  external: 'an outside look',
  'read-only': 'a read-only command inside a container',
  snapshot: 'a snapshot',
  sidecar: 'a debug sidecar inside the container\'s namespaces',
  unknown: 'a command Sickbay could not classify',
  interactive: 'an interactive shell inside the container',
  change: 'a change to the running system',
  'state-losing': 'an action that throws away the running state',
  destructive: 'a destructive action',
};
