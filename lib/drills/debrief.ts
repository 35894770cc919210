/**
 * A drill's debrief, the pure part: every team's final report side by side — score, subscores,
 * where it lost points, every protocol rule — and what it did on one shared time axis (each
 * action at its time after ready, with its tier), plus the CSV export of every team's per-rule
 * results.
 */
import type { SessionEvent } from '../audit/events';
import { classifyEvents } from '../audit/classify';
import type { Tier } from '../audit/classification';
import { ruleContext } from '../scoring/protocol';
import type { StoredReport } from '../scoring/session-report';
import { protocolExpectations } from '../scoring/types';

export interface DebriefTeam {
  teamId: string;
  name: string;
  sessionId: string;
  score: number;
  /** Why the total is below what the subscores add up to (restart before looking); absent when it is not. */
  cap?: string;
  subscores: { outcome: number; diagnosis: number; protocol: number; communication: number };
  deductions: StoredReport['deductions'];
  rules: { id: string; title: string; status: string; points: number; weight: number }[];
  timeline: StoredReport['timeline'];
  /** What the team did, ms after ready, with the tier of each action. */
  marks: { atMs: number; tier: Tier; text: string }[];
}

export function debriefTeam(team: { id: string; name: string; sessionId: string }, events: readonly SessionEvent[], report: StoredReport, services: string[]): DebriefTeam {
  const readyAt = report.readyAt ?? 0;
  const ctx = ruleContext({ events: classifyEvents([...events]), expectations: protocolExpectations({}), timing: { readyAt, endedAt: report.endedAt }, services });
  return {
    teamId: team.id,
    name: team.name,
    sessionId: team.sessionId,
    score: report.total,
    ...(report.cap && report.cap.uncapped > report.total ? { cap: report.cap.note } : {}),
    subscores: {
      outcome: report.subscores.outcome.score,
      diagnosis: report.subscores.diagnosis.score,
      protocol: report.subscores.protocol.score,
      communication: report.subscores.communication.score,
    },
    deductions: report.deductions,
    rules: report.protocol.results.map((r) => ({ id: r.id, title: r.title, status: r.status, points: r.points, weight: r.weight })),
    timeline: report.timeline,
    marks: ctx.actions.filter((a) => a.t >= readyAt).map((a) => ({ atMs: a.t - readyAt, tier: a.tier, text: a.text.slice(0, 200) })),
  };
}

/** The span of the shared time axis: the latest action of any team, at least a minute. */
export function debriefSpanMs(teams: readonly DebriefTeam[]): number {
  return Math.max(60_000, ...teams.flatMap((t) => t.marks.map((m) => m.atMs)));
}

function cell(value: string | number): string {
  // A team name like "=cmd()" must not become a formula when the file is opened in a spreadsheet.
  const s = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per team and rule, and a `total` row per team (status "capped" when a cap lowered it): what a spreadsheet compares. */
export function debriefCsv(teams: readonly DebriefTeam[]): string {
  const rows: (string | number)[][] = [['team', 'session', 'rule', 'title', 'status', 'points', 'weight']];
  for (const t of teams) {
    rows.push([t.name, t.sessionId, 'total', 'Total score', t.cap ? 'capped' : '', t.score, 100]);
    for (const r of t.rules) rows.push([t.name, t.sessionId, r.id, r.title, r.status, r.points, r.weight]);
  }
  return `${rows.map((r) => r.map(cell).join(',')).join('\n')}\n`;
}
