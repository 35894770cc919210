/**
 * Databases: psql, mysql and sqlite3 run SQL (read by ../sql.ts) from -c/-e, a here-doc, a
 * pipe, or interactively; redis-cli commands; the Postgres admin tools (pg_ctl, pg_dump,
 * vacuumdb, ...). A dump is a snapshot; dropdb and FLUSHALL destroy data.
 */
import { has, parseArgs, value, values } from '../args';
import type { Classification, ClassificationFlags, PartClassification, Scope } from '../classification';
import { type SqlClassification, classifySql } from '../sql';
import { type ArgvContext, type Draft, DEV_NULLISH, type ProgramTable, type Recurse, change, each, operands, ro, unknown } from './draft';
import { serviceDraft } from './services';

/** SQL text classified statement by statement, each statement one part. */
export function sqlToClassification(sql: SqlClassification, scope: Scope, target: string | undefined): Classification {
  const parts: PartClassification[] = sql.statements.map((s) => ({
    tier: s.tier,
    summary: s.summary,
    effects: s.effects,
    flags: s.flags,
    observes: s.observes,
    program: 'sql',
    argv: [s.text],
    scope,
    target,
  }));
  return {
    tier: sql.tier,
    summary: sql.summary,
    effects: sql.effects,
    flags: sql.flags,
    observes: sql.observes,
    programs: parts.length > 0 ? ['sql'] : [],
    targets: target ? [target] : [],
    parts,
    incomplete: sql.incomplete,
  };
}

function sqlDraft(program: string, sql: string, ctx: ArgvContext, r: Recurse, extra: Partial<ClassificationFlags> = {}): Draft {
  const c = classifySql(sql, { shell: (line) => r.line(line, { ...ctx, upstream: [], downstream: [], words: undefined, depth: ctx.depth + 1 }) });
  const inner = sqlToClassification(c, ctx.where === 'console' ? 'console' : 'container', ctx.target);
  return { tier: c.tier, summary: `${program}: ${c.summary}`, effects: c.effects, flags: { ...c.flags, ...extra, targeted: c.flags.targeted }, observes: c.observes, inner };
}

function psqlDraft(_prog: string, args: string[], ctx: ArgvContext, r: Recurse): Draft {
  const p = parseArgs(args, {
    values: ['-c', '--command', '-f', '--file', '-U', '--username', '-d', '--dbname', '-h', '--host', '-p', '--port', '-v', '--set', '--variable', '-o', '--output', '-P', '--pset', '-F', '--field-separator', '-R', '--record-separator', '-L', '--log-file', '-T', '--table-attr'],
  });
  const out = value(p, '-o', '--output');
  const writes = out !== undefined && !DEV_NULLISH.test(out) ? { writesFile: true } : {};
  if (has(p, '-l', '--list')) return ro('psql: lists databases', ['db-schema']);
  if (has(p, '-V', '--version', '-?', '--help')) return ro('psql: prints its version or help');
  const commands = values(p, '-c', '--command');
  const files = values(p, '-f', '--file');
  if (commands.length > 0) return sqlDraft('psql', commands.join(';\n'), ctx, r, writes);
  if (files.length > 0 && files.some((f) => f !== '-')) return unknown(`psql runs the SQL file ${files.join(', ')}, which is not in the log`);
  return sqlFromStdin('psql', ctx, r, writes);
}

function sqlFromStdin(program: string, ctx: ArgvContext, r: Recurse, extra: Partial<ClassificationFlags> = {}): Draft {
  const stdin = ctx.stdin;
  if (stdin.kind === 'text') return sqlDraft(program, stdin.text, ctx, r, extra);
  if (stdin.kind === 'unknown') return unknown(`${program} reads SQL from ${stdin.from}, which is not in the log`);
  if (stdin.kind === 'terminal') {
    return { tier: 'interactive', summary: `opens an interactive ${program} session`, effects: [{ type: 'shell', program }], observes: [] };
  }
  return ro(`starts ${program} with no input (it exits at once)`);
}

function redisDraft(_prog: string, args: string[], ctx: ArgvContext): Draft {
  const p = parseArgs(args, { values: ['-h', '-p', '-a', '--user', '--pass', '-n', '-u', '-s', '-r', '-i', '--csv', '-d', '-c'], stopAtPositional: true });
  const cmd = (p.positionals[0] ?? '').toUpperCase();
  if (has(p, '--bigkeys', '--memkeys', '--hotkeys')) return ro('redis-cli: scans every key', ['db-data'], { heavy: true });
  if (has(p, '--scan')) return ro('redis-cli: scans keys', ['db-data']);
  if (has(p, '--stat', '--latency', '--latency-history')) return ro('redis-cli: watches server stats until stopped', ['resources'], { streaming: true });
  if (cmd === '') return ctx.stdin.kind === 'terminal' ? { tier: 'interactive', summary: 'opens an interactive redis-cli session', effects: [{ type: 'shell', program: 'redis-cli' }] } : ro('starts redis-cli with no input');
  if (/^(FLUSHALL|FLUSHDB)$/.test(cmd)) return { tier: 'destructive', summary: `redis-cli ${cmd}: deletes every key` };
  if (cmd === 'SHUTDOWN') return { tier: 'state-losing', summary: 'redis-cli SHUTDOWN: stops the server' };
  if (/^(MONITOR|SUBSCRIBE|PSUBSCRIBE)$/.test(cmd)) return ro(`redis-cli ${cmd}: streams until stopped`, ['db-activity'], { streaming: true, heavy: cmd === 'MONITOR' });
  if (cmd === 'KEYS') return ro('redis-cli KEYS: walks every key (blocks the server on big data sets)', ['db-data'], { heavy: true });
  if (/^(GET|MGET|HGET|HGETALL|LRANGE|SMEMBERS|ZRANGE|TTL|PTTL|TYPE|EXISTS|STRLEN|LLEN|SCARD|ZCARD|HLEN|INFO|PING|SCAN|DBSIZE|SLOWLOG|CLIENT|CONFIG|MEMORY|LATENCY|OBJECT|TIME|ECHO)$/.test(cmd)) {
    const sub = (p.rest[0] ?? '').toUpperCase();
    if (cmd === 'CLIENT' && sub === 'KILL') return change('redis-cli CLIENT KILL: ends a client connection', { targeted: true });
    if (cmd === 'CONFIG' && sub === 'SET') return change('redis-cli CONFIG SET: changes a live setting', { targeted: true });
    if (cmd === 'SLOWLOG' && sub === 'RESET') return change('redis-cli SLOWLOG RESET: clears the slow log', { targeted: true });
    return ro(`redis-cli ${cmd}: reads`, cmd === 'INFO' || cmd === 'MEMORY' ? ['resources'] : cmd === 'CLIENT' || cmd === 'SLOWLOG' ? ['db-activity'] : ['db-data']);
  }
  return change(`redis-cli ${cmd}: writes data`, { targeted: !/^(DEL|UNLINK)$/.test(cmd) || p.rest.length <= 1 });
}

function mysqlDraft(prog: string, args: string[], ctx: ArgvContext, r: Recurse): Draft {
  const p = parseArgs(args, { values: ['-e', '--execute', '-u', '--user', '-h', '--host', '-P', '--port', '-D', '--database', '-S', '--socket'] });
  const sql = values(p, '-e', '--execute');
  if (sql.length) return sqlDraft(prog, sql.join(';\n'), ctx, r);
  return sqlFromStdin(prog, ctx, r);
}

function sqliteDraft(_prog: string, args: string[], ctx: ArgvContext, r: Recurse): Draft {
  const positional = operands(args);
  if (positional.length >= 2) return sqlDraft('sqlite3', positional.slice(1).join(';\n'), ctx, r);
  return sqlFromStdin('sqlite3', ctx, r);
}

function pgCtlDraft(prog: string, args: string[]): Draft {
  const verb = args.find((a) => /^(start|stop|restart|reload|status|promote|kill)$/.test(a)) ?? 'status';
  return serviceDraft('postgres', verb, prog);
}

export const databases: ProgramTable = {
  psql: psqlDraft,
  ...each(['mysql', 'mariadb'], mysqlDraft),
  sqlite3: sqliteDraft,
  'redis-cli': redisDraft,
  ...each(['pg_ctl', 'pg_ctlcluster'], pgCtlDraft),
  ...each(['pg_dump', 'pg_dumpall', 'mysqldump'], (prog) => ({
    tier: 'snapshot',
    summary: `${prog}: dumps the database (a copy of the data; heavy on big tables)`,
    flags: { heavy: true },
    observes: ['db-data'],
  })),
  pg_restore: (prog) => change(`${prog}: restores a dump into the database`, { targeted: false }),
  vacuumdb: (_prog, args) => {
    const full = args.some((a) => a === '-f' || a === '--full');
    return change('vacuumdb: vacuums databases', { heavy: full, locking: full, targeted: true });
  },
  reindexdb: (_prog, args) => change('reindexdb: rebuilds indexes', { heavy: true, locking: !args.includes('--concurrently'), targeted: true }),
  dropdb: () => ({ tier: 'destructive', summary: 'dropdb: deletes a database' }),
  createdb: () => change('createdb: creates a database'),
};
