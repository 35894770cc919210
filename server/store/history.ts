/**
 * A user's history: the sessions they owned and the team sessions they sat in, each with a
 * summary of its report. SQLite picks the few report fields out (json_extract), so a long
 * history does not parse every stored report with its notes and citations.
 */
import type { Db } from './db';
import { toRecord, type SessionRecord, type SessionRow } from './session-row';

/** The few report fields progress reads (lib/progress/types.ts ReportSummary). */
export interface StoredReportSummary {
  total: number;
  ruleSetVersion: string;
  goals: { passed: number; total: number };
  rules: { id: string; title: string; status: string; points: number; weight: number }[];
}

/** A team session in a member's history: the drill and team it was (null outside drills) and their seat. */
export interface HistoryTeam {
  drill: string | null;
  team: string | null;
  role: string | null;
}

export interface HistoryEntry {
  record: SessionRecord;
  report: StoredReportSummary | null;
  team: HistoryTeam | null;
}

type HistoryRow = SessionRow & {
  r_total: number | null;
  r_rule_set: string | null;
  r_goals: string | null;
  r_rules: string | null;
  is_team: number;
  t_role: string | null;
  t_drill: string | null;
  t_team: string | null;
};

/** Newest first, pooled sessions never. */
export function listHistory(db: Db, options: { ownerId: string; limit?: number }): HistoryEntry[] {
  const rows = db
    .prepare(
      `SELECT sessions.*, reports.session_id IS NOT NULL AS has_report,
         EXISTS (SELECT 1 FROM session_members a WHERE a.session_id = sessions.id) AS is_team,
         me.role AS t_role,
         (SELECT d.name FROM drill_teams dt JOIN drills d ON d.id = dt.drill_id WHERE dt.session_id = sessions.id) AS t_drill,
         (SELECT dt.name FROM drill_teams dt WHERE dt.session_id = sessions.id) AS t_team,
         json_extract(reports.report, '$.total') AS r_total,
         json_extract(reports.report, '$.ruleSetVersion') AS r_rule_set,
         (SELECT json_group_array(json_object('pass', json_extract(g.value, '$.pass'))) FROM json_each(reports.report, '$.goals') AS g) AS r_goals,
         (SELECT json_group_array(json_object('id', json_extract(r.value, '$.id'), 'title', json_extract(r.value, '$.title'),
            'status', json_extract(r.value, '$.status'), 'points', json_extract(r.value, '$.points'), 'weight', json_extract(r.value, '$.weight')))
          FROM json_each(reports.report, '$.protocol.results') AS r) AS r_rules
       FROM sessions LEFT JOIN reports ON reports.session_id = sessions.id
         LEFT JOIN session_members me ON me.session_id = sessions.id AND me.user_id = ?
       WHERE sessions.pooled = 0 AND (sessions.owner_id = ? OR me.user_id IS NOT NULL) ORDER BY sessions.created_at DESC LIMIT ?`,
    )
    .all(options.ownerId, options.ownerId, options.limit ?? 1000) as HistoryRow[];
  return rows.map((row) => ({
    record: toRecord(row),
    report: row.has_report ? summary(row) : null,
    team: row.is_team ? { drill: row.t_drill, team: row.t_team, role: row.t_role } : null,
  }));
}

function summary(row: HistoryRow): StoredReportSummary {
  const goals = JSON.parse(row.r_goals ?? '[]') as { pass: number | boolean | null }[];
  return {
    total: Number(row.r_total ?? 0),
    ruleSetVersion: row.r_rule_set ?? '',
    goals: { passed: goals.filter((g) => g.pass === true || g.pass === 1).length, total: goals.length },
    rules: JSON.parse(row.r_rules ?? '[]') as StoredReportSummary['rules'],
  };
}
