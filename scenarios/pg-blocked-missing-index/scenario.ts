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
import { compareNotRestarted, defineScenario, httpHealthcheck, plural, requestsInARow, trafficService } from '@/lib/scenario';
import { type LookupLoad, SCANS_TO_SEE, chainState, first, judgeServerRun, lit, lockTrouble, lookupLoad, lookupsHurt, opsEnv, serverRun, sql, waitUntil } from './db';
import { DATASETS, P95_TARGET_MS, type PgBlockedParams, drawParams } from './params';

export { BLOCKERS, BLOCKER_KINDS, DATASETS, drawParams, type BlockerKind, type DatasetName, type PgBlockedParams } from './params';

/**
 * Health checks may fail this long while the db starts (the data set is in the image; a start
 * copies one database into the container's writable layer): a little under the readiness
 * deadline of cost.startWeight 1 (90 s), so a slow start ends as a timeout with the reason
 * rather than as "unhealthy".
 */
const START_PERIOD_MS = 80_000;

const lookupUrl = (p: PgBlockedParams): string => `http://app:${p.port}${p.path}`;

/** The lookup load when the missing-index fault was checked in, per provisioning attempt (its ctx). */
const loadAtInject = new WeakMap<object, LookupLoad>();

/** Root-cause categories: the true (compound) one, its two halves alone, and distractors. */
export const DIAGNOSIS_CATEGORIES = [
  { id: 'blocked-and-unindexed', label: 'A forgotten transaction holds locks that queries queue behind, and the lookup has no index' },
  { id: 'blocking-only', label: 'A forgotten transaction holds locks that queries queue behind (nothing else is wrong)' },
  { id: 'missing-index-only', label: 'The lookup has no index and scans the whole table (nothing else is wrong)' },
  { id: 'database-down', label: 'Postgres is down or refusing connections' },
  { id: 'pool-too-small', label: 'The application\u2019s connection pool is too small' },
  { id: 'deadlock', label: 'A deadlock between application queries' },
  { id: 'bloat-no-vacuum', label: 'The database grew without cleanup (bloat, no vacuum)' },
  { id: 'traffic-spike', label: 'A traffic spike the database cannot handle' },
] as const;

export default defineScenario<PgBlockedParams>({
  title: 'Lookups time out on a healthy-looking database',
  summary:
    'Postgres accepts connections and its health check is green, but the lookup API times out and queries pile up by the dozen. Clear the jam and make lookups fast again without restarting the database or losing a row.',
  difficulty: 'advanced',
  minutes: 30,
  tags: ['database', 'latency', 'api'],
  params: drawParams,
  diagnosis: {
    culpritLabel: 'the session at the root of the blocking chain',
    categories: [...DIAGNOSIS_CATEGORIES],
    // The culprit is the root blocker, named by its application_name (what pg_stat_activity
    // shows); the script behind it counts too. The missing index is part of the category.
    truth: (p) => ({
      category: 'blocked-and-unindexed',
      culprit: p.blocker.application,
      culpritKind: 'query',
      accept: [p.blocker.script, p.blocker.script.replace(/\.py$/, ''), `/srv/ops/${p.blocker.script}`],
    }),
  },
  hints: [
    'The health check only proves Postgres accepts connections. What are those connections doing? pg_stat_activity lists every session with its state and what it waits for.',
    'pg_blocking_pids(pid) names the sessions a waiting session waits for. Follow it until you reach one that waits for nobody.',
    'A session "idle in transaction" runs nothing, yet keeps every lock it took until it ends. pg_cancel_backend cancels a running query; this session runs none.',
    'Blocking gone and still slow? Copy one of the application\u2019s lookups from pg_stat_activity and EXPLAIN it (plain EXPLAIN: ANALYZE would run it once more).',
    'CREATE INDEX CONCURRENTLY builds an index without blocking writes. It waits for older transactions first, and an interrupted build leaves an INVALID index to drop before retrying.',
  ],
  // What a running session costs the host: Postgres scanning a table of millions of rows for
  // dozens of queries at once. A start does no bulk loading (the data sets are in the image).
  cost: { cpus: 1.5, memory: '1200m', startWeight: 1 },
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
  // Lookups by an indexed column answer in milliseconds; two seconds is generous.
  servedNormally: { successRate: 0.99, p95Ms: 2000 },
  networks: { backend: {} },
  services: (p) => ({
    db: {
      command: ['/srv/db/start-db.sh'],
      env: { DATASET: p.dataset, APP_PASSWORD: p.appPassword, REPORT_PASSWORD: p.reportPassword },
      networks: ['backend'],
      // Deliberately shallow, like the monitoring in the story: "accepts connections" is all
      // it proves. The start period covers the copy of the database into the writable layer.
      // Green must stay green while lookups pile up: on a host at load 40 pg_isready took over
      // 3 s five times in a row and Docker marked the db unhealthy, which the story denies.
      healthcheck: { test: ['CMD', 'pg_isready', '-q', '-h', '127.0.0.1', '-U', 'postgres', '-d', p.database], timeoutMs: 10_000, retries: 10, startPeriodMs: START_PERIOD_MS },
      limits: { memory: '1g', cpus: 1, pids: 256 },
    },
    app: {
      command: ['python3', '/srv/app/api.py'],
      env: {
        PORT: String(p.port),
        DATASET: p.dataset,
        ROWS: String(p.rows),
        HOT_ROWS: String(p.hotRows),
        HOT_SHARE: '0.4',
        STATEMENT_TIMEOUT_MS: String(p.statementTimeoutMs),
        // 20 connections: a pile-up of well over a dozen, and every scan in flight shares the db's
        // CPU with the fix (CREATE INDEX CONCURRENTLY): at 40 the online build took over 5
        // minutes on a busy host.
        POOL_SIZE: '20',
        POOL_WAIT_MS: '2000',
        PGHOST: 'db',
        PGPORT: '5432',
        PGDATABASE: p.database,
        PGUSER: 'app',
        PGPASSWORD: p.appPassword,
      },
      networks: ['backend'],
      healthcheck: httpHealthcheck(p.port, { curlTimeoutS: 3, timeoutMs: 4000, retries: 10, startPeriodMs: START_PERIOD_MS }),
      limits: { memory: '256m', cpus: 0.5, pids: 160 },
    },
    // The customers: 5 lookups a second, each allowed 15 s (the app gives up after 2 s waiting
    // for a connection plus 6 s per statement). Goal checks probe the app from here too.
    traffic: trafficService({ url: lookupUrl(p), rps: 5, timeoutS: 15, networks: ['backend'], pids: 96 }),
  }),
  faults: [
    {
      id: 'unindexed-lookup',
      title: 'The critical lookup column has no index: every lookup scans the whole table',
      // The data set was built without the index (files/db/build-datasets.sh); traffic starts
      // with the services. This step checks that the image's data set is the one the params
      // describe (the "no data lost" goal counts against the params), then waits for the pile-up.
      // Nothing is recorded inside Postgres: the learner is superuser there.
      inject: async (ctx) => {
        const p = ctx.params;
        const marker = await ctx.exec('db', ['cat', '/var/lib/postgresql/data/sickbay-dataset']);
        const loaded = Object.fromEntries(marker.stdout.split('\n').map((l) => l.split('=') as [string, string]));
        const main = Number(loaded.rows_main);
        const side = Number(loaded.rows_side);
        if (loaded.dataset !== p.dataset || main !== p.rows || side !== p.sideRows) {
          throw new Error(
            `the image's data set is not what the seed asked for (${loaded.dataset}/${p.dataset}, rows ${main}/${p.rows}, ${side}/${p.sideRows}): ${marker.stdout.trim() || marker.stderr.trim()}`,
          );
        }
        const load = await lookupLoad(ctx);
        if (load) loadAtInject.set(ctx, load);
      },
      waitFor: {
        description: `customers' lookups scanning the whole table (${SCANS_TO_SEE} full scans) and slower than the latency goal`,
        until: async (ctx) => {
          const now = await lookupLoad(ctx);
          if (!now) return false;
          const before = loadAtInject.get(ctx);
          if (!before) {
            loadAtInject.set(ctx, now);
            return false;
          }
          return lookupsHurt(before, now, ctx.params.p95TargetMs);
        },
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
      },
      waitFor: {
        description: 'a blocking chain: three or more sessions waiting over 2 s behind the forgotten one',
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
      // Restarting Postgres ends every session, the forgotten one that holds the locks with them.
      restartMeets: true,
      title: 'The blocking chain is gone: nobody waits on a lock, no transaction sits idle',
      outcome: 'Customer requests no longer wait on each other',
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
      guard: true,
      title: 'Postgres kept running: no container restart, no server restart, no crash recovery',
      outcome: 'The database keeps running without a restart',
      check: async (ctx) => {
        const container = compareNotRestarted('db', ctx.baseline('db'), await ctx.inspect('db'));
        if (!container.pass) return container;
        const r = await serverRun(ctx);
        if (!r.run) {
          if (/not yet accepting connections|in recovery mode|shutting down|starting up/.test(r.error)) {
            return { pass: false, evidence: 'Postgres is not accepting connections right now: it is starting, shutting down or recovering from a crash.' };
          }
          return { pass: false, evidence: `Could not ask Postgres how long it has run: ${r.error}` };
        }
        return judgeServerRun(r.run);
      },
    },
    {
      id: 'index-valid',
      title: 'A valid index serves the critical lookup',
      outcome: 'The critical lookup is fast for customers again',
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
    requestsInARow({
      id: 'lookups-fast',
      title: `The API answers 20 lookups in a row, p95 under ${P95_TARGET_MS} ms`,
      url: lookupUrl,
      count: 20,
      timeoutS: 2,
      what: 'lookups',
      p95BelowMs: (p) => p.p95TargetMs,
      // The API's index page answers without the database: what the host itself adds right now.
      hostLatencyUrl: (p) => `http://app:${p.port}/`,
    }),
    {
      id: 'data-intact',
      guard: true,
      title: 'No data lost: every table still has all its rows',
      outcome: 'No customer data was lost',
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
