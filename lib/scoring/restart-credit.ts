/**
 * Goals met after the learner threw a service's running state away. Where the fault lives in
 * that state — leaky-job's runaway job dies with the container — a restart meets some goals by
 * itself, so their passing at the end cannot tell a fix the learner made from the restart doing
 * the work. An expert calls that a mitigation: customers are served again, the cause is gone
 * unexplained and comes back with the next run. The scenario declares, per goal, which services'
 * restart meets it (`restartMeets`, resolved for the run's params by restartMeetsOf: it differs
 * by variant); met only after a loss of one of *those* services, such a goal earns:
 *
 *   nothing  the loss came before any change the learner made to an affected service
 *            ("restart first, then fix": the later fix had nothing left to fix);
 *   half     a change came first and the loss after it: either could have done it;
 *   all      a goal check asked for before the loss already showed it met.
 *
 * A loss of another service leaves the goal's credit whole (restarting the API does not thaw a
 * frozen dependency). Goals a restart cannot meet (an index built, a limit that fits) keep their
 * credit: that work is the learner's whatever came before it. Judged from what happened, never
 * from the command text alone: effective evidence-losing actions (a refused restart changed
 * nothing) and Docker's record of the containers (container-record: a loss whatever command
 * caused it). Not where the scenario accepts a restart, nor for an OOM kill nobody started
 * again (the incident's doing).
 */
import type { GoalOutcome, SessionEvent } from '../audit/events';
import type { Goal, RestartMeets } from '../scenario/types';
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

/** Per goal a restart meets in this run: the services whose lost state meets it. */
export type RestartMeetsByGoal = ReadonlyMap<string, readonly string[]>;

/** Resolves each goal's `restartMeets` for the run's params: `true` stands for every affected service. */
export function restartMeetsOf<P>(goals: readonly Pick<Goal<P>, 'id' | 'restartMeets'>[], params: P, affected: readonly string[]): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const g of goals) {
    const meets: RestartMeets = typeof g.restartMeets === 'function' ? g.restartMeets(params) : (g.restartMeets ?? false);
    const services = meets === true ? affected : meets === false ? [] : meets;
    if (services.length > 0) out.set(g.id, services);
  }
  return out;
}

/**
 * The first moment the learner lost the running state of one of `services` (the affected ones
 * unless a goal names fewer); null when none did.
 */
export function firstStateLoss(ctx: RuleContext, services: readonly string[] = ctx.expectations.affectedServices): StateLoss | null {
  if (ctx.expectations.restartAllowed) return null;
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
  // A change to any affected service counts: the learner's fix need not be on the service whose state was lost.
  const affected = ctx.expectations.affectedServices;
  const change = ctx.actions.filter((a) => a.effective && a.t < first.t && !isLosing(a) && (a.tier === 'change' || a.tier === 'destructive') && affects(a, affected)).at(-1);
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

/**
 * The passing goals a restart alone meets that a loss of one of their services leaves in doubt,
 * with their reduced credit. `events` are the session's, for the goal checks asked for before.
 */
export function goalsAfterLoss(ctx: RuleContext, goals: readonly GoalOutcome[], events: readonly SessionEvent[], restartMeets: RestartMeetsByGoal): Map<string, GoalCredit> {
  const out = new Map<string, GoalCredit>();
  // Goals naming the same services share their first loss.
  const lossBy = new Map<string, StateLoss | null>();
  for (const g of goals) {
    const services = restartMeets.get(g.id);
    if (!g.pass || !services) continue;
    const key = [...services].sort().join(' ');
    if (!lossBy.has(key)) lossBy.set(key, firstStateLoss(ctx, services));
    const loss = lossBy.get(key);
    if (!loss || metBefore(events, loss.t).has(g.id)) continue;
    out.set(
      g.id,
      loss.changedBefore
        ? { share: 0.5, note: `half credit: ${g.title} — a restart meets it by itself, and ${loss.what} came after your change (${loss.changedBefore}): either could have done it` }
        : { share: 0, note: `no credit: ${g.title} — met only after ${loss.what}, which meets it by itself: the restart threw the faulty state away with the evidence, a mitigation rather than a fix you made` },
    );
  }
  return out;
}

/** The most a run scores when it threw an affected service's state away before looking at it. */
export const BLIND_RESTART_CAP = 40;

/** A ceiling on the total, why, and the events behind it. */
export interface ScoreCap {
  max: number;
  note: string;
  citations: number[];
}

/** Tiers that look at a service (a snapshot keeps what it had). */
const LOOKING: ReadonlySet<string> = new Set(['external', 'read-only', 'interactive', 'sidecar', 'snapshot']);

/**
 * Restart first, look later: an affected service's running state was lost (by a command or in
 * Docker's record, whatever caused it) before the learner had looked at that service itself —
 * its logs, inspect, stats or processes by name, or a shell or sidecar in it. Listing every
 * container (`docker ps`, a bare `docker stats`) does not count: it names no service, and it is
 * exactly what `docker restart $(docker ps -q)` runs. Such a run caps the total at
 * BLIND_RESTART_CAP whatever came after: the fix that followed found what the restart left,
 * and the evidence of what happened is gone — in an interview or a drill that is the one move
 * the protocol exists to prevent, and a weighted sum alone let it pass (outcome and diagnosis
 * carry 50 points a later fix still earns). Null when no such loss happened.
 */
export function blindRestartCap(ctx: RuleContext): ScoreCap | null {
  const services = ctx.expectations.affectedServices;
  const loss = firstStateLoss(ctx, services);
  if (!loss) return null;
  const named = services.length > 0 ? services : null;
  const looked = ctx.actions.some(
    (a) => a.t < loss.t && a.effective && LOOKING.has(a.tier) && a.targets.some((t) => t !== '*' && (named === null || named.includes(t))),
  );
  if (looked) return null;
  return {
    max: BLIND_RESTART_CAP,
    note: `Capped at ${BLIND_RESTART_CAP}: ${loss.what} before ${!named ? 'the affected service' : named.length === 1 ? named[0] : `any of ${named.join(', ')}`} had been looked at by name (its logs, inspect, processes or a shell in it). Whatever was fixed afterwards, the state that explained the incident was thrown away unseen.`,
    citations: loss.ids,
  };
}
