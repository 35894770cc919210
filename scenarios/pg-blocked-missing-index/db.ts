/**
 * psql through docker exec, inside the db container (local socket, trust auth): what the
 * fault and the goals ask Postgres, and how they wait for it.
 */
import type { ScenarioContext } from '@/lib/scenario';
import type { PgBlockedParams } from './params';

/** Goal checks identify themselves in pg_stat_activity and never wait long for a lock. */
const CHECK_APP = 'sickbay-check';
const CHECK_LOCK_TIMEOUT_MS = 3000;
/** Where the fault records what the goals compare against (a database of its own). */
export const LAB_DB = 'sickbay';

export interface SqlResult {
  ok: boolean;
  rows: string[][];
  error: string;
}

/** Runs one statement as postgres; rows are tab-separated fields. Never waits long for a lock. */
export async function sql(ctx: ScenarioContext<PgBlockedParams>, database: string, query: string, statementTimeoutMs = 20_000): Promise<SqlResult> {
  const res = await ctx.exec('db', ['psql', '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', database, '-c', query], {
    env: { PGAPPNAME: CHECK_APP, PGOPTIONS: `-c statement_timeout=${statementTimeoutMs} -c lock_timeout=${CHECK_LOCK_TIMEOUT_MS}` },
    timeoutMs: statementTimeoutMs + 10_000,
  });
  const rows = res.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
  const error = res.exitCode === 0 ? '' : (res.stderr.trim().split('\n').find((l) => /ERROR|FATAL|timed out/.test(l)) ?? res.stderr.trim()).slice(0, 200);
  return { ok: res.exitCode === 0, rows, error };
}

export const first = (r: SqlResult): string[] => r.rows[0] ?? [];
export const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
export const lockTrouble = (r: SqlResult): boolean => /lock timeout|canceling statement due to (lock|statement) timeout/i.test(r.error);

/** Sessions of the application currently running a statement (the pile-up). */
export async function activeAppSessions(ctx: ScenarioContext<PgBlockedParams>): Promise<number> {
  const r = await sql(
    ctx,
    ctx.params.database,
    `SELECT count(*) FROM pg_stat_activity WHERE application_name = ${lit(ctx.params.appName)} AND state = 'active'`,
  );
  return Number(first(r)[0] ?? 0);
}

/** The root blocker's session, if it is idle in a transaction and something waits on it. */
export async function chainState(ctx: ScenarioContext<PgBlockedParams>): Promise<{ rootPid: number | null; blocked: number }> {
  const r = await sql(
    ctx,
    ctx.params.database,
    `SELECT (SELECT pid FROM pg_stat_activity WHERE application_name = ${lit(ctx.params.blocker.application)} AND state LIKE 'idle in transaction%' LIMIT 1),
            (SELECT count(*) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0)`,
  );
  const [pid, blocked] = first(r);
  return { rootPid: pid ? Number(pid) : null, blocked: Number(blocked ?? 0) };
}

export function opsEnv(p: PgBlockedParams, application: string, user: string): Record<string, string> {
  return { OPS_DB: p.database, OPS_TABLE: p.table, OPS_APP: application, OPS_USER: user, OPS_HOURS: '12' };
}

export async function waitUntil(ctx: ScenarioContext<PgBlockedParams>, what: string, timeoutMs: number, fn: () => Promise<boolean>): Promise<void> {
  const deadline = ctx.now() + timeoutMs;
  while (!(await fn())) {
    if (ctx.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000}s`);
    await ctx.sleep(500);
  }
}
