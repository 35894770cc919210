/**
 * Injects: scheduled prompts from "outside" the incident (a stakeholder asking what is going
 * on, the incident channel wanting a decision). They belong to the scenario definition so that
 * authors can add their own; a scenario that says nothing gets the field notes' emergency
 * timeline. Times are authored in seconds and scaled like the timeline budgets.
 */
import type { InjectSpec, ScenarioInject } from './types';

export const INJECT_KINDS = ['stakeholder-update', 'decision', 'info'] as const;
/** Who an inject prompts: the team role expected to answer it, or everyone. */
export const INJECT_ROLES = ['commander', 'driver', 'scribe', 'everyone'] as const;

/** The field notes' emergency timeline: an update by 2 min, a decision by 5 min. */
export const DEFAULT_INJECTS: readonly InjectSpec[] = Object.freeze([
  {
    id: 'stakeholder-asks',
    atSeconds: 120,
    kind: 'stakeholder-update',
    text: 'A stakeholder asks in the incident channel what is going on and when it will be fixed. Send them an update.',
    prompts: 'scribe',
  },
  {
    id: 'decision-wanted',
    atSeconds: 300,
    kind: 'decision',
    text: 'The incident channel wants a decision: fix in place, restart or roll back? Say which and why.',
    prompts: 'commander',
  },
]);

/** A scenario's injects on the session clock (ms after ready), earliest first. */
export function scheduleInjects(injects: readonly InjectSpec[], timelineScale = 1): ScenarioInject[] {
  const scale = timelineScale > 0 ? timelineScale : 1;
  return injects
    .map((i) => ({ ...i, atMs: Math.round(i.atSeconds * 1000 * scale) }))
    .sort((a, b) => a.atMs - b.atMs || a.id.localeCompare(b.id));
}

/** The injects due at `elapsedMs` on the session clock, and the next one still to come. */
export function injectsDue(schedule: readonly ScenarioInject[], elapsedMs: number): { due: ScenarioInject[]; next: ScenarioInject | null } {
  const due = schedule.filter((i) => i.atMs <= elapsedMs);
  return { due, next: schedule.find((i) => i.atMs > elapsedMs) ?? null };
}
