/**
 * pg-blocked-missing-index: Postgres accepts connections and its health check is green, yet the
 * application's queries hang (field notes, section 02, "Another Real Scenario"). Two causes
 * stack up, as they do in real incidents:
 *
 *  1. A forgotten session holds locks the application needs (one of three patterns, by seed),
 *     and dozens of application queries queue behind it.
 *  2. Under that, the application's critical lookup has no index: every lookup scans a table of
 *     ~2.5 M rows, so even with the blocker gone the lookups pile up and time out.
 *
 * The safe way out: find the root of the blocking chain read-only (pg_stat_activity,
 * pg_blocking_pids), terminate that one backend, confirm the seq scan with EXPLAIN, build the
 * index online (CREATE INDEX CONCURRENTLY), verify — all without restarting Postgres.
 * README.md beside this file explains the machinery; debrief.mdx the story.
 */
import { compareNotRestarted, defineScenario, trafficService, runProbe, type Rng, type ScenarioContext } from '@/lib/scenario';

const IMAGE = 'sickbay/scenario-pg-blocked-missing-index:latest';

/**
 * Mirror of files/common/datasets.py (the Python side generates the data and runs the app).
 * The integration test compares both, so they cannot drift apart unnoticed.
 */
export const DATASETS = {
  orders: { database: 'shop', table: 'orders', column: 'customer_ref', kind: 'text', app: 'orders-api', path: '/api/orders', param: 'customer_ref', side: { table: 'customers', rows: 40000 }, newColumn: 'gift_message' },
  shipments: { database: 'logistics', table: 'shipments', column: 'tracking_code', kind: 'text', app: 'tracking-api', path: '/api/shipments', param: 'tracking_code', side: { table: 'carriers', rows: 2000 }, newColumn: 'signed_by' },
  invoices: { database: 'billing', table: 'invoices', column: 'account_id', kind: 'bigint', app: 'billing-api', path: '/api/invoices', param: 'account_id', side: { table: 'accounts', rows: 30000 }, newColumn: 'dunning_level' },
  tickets: { database: 'support', table: 'tickets', column: 'requester_email', kind: 'text', app: 'helpdesk-api', path: '/api/tickets', param: 'requester_email', side: { table: 'agents', rows: 1500 }, newColumn: 'csat_score' },
  payments: { database: 'payments', table: 'payments', column: 'merchant_ref', kind: 'text', app: 'payments-api', path: '/api/payments', param: 'merchant_ref', side: { table: 'merchants', rows: 9000 }, newColumn: 'risk_score' },
} as const;

export type DatasetName = keyof typeof DATASETS;

/**
 * The blocking patterns. Each root blocker is a session left `idle in transaction` by an ops
 * script in /srv/ops of the db container; what it holds differs:
 *  - row-locks:  an unconfirmed bulk UPDATE of the newest rows (the ones customers look up most):
 *                application UPDATEs of those rows wait on it; reads still run.
 *  - table-lock: LOCK TABLE ... IN SHARE MODE: every application write waits; reads still run.
 *  - lock-queue: a stalled REPEATABLE READ report holds an ACCESS SHARE lock; a migration's
 *                ALTER TABLE waits for it at the head of the lock queue, and every later query
 *                on the table, reads included, queues behind the migration.
 * In all three the root is the idle transaction; CREATE INDEX CONCURRENTLY also waits for it.
 */
export const BLOCKERS = {
  'row-locks': { script: 'bulk_fix.py', user: 'postgres', applications: ['bulk-fix', 'ops-console', 'data-repair'] },
  'table-lock': { script: 'reconcile.py', user: 'postgres', applications: ['reconcile', 'ledger-check', 'month-end'] },
  'lock-queue': { script: 'export_report.py', user: 'reporting', applications: ['report-export', 'metabase', 'bi-extract'] },
} as const;
export type BlockerKind = keyof typeof BLOCKERS;
export const BLOCKER_KINDS = Object.keys(BLOCKERS) as BlockerKind[];
const MIGRATION = { script: 'migrate.py', user: 'app', applications: ['migrate', 'alembic', 'flyway'] } as const;

/** The per-run truth. Stored with the session; shown only in the report after the drill. */
export interface PgBlockedParams {
  dataset: DatasetName;
  database: string;
  table: string;
  column: string;
  /** The small, properly indexed table beside the big one (its row count is checked too). */
  sideTable: string;
  sideRows: number;
  /** Rows in the big table: the seq scan reads all of them on every lookup. */
  rows: number;
  /** The newest rows that HOT_SHARE of the lookups ask for (and that bulk_fix.py locks). */
  hotRows: number;
  /** The application: its application_name in pg_stat_activity, HTTP port and lookup path. */
  appName: string;
  port: number;
  path: string;
  param: string;
  appPassword: string;
  reportPassword: string;
  statementTimeoutMs: number;
  /** What "fast again" means for the lookup-latency goal. */
  p95TargetMs: number;
  blocker: {
    kind: BlockerKind;
    /** application_name of the root blocker's session: the backend to terminate. */
    application: string;
    user: string;
    script: string;
    /** lock-queue only: the migration waiting behind the root and in front of everyone else. */
    waiter: { application: string; user: string; script: string; column: string } | null;
  };
  /** One sentence for the report, written from the params (never shown while live). */
  truth: string;
}

const STATEMENT_TIMEOUT_MS = 6000;
const HOT_ROWS = 20000;
const P95_TARGET_MS = 250;
/** Goal checks identify themselves in pg_stat_activity and never wait long for a lock. */
const CHECK_APP = 'sickbay-check';
const CHECK_LOCK_TIMEOUT_MS = 3000;
/** Where the fault records what the goals compare against (a database of its own). */
const LAB_DB = 'sickbay';

function drawParams(rng: Rng): PgBlockedParams {
  const dataset = rng.pick(Object.keys(DATASETS) as DatasetName[]);
  const ds = DATASETS[dataset];
  const kind = rng.fork('blocker').pick(BLOCKER_KINDS);
  const spec = BLOCKERS[kind];
  const application = rng.fork('blocker-app').pick(spec.applications);
  const waiter =
    kind === 'lock-queue'
      ? { application: rng.fork('waiter-app').pick(MIGRATION.applications), user: MIGRATION.user, script: MIGRATION.script, column: ds.newColumn }
      : null;
  const rows = rng.fork('rows').int(2_200_000, 2_800_000);
  const port = rng.fork('port').int(8000, 8999);
  const secrets = rng.fork('secrets');
  const what = {
    'row-locks': `an unconfirmed bulk UPDATE ("${application}", ${spec.script}) left idle in transaction, holding row locks on the newest ${ds.table}`,
    'table-lock': `a reconciliation session ("${application}", ${spec.script}) left idle in transaction after LOCK TABLE ${ds.table} IN SHARE MODE`,
    'lock-queue': `a stalled report ("${application}", ${spec.script}) idle in a REPEATABLE READ transaction, with a migration ("${waiter?.application}") waiting behind it for ACCESS EXCLUSIVE on ${ds.table} and every query queued behind the migration`,
  }[kind];
  return {
    dataset,
    database: ds.database,
    table: ds.table,
    column: ds.column,
    sideTable: ds.side.table,
    sideRows: ds.side.rows,
    rows,
    hotRows: HOT_ROWS,
    appName: ds.app,
    port,
    path: ds.path,
    param: ds.param,
    appPassword: secrets.hex(16),
    reportPassword: secrets.hex(16),
    statementTimeoutMs: STATEMENT_TIMEOUT_MS,
    p95TargetMs: P95_TARGET_MS,
    blocker: { kind, application, user: spec.user, script: spec.script, waiter },
    truth:
      `${ds.app} looks rows up in ${ds.database}.${ds.table} by ${ds.column}, which had no index: every lookup ` +
      `scanned all ${rows.toLocaleString('en-US')} rows. On top of that, ${what}.`,
  };
}

// ---------------------------------------------------------------------------------------------
// psql through docker exec, inside the db container (local socket, trust auth)

interface SqlResult {
  ok: boolean;
  rows: string[][];
  error: string;
}

/** Runs one statement as postgres; rows are tab-separated fields. Never waits long for a lock. */
async function sql(ctx: ScenarioContext<PgBlockedParams>, database: string, query: string, statementTimeoutMs = 20_000): Promise<SqlResult> {
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

const first = (r: SqlResult): string[] => r.rows[0] ?? [];
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;
const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
const lockTrouble = (r: SqlResult): boolean => /lock timeout|canceling statement due to (lock|statement) timeout/i.test(r.error);

/** Sessions of the application currently running a statement (the pile-up). */
async function activeAppSessions(ctx: ScenarioContext<PgBlockedParams>): Promise<number> {
  const r = await sql(
    ctx,
    ctx.params.database,
    `SELECT count(*) FROM pg_stat_activity WHERE application_name = ${lit(ctx.params.appName)} AND state = 'active'`,
  );
  return Number(first(r)[0] ?? 0);
}

/** The root blocker's session, if it is idle in a transaction and something waits on it. */
async function chainState(ctx: ScenarioContext<PgBlockedParams>): Promise<{ rootPid: number | null; blocked: number }> {
  const r = await sql(
    ctx,
    ctx.params.database,
    `SELECT (SELECT pid FROM pg_stat_activity WHERE application_name = ${lit(ctx.params.blocker.application)} AND state LIKE 'idle in transaction%' LIMIT 1),
            (SELECT count(*) FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0)`,
  );
  const [pid, blocked] = first(r);
  return { rootPid: pid ? Number(pid) : null, blocked: Number(blocked ?? 0) };
}

function opsEnv(p: PgBlockedParams, application: string, user: string): Record<string, string> {
  return { OPS_DB: p.database, OPS_TABLE: p.table, OPS_APP: application, OPS_USER: user, OPS_HOURS: '12' };
}

async function waitUntil(ctx: ScenarioContext<PgBlockedParams>, what: string, timeoutMs: number, fn: () => Promise<boolean>): Promise<void> {
  const deadline = ctx.now() + timeoutMs;
  while (!(await fn())) {
    if (ctx.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs / 1000}s`);
    await ctx.sleep(500);
  }
}

/** Root-cause categories: the true (compound) one, its two halves alone, and distractors. */
export const DIAGNOSIS_CATEGORIES = [
  {
    id: 'blocked-and-unindexed',
    label: 'A forgotten transaction holds locks that queries queue behind, and the lookup has no index',
    why: 'pg_blocking_pids leads every waiting session to one backend that is idle in a transaction; once it is gone, EXPLAIN still shows a Seq Scan over millions of rows for every lookup.',
  },
  {
    id: 'blocking-only',
    label: 'A forgotten transaction holds locks that queries queue behind (nothing else is wrong)',
    why: 'Half of it: after the blocker is gone the lookups still pile up and time out, because each one scans the whole table.',
  },
  {
    id: 'missing-index-only',
    label: 'The lookup has no index and scans the whole table (nothing else is wrong)',
    why: 'Half of it: sessions waiting on wait_event_type "Lock" are not slow scans, and CREATE INDEX CONCURRENTLY itself waits for the forgotten transaction.',
  },
  {
    id: 'database-down',
    label: 'Postgres is down or refusing connections',
    why: 'Tempting because the API answers 503/504, but pg_isready, the health check and any psql session connect at once.',
  },
  {
    id: 'pool-too-small',
    label: 'The application\u2019s connection pool is too small',
    why: '"no database connection free" is in the app log, but every pooled connection is busy waiting on the database: a bigger pool only adds waiters.',
  },
  {
    id: 'deadlock',
    label: 'A deadlock between application queries',
    why: 'Postgres detects deadlocks within deadlock_timeout and aborts one side; this chain never resolves because its root simply never finishes.',
  },
  {
    id: 'bloat-no-vacuum',
    label: 'The database grew without cleanup (bloat, no vacuum)',
    why: 'The table is large but not bloated (few dead tuples in pg_stat_user_tables); with the right index its size does not matter.',
  },
  {
    id: 'traffic-spike',
    label: 'A traffic spike the database cannot handle',
    why: 'Traffic is a steady 5 requests a second; with an index each lookup costs well under a millisecond.',
  },
] as const;

/** Progressive hints (the schema takes the texts; `meta.hints` proposes timing and cost). */
const HINTS = [
  {
    afterMs: 3 * 60_000,
    cost: 1,
    text: 'The health check only proves Postgres accepts connections. What are those connections doing? pg_stat_activity lists every session with its state and what it waits for.',
  },
  {
    afterMs: 6 * 60_000,
    cost: 2,
    text: 'pg_blocking_pids(pid) names the sessions a waiting session waits for. Follow it until you reach one that waits for nobody.',
  },
  {
    afterMs: 9 * 60_000,
    cost: 2,
    text: 'A session "idle in transaction" runs nothing, yet keeps every lock it took until it ends. pg_cancel_backend cancels a running query; this session runs none.',
  },
  {
    afterMs: 12 * 60_000,
    cost: 2,
    text: 'Blocking gone and still slow? Copy one of the application\u2019s lookups from pg_stat_activity and EXPLAIN it (plain EXPLAIN: ANALYZE would run it once more).',
  },
  {
    afterMs: 15 * 60_000,
    cost: 3,
    text: 'CREATE INDEX CONCURRENTLY builds an index without blocking writes. It waits for older transactions first, and an interrupted build leaves an INVALID index to drop before retrying.',
  },
] as const;

export default defineScenario<PgBlockedParams>({
  title: 'The database that hangs while looking healthy',
  summary:
    'Postgres accepts connections and its health check is green, but the lookup API times out and queries pile up by the dozen. Clear the jam and make lookups fast again without restarting the database or losing a row.',
  difficulty: 'advanced',
  minutes: 30,
  tags: ['postgres', 'locks', 'indexes', 'performance', 'sql'],
  params: drawParams,
  diagnosis: {
    culpritLabel: 'the session at the root of the blocking chain',
    categories: DIAGNOSIS_CATEGORIES.map(({ id, label }) => ({ id, label })),
    // The culprit is the root blocker, named by its application_name (what pg_stat_activity
    // shows); the script behind it counts too. The missing index is part of the category; the
    // column is a second culprit field proposed in `meta.diagnosis.culprits` below.
    truth: (p) => ({
      category: 'blocked-and-unindexed',
      culprit: p.blocker.application,
      culpritKind: 'query',
      accept: [p.blocker.script, p.blocker.script.replace(/\.py$/, ''), `/srv/ops/${p.blocker.script}`],
    }),
  },
  hints: HINTS.map((h) => h.text),
  protocol: {
    affectedServices: ['db'],
    snapshotExpected: true,
    // The evidence is in memory: the sessions and locks. Saving them is the snapshot that counts.
    snapshotEvidence: ['db-activity', 'db-locks'],
    restartAllowed: false,
    // Names only: per-run passwords would need secrets as a function of the params.
    secrets: ['PGPASSWORD', 'APP_PASSWORD', 'REPORT_PASSWORD'],
    stressed: true,
    timelineScale: 1.5,
    causeHints: ['lock', 'blocking', 'blocked', 'index', 'full table scan', 'sequential scan'],
  },
  networks: { backend: {} },
  services: (p) => ({
    db: {
      image: IMAGE,
      command: ['/srv/db/start-db.sh'],
      env: { DATASET: p.dataset, ROWS: String(p.rows), APP_PASSWORD: p.appPassword, REPORT_PASSWORD: p.reportPassword },
      networks: ['backend'],
      // Deliberately shallow, like the monitoring in the story: "accepts connections" is all
      // it proves. The start period covers the data load (~15 s alone, longer on a busy host).
      healthcheck: { test: ['CMD', 'pg_isready', '-q', '-h', '127.0.0.1', '-U', 'postgres', '-d', p.database], intervalMs: 1000, timeoutMs: 3000, retries: 5, startPeriodMs: 85_000 },
      limits: { memory: '1g', cpus: 1, pids: 256 },
    },
    app: {
      image: IMAGE,
      command: ['python3', '/srv/app/api.py'],
      env: {
        PORT: String(p.port),
        DATASET: p.dataset,
        ROWS: String(p.rows),
        HOT_ROWS: String(p.hotRows),
        HOT_SHARE: '0.4',
        STATEMENT_TIMEOUT_MS: String(p.statementTimeoutMs),
        POOL_SIZE: '40',
        POOL_WAIT_MS: '2000',
        PGHOST: 'db',
        PGPORT: '5432',
        PGDATABASE: p.database,
        PGUSER: 'app',
        PGPASSWORD: p.appPassword,
      },
      networks: ['backend'],
      healthcheck: { test: ['CMD', 'curl', '-fsS', '-m', '3', `http://127.0.0.1:${p.port}/healthz`], intervalMs: 1000, timeoutMs: 4000, retries: 10, startPeriodMs: 85_000 },
      limits: { memory: '256m', cpus: 0.5, pids: 160 },
    },
    // The customers: 5 lookups a second, each allowed 15 s (the app gives up after 2 s waiting
    // for a connection plus 6 s per statement). Goal checks probe the app from here too.
    traffic: trafficService({ url: `http://app:${p.port}${p.path}`, rps: 5, timeoutS: 15, networks: ['backend'], pids: 96 }),
  }),
  faults: [
    {
      id: 'unindexed-lookup',
      title: 'The critical lookup column has no index: every lookup scans the whole table',
      // The data set is generated without the index (start-db.sh); traffic starts with the
      // services. This step records what the goals compare against later, then waits for the
      // pile-up: the postmaster's start time, a crash canary and the row counts as loaded.
      inject: async (ctx) => {
        const p = ctx.params;
        const created = await sql(ctx, 'postgres', `CREATE DATABASE ${LAB_DB}`);
        if (!created.ok && !/already exists/.test(created.error)) throw new Error(`could not create the lab database: ${created.error}`);
        const facts = await sql(
          ctx,
          LAB_DB,
          // An UNLOGGED table is emptied by crash recovery: the canary tells a backend killed
          // with SIGKILL (which makes the postmaster reset every session) from a clean run,
          // which pg_postmaster_start_time() alone does not.
          `CREATE TABLE IF NOT EXISTS facts (key text PRIMARY KEY, value text NOT NULL);
           CREATE UNLOGGED TABLE IF NOT EXISTS canary (alive boolean NOT NULL);
           INSERT INTO canary SELECT true WHERE NOT EXISTS (SELECT 1 FROM canary);
           INSERT INTO facts VALUES ('postmaster_start', pg_postmaster_start_time()::text) ON CONFLICT (key) DO NOTHING;`,
        );
        if (!facts.ok) throw new Error(`could not record the baseline: ${facts.error}`);
        // The row counts as loaded: start-db.sh counted them before the server took any traffic
        // (counting 2.5 M rows now would queue behind dozens of scans).
        const marker = await ctx.exec('db', ['cat', '/var/lib/postgresql/data/sickbay-dataset']);
        const loaded = Object.fromEntries(marker.stdout.split('\n').map((l) => l.split('=') as [string, string]));
        const main = Number(loaded.rows_main);
        const side = Number(loaded.rows_side);
        if (main !== p.rows || side !== p.sideRows) {
          throw new Error(`the data set is not what the seed asked for (rows ${main}/${p.rows}, ${side}/${p.sideRows}): ${marker.stdout.trim() || marker.stderr.trim()}`);
        }
        const saved = await sql(ctx, LAB_DB, `INSERT INTO facts VALUES ('rows_main', '${main}'), ('rows_side', '${side}') ON CONFLICT (key) DO NOTHING`);
        if (!saved.ok) throw new Error(`could not record the row counts: ${saved.error}`);
      },
      waitFor: {
        description: 'at least 12 application queries running at once',
        until: async (ctx) => (await activeAppSessions(ctx)) >= 12,
        timeoutMs: 90_000,
      },
    },
    {
      id: 'forgotten-session',
      title: 'A forgotten session holds locks the application needs, and queries queue behind it',
      inject: async (ctx) => {
        const p = ctx.params;
        const b = p.blocker;
        await ctx.exec('db', ['python3', `/srv/ops/${b.script}`], { detach: true, env: opsEnv(p, b.application, b.user) });
        await waitUntil(ctx, 'the ops session to sit idle in its transaction', 60_000, async () => (await chainState(ctx)).rootPid !== null);
        if (b.waiter) {
          await ctx.exec('db', ['python3', `/srv/ops/${b.waiter.script}`], {
            detach: true,
            env: { ...opsEnv(p, b.waiter.application, b.waiter.user), OPS_COLUMN: b.waiter.column },
          });
        }
        const { rootPid } = await chainState(ctx);
        await sql(ctx, LAB_DB, `INSERT INTO facts VALUES ('blocker_pid', '${rootPid ?? ''}') ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
      },
      waitFor: {
        description: 'a blocking chain: three or more sessions waiting behind the forgotten one',
        until: async (ctx) => {
          const s = await chainState(ctx);
          return s.rootPid !== null && s.blocked >= 3;
        },
        timeoutMs: 60_000,
      },
    },
  ],
  goals: [
    {
      id: 'blocking-cleared',
      title: 'The blocking chain is gone: nobody waits on a lock, no transaction sits idle',
      check: async (ctx) => {
        const r = await sql(
          ctx,
          ctx.params.database,
          `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock' AND cardinality(pg_blocking_pids(pid)) > 0 AND now() - query_start > interval '2 seconds'),
                  count(*) FILTER (WHERE state LIKE 'idle in transaction%' AND now() - state_change > interval '10 seconds'),
                  coalesce(max(floor(extract(epoch FROM now() - state_change))) FILTER (WHERE state LIKE 'idle in transaction%'), 0)
             FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        );
        if (!r.ok) return { pass: false, evidence: `Could not read pg_stat_activity: ${r.error}` };
        const [blocked, idle, idleSecs] = first(r).map(Number) as [number, number, number];
        if (blocked === 0 && idle === 0) {
          return { pass: true, evidence: 'No session has waited on a lock for more than 2 s, and none has sat idle in a transaction for more than 10 s.' };
        }
        const parts: string[] = [];
        if (blocked > 0) parts.push(`${plural(blocked, 'session')} ${blocked === 1 ? 'has' : 'have'} waited on a lock for more than 2 s`);
        if (idle > 0) parts.push(`${plural(idle, 'session')} ${idle === 1 ? 'has' : 'have'} sat idle in a transaction for up to ${idleSecs} s`);
        return { pass: false, evidence: `${parts.join('; ')}.` };
      },
    },
    {
      id: 'postgres-not-restarted',
      title: 'Postgres kept running: no container restart, no server restart, no crash recovery',
      check: async (ctx) => {
        const container = compareNotRestarted('db', ctx.baseline('db'), await ctx.inspect('db'));
        if (!container.pass) return container;
        const r = await sql(
          ctx,
          LAB_DB,
          `SELECT pg_postmaster_start_time()::text, (SELECT value FROM facts WHERE key = 'postmaster_start'),
                  pg_postmaster_start_time() = (SELECT value::timestamptz FROM facts WHERE key = 'postmaster_start'),
                  (SELECT count(*) FROM canary)`,
        );
        if (!r.ok) {
          if (/not yet accepting connections|in recovery mode|shutting down|starting up/.test(r.error)) {
            return { pass: false, evidence: 'Postgres is not accepting connections right now: it is starting, shutting down or recovering from a crash.' };
          }
          return { pass: false, evidence: `Could not compare with the state before the incident: ${r.error}` };
        }
        const [now, before, same, canary] = first(r);
        if (same !== 't') return { pass: false, evidence: `Postgres was started again: it has run since ${now}, not since ${before}.` };
        if (canary !== '1') {
          return {
            pass: false,
            evidence: 'Postgres went through crash recovery (a server process was killed, and every session with it), though the container kept running.',
          };
        }
        return { pass: true, evidence: `Postgres has run without a restart or crash recovery since ${before}, in the same container.` };
      },
    },
    {
      id: 'index-valid',
      title: 'A valid index serves the critical lookup',
      check: async (ctx) => {
        const p = ctx.params;
        const idx = await sql(
          ctx,
          p.database,
          `SELECT count(*) FILTER (WHERE i.indisvalid AND i.indisready AND i.indislive), count(*) FILTER (WHERE NOT i.indisvalid)
             FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE i.indrelid = ${lit(p.table)}::regclass AND a.attname = ${lit(p.column)} AND i.indpred IS NULL`,
        );
        if (!idx.ok) return { pass: false, evidence: `Could not read the catalog: ${idx.error}` };
        const [valid, invalid] = first(idx).map(Number) as [number, number];
        if (valid === 0 && invalid > 0) {
          return {
            pass: false,
            evidence:
              'An index on the lookup column exists but is not valid yet: a CREATE INDEX CONCURRENTLY is still running, or was interrupted and left it behind (drop it and build it again).',
          };
        }
        if (valid === 0) return { pass: false, evidence: 'No index covers the lookup column: every lookup is still a full table scan.' };
        const key = DATASETS[p.dataset].kind === 'bigint' ? '0' : "'sickbay-probe'";
        const plan = await sql(ctx, p.database, `EXPLAIN (FORMAT JSON) SELECT id FROM ${p.table} WHERE ${p.column} = ${key}`);
        if (!plan.ok) {
          return { pass: false, evidence: lockTrouble(plan) ? 'The index exists, but the planner could not be asked: the table is still locked.' : `Could not EXPLAIN the lookup: ${plan.error}` };
        }
        const text = plan.rows.map((r) => r.join(' ')).join(' ');
        if (/"Node Type": "Seq Scan"/.test(text)) {
          return { pass: false, evidence: 'A valid index exists, but the planner still chooses a full table scan for the lookup.' };
        }
        return { pass: true, evidence: 'A valid index covers the lookup column and the planner uses it for the lookup.' };
      },
    },
    {
      id: 'lookups-fast',
      title: `The API answers 20 lookups in a row, p95 under ${P95_TARGET_MS} ms`,
      check: async (ctx) => {
        const p = ctx.params;
        const result = await runProbe(ctx, { url: `http://app:${p.port}${p.path}`, count: 20, timeoutS: 2 });
        if (typeof result === 'string') return { pass: false, evidence: `Could not run the probe: ${result}.` };
        if (result.ok < 20) {
          return { pass: false, evidence: `Only ${result.ok} of 20 lookups succeeded before a failure (${result.firstFailure ?? 'unknown error'}).` };
        }
        const p95 = Math.round(result.p95Ms ?? Infinity);
        if (p95 >= p.p95TargetMs) return { pass: false, evidence: `All 20 lookups succeeded, but p95 is ${p95} ms (target: under ${p.p95TargetMs} ms).` };
        return { pass: true, evidence: `20 of 20 lookups succeeded with p95 ${p95} ms (target: under ${p.p95TargetMs} ms).` };
      },
    },
    {
      id: 'data-intact',
      title: 'No data lost: every table still has all its rows',
      check: async (ctx) => {
        const p = ctx.params;
        const r = await sql(ctx, p.database, `SELECT (SELECT count(*) FROM ${p.table}), (SELECT count(*) FROM ${p.sideTable})`, 40_000);
        if (!r.ok) {
          return { pass: false, evidence: lockTrouble(r) ? 'Could not count the rows: a table is still locked.' : `Could not count the rows: ${r.error}` };
        }
        const [main, side] = first(r).map(Number) as [number, number];
        const fmt = (n: number) => n.toLocaleString('en-US');
        if (main === p.rows && side === p.sideRows) {
          return { pass: true, evidence: `Both tables still hold every row they had before the incident (${fmt(main)} and ${fmt(side)}).` };
        }
        return {
          pass: false,
          evidence: `Rows are missing or extra: the tables hold ${fmt(main)} and ${fmt(side)} rows, they held ${fmt(p.rows)} and ${fmt(p.sideRows)}.`,
        };
      },
    },
  ],
});


// ---------------------------------------------------------------------------------------------
// Proposed metadata the schema does not have (yet). Typed here so the lead can fold it into
// lib/scenario; nothing reads it. `protocol` has the shape of lib/scoring's
// ProtocolExpectations (kept structural: scenarios import only lib/scenario), plus
// scenario-specific checks that could become `extraRules`.

/** The standard rules' inputs (lib/scoring/types.ts ProtocolExpectations), per run. */
export interface ProtocolExpectationsProposal<P> {
  affectedServices: string[];
  snapshotExpected: boolean;
  restartAllowed: boolean;
  /** Proposed change: a function of the params, so per-run passwords can be listed. */
  secrets: (p: P) => string[];
  stressed: boolean;
  timelineScale: number;
}

/** A scenario-specific protocol check, stated as data (candidates for `extraRules`). */
export interface ScenarioCheckProposal {
  id: string;
  kind: 'expected' | 'penalised';
  /** Matched against typed lines and exec'd command lines (SQL included). */
  match: RegExp[];
  /** Expected checks only: must happen before the first action matching these check ids. */
  before?: string[];
  severity?: 'minor' | 'major' | 'critical';
  explanation: string;
  runbook: string;
}

export interface ScenarioMetaProposal<P> {
  diagnosis: {
    /** Partial credit for categories that name half of a compound cause (0..1). */
    partialCredit: Record<string, number>;
    /** Why each category is right or wrong, for the report. */
    notes: Record<string, string>;
    /** More than one thing to name; the schema's truth() covers only the first. */
    culprits: { id: string; label: string; answer: (p: P) => string; accept?: (p: P) => string[] }[];
  };
  hints: { afterMs: number; cost: number; text: string }[];
  protocol: ProtocolExpectationsProposal<P>;
  checks: ScenarioCheckProposal[];
  /** Console command scripts (one command per line), relative to the scenario folder. */
  solutions: { reference: string; reckless: string };
  stakeholderUpdate: { mustMention: string[]; example: string };
  /** The report's reveal; never shown while the session is live. */
  reveal: (p: P) => string;
}

export const meta: ScenarioMetaProposal<PgBlockedParams> = {
  diagnosis: {
    partialCredit: { 'blocking-only': 0.5, 'missing-index-only': 0.5 },
    notes: Object.fromEntries(DIAGNOSIS_CATEGORIES.map((c) => [c.id, c.why])),
    culprits: [
      {
        id: 'blocker',
        label: 'the session at the root of the blocking chain',
        answer: (p) => p.blocker.application,
        accept: (p) => [p.blocker.script, `/srv/ops/${p.blocker.script}`],
      },
      {
        id: 'index',
        label: 'the column the lookup needs an index on',
        answer: (p) => `${p.table}.${p.column}`,
        accept: (p) => [p.column, `${p.table}(${p.column})`, `${p.table} (${p.column})`],
      },
    ],
  },
  hints: HINTS.map((h) => ({ ...h })),
  protocol: {
    affectedServices: ['db'],
    // The evidence (who held what) dies with the blocker's session: save it first.
    snapshotExpected: true,
    restartAllowed: false,
    secrets: (p) => ['PGPASSWORD', 'APP_PASSWORD', 'REPORT_PASSWORD', p.appPassword, p.reportPassword],
    // Dozens of full scans saturate the db's CPU: EXPLAIN ANALYZE and the like cost points.
    stressed: true,
    // Two stacked causes and a slow online index build: allow half as long again.
    timelineScale: 1.5,
  },
  checks: [
    {
      id: 'follow-the-chain',
      kind: 'expected',
      match: [/pg_blocking_pids/i, /\bpg_locks\b/i],
      before: ['terminate-one-backend'],
      explanation: 'Find the root of the chain before ending anything: the sessions at the front of the queue are victims, not causes.',
      runbook: 'Diagnostic hierarchy: non-invasive internal checks (01b); another real scenario (02)',
    },
    {
      id: 'terminate-one-backend',
      kind: 'expected',
      match: [/pg_terminate_backend\s*\(\s*\d+\s*\)/i],
      explanation: 'End exactly one backend, chosen by PID: Postgres rolls its transaction back and releases its locks; nothing else is touched.',
      runbook: 'Controlled, reversible changes (01d)',
    },
    {
      id: 'explain-before-index',
      kind: 'expected',
      match: [/\bEXPLAIN\b/i],
      before: ['index-online'],
      explanation: 'Confirm the Seq Scan on the real lookup before building anything: the plan is the evidence for the fix.',
      runbook: 'Another real scenario (02): confirm with EXPLAIN, then create the index online',
    },
    {
      id: 'index-online',
      kind: 'expected',
      match: [/CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY/i],
      explanation: 'The index is built online: reads and writes continue during the build.',
      runbook: 'Another real scenario (02): created the index online without downtime',
    },
    {
      id: 'terminate-in-bulk',
      kind: 'penalised',
      severity: 'major',
      match: [/pg_terminate_backend\s*\(\s*pid\s*\)\s*FROM\b/i, /pg_cancel_backend\s*\(\s*pid\s*\)\s*FROM\b/i],
      explanation: 'Ending sessions in bulk kills the victims along with the culprit (customers\u2019 requests fail), and if the root survives the queue simply forms again.',
      runbook: 'Safe debugging practices (07b)',
    },
    {
      id: 'sigkill-postgres',
      kind: 'penalised',
      severity: 'critical',
      match: [/\bkill\s+-(9|KILL|SIGKILL)\b/, /\bpkill\s+-(9|KILL)\b/],
      explanation: 'SIGKILL on any postgres process makes the postmaster end every session and run crash recovery: an outage for every client (the goal "Postgres kept running" fails).',
      runbook: 'Customer impact (05a)',
    },
    {
      id: 'commit-the-database',
      kind: 'penalised',
      severity: 'minor',
      match: [/\bdocker\s+(container\s+)?commit\b(?![^\n]*--pause=false)[^\n]*\bdb\b/],
      explanation: 'docker commit pauses the container by default (a database outage while ~0.5 GB is copied) and captures data files mid-write. For a database, save pg_stat_activity, pg_locks and the logs instead.',
      runbook: 'Container snapshots (03a) weighed against customer impact (05a)',
    },
  ],
  solutions: { reference: 'solutions/reference.sh', reckless: 'solutions/reckless.sh' },
  stakeholderUpdate: {
    mustMention: [
      'impact: lookups timing out (504/503)',
      'cause: a forgotten transaction blocking queries, and a missing index',
      'action: ended that one session, built the index online, no restart',
      'next: idle_in_transaction_session_timeout, lock_timeout for migrations, index review',
    ],
    example:
      'Lookups were timing out for about N minutes. Cause: a forgotten database session held locks that queries queued behind, and the lookup had no index, so every request scanned the whole table. I ended that one session and built the index online: lookups are back under 10 ms, no restart, no data lost. Next: a timeout for idle transactions, a lock_timeout for migrations, and an index review of the hot queries.',
  },
  reveal: (p) => p.truth,
};
