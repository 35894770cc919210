/**
 * The live timeline a watcher polls beside the mirror (#13 item 3). It reads the stored event
 * log, never the candidate's terminal socket, so watching costs the candidate nothing.
 */
import { clockZero } from '@/lib/display/clock';
import { type LiveBudget, type LiveEntry, type LiveGoals, liveTimeline } from '@/lib/interviews/live';
import type { SessionStatus } from '@/lib/lifecycle/status';
import type { ScopedSessions } from '../auth/session-access';
import type { Catalogue } from '../engine/catalogue';

export interface LiveView {
  status: SessionStatus;
  readyAt: string | null;
  endedAt: string | null;
  /** The session clock now (ms since ready; frozen at the end; null before ready): the client ticks on from here. */
  elapsedMs: number | null;
  /** Entries with an id above `after` only; `lastId` is the next `after`. */
  entries: LiveEntry[];
  lastId: number;
  budgets: LiveBudget[];
  goals: LiveGoals | null;
}

export function liveView(catalogue: Catalogue, sessions: ScopedSessions, id: string, after: number, now = Date.now()): LiveView {
  const { view, events } = sessions.watched(id);
  const zero = clockZero(view);
  const created = Date.parse(view.createdAt);
  const scale = catalogue.has(view.scenario) ? catalogue.get(view.scenario).definition.protocol.timelineScale : 1;
  const live = liveTimeline({
    events,
    readyAt: zero,
    timelineScale: scale,
    services: view.services.map((s) => s.name),
  });
  const stop = view.endedAt ? Date.parse(view.endedAt) : now;
  return {
    status: view.status,
    readyAt: view.readyAt,
    endedAt: view.endedAt,
    elapsedMs: zero === null ? null : Math.max(0, stop - created - zero),
    entries: live.entries.filter((e) => e.id > after),
    lastId: events.reduce((m, e) => Math.max(m, e.id), after),
    budgets: live.budgets,
    goals: live.goals,
  };
}
