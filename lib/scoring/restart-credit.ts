/**
 * Goals met after the learner threw the affected service's running state away. Where the fault
 * lives in that state — leaky-job's runaway job dies with the container — a restart meets some
 * goals by itself, so their passing at the end cannot tell a fix the learner made from the
 * restart doing the work. An expert calls that a mitigation: customers are served again, the
 * cause is gone unexplained and comes back with the next run. The scenario declares which goals
 * a restart alone meets (`restartMeets`); met only after such a restart, such a goal earns:
 *
 *   nothing  the restart came before any change the learner made to an affected service
 *            ("restart first, then fix": the later fix had nothing left to fix);
 *   half     a change came first and the restart after it: either could have done it;
 *   all      a goal check asked for before the restart already showed it met.
 *
 * Goals a restart cannot meet (an index built, a limit that fits) keep their credit: that work
 * is the learner's whatever came before it. Judged from what happened, never from the command
 * text alone: effective evidence-losing actions on an affected service (a refused restart
 * changed nothing) and Docker's record of the containers (container-record: a loss whatever
 * command caused it). Not where the scenario accepts a restart, nor for an OOM kill nobody
 * started again (the incident's doing).
 */
import type { GoalOutcome, SessionEvent } from '../audit/events';
import { affects, cite, hasTier } from './actions';
import { describeLoss } from './container-record';
import type { RuleContext } from './types';

export interface StateLoss {
  /** When the state was lost, ms since the session was created. */
  t: number;
  /** The events that show it (the action's, or the container-record). */
  ids: number[];
  /** For the report: the command and its time, or Docker's record in words. */
  what: string;
  /** The learner's last effective change to an affected service before the loss, cited; null when none. */
  changedBefore: string | null;
}

/** A passing goal's reduced credit: the share of it that counts, and why. */
export interface GoalCredit {
  share: number;
  note: string;
}

const isLosing = (a: RuleContext['actions'][number]) => hasTier(a, 'state-losing');

/** The first moment the learner lost an affected service's running state; null when none did. */
export function firstStateLoss(ctx: RuleContext): StateLoss | null {
  if (ctx.expectations.restartAllowed) return null;
  const services = ctx.expectations.affectedServices;
  const losses: Omit<StateLoss, 'changedBefore'>[] = [];
  for (const a of ctx.actions) {
    if (a.effective && isLosing(a) && affects(a, services)) losses.push({ t: a.t, ids: a.ids, what: cite(a) });
  }
  for (const l of ctx.recorded) {
    if (l.oom || (services.length > 0 && !services.includes(l.service))) continue;
    // A record without a time still shows the loss; it cannot be placed before any check.
    const t = l.diedT ?? l.startedT ?? Number.POSITIVE_INFINITY;
    losses.push({ t, ids: [l.eventId], what: `${l.service} lost its running state (${describeLoss(l, ctx.actions, ctx.readyAt)})` });
  }
  if (losses.length === 0) return null;
  const first = losses.reduce((a, b) => (b.t < a.t ? b : a));
  const change = ctx.actions.filter((a) => a.effective && a.t < first.t && !isLosing(a) && (a.tier === 'change' || a.tier === 'destructive') && affects(a, services)).at(-1);
  return { ...first, changedBefore: change ? cite(change) : null };
}

/** Goals a check before `t` (not the final one) already showed met. */
function metBefore(events: readonly SessionEvent[], t: number): Set<string> {
  const met = new Set<string>();
  for (const e of events) {
    if (e.kind !== 'goals' || e.final || e.t >= t) continue;
    for (const r of e.results) if (r.pass) met.add(r.id);
  }
  return met;
}

/** The passing goals a restart alone meets that the loss leaves in doubt, with their reduced credit. */
export function goalsAfterLoss(goals: readonly GoalOutcome[], events: readonly SessionEvent[], loss: StateLoss | null, restartMeets: readonly string[]): Map<string, GoalCredit> {
  const out = new Map<string, GoalCredit>();
  if (!loss) return out;
  const before = metBefore(events, loss.t);
  for (const g of goals) {
    if (!g.pass || !restartMeets.includes(g.id) || before.has(g.id)) continue;
    out.set(
      g.id,
      loss.changedBefore
        ? { share: 0.5, note: `half credit: ${g.title} — a restart meets it by itself, and ${loss.what} came after your change (${loss.changedBefore}): either could have done it` }
        : { share: 0, note: `no credit: ${g.title} — met only after ${loss.what}, which meets it by itself: the restart threw the faulty state away with the evidence, a mitigation rather than a fix you made` },
    );
  }
  return out;
}
