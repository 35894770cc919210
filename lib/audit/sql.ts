/**
 * SQL classification for what learners send through psql (-c, -f -, heredocs, lines typed
 * in an interactive psql): the text is split into statements (./sql-split.ts), each is read
 * on its own (./sql-statements.ts), and the most severe statement sets the tier.
 */
import { type Assessment, type Tier, isInvasive, maxTier, mergeFlags, settleFlags } from './classification';
import { splitSql } from './sql-split';
import { type SqlDraft, type SqlOptions, classifyStatement } from './sql-statements';

export { splitSql } from './sql-split';
export type { SqlOptions } from './sql-statements';

export interface SqlStatementAssessment extends Assessment {
  /** The statement as written (comments removed, trimmed). */
  text: string;
  /** Its kind in capitals: SELECT, CREATE INDEX, \d, ... */
  statement: string;
}

export interface SqlClassification extends Assessment {
  statements: SqlStatementAssessment[];
  /** A string, comment or dollar quote was left open. */
  incomplete: boolean;
  /** The text does not end with ";" (in interactive psql, nothing has run yet). */
  unterminated: boolean;
}

function toAssessment(d: SqlDraft, text: string): SqlStatementAssessment {
  return { tier: d.tier, statement: d.statement, summary: d.summary, effects: d.effects ?? [], flags: settleFlags(d.tier, d.flags), observes: d.observes ?? [], text };
}

/** Classifies one or more SQL statements; the most severe statement sets the tier. */
export function classifySql(sql: string, opts: SqlOptions = {}): SqlClassification {
  const split = splitSql(sql);
  const statements = split.statements.map((s) => toAssessment(classifyStatement(s, opts), s));
  const tier: Tier = statements.length === 0 ? 'read-only' : maxTier(statements.map((s) => s.tier));
  const changes = statements.filter((s) => isInvasive(s.tier));
  const flags = mergeFlags(
    statements.map((s) => s.flags),
    { changeTargets: changes.map((s) => s.flags.targeted) },
  );
  const top = statements.filter((s) => s.tier === tier);
  const summary =
    statements.length === 0
      ? 'no SQL'
      : statements.length === 1
        ? (statements[0] as SqlStatementAssessment).summary
        : `${statements.length} statements; the most severe ${top.length > 1 ? 'ones' : 'one'}: ${[...new Set(top.map((s) => s.summary))].join('; ')}`;
  return {
    tier,
    summary,
    effects: statements.flatMap((s) => s.effects),
    flags,
    observes: [...new Set(statements.flatMap((s) => s.observes))],
    statements,
    incomplete: split.incomplete,
    unterminated: split.unterminated,
  };
}

const SQL_LEADERS = new Set([
  'SELECT', 'WITH', 'EXPLAIN', 'CREATE', 'DROP', 'TRUNCATE', 'DELETE', 'UPDATE', 'INSERT', 'VACUUM', 'ANALYZE', 'ANALYSE',
  'ALTER', 'BEGIN', 'COMMIT', 'ROLLBACK', 'ABORT', 'SHOW', 'SET', 'RESET', 'GRANT', 'REVOKE', 'REINDEX', 'CLUSTER', 'COPY',
  'LOCK', 'REFRESH', 'CHECKPOINT', 'TABLE', 'VALUES', 'LISTEN', 'NOTIFY', 'UNLISTEN', 'DISCARD', 'CALL', 'DO', 'COMMENT',
  'MERGE', 'SAVEPOINT', 'RELEASE', 'PREPARE', 'EXECUTE', 'DEALLOCATE', 'FETCH', 'DECLARE', 'CLOSE', 'MOVE', 'START', 'END',
]);

/**
 * Does a line typed at some prompt look like SQL rather than a shell command? True for psql
 * meta-commands and for lines that open with an SQL keyword that is not also a common shell
 * command used the shell way (`set -x`, `reset`, `truncate -s 0 f`, `end`).
 */
export function looksLikeSql(line: string): boolean {
  const t = line.trim();
  if (t === '') return false;
  if (/^\\[A-Za-z!?]/.test(t)) return true;
  const m = /^([A-Za-z]+)(\s|;|\(|$)/.exec(t);
  if (!m) return false;
  const word = (m[1] ?? '').toUpperCase();
  if (!SQL_LEADERS.has(word) && word !== 'TRUNCATE') return false;
  const rest = t.slice((m[1] ?? '').length).trim();
  switch (word) {
    case 'SET':
      return rest !== '' && !/^[-+]/.test(rest);
    case 'RESET':
      return rest !== '';
    case 'TRUNCATE':
      // The shell's truncate always takes an option (-s SIZE, -r FILE); SQL's never does.
      return rest !== '' && !/(^|\s)-/.test(rest);
    case 'END':
    case 'START':
    case 'DO':
      return /;\s*$/.test(t) || /^TRANSACTION\b/i.test(rest);
    case 'TABLE':
      return rest !== '';
    default:
      return true;
  }
}
