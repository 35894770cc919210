/**
 * The facilitator's live board, the pure part: from a team's event log and its (provisional or
 * final) report, the figures the board shows. A live session has no final goal check yet, so
 * its provisional report treats the team's latest check as final (provisionalEvents).
 */
import type { SessionEvent } from '../audit/events';
import type { StoredReport } from '../scoring/session-report';

export interface TeamFigures {
  /** At the team's latest goal check (null: never checked). */
  goals: { passed: number; total: number } | null;
  /** ms after ready of the first outside look (logs, stats, inspect); null: none yet. */
  firstOutsideLookMs: number | null;
  /** ms after ready until customers were served normally again; null: not mitigated, or no customer signal. */
  mitigationMs: number | null;
  /** Whether the session measures its customers at all (else time to mitigation is "—"). */
  hasCustomers: boolean;
  /** Rules the team broke by something it did (cited events), not the ones it has not got to yet. */
  rulesBroken: { id: string; title: string }[];
  updates: number;
  /** The (provisional while live) total, 0-100. */
  score: number;
  provisional: boolean;
}

/** The events with the latest goal check counted as the final one: what a report of "now" reads. */
export function provisionalEvents(events: readonly SessionEvent[]): SessionEvent[] {
  let latest = -1;
  events.forEach((e, i) => {
    if (e.kind === 'goals') latest = i;
  });
  return events.map((e, i) => (i === latest && e.kind === 'goals' ? { ...e, final: true } : e));
}

export function teamFigures(events: readonly SessionEvent[], report: StoredReport, provisional: boolean): TeamFigures {
  const checks = events.filter((e) => e.kind === 'goals');
  const last = checks[checks.length - 1];
  return {
    goals: last && last.kind === 'goals' ? { passed: last.passed, total: last.total } : null,
    firstOutsideLookMs: report.timeline[0]?.atMs ?? null,
    mitigationMs: report.impact?.timeToMitigateMs ?? null,
    hasCustomers: report.impact != null,
    rulesBroken: report.protocol.results.filter((r) => r.status === 'broken' && r.citations.length > 0).map((r) => ({ id: r.id, title: r.title })),
    updates: events.filter((e) => e.kind === 'update').length,
    score: report.total,
    provisional,
  };
}
