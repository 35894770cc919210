/**
 * leaky-job: an orders API whose container also runs a background job that allocates memory
 * and never gives it back. The API guards its own allocations, so instead of crashing it
 * fails a share of requests with "Cannot allocate memory" — the intermittent 500s of the
 * field notes (section 02, first story). The fix is to stop the job, not the API.
 */
import { defineScenario, httpHealthcheck, keptRunning, OOM_COUNTERS_SHELL, oomKillsIn, plural, requestsInARow, trafficService } from '@/lib/scenario';

/** Names a real data-processing job might have; at most 15 characters so `pgrep -x` matches. */
export const JOB_NAMES = [
  'ledger-rollup',
  'invoice-batcher',
  'thumb-sweeper',
  'csv-exporter',
  'audit-archiver',
  'cache-warmer',
  'metrics-rollup',
  'feed-indexer',
  'event-replayer',
  'report-builder',
] as const;

export interface LeakyJobParams {
  jobName: string;
  port: number;
  memoryMb: number;
}

const ordersUrl = (p: LeakyJobParams) => `http://api:${p.port}/api/orders`;

export default defineScenario<LeakyJobParams>({
  title: 'Orders API failing at peak',
  summary:
    'The orders API throws intermittent 500s at peak and customers are noticing. Find what is behind them and stop it without restarting the API.',
  difficulty: 'beginner',
  minutes: 15,
  tags: ['api', 'errors', 'orders'],
  params: (rng) => ({
    jobName: rng.pick(JOB_NAMES),
    port: rng.int(8000, 8999),
    memoryMb: rng.pick([192, 256]),
  }),
  diagnosis: {
    culpritLabel: 'the process that is holding the memory',
    categories: [
      { id: 'runaway-process', label: 'A process in the container allocates memory and never frees it' },
      { id: 'limit-too-low', label: 'The memory limit is too low for normal traffic' },
      { id: 'traffic-spike', label: 'A spike in customer traffic overloads the API' },
      { id: 'app-bug', label: 'A code bug in the API makes some requests crash' },
      { id: 'network', label: 'The API cannot reach a dependency' },
    ],
    truth: (p) => ({ category: 'runaway-process', culprit: p.jobName, culpritKind: 'process', accept: [`/tmp/jobs/${p.jobName}`] }),
  },
  hints: [
    'Before going inside, ask Docker what it already knows: how much memory does the api container use against its limit, and what do its recent logs say?',
    'The API is not the only process in its container. Which one holds the most memory? (`ps aux --sort=-%mem` inside, or `docker top` from outside.)',
    'You can stop one process without restarting the container around it: find its PID, keep a snapshot first, then end just that process.',
  ],
  // What a running session costs the host: the job keeps the API at ~91% of its limit until it is stopped.
  cost: { cpus: 0.6, memory: '256m', startWeight: 1 },
  protocol: {
    affectedServices: ['api'],
    snapshotExpected: true,
    restartAllowed: false,
    stressed: true,
    causeHints: ['memory', 'leak', 'background job', 'runaway'],
  },
  // Healthy, the orders API answers every request in milliseconds.
  servedNormally: { successRate: 0.99, p95Ms: 1000 },
  networks: { app: {} },
  services: (p) => ({
    api: {
      command: ['python3', '/srv/app/api.py'],
      env: { PORT: String(p.port) },
      networks: ['app'],
      // At the default interval (HEALTH_INTERVAL_MS): each check is a runc exec, and a drill runs
      // twenty of these APIs (the start does not wait for Docker's first check).
      healthcheck: httpHealthcheck(p.port),
      limits: { memory: `${p.memoryMb}m`, cpus: 0.5, pids: 128 },
    },
    // The customers: steady traffic that keeps the API's logs honest about the failures.
    traffic: trafficService({ url: ordersUrl(p), rps: 4, networks: ['app'] }),
  }),
  faults: [
    {
      id: 'start-runaway-job',
      title: 'Start a background job that allocates memory and never frees it',
      inject: async (ctx) => {
        // A real leak takes hours; the lab starts where it would have left off: the job grows
        // in large batches (its defaults) until it holds ~91% of the limit, then only tops up.
        await ctx.exec('api', ['/srv/app/start-job.sh', ctx.params.jobName], { detach: true });
      },
      waitFor: {
        description: 'the API container at 89% or more of its memory limit',
        until: async (ctx) => (await ctx.memory('api')).percent >= 89,
        timeoutMs: 60_000,
      },
    },
  ],
  goals: [
    {
      id: 'job-stopped',
      // The job lives only in the running container: a restart ends it too (no fix of the learner's).
      restartMeets: true,
      title: 'The runaway job is no longer running',
      outcome: 'The API has its memory back and stops failing at peak',
      check: async (ctx) => {
        // A zombie holds no memory: a killed job that PID 1 has not reaped yet (it reaps once a
        // second, later on a busy host) is gone. A stopped one (T) still holds it all.
        const found = await ctx.exec('api', ['pgrep', '-x', '-r', 'R,S,D,T,t', ctx.params.jobName]);
        const mem = await ctx.memory('api');
        const usage = `memory is at ${mem.percent.toFixed(0)}% of the limit`;
        // Evidence is shown before the diagnosis: it must name neither the culprit nor the
        // mechanism (forbidden-words.txt), only what the customers' API is left with.
        if (found.exitCode === 1) {
          // The kernel's OOM killer would pick the biggest process, the one holding the memory:
          // then the incident ended itself and nobody fixed anything (the scenario keeps a reserve
          // so that this does not happen; a learner who shrinks the limit to force it fixed nothing either).
          const kills = oomKillsIn((await ctx.exec('api', ['sh', '-c', OOM_COUNTERS_SHELL])).stdout);
          if (kills) return { pass: false, evidence: `The kernel's OOM killer ended ${plural(kills, 'process', 'processes')} in the API container: what held the memory was not stopped by a fix; ${usage}.` };
          return { pass: true, evidence: `Nothing in the API container is holding the memory any more; ${usage}.` };
        }
        if (found.exitCode === 0) return { pass: false, evidence: `Something in the API container still holds the memory; ${usage}.` };
        return { pass: false, evidence: `Could not look inside the API container (pgrep exit ${found.exitCode}: ${found.stderr.trim()}).` };
      },
    },
    keptRunning('api', 'The API'),
    { ...requestsInARow({ id: 'api-healthy', title: 'The API answers 50 consecutive requests without an error', url: ordersUrl, count: 50, what: 'requests to /api/orders' }), restartMeets: true },
  ],
});
