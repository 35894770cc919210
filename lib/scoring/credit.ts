/**
 * Who did what in a team session (issue #14): each event carries its actor (the driver for
 * terminal and proxy events, the submitter for the forms, lib/audit/events.ts), and the report
 * credits every action to its person. Pure: the names come from the caller.
 */
import type { SessionEvent } from '../audit/events';
import { describeEvent } from '../display/describe';

export interface PersonCredit {
  userId: string;
  name: string;
  /** Command lines typed while driving. */
  commands: number;
  /** Docker calls through the proxy while driving (refused ones included). */
  dockerCalls: number;
  refusedCalls: number;
  diagnoses: number;
  updates: number;
  hints: number;
  /** Times this person handed the driver seat over (or took it, as the commander). */
  handovers: number;
  /** Their actions in order: the event id, when (ms after start) and what it was. */
  actions: { id: number; t: number; what: string }[];
}

const COUNTED = new Set(['typed', 'docker', 'diagnosis', 'update', 'hint', 'team', 'coached']);

/** One entry per person who did something, in order of their first action. */
export function creditByPerson(events: readonly SessionEvent[], names: Readonly<Record<string, string>>): PersonCredit[] {
  const people = new Map<string, PersonCredit>();
  const personOf = (userId: string): PersonCredit => {
    let p = people.get(userId);
    if (!p) {
      p = { userId, name: names[userId] ?? userId, commands: 0, dockerCalls: 0, refusedCalls: 0, diagnoses: 0, updates: 0, hints: 0, handovers: 0, actions: [] };
      people.set(userId, p);
    }
    return p;
  };
  for (const e of events) {
    const who = e.kind === 'team' ? e.by : e.actor;
    if (!who || !COUNTED.has(e.kind)) continue;
    const p = personOf(who);
    if (e.kind === 'typed') p.commands += 1;
    else if (e.kind === 'docker') {
      p.dockerCalls += 1;
      if (!e.allowed) p.refusedCalls += 1;
    } else if (e.kind === 'diagnosis') p.diagnoses += 1;
    else if (e.kind === 'update') p.updates += 1;
    else if (e.kind === 'hint') p.hints += 1;
    else if (e.kind === 'team' && e.action === 'handover') p.handovers += 1;
    p.actions.push({ id: e.id, t: e.t, what: describeEvent(e) });
  }
  return [...people.values()];
}
