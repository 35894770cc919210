/**
 * One SQL statement or psql meta-command, read for what it does: reads (and what they show:
 * activity, locks, schema, sizes), writes, locks, kills of backends, schema changes and the
 * ones that destroy data (DROP, TRUNCATE, DELETE or UPDATE without WHERE). Postgres first; a
 * few MySQL spellings (KILL, SHOW PROCESSLIST, DESCRIBE) cost nothing to add.
 */
import { type Assessment, type ClassificationFlags, type Effect, type Observation, type Tier, maxTier } from './classification';
import { normalise, topLevel } from './sql-split';

export interface SqlOptions {
  /** How to classify `\! command` (a shell escape); unknown when absent. */
  shell?: (line: string) => Assessment;
}

export interface SqlDraft {
  tier: Tier;
  statement: string;
  summary: string;
  effects?: Effect[];
  flags?: Partial<ClassificationFlags>;
  observes?: Observation[];
}

/** "a" or "an" before a word (by its first letter: close enough for SQL keywords). */
const an = (word: string) => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;

const kw = (text: string, word: string) => new RegExp(`(^|[^A-Z0-9_])${word}([^A-Z0-9_]|$)`).test(text);

function observesFor(upper: string): Observation[] {
  const out: Observation[] = [];
  if (/PG_STAT_ACTIVITY|PG_STAT_STATEMENTS|PROCESSLIST/.test(upper)) out.push('db-activity');
  if (/PG_LOCKS|PG_BLOCKING_PIDS|PG_SAFE_SNAPSHOT_BLOCKING_PIDS|INNODB_LOCK|DATA_LOCKS/.test(upper)) out.push('db-locks');
  if (/PG_STAT_USER_TABLES|PG_STAT_USER_INDEXES|PG_STAT_ALL_TABLES|PG_STATIO|PG_INDEXES|PG_INDEX\b|PG_CLASS|PG_ATTRIBUTE|PG_TABLES|INFORMATION_SCHEMA|PG_CONSTRAINT/.test(upper)) out.push('db-schema');
  if (/PG_SIZE_PRETTY|PG_DATABASE_SIZE|PG_RELATION_SIZE|PG_TOTAL_RELATION_SIZE|PG_TABLE_SIZE|PG_INDEXES_SIZE/.test(upper)) out.push('db-size');
  if (/PG_SETTINGS|CURRENT_SETTING|PG_FILE_SETTINGS/.test(upper)) out.push('config');
  if (out.length === 0) out.push('db-data');
  return out;
}

/** Blanks out quoted strings and parenthesised groups, keeping only the top level of a \copy. */
function copyTopLevel(arg: string): string {
  let out = '';
  let depth = 0;
  let quote: string | null = null;
  for (const ch of arg) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ' ';
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ' ';
    } else if (ch === '(') {
      depth++;
      out += ' ';
    } else if (ch === ')') {
      depth = Math.max(0, depth - 1);
      out += ' ';
    } else out += depth > 0 ? ' ' : ch;
  }
  return out;
}

/**
 * psql's \copy: `\copy table FROM file` loads rows (a change); `\copy table TO file` and
 * `\copy (query) TO file` save rows on the client — a snapshot of what the query shows (saving
 * pg_stat_activity keeps the sessions). The direction is read at the top level only: a query's
 * own FROM (`\copy (select … from pg_stat_activity) to …`) is no load.
 */
function classifyCopyMeta(arg: string): SqlDraft {
  const top = copyTopLevel(arg).toUpperCase();
  const direction = /(^|\s)(FROM|TO)(\s|$)/.exec(top)?.[2];
  if (direction === 'FROM') return { tier: 'change', statement: '\\copy FROM', summary: 'loads rows into a table from a file', flags: { targeted: true } };
  const query = /^\s*\(([\s\S]*)\)/.exec(arg)?.[1];
  const observes = query ? observesFor(query.toUpperCase()) : ['db-data' as const];
  const file = /\bTO\s+('([^']*)'|"([^"]*)"|(\S+))/i.exec(arg.slice(arg.lastIndexOf(')') + 1));
  const path = file?.[2] ?? file?.[3] ?? file?.[4] ?? '';
  if (/^(STDOUT|PSTDOUT)$/i.test(path)) return { tier: 'read-only', statement: '\\copy TO', summary: 'prints rows', observes };
  return {
    tier: 'snapshot',
    statement: '\\copy TO',
    summary: `saves ${query ? 'what a query shows' : 'rows'} to the client-side file ${path || '(unnamed)'}`,
    flags: { writesFile: true },
    observes,
    effects: [{ type: 'save-output', file: path, source: 'psql \\copy' }],
  };
}

function tableAfter(upper: string, re: RegExp): string | undefined {
  const m = re.exec(upper);
  return m?.[1]?.toLowerCase();
}

function classifyKill(upper: string, fn: 'PG_TERMINATE_BACKEND' | 'PG_CANCEL_BACKEND'): SqlDraft {
  const literal = new RegExp(`${fn}\\s*\\(\\s*(\\d+)`).exec(upper);
  // A variable ($PID from the shell, :pid from psql) stands for one value, like `kill $PID`.
  const variable = new RegExp(`${fn}\\s*\\(\\s*(?:'?\\$\\{?[A-Z_][A-Z0-9_]*\\}?'?|:'?[A-Z_][A-Z0-9_]*'?)\\s*\\)`).test(upper);
  const pids: number[] = [];
  let broad: boolean;
  if (literal) {
    pids.push(Number(literal[1]));
    broad = false;
  } else if (variable) {
    broad = false;
  } else {
    // Driven by a query: narrow only when the WHERE pins one backend, by number or by a
    // variable that stands for one (`WHERE pid = $ROOT AND …`, a guarded termination).
    const where = /\bWHERE\b(.*)$/.exec(upper)?.[1] ?? '';
    // (Quoted text is blanked by normalise, so only bare variables can be seen here.)
    const narrow = /\bPID\s*=\s*(\d+|\$\{?[A-Z_][A-Z0-9_]*\}?|:[A-Z_][A-Z0-9_]*)(?![A-Z0-9_])/.test(where) || /\bPID\s+IN\s*\(\s*\d+(\s*,\s*\d+)*\s*\)/.test(where);
    const blockersOfOne = /PG_BLOCKING_PIDS\s*\(\s*\d+\s*\)/.test(upper);
    broad = !(narrow || blockersOfOne);
  }
  const verb = fn === 'PG_TERMINATE_BACKEND' ? 'ends' : 'cancels the query of';
  const who = pids.length > 0 ? `backend ${pids.join(', ')}` : variable ? 'the backend a shell variable names' : broad ? 'every backend a query over pg_stat_activity picks' : 'the backend the query pins down';
  return {
    tier: 'change',
    statement: fn === 'PG_TERMINATE_BACKEND' ? 'SELECT pg_terminate_backend' : 'SELECT pg_cancel_backend',
    summary: `${verb} ${who}`,
    effects: [{ type: 'kill', signal: fn === 'PG_TERMINATE_BACKEND' ? 'TERM' : 'INT', pids, names: [], broad, pid1: false, via: fn.toLowerCase() }],
    flags: { targeted: !broad },
    observes: ['db-activity'],
  };
}

function classifyMeta(stmt: string, opts: SqlOptions): SqlDraft {
  const m = /^\\([A-Za-z!?]+[+S]*)\s*(.*)$/s.exec(stmt);
  const cmd = m?.[1] ?? '';
  const arg = (m?.[2] ?? '').trim();
  const base = `\\${cmd}`;
  if (cmd === '!') {
    if (!opts.shell || arg === '') return { tier: arg === '' ? 'interactive' : 'unknown', statement: '\\!', summary: arg === '' ? 'opens a shell from psql' : `runs a shell command from psql: ${arg}` };
    const a = opts.shell(arg);
    return { tier: a.tier, statement: '\\!', summary: a.summary, effects: a.effects, flags: a.flags, observes: a.observes };
  }
  if (/^d[a-zA-Z]*[+S]*$/.test(cmd) || /^(l|l\+|z|sf|sv|sf\+|sv\+)$/.test(cmd)) {
    return { tier: 'read-only', statement: base, summary: `describes database objects (${base}${arg ? ` ${arg}` : ''})`, observes: ['db-schema'] };
  }
  if (/^(q|quit)$/.test(cmd)) return { tier: 'read-only', statement: base, summary: 'leaves psql' };
  if (/^(i|ir|include|include_relative)$/.test(cmd)) return { tier: 'unknown', statement: base, summary: `runs the SQL file ${arg || '(unnamed)'}, which is not in the log` };
  if (cmd === 'watch') return { tier: 'read-only', statement: base, summary: 're-runs the last query every few seconds until stopped', flags: { streaming: true }, observes: ['db-data'] };
  if (cmd === 'o' || cmd === 'out') {
    return arg ? { tier: 'read-only', statement: base, summary: `sends query output to ${arg}`, flags: { writesFile: true }, effects: [{ type: 'file', op: 'write', paths: [arg] }] } : { tier: 'read-only', statement: base, summary: 'sends query output back to the screen' };
  }
  if (cmd === 'copy') return classifyCopyMeta(arg);
  if (cmd === 'e' || cmd === 'edit' || cmd === 'ef' || cmd === 'ev') return { tier: 'interactive', statement: base, summary: 'opens an editor on the query buffer' };
  if (/^(g|gx|gset|gexec)$/.test(cmd)) return { tier: cmd === 'gexec' ? 'unknown' : 'read-only', statement: base, summary: cmd === 'gexec' ? 'runs every row of the result as SQL' : 're-runs the query buffer' };
  return { tier: 'read-only', statement: base, summary: `psql setting or display command ${base}` };
}

export function classifyStatement(stmt: string, opts: SqlOptions): SqlDraft {
  if (stmt.startsWith('\\')) return classifyMeta(stmt, opts);
  const upper = normalise(stmt);
  const top = topLevel(upper);
  const first = /^[A-Z]+/.exec(upper)?.[0] ?? '';

  switch (first) {
    case 'SELECT':
    case 'VALUES':
    case 'TABLE':
    case 'WITH': {
      if (first === 'WITH' && /(^|[^A-Z_])(INSERT|UPDATE|DELETE|MERGE)\s/.test(upper)) {
        return { tier: 'change', statement: 'WITH (data-modifying)', summary: 'runs a query whose CTEs write data', flags: { targeted: false }, observes: ['db-data'] };
      }
      if (kw(upper, 'PG_TERMINATE_BACKEND')) return classifyKill(upper, 'PG_TERMINATE_BACKEND');
      if (kw(upper, 'PG_CANCEL_BACKEND')) return classifyKill(upper, 'PG_CANCEL_BACKEND');
      if (/PG_RELOAD_CONF|PG_ROTATE_LOGFILE|PG_SWITCH_WAL|SETVAL\s*\(|NEXTVAL\s*\(|LO_UNLINK|PG_STAT_RESET|PG_STAT_STATEMENTS_RESET/.test(upper)) {
        return { tier: 'change', statement: 'SELECT (function with side effects)', summary: 'calls a server function that changes state', flags: { targeted: true } };
      }
      if (/\bINTO\b/.test(top) && /^SELECT\b/.test(upper) && !/\bINTO STRICT\b/.test(top)) {
        return { tier: 'change', statement: 'SELECT INTO', summary: 'creates a new table from a query', flags: { targeted: true } };
      }
      const locking = /\bFOR (UPDATE|NO KEY UPDATE|SHARE|KEY SHARE)\b/.test(top) || /PG_ADVISORY(_XACT)?_LOCK\b/.test(upper);
      return {
        tier: 'read-only',
        statement: first === 'WITH' ? 'WITH SELECT' : first,
        summary: locking ? 'reads rows and locks them' : describeRead(upper),
        flags: { locking },
        observes: observesFor(upper),
      };
    }
    case 'SHOW':
      if (/^SHOW (FULL )?PROCESSLIST/.test(upper)) return { tier: 'read-only', statement: 'SHOW PROCESSLIST', summary: 'lists running queries', observes: ['db-activity'] };
      return { tier: 'read-only', statement: 'SHOW', summary: 'shows a setting', observes: ['config'] };
    case 'DESCRIBE':
    case 'DESC':
      return { tier: 'read-only', statement: 'DESCRIBE', summary: 'describes a table', observes: ['db-schema'] };
    case 'USE':
      return { tier: 'read-only', statement: 'USE', summary: 'switches database' };
    case 'EXPLAIN':
      return classifyExplain(stmt, upper, opts);
    case 'INSERT':
    case 'MERGE':
    case 'UPSERT':
    case 'REPLACE':
      return { tier: 'change', statement: first, summary: `writes rows into ${tableAfter(upper, /^(?:INSERT|MERGE|REPLACE)\s+INTO\s+([A-Z0-9_."]+)/) ?? 'a table'}`, flags: { targeted: true }, effects: [{ type: 'sql', statement: first, table: tableAfter(upper, /INTO\s+([A-Z0-9_."]+)/) }], observes: [] };
    case 'UPDATE': {
      const table = tableAfter(upper, /^UPDATE\s+(?:ONLY\s+)?([A-Z0-9_."]+)/);
      const where = kw(top, 'WHERE');
      return where
        ? { tier: 'change', statement: 'UPDATE', summary: `updates the matching rows of ${table ?? 'a table'}`, flags: { targeted: true }, effects: [{ type: 'sql', statement: 'UPDATE', where: true, table }] }
        : // Every row overwritten: the old values are gone, so this is treated like DELETE without WHERE.
          { tier: 'destructive', statement: 'UPDATE', summary: `overwrites every row of ${table ?? 'a table'} (no WHERE)`, flags: { heavy: true }, effects: [{ type: 'sql', statement: 'UPDATE', where: false, table }] };
    }
    case 'DELETE': {
      const table = tableAfter(upper, /^DELETE\s+FROM\s+(?:ONLY\s+)?([A-Z0-9_."]+)/);
      const where = kw(top, 'WHERE');
      return where
        ? { tier: 'change', statement: 'DELETE', summary: `deletes the matching rows of ${table ?? 'a table'}`, flags: { targeted: true }, effects: [{ type: 'sql', statement: 'DELETE', where: true, table }] }
        : { tier: 'destructive', statement: 'DELETE', summary: `deletes every row of ${table ?? 'a table'} (no WHERE)`, effects: [{ type: 'sql', statement: 'DELETE', where: false, table }] };
    }
    case 'TRUNCATE': {
      const table = tableAfter(upper, /^TRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?([A-Z0-9_."]+)/);
      return { tier: 'destructive', statement: 'TRUNCATE', summary: `empties ${table ?? 'a table'}`, effects: [{ type: 'sql', statement: 'TRUNCATE', table }] };
    }
    case 'DROP': {
      const what = /^DROP\s+((?:MATERIALIZED\s+)?[A-Z]+)/.exec(upper)?.[1] ?? 'OBJECT';
      return { tier: 'destructive', statement: `DROP ${what}`, summary: `drops ${an(what.toLowerCase())}`, effects: [{ type: 'sql', statement: `DROP ${what}`, concurrently: kw(upper, 'CONCURRENTLY') }] };
    }
    case 'CREATE':
      return classifyCreate(upper);
    case 'REINDEX': {
      const conc = kw(upper, 'CONCURRENTLY') || /\(\s*[^)]*CONCURRENTLY/.test(upper);
      return { tier: 'change', statement: 'REINDEX', summary: conc ? 'rebuilds indexes online' : 'rebuilds indexes while blocking writes', flags: { targeted: true, locking: !conc, heavy: true }, effects: [{ type: 'sql', statement: 'REINDEX', concurrently: conc }] };
    }
    case 'CLUSTER':
      return { tier: 'change', statement: 'CLUSTER', summary: 'rewrites a table in index order, locking it', flags: { locking: true, heavy: true, targeted: true }, effects: [{ type: 'sql', statement: 'CLUSTER' }] };
    case 'REFRESH': {
      const conc = kw(upper, 'CONCURRENTLY');
      return { tier: 'change', statement: 'REFRESH MATERIALIZED VIEW', summary: 'refreshes a materialised view', flags: { targeted: true, locking: !conc }, effects: [{ type: 'sql', statement: 'REFRESH MATERIALIZED VIEW', concurrently: conc }] };
    }
    case 'VACUUM': {
      const full = /^VACUUM\s+(\([^)]*\bFULL\b[^)]*\)|(\w+\s+)*FULL\b)/.test(upper) && !/\bFULL\s+(FALSE|OFF|0)\b/.test(upper);
      const table = tableAfter(upper.replace(/\([^)]*\)/g, ' '), /^VACUUM\s+(?:(?:FULL|FREEZE|VERBOSE|ANALYZE)\s+)*([A-Z0-9_."]+)/);
      return full
        ? { tier: 'change', statement: 'VACUUM FULL', summary: `rewrites ${table ?? 'every table'} under an exclusive lock`, flags: { locking: true, heavy: true, targeted: table !== undefined }, effects: [{ type: 'sql', statement: 'VACUUM', full: true, table }] }
        : { tier: 'change', statement: 'VACUUM', summary: `vacuums ${table ?? 'the database'} online`, flags: { targeted: true }, effects: [{ type: 'sql', statement: 'VACUUM', full: false, table }] };
    }
    case 'ANALYZE':
    case 'ANALYSE':
      return { tier: 'change', statement: 'ANALYZE', summary: 'refreshes planner statistics (light)', flags: { targeted: true }, effects: [{ type: 'sql', statement: 'ANALYZE', table: tableAfter(upper, /^ANALY[SZ]E\s+(?:VERBOSE\s+)?([A-Z0-9_."]+)/) }] };
    case 'ALTER': {
      if (/^ALTER TABLE\b.*\bDROP\s+(COLUMN\b|(?!CONSTRAINT|DEFAULT|NOT|IDENTITY|EXPRESSION)[A-Z0-9_"]+)/.test(upper)) {
        return { tier: 'destructive', statement: 'ALTER TABLE DROP COLUMN', summary: 'drops a column and its data', effects: [{ type: 'sql', statement: 'ALTER TABLE' }] };
      }
      if (/^ALTER TABLE\b/.test(upper)) return { tier: 'change', statement: 'ALTER TABLE', summary: 'alters a table (takes a strong lock)', flags: { locking: true, targeted: true }, effects: [{ type: 'sql', statement: 'ALTER TABLE' }] };
      const what = /^ALTER\s+([A-Z]+)/.exec(upper)?.[1] ?? '';
      return { tier: 'change', statement: `ALTER ${what}`.trim(), summary: `alters ${an(what.toLowerCase() || 'database object')}`, flags: { targeted: true }, effects: [{ type: 'sql', statement: `ALTER ${what}`.trim() }] };
    }
    case 'COPY': {
      if (/\bFROM\b/.test(top)) return { tier: 'change', statement: 'COPY FROM', summary: 'loads rows into a table', flags: { targeted: true }, effects: [{ type: 'sql', statement: 'COPY' }] };
      if (/\bTO\s+(STDOUT|PROGRAM)\b/.test(top) && !/\bPROGRAM\b/.test(top)) return { tier: 'read-only', statement: 'COPY TO STDOUT', summary: 'streams rows out', observes: ['db-data'] };
      return { tier: 'change', statement: 'COPY TO', summary: 'writes rows to a file or program on the database server', flags: { writesFile: true, targeted: true } };
    }
    case 'LOCK':
      return { tier: 'change', statement: 'LOCK', summary: 'locks a table until the transaction ends', flags: { locking: true, targeted: true }, effects: [{ type: 'sql', statement: 'LOCK' }] };
    case 'BEGIN':
    case 'START':
    case 'COMMIT':
    case 'END':
    case 'ROLLBACK':
    case 'ABORT':
    case 'SAVEPOINT':
    case 'RELEASE':
      return { tier: 'read-only', statement: first, summary: 'transaction control' };
    case 'SET':
    case 'RESET':
      return { tier: 'read-only', statement: first, summary: 'changes a setting for this session only', observes: [] };
    case 'DISCARD':
    case 'DEALLOCATE':
    case 'LISTEN':
    case 'UNLISTEN':
    case 'PREPARE':
    case 'FETCH':
    case 'CLOSE':
    case 'DECLARE':
    case 'MOVE':
      return { tier: 'read-only', statement: first, summary: 'session bookkeeping' };
    case 'NOTIFY':
      return { tier: 'change', statement: 'NOTIFY', summary: 'sends a notification to listeners', flags: { targeted: true } };
    case 'CHECKPOINT':
      return { tier: 'change', statement: 'CHECKPOINT', summary: 'forces a checkpoint (a burst of disk writes)', flags: { heavy: true, targeted: true } };
    case 'GRANT':
    case 'REVOKE':
    case 'COMMENT':
    case 'SECURITY':
    case 'IMPORT':
      return { tier: 'change', statement: first, summary: 'changes permissions or metadata', flags: { targeted: true } };
    case 'KILL': {
      const pid = /^KILL\s+(?:QUERY\s+|CONNECTION\s+)?(\d+)/.exec(upper)?.[1];
      return { tier: 'change', statement: 'KILL', summary: pid ? `ends connection ${pid}` : 'ends a connection', flags: { targeted: pid !== undefined }, effects: [{ type: 'kill', signal: 'TERM', pids: pid ? [Number(pid)] : [], names: [], broad: pid === undefined, pid1: false, via: 'KILL' }] };
    }
    case 'DO':
    case 'CALL':
    case 'EXECUTE':
      return { tier: 'unknown', statement: first, summary: 'runs server-side code Sickbay cannot inspect' };
    default:
      return { tier: 'unknown', statement: first || '?', summary: `runs SQL Sickbay cannot classify (${first || 'empty'})` };
  }
}

function describeRead(upper: string): string {
  const o = observesFor(upper);
  if (o.includes('db-locks')) return 'reads lock information';
  if (o.includes('db-activity')) return 'reads the running queries';
  if (o.includes('db-size')) return 'reads object sizes';
  if (o.includes('db-schema')) return 'reads the catalogue (tables, indexes, statistics)';
  if (o.includes('config')) return 'reads settings';
  return 'reads rows';
}

/** EXPLAIN and its options: `( … )` or a run of ANALYZE / VERBOSE words (typed or normalised text). */
const EXPLAIN_PREFIX = /^\s*EXPLAIN\s*(?:\([^)]*\)\s*|(?:(?:ANALY[SZ]E|VERBOSE)\s+)*)/i;

/** How long EXPLAIN's prefix is in `text`, and whether its options make it run the statement. */
function explainPrefix(text: string): { length: number; analyze: boolean } | null {
  const m = EXPLAIN_PREFIX.exec(text);
  if (!m) return null;
  const options = m[0].replace(/^\s*EXPLAIN\s*/i, '');
  const analyze = options.startsWith('(')
    ? options.slice(1, options.indexOf(')')).split(',').some((o) => /^ANALY[SZ]E(\s+(TRUE|ON|1))?$/i.test(o.trim()))
    : /\bANALY[SZ]E\b/i.test(options);
  return { length: m[0].length, analyze };
}

function classifyExplain(stmt: string, upper: string, opts: SqlOptions): SqlDraft {
  // EXPLAIN [ANALYZE] [VERBOSE] stmt | EXPLAIN ( option [, ...] ) stmt
  const normalised = explainPrefix(upper);
  const analyze = normalised?.analyze ?? false;
  // Classify the inner statement from the original text (keeps literals for pg functions): its
  // options skipped there, since the normalised text is shorter wherever a literal was.
  // Without that prefix at the start (never seen), the normalised rest: never the whole statement again.
  const typed = explainPrefix(stmt);
  const inner = classifyStatement((typed && stmt.slice(typed.length)) || upper.slice(normalised?.length ?? 'EXPLAIN'.length), opts);
  if (!analyze) {
    return { tier: 'read-only', statement: 'EXPLAIN', summary: `shows the plan of ${an(inner.statement)} without running it`, observes: ['db-plan'], effects: [{ type: 'sql', statement: 'EXPLAIN', analyze: false }] };
  }
  const effects: Effect[] = [{ type: 'sql', statement: 'EXPLAIN', analyze: true }, ...(inner.effects ?? [])];
  if (inner.tier === 'read-only') {
    return { tier: 'read-only', statement: 'EXPLAIN ANALYZE', summary: `runs ${an(inner.statement)} to time its plan`, flags: { heavy: true, locking: inner.flags?.locking ?? false }, observes: ['db-plan'], effects };
  }
  return {
    tier: maxTier([inner.tier, 'change']),
    statement: 'EXPLAIN ANALYZE',
    summary: `executes ${an(inner.statement)} to time its plan (the write really happens)`,
    flags: { ...inner.flags, heavy: true },
    observes: ['db-plan'],
    effects,
  };
}

function classifyCreate(upper: string): SqlDraft {
  const idx = /^CREATE\s+(UNIQUE\s+)?INDEX\b(.*)$/.exec(upper);
  if (idx) {
    const rest = idx[2] ?? '';
    const conc = /^\s*CONCURRENTLY\b/.test(rest);
    const table = tableAfter(rest, /\bON\s+(?:ONLY\s+)?([A-Z0-9_."]+)/);
    const statement = idx[1] ? 'CREATE UNIQUE INDEX' : 'CREATE INDEX';
    return conc
      ? { tier: 'change', statement, summary: `builds an index on ${table ?? 'a table'} online (CONCURRENTLY)`, flags: { targeted: true }, effects: [{ type: 'sql', statement, concurrently: true, table }] }
      : {
          tier: 'change',
          statement,
          summary: `builds an index on ${table ?? 'a table'} while blocking its writes (no CONCURRENTLY)`,
          flags: { targeted: true, locking: true },
          effects: [{ type: 'sql', statement, concurrently: false, table }],
        };
  }
  const what = /^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?((?:MATERIALIZED\s+)?[A-Z]+)/.exec(upper)?.[1] ?? 'OBJECT';
  return { tier: 'change', statement: `CREATE ${what}`, summary: `creates ${an(what.toLowerCase())}`, flags: { targeted: true }, effects: [{ type: 'sql', statement: `CREATE ${what}` }] };
}
