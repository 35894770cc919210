/**
 * The facilitator's live board: per team the figures of lib/drills/board.ts, from the stored
 * report once a session has ended, else from a provisional report of its log so far; plus the
 * drill clock and the next inject. A provisional report is rebuilt only when the team's log grew
 * (or after a few seconds, for the clock-driven rules), so a board polled every second by a
 * projector and two laptops costs little.
 */
import { teamFigures, provisionalEvents, type TeamFigures } from '@/lib/drills/board';
import { injectsDue, scheduleInjects } from '@/lib/scenario/injects';
import type { ScenarioInject } from '@/lib/scenario/types';
import { buildSessionReport, type StoredReport } from '@/lib/scoring/session-report';
import type { DrillDeps, DrillState } from './drills';

const REBUILD_MS = 5_000;

export interface BoardTeam {
  teamId: string;
  name: string;
  readiness: DrillState['teams'][number]['readiness'];
  figures: TeamFigures | null;
}

export interface Board {
  elapsedMs: number;
  remainingMs: number;
  /** The next inject on the drill clock (every team's session clock starts at Start), or null. */
  nextInject: (Pick<ScenarioInject, 'id' | 'kind' | 'text' | 'prompts' | 'atMs'>) | null;
  teams: BoardTeam[];
}

const cache = new Map<string, { lastEventId: number; at: number; figures: TeamFigures }>();

function figuresOf(deps: DrillDeps, sessionId: string): TeamFigures | null {
  const { store, catalogue } = deps;
  const record = store.getSession(sessionId);
  if (!record || record.readyAt === null || !catalogue.has(record.scenario)) return null;
  const events = store.listEvents(sessionId);
  const stored = record.hasReport ? store.getReport<StoredReport>(sessionId) : null;
  if (stored) return teamFigures(events, stored, false);
  const now = (deps.clock ?? Date.now)();
  const lastEventId = events[events.length - 1]?.id ?? 0;
  const hit = cache.get(sessionId);
  if (hit && hit.lastEventId === lastEventId && now - hit.at < REBUILD_MS) return hit.figures;
  const report = buildSessionReport({
    sessionId,
    scenario: record.scenario,
    definition: catalogue.get(record.scenario).definition,
    params: record.params,
    events: provisionalEvents(events),
    readyAt: record.readyAt - record.createdAt,
    endedAt: (record.endedAt ?? now) - record.createdAt,
  });
  const figures = teamFigures(events, report, true);
  cache.set(sessionId, { lastEventId, at: now, figures });
  return figures;
}

export function drillBoard(deps: DrillDeps, drill: DrillState): Board {
  const def = deps.catalogue.has(drill.scenario) ? deps.catalogue.get(drill.scenario).definition : null;
  const schedule = def ? scheduleInjects(def.injects, def.protocol.timelineScale) : [];
  const next = drill.phase === 'over' ? null : injectsDue(schedule, drill.elapsedMs).next;
  return {
    elapsedMs: drill.elapsedMs,
    remainingMs: drill.remainingMs,
    nextInject: next ? { id: next.id, kind: next.kind, text: next.text, prompts: next.prompts, atMs: next.atMs } : null,
    teams: drill.teams
      .filter((t) => t.members.length > 0)
      .map((t) => {
        const figures = t.sessionId && (t.readiness === 'live' || t.readiness === 'ended') ? figuresOf(deps, t.sessionId) : null;
        if (t.sessionId && t.readiness === 'ended' && figures && !figures.provisional) cache.delete(t.sessionId);
        return { teamId: t.id, name: t.name, readiness: t.readiness, figures };
      }),
  };
}
