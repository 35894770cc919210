/**
 * pg-blocked-missing-index's per-run parameters: the data set (which table, column and API),
 * the blocking pattern and the sessions behind it. scenario.ts beside this file has the rest.
 */
import type { Rng } from '@/lib/scenario';

/**
 * Mirror of files/common/datasets.py (the Python side generates the data and runs the app).
 * The integration test compares both, so they cannot drift apart unnoticed. `rows` is fixed per
 * data set: the image holds each one ready to run (files/db/build-datasets.sh).
 */
export const DATASETS = {
  orders: { rows: 2_480_000, database: 'shop', table: 'orders', column: 'customer_ref', kind: 'text', app: 'orders-api', path: '/api/orders', param: 'customer_ref', side: { table: 'customers', rows: 40000 }, newColumn: 'gift_message' },
  shipments: { rows: 2_310_000, database: 'logistics', table: 'shipments', column: 'tracking_code', kind: 'text', app: 'tracking-api', path: '/api/shipments', param: 'tracking_code', side: { table: 'carriers', rows: 2000 }, newColumn: 'signed_by' },
  invoices: { rows: 2_720_000, database: 'billing', table: 'invoices', column: 'account_id', kind: 'bigint', app: 'billing-api', path: '/api/invoices', param: 'account_id', side: { table: 'accounts', rows: 30000 }, newColumn: 'dunning_level' },
  tickets: { rows: 2_240_000, database: 'support', table: 'tickets', column: 'requester_email', kind: 'text', app: 'helpdesk-api', path: '/api/tickets', param: 'requester_email', side: { table: 'agents', rows: 1500 }, newColumn: 'csat_score' },
  payments: { rows: 2_590_000, database: 'payments', table: 'payments', column: 'merchant_ref', kind: 'text', app: 'payments-api', path: '/api/payments', param: 'merchant_ref', side: { table: 'merchants', rows: 9000 }, newColumn: 'risk_score' },
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
export const P95_TARGET_MS = 250;

export function drawParams(rng: Rng): PgBlockedParams {
  const dataset = rng.pick(Object.keys(DATASETS) as DatasetName[]);
  const ds = DATASETS[dataset];
  const kind = rng.fork('blocker').pick(BLOCKER_KINDS);
  const spec = BLOCKERS[kind];
  const application = rng.fork('blocker-app').pick(spec.applications);
  const waiter =
    kind === 'lock-queue'
      ? { application: rng.fork('waiter-app').pick(MIGRATION.applications), user: MIGRATION.user, script: MIGRATION.script, column: ds.newColumn }
      : null;
  const rows = ds.rows;
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
