/** A session's log as the list of learner actions a scenario's goals may read. */
import { classifyEvents, commandText } from '../audit/classify';
import type { SessionEvent } from '../audit/events';
import { sessionClock } from '../display/clock';
import type { LearnerAction } from './types';

/**
 * The learner's actions in a session's log, classified the way scoring classifies them, timed
 * on the session clock whose zero (ms since creation) is `zero` (lib/display/clock.ts).
 */
export function learnerActions(events: readonly SessionEvent[], zero: number | null = null): LearnerAction[] {
  const out: LearnerAction[] = [];
  for (const { event, classification } of classifyEvents(events)) {
    if (event.kind !== 'docker' && event.kind !== 'typed') continue;
    const { id: _id, sessionId: _s, t, at: _at, ...body } = event;
    out.push({ atMs: sessionClock(t, zero), body, text: commandText(event), classification });
  }
  return out;
}
