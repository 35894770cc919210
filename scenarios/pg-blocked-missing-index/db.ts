/**
 * psql through docker exec, inside the db container (local socket, trust auth): what the
 * fault and the goals ask Postgres, and how they wait for it.
 */
import type { ScenarioContext } from '@/lib/scenario';
import type { PgBlockedParams } from './params';

/** Goal checks identify themselves in pg_stat_activity and never wait long for a lock. */
const CHECK_APP = 'sickbay-check';
const CHECK_LOCK_TIMEOUT_MS = 3000;
/**
 * A clean start forks the checkpointer within moments of the postmaster; crash recovery (any
 * server process killed) restarts it while the postmaster, and pg_postmaster_start_time(),
 * stay. The session is ready well after this gap, so a later checkpointer means a crash.
 */
export const CHECKPOINTER_GAP_S = 5;

export interface SqlResult {
  ok: boolean;
  rows: string[][];
  error: string;
}

/** Runs one statement as postgres; rows are tab-separated fields. Never waits long for a lock. */
export async function sql(ctx: ScenarioContext<PgBlockedParams>, database: string, query: string, statementTimeoutMs = 20_000): Promise<SqlResult> {
  const res = await ctx.exec('db', ['psql', '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-U', 'postgres', '-d', database, '-c', query], {
    // search_path pinned at connection time (it overrides role and database settings): a
    // learner who is superuser could otherwise shadow pg_stat_activity & co. with their own views.
    env: { PGAPPNAME: CHECK_APP, PGOPTIONS: `-c statement_timeout=${statementTimeoutMs} -c lock_timeout=${CHECK_LOCK_TIMEOUT_MS} -c search_path=pg_catalog,public` },
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

export interface ServerRun {
  postmasterStart: string;
  checkpointerStart: string | null;
  /** Seconds from the postmaster's start to the checkpointer's (null: no checkpointer now). */
  gapS: number | null;
}

/**
 * Whether Postgres has run without crash recovery, judged from what the server itself keeps in
 * memory (the learner, though superuser, cannot rewrite a process's start time): nothing in
 * the learner's databases is trusted. A restart of the server is a restart of the container
 * (postgres is the container's main process), which the container baseline catches.
 */
export function judgeServerRun(run: ServerRun): { pass: boolean; evidence: string } {
  if (run.gapS === null || run.checkpointerStart === null) {
    return { pass: false, evidence: 'Postgres has no checkpointer right now: it is starting, shutting down or recovering from a crash.' };
  }
  if (run.gapS > CHECKPOINTER_GAP_S) {
    return {
      pass: false,
      evidence: `Postgres went through crash recovery at ${run.checkpointerStart} (a server process was killed, and every session with it), though the container kept running.`,
    };
  }
  return { pass: true, evidence: `Postgres has run without a restart or crash recovery since ${run.postmasterStart}, in the same container.` };
}

/** The postmaster's and the checkpointer's start times (see judgeServerRun). */
export async function serverRun(ctx: ScenarioContext<PgBlockedParams>): Promise<SqlResult & { run: ServerRun | null }> {
  const r = await sql(
    ctx,
    'postgres',
    `SELECT pg_postmaster_start_time()::text, c.backend_start::text, extract(epoch FROM c.backend_start - pg_postmaster_start_time())
       FROM (SELECT 1) one LEFT JOIN pg_catalog.pg_stat_activity c ON c.backend_type = 'checkpointer'`,
  );
  if (!r.ok) return { ...r, run: null };
  const [postmasterStart, checkpointerStart, gap] = first(r);
  return { ...r, run: { postmasterStart: postmasterStart ?? '', checkpointerStart: checkpointerStart || null, gapS: gap ? Number(gap) : null } };
}

export interface LookupLoad {
  /** Full scans of the big table so far (cumulative statistics, reported at most ~1 s late). */
  seqScans: number;
  /** The application's statements running now, and how long the oldest has run. */
  active: number;
  longestMs: number;
}

/** What the customers' lookups do to the big table right now; null when Postgres cannot be asked. */
export async function lookupLoad(ctx: ScenarioContext<PgBlockedParams>): Promise<LookupLoad | null> {
  const p = ctx.params;
  const r = await sql(
    ctx,
    p.database,
    `SELECT (SELECT seq_scan FROM pg_catalog.pg_stat_user_tables WHERE relid = ${lit(p.table)}::regclass),
            count(*), coalesce(floor(1000 * extract(epoch FROM max(now() - query_start))), 0)
       FROM pg_catalog.pg_stat_activity WHERE application_name = ${lit(p.appName)} AND state = 'active'`,
  );
  const [scans, active, longest] = first(r).map(Number);
  if (!r.ok || !Number.isFinite(scans)) return null;
  return { seqScans: scans as number, active: active ?? 0, longestMs: longest ?? 0 };
}

/**
 * The missing index has taken effect when customers' lookups really scan the whole table and
 * are slower than the latency goal: a count of scans since the fault and the age of the oldest
 * lookup, not a number of queries at once (that depends on how fast this host scans).
 */
export const SCANS_TO_SEE = 10;
export function lookupsHurt(before: LookupLoad, now: LookupLoad, p95TargetMs: number): boolean {
  return now.seqScans - before.seqScans >= SCANS_TO_SEE && now.longestMs > p95TargetMs;
}

/**
 * The root blocker's session, if it is idle in a transaction, and how many sessions have waited
 * on a lock for more than 2 s (what the "blocking cleared" goal counts: a lab that is ready
 * before then would pass that goal for its first seconds).
 */
export async function chainState(ctx: ScenarioContext<PgBlockedParams>): Promise<{ rootPid: number | null; blocked: number }> {
  const r = await sql(
    ctx,
    ctx.params.database,
    `SELECT (SELECT pid FROM pg_stat_activity WHERE application_name = ${lit(ctx.params.blocker.application)} AND state LIKE 'idle in transaction%' LIMIT 1),
            (SELECT count(*) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0 AND now() - query_start > interval '2 seconds')`,
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
