/**
 * no-shell-image: the pricing service runs from a "distroless" image — one static binary FROM
 * scratch, no shell, no ps, no ls, as uid 65532 — and has stopped answering quotes (field notes,
 * 03b: sidecar debugging containers). `docker exec pricing sh` fails with "executable file not
 * found", so the learner has to bring the tools: a debug container from sickbay/service:latest
 * that joins the service's PID (and network) namespace and reads /proc/1 of the service.
 *
 * The seed picks one of two causes, each only visible from inside the process's namespaces:
 *  - lock: a maintenance job, started in the container by hand, took an exclusive flock on one
 *    of the service's tables and hangs. Every quote waits for a shared lock on that table and
 *    the single-threaded server waits with it: requests time out, the health check goes red.
 *    Seen through /proc/locks, `ps -o wchan` (locks_lock_inode_wait) and the job in `ps`.
 *    Fix: end that one process from a PID-sharing sidecar.
 *  - fds: a burst of regional quotes hit a descriptor leak (each opens regions/<r>.tbl and never
 *    closes it) until the soft open-files limit; every quote now fails with "open
 *    .../rates.db: Too many open files" — the log names the victim, not the leak. Seen through
 *    /proc/1/fd (hundreds of the same file) against /proc/1/limits. Mitigation without a
 *    restart: raise the soft limit up to the hard one with `prlimit --pid 1` from a sidecar
 *    running as the service's own uid:gid.
 *
 * Both readings of /proc/1/fd (and wchan) need the sidecar to run as the service's uid:gid:
 * sidecars get no CAP_SYS_PTRACE, so root sees "Permission denied" — part of the lesson.
 * README.md beside this file explains the machinery; debrief.mdx the story.
 */
import { defineScenario, formatClock, keptRunning, requestsInARow, trafficService, runProbe, type ProbeResult, type Rng, type ScenarioContext } from '@/lib/scenario';

const BIN = '/usr/local/bin/pricingd';
const DATA_DIR = '/var/lib/pricing';

/** Maintenance jobs a pricing team might run by hand; at most 15 characters ([a-z-]) so comm shows them whole. */
export const JOB_NAMES = [
  'rate-compactor',
  'price-reindexer',
  'tier-snapshot',
  'catalog-vacuum',
  'fx-importer',
  'margin-backfill',
  'promo-sweeper',
  'cache-rebuilder',
  'ledger-export',
  'sku-dedupe',
] as const;

/** The tables every quote reads under a shared lock (files/data/*.db). */
export const TABLES = ['rates.db', 'tiers.db', 'catalog.db', 'fx.db'] as const;

/** Regional price lists (files/data/regions/<r>.tbl); a quote for one leaks a descriptor. */
export const REGIONS = ['eu-west', 'eu-north', 'us-east', 'us-west', 'apac', 'latam', 'anz', 'mena'] as const;

export const CAUSES = ['lock', 'fds'] as const;
export type CauseKind = (typeof CAUSES)[number];

export type Cause =
  | { kind: 'lock'; job: string; table: string; file: string }
  | { kind: 'fds'; region: string; file: string };

export interface NoShellParams {
  port: number;
  /** The service's soft RLIMIT_NOFILE (MAX_OPEN_FILES); the hard limit stays Docker's. */
  maxOpenFiles: number;
  /** The customers' SKU. */
  sku: string;
  cause: Cause;
  /** One sentence for the report (never shown while the session is live). */
  truth: string;
}

export function drawParams(rng: Rng): NoShellParams {
  const kind = rng.fork('cause').pick(CAUSES);
  const port = rng.fork('port').int(8000, 8999);
  const maxOpenFiles = rng.fork('nofile').pick([256, 320, 384, 512]);
  const sku = `SKU-100${rng.fork('sku').int(1, 5)}`;
  if (kind === 'lock') {
    const job = rng.fork('job').pick(JOB_NAMES);
    const table = rng.fork('table').pick(TABLES);
    const file = `${DATA_DIR}/${table}`;
    return {
      port,
      maxOpenFiles,
      sku,
      cause: { kind, job, table, file },
      truth: `A maintenance job ("${job}", started by hand inside the container) took an exclusive flock on ${file} and hung; every quote waited for a shared lock on that table, and the single-threaded server with it.`,
    };
  }
  const region = rng.fork('region').pick(REGIONS);
  const file = `${DATA_DIR}/regions/${region}.tbl`;
  return {
    port,
    maxOpenFiles,
    sku,
    cause: { kind, region, file },
    truth: `A burst of regional quotes for "${region}" hit a descriptor leak: each opened ${file} and never closed it, until the service reached its soft limit of ${maxOpenFiles} open files and every quote failed to open its tables.`,
  };
}

const quoteUrl = (p: NoShellParams) => `http://pricing:${p.port}/api/quote?sku=${p.sku}`;

/** Runs probe.py from the traffic container (the customers' network position). */
function probe(ctx: ScenarioContext<NoShellParams>, url: string, count: number, timeoutS: number): Promise<ProbeResult | string> {
  return runProbe(ctx, { url, count, timeoutS });
}

export default defineScenario<NoShellParams>({
  title: 'Quotes hang on a service with no shell',
  summary:
    'The pricing service stopped answering quotes. Its image is distroless: no shell, no ps, nothing to exec. Find out why through a debug sidecar that shares its namespaces, and fix it without restarting the service.',
  difficulty: 'intermediate',
  minutes: 20,
  tags: ['timeouts', 'quotes', 'no-shell'],
  params: drawParams,
  diagnosis: {
    culpritLabel: 'what holds the service up: the stuck process or the leaked file',
    categories: [
      { id: 'lock-held', label: 'Another process in the container holds a lock the service waits for' },
      { id: 'fd-leak', label: 'The service leaks file descriptors and has run out of them' },
      { id: 'bad-image', label: 'The image is broken: files or tools are missing from the build' },
      { id: 'cpu-starved', label: 'The container\u2019s CPU limit is too low for the traffic' },
      { id: 'memory', label: 'The service has run out of memory' },
      { id: 'network', label: 'The service cannot reach a dependency over the network' },
    ],
    truth: (p) =>
      p.cause.kind === 'lock'
        ? { category: 'lock-held', culprit: p.cause.job, culpritKind: 'process', accept: [`${p.cause.job} --exclusive`] }
        : {
            category: 'fd-leak',
            culprit: p.cause.file,
            culpritKind: 'file',
            accept: [`regions/${p.cause.region}.tbl`, `${p.cause.region}.tbl`, p.cause.region],
          },
  },
  hints: [
    'Start outside: `docker ps`, `docker logs`, `docker top` and `docker inspect` work on any image, shell or not. What do the customers (the Customers chart) and the service itself say, and which processes run in its container?',
    'The image has no tools, so bring your own: a debug container that joins the service\u2019s namespaces, e.g. `docker run --rm --pid container:<pricing> --net container:<pricing> sickbay/service:latest ps -eo pid,user,stat,wchan:32,args`. In there PID 1 is the service: `/proc/1/fd`, `/proc/1/limits` and `/proc/locks` say what it holds and what it waits for.',
    'The service runs as uid 65532 and sidecars get no ptrace capability, so a root sidecar sees "Permission denied" on /proc/1/fd: run it as the service\u2019s user (`--user` with the value of `docker inspect --format \'{{.Config.User}}\'`). Look for a process holding a lock PID 1 waits on, or one file open hundreds of times; then make one small change from the sidecar (end that one process, or raise the open-files soft limit with `prlimit --pid 1`) — never a restart.',
  ],
  // What a running session costs the host: one small service and the customers.
  cost: { cpus: 0.3, memory: '80m', startWeight: 1 },
  protocol: {
    affectedServices: ['pricing'],
    // The evidence lives in the process (locks, descriptors, limits): saving /proc/1/fd,
    // /proc/1/limits or /proc/locks keeps it; a commit keeps only the files for the post-mortem.
    snapshotExpected: true,
    snapshotEvidence: ['process-state'],
    restartAllowed: false,
    stressed: false,
    causeHints: ['lock', 'flock', 'stuck job', 'file descriptors', 'descriptor leak', 'fd leak', 'open files', 'too many open files'],
  },
  // Pricing answers quickly once its lock is free.
  servedNormally: { successRate: 0.99, p95Ms: 1500 },
  networks: { app: {} },
  services: (p) => ({
    pricing: {
      env: { PORT: String(p.port), MAX_OPEN_FILES: String(p.maxOpenFiles) },
      networks: ['app'],
      // The image's own binary is the only thing that can run in it: no curl, no shell.
      // Unhealthy ~20 s after the lock freezes it (a clue from outside), with 2/5 of the
      // checks a 2 s interval cost: each is a runc exec, and a drill may run many of these.
      healthcheck: { test: ['CMD', BIN, 'healthcheck'], intervalMs: 5000, timeoutMs: 3000, retries: 4 },
      limits: { memory: '32m', cpus: 0.25, pids: 64 },
    },
    // The customers: a few quotes per second, and a summary of what they got every 10 s.
    traffic: trafficService({ url: quoteUrl(p), rps: 3, timeoutS: 3, networks: ['app'] }),
  }),
  faults: [
    {
      id: 'freeze-pricing',
      title: 'Stop the pricing service from answering quotes, the way this run\u2019s seed chose',
      inject: async (ctx) => {
        const c = ctx.params.cause;
        if (c.kind === 'lock') {
          // Started as the container's user (65532), like an engineer's `docker exec -d`.
          await ctx.exec('pricing', [BIN, 'job', c.job, c.file], { detach: true });
          return;
        }
        // A partner's batch of regional quotes: each one leaks a descriptor. It ends at the
        // first failure, which comes when the service has no descriptor left to open a table.
        const url = `http://pricing:${ctx.params.port}/api/quote?sku=${ctx.params.sku}&region=${c.region}`;
        await probe(ctx, url, ctx.params.maxOpenFiles + 20, 2);
      },
      waitFor: {
        description: 'quotes failing or timing out for the customers',
        until: async (ctx) => {
          const r = await probe(ctx, quoteUrl(ctx.params), 2, 2);
          return typeof r !== 'string' && r.ok === 0;
        },
        timeoutMs: 60_000,
      },
    },
  ],
  goals: [
    keptRunning('pricing', 'The pricing service'),
    {
      id: 'sidecar-joined-pid',
      title: 'A debug sidecar shared the pricing service\u2019s PID namespace',
      outcome: 'You looked inside the pricing service without changing its image',
      check: async (ctx) => {
        const actions = await ctx.actions();
        const joined = actions.filter((a) => {
          const b = a.body;
          if (b.kind !== 'docker' || (b.action !== 'run' && b.action !== 'create')) return false;
          if (!b.allowed || (b.status !== undefined && b.status >= 400)) return false;
          return b.flags?.pid === 'pricing';
        });
        if (joined.length === 0) {
          const other = actions.filter((a) => a.body.kind === 'docker' && a.body.action === 'run' && a.body.allowed).length;
          return {
            pass: false,
            evidence:
              other > 0
                ? `${other} debug container${other === 1 ? '' : 's'} started, but none joined the pricing service\u2019s PID namespace (--pid container:<name>).`
                : 'No debug container has joined the pricing service\u2019s PID namespace yet.',
          };
        }
        const first = joined[0]!;
        return {
          pass: true,
          evidence: `${joined.length} debug container${joined.length === 1 ? '' : 's'} joined the pricing service\u2019s PID namespace, the first ${formatClock(first.atMs)} into the session.`,
        };
      },
    },
    // A restart ends the hung lock holder and resets the leaked descriptors: quotes come back by themselves.
    { ...requestsInARow({ id: 'quotes-answered', title: 'The pricing service answers 20 quotes in a row', url: quoteUrl, count: 20, timeoutS: 2, what: 'quotes' }), restartMeets: true },
  ],
});
