/** What the API shows of a session: never the per-run truth (params) before the report. */
import type { GoalOutcome } from '@/lib/audit/events';
import { SickbayError } from '@/lib/errors';
import { objectName } from '@/lib/lifecycle/objects';
import { isLive, type SessionStatus } from '@/lib/lifecycle/status';
import type { StoredReport } from '@/lib/scoring/session-report';
import { mirrorPath } from '@/lib/terminal/protocol';
import type { TerminalTarget } from '../terminal/gateway';
import type { HistoryTeam, SessionRecord, StoredReportSummary } from '../store/store';
import type { QueuePlace } from './admission';

export interface SessionView {
  id: string;
  scenario: string;
  seed: string;
  status: SessionStatus;
  statusDetail: string | null;
  createdAt: string;
  readyAt: string | null;
  endedAt: string | null;
  expiresAt: string;
  services: { name: string; container: string }[];
  /** Where the browser terminal connects, once the console is up. */
  terminal: { path: string; token: string } | null;
  hasReport: boolean;
  /** While queued: the place in line, how many provision at once, and an estimate of the wait. */
  queue: QueuePlace | null;
  /** The user the session belongs to ('local' in personal mode). */
  ownerId: string;
  /** Coach mode: evidence-losing Docker calls are held once with advice (else exam mode). */
  coach: boolean;
}

/** A session in a list: the terminal token is only ever in the session's own view (its page). */
export type SessionListItem = Omit<SessionView, 'terminal'> & { terminal: { path: string } | null };

/**
 * A session in the learner's history: its list item plus a summary of its report (lib/progress
 * reads these), and for a team session (a drill's, or one shared with teammates) the team.
 */
export type SessionHistoryItem = SessionListItem & { report: StoredReportSummary | null; team: HistoryTeam | null };

export interface GoalReport {
  checkedAt: string;
  final: boolean;
  passed: number;
  total: number;
  results: GoalOutcome[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** `hidden`: the lab's own services (the customers), which the learner is never shown. */
export function toView(record: SessionRecord, queue: QueuePlace | null = null, hidden: readonly string[] = []): SessionView {
  const terminalUp = record.status === 'ready' && record.consoleId !== null && record.terminalToken !== null;
  return {
    id: record.id,
    scenario: record.scenario,
    seed: record.seed,
    status: record.status,
    statusDetail: record.statusDetail,
    createdAt: iso(record.createdAt) as string,
    readyAt: iso(record.readyAt),
    endedAt: iso(record.endedAt),
    expiresAt: iso(record.expiresAt) as string,
    services: Object.keys(record.containers)
      .filter((name) => !hidden.includes(name))
      .map((name) => ({ name, container: objectName(record.id, name) })),
    terminal: terminalUp ? { path: `/ws/terminal/${record.id}`, token: record.terminalToken as string } : null,
    hasReport: record.hasReport,
    queue: record.status === 'queued' ? queue : null,
    ownerId: record.ownerId,
    coach: record.coach,
  };
}

export function toListItem(record: SessionRecord, hidden: readonly string[] = []): SessionListItem {
  const view = toView(record, null, hidden);
  return { ...view, terminal: view.terminal ? { path: view.terminal.path } : null };
}

/** A ready, claimed session's console for the terminal gateway, else null. */
export function terminalTargetOf(record: SessionRecord | null): TerminalTarget | null {
  if (!record || record.pooled || record.status !== 'ready' || !record.consoleId || !record.terminalToken || !record.mirrorToken || !record.recordingPath) return null;
  return { sessionId: record.id, consoleContainer: record.consoleId, token: record.terminalToken, mirrorToken: record.mirrorToken, recordingPath: record.recordingPath };
}

/** Where a watcher opens the session's read-only mirror: only while it is ready. */
export function mirrorOf(record: SessionRecord): { path: string; token: string } {
  if (record.status !== 'ready' || !record.mirrorToken) throw new SickbayError('conflict', `the session is ${record.status}: there is no live terminal to watch`);
  return { path: mirrorPath(record.id), token: record.mirrorToken };
}

/** An ended session's stored report, or why there is none (409 while live, 404 if it never became ready). */
export function reportOf(record: SessionRecord, report: StoredReport | null): StoredReport {
  if (report) return report;
  if (isLive(record.status)) throw new SickbayError('conflict', 'the report is made when the session ends');
  throw new SickbayError('not_found', `session ${record.id} has no report (it never became ready)`);
}
