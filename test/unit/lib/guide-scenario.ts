/** An orders API whose container also runs a job that eats memory: stop the job, not the API. */
import { defineScenario, httpHealthcheck, keptRunning, requestsInARow, trafficService } from '@/lib/scenario';

interface Params {
  jobName: string;
  port: number;
  memoryMb: number;
}

const ordersUrl = (p: Params) => `http://api:${p.port}/api/orders`;

export default defineScenario<Params>({
  title: 'Orders API failing at peak', // 3-80 characters: what customers see, not the cause
  summary: 'The orders API throws intermittent 500s at peak. Find what is behind them and stop it without a restart.',
  difficulty: 'beginner', // beginner | intermediate | advanced
  minutes: 15,
  tags: ['api', 'errors'],

  // Per-run parameters, drawn from a seeded random generator: nothing to memorise.
  params: (rng) => ({ jobName: rng.pick(['ledger-rollup', 'csv-exporter', 'feed-indexer']), port: rng.int(8000, 8999), memoryMb: rng.pick([192, 256]) }),

  // What the learner must diagnose: categories (the truth plus distractors) and the per-run answer.
  diagnosis: {
    culpritLabel: 'the process that is holding the memory',
    categories: [
      { id: 'runaway-process', label: 'A process in the container allocates memory and never frees it' },
      { id: 'limit-too-low', label: 'The memory limit is too low for normal traffic' },
      { id: 'app-bug', label: 'A code bug in the API makes some requests crash' },
    ],
    truth: (p) => ({ category: 'runaway-process', culprit: p.jobName, culpritKind: 'process' }),
  },

  hints: ['Ask Docker first: memory against the limit, recent logs.', 'Which process holds the memory? Can you end just that one?'],

  // What a running session costs the host (section "Cost"): cores and memory while the
  // incident runs, and how heavy a start is (1 = a plain one; scales the readiness deadline).
  cost: { cpus: 0.6, memory: '256m', startWeight: 1 },

  // What the protocol rules expect (docs/scoring.md).
  protocol: { affectedServices: ['api'], snapshotExpected: true, stressed: true, causeHints: ['memory', 'leak'] },

  // When the customers count as served normally: per second, 99% success and p95 <= 1 s.
  servedNormally: { successRate: 0.99, p95Ms: 1000 },

  networks: { app: {} }, // internal unless said otherwise

  services: (p) => ({
    // No `image`: the scenario's own, built from files/Dockerfile as sickbay/scenario-<slug>:latest.
    api: {
      command: ['python3', '/srv/app/api.py'], // optional: the image's CMD otherwise
      env: { PORT: String(p.port) },
      networks: ['app'], // reachable there as "api"
      healthcheck: httpHealthcheck(p.port), // curl of /healthz on that port
      limits: { memory: `${p.memoryMb}m`, cpus: 0.5, pids: 128 }, // defaults: 256m, 0.5, 256
    },
    // The customers: loadgen.py from sickbay/service; the goal probes run from here too.
    traffic: trafficService({ url: ordersUrl(p), rps: 4, networks: ['app'] }),
  }),

  faults: [
    {
      id: 'start-runaway-job',
      title: 'Start a job that never frees memory',
      inject: async (ctx) => {
        await ctx.exec('api', ['/srv/app/start-job.sh', ctx.params.jobName], { detach: true });
      },
      waitFor: { description: 'memory at 89%+', until: async (ctx) => (await ctx.memory('api')).percent >= 89 },
    },
  ],

  goals: [
    {
      id: 'job-stopped',
      title: 'The runaway job is no longer running',
      check: async (ctx) => {
        const found = await ctx.exec('api', ['pgrep', '-x', ctx.params.jobName]);
        // The evidence is read during the drill: it must not name the culprit.
        return { pass: found.exitCode === 1, evidence: `The runaway job ${found.exitCode === 1 ? 'no longer runs' : 'still runs'} in the API container.` };
      },
    },
    keptRunning('api', 'The API'), // same container, start time and main PID as when ready
    requestsInARow({ id: 'api-healthy', title: 'The API answers 50 requests in a row', url: ordersUrl, count: 50, what: 'requests to /api/orders' }),
  ],
});
