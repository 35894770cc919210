/**
 * healthy-but-hanging: every container is "healthy", yet the quote API's real requests time
 * out (field notes, section 02: healthy to monitoring while application timeouts spike; 07d:
 * health endpoints). The API answers /healthz from the connection's own thread, without the
 * worker pool, the caches or any dependency, so it stays green.
 *
 * Underneath, one of its three dependencies (catalog, stock, rates) was frozen with SIGSTOP by
 * a backup script that failed before thawing it. Its port still accepts connections (the kernel
 * queues them) and nothing ever answers. The API calls dependencies with no timeout, so by seed:
 *  - pool: the frozen dependency is called live, every worker of the bounded pool blocks on it,
 *          and requests wait for a worker until they give up;
 *  - lock: the frozen dependency is cached, its refresh thread blocks while holding the cache
 *          lock, and every request waits for that lock.
 * The fix is small and reversible: `kill -CONT <pid>` of the stopped process, inside the
 * dependency's container. Restarting the API changes nothing (the new workers block again) and
 * throws away the thread state that explains it. README.md beside this file has the details.
 */
import { compareNotRestarted, defineScenario, httpHealthcheck, keptRunning, requestsInARow, trafficService, runProbe, type ProbeResult, type LearnerAction, type Rng, type ScenarioContext } from '@/lib/scenario';

export const DEPENDENCIES = ['catalog', 'stock', 'rates'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];
export type Mechanism = 'pool' | 'lock';
export type Mode = 'live' | 'cached';

export interface HealthyButHangingParams {
  /** The dependency whose service process the backup script froze (the culprit). */
  frozen: Dependency;
  /** pool: the frozen dependency is called live; lock: it is cached behind a lock. */
  mechanism: Mechanism;
  /** How the API uses each dependency; the frozen one's mode follows from the mechanism. */
  modes: Record<Dependency, Mode>;
  /** Refresh interval of each cached dependency, in seconds (0 for live ones). */
  cacheSeconds: Record<Dependency, number>;
  /** The API's port and each dependency's. */
  port: number;
  depPorts: Record<Dependency, number>;
  /** Size of the API's worker pool. */
  workers: number;
  /** How long a request may wait for a worker or a cache lock before the API answers 504. */
  deadlineSeconds: number;
}

const QUOTE_PATH = '/api/quote';
const DUMP_SUMMARY = '/tmp/quote-api/thread-dumps.log';
/** A request in flight this long at dump time was stuck (a quote normally takes ~20 ms). */
const STUCK_SECONDS = 5;
const GOAL_REQUESTS = 30;
/**
 * A fixed quote answers in milliseconds and a hung one only after the API's 20 s deadline, so 5 s
 * tells them apart with room for a host busy with twenty sessions (soak 20: a fixed run failed at 2 s).
 */
const QUOTE_TIMEOUT_S = 5;

const quoteUrl = (p: HealthyButHangingParams): string => `http://api:${p.port}${QUOTE_PATH}`;
const healthUrl = (p: HealthyButHangingParams): string => `http://api:${p.port}/healthz`;

export function drawParams(rng: Rng): HealthyButHangingParams {
  const frozen = rng.fork('frozen').pick(DEPENDENCIES);
  const mechanism: Mechanism = rng.fork('mechanism').pick(['pool', 'lock'] as const);
  const own: Mode = mechanism === 'pool' ? 'live' : 'cached';
  const other: Mode = own === 'live' ? 'cached' : 'live';
  // The other two: one of each mode at least, so the configuration alone never tells which
  // mechanism is at work; the third is either.
  const [a, b] = rng.fork('others').shuffle(DEPENDENCIES.filter((d) => d !== frozen)) as [Dependency, Dependency];
  const modes = { [frozen]: own, [a]: other, [b]: rng.fork('third').pick(['live', 'cached'] as const) } as Record<Dependency, Mode>;
  const timing = rng.fork('timing');
  const cacheSeconds = Object.fromEntries(DEPENDENCIES.map((d) => [d, modes[d] === 'cached' ? timing.int(8, 12) : 0])) as Record<Dependency, number>;
  const ports = rng.fork('ports');
  const base = ports.int(91, 98) * 100;
  const offsets = ports.shuffle([11, 37, 64]);
  const depPorts = Object.fromEntries(DEPENDENCIES.map((d, i) => [d, base + (offsets[i] ?? 0)])) as Record<Dependency, number>;
  return {
    frozen,
    mechanism,
    modes,
    cacheSeconds,
    port: ports.int(8000, 8999),
    depPorts,
    workers: rng.fork('workers').int(4, 8),
    deadlineSeconds: 20,
  };
}

function probe(ctx: ScenarioContext<HealthyButHangingParams>, url: string, count: number, timeoutS: number, stopOnFailure = true): Promise<ProbeResult | string> {
  return runProbe(ctx, { url, count, timeoutS, stopOnFailure });
}

/** The supervisor's start count for a dependency's service process (1 = never replaced). */
async function serviceStarts(ctx: ScenarioContext<HealthyButHangingParams>, dep: Dependency): Promise<number | null> {
  const r = await ctx.exec(dep, ['cat', '/run/supervise/starts']);
  const n = Number(r.stdout.trim());
  return r.exitCode === 0 && Number.isInteger(n) ? n : null;
}

export interface DumpSummary {
  at: string;
  inflight: number;
  oldest: number;
}

/** Parses the API's one-line-per-dump summary file (see files/app/api.py, thread_dump). */
export function parseDumpSummaries(text: string): DumpSummary[] {
  const out: DumpSummary[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+) signal=\S+ threads=\d+ inflight=(\d+) oldest=([\d.]+)\s*$/.exec(line.trim());
    if (m) out.push({ at: m[1] as string, inflight: Number(m[2]), oldest: Number(m[3]) });
  }
  return out;
}

/** Did this learner action send a request to a URL whose path contains `path`? */
export function requested(action: Pick<LearnerAction, 'text' | 'classification'>, path: string): boolean {
  const effects = action.classification?.effects ?? [];
  if (effects.some((e) => e.type === 'request' && (e.url ?? '').includes(path))) return true;
  // Programs the classifier cannot see into (probe.py, python -c with urllib): the line itself.
  return action.text.includes(path) && /\b(curl|wget|probe\.py|urllib|requests|http\.client|nc|telnet)\b/.test(action.text);
}

/** Root-cause categories: the two true mechanisms (one per seed) and plausible distractors. */
export const DIAGNOSIS_CATEGORIES = [
  { id: 'pool-exhausted', label: 'Every worker of the API\u2019s pool is stuck on a call to a dependency that never answers' },
  { id: 'lock-held', label: 'A background thread holds a lock while it waits on a dependency that never answers; requests queue on the lock' },
  { id: 'dependency-crashed', label: 'A dependency crashed: its connections are refused' },
  { id: 'network-partition', label: 'The network between the API and a dependency drops packets' },
  { id: 'cpu-starved', label: 'The API is starved of CPU and answers too slowly' },
  { id: 'traffic-spike', label: 'More customer traffic than the API\u2019s pool can serve' },
  { id: 'healthcheck-wrong-target', label: 'The health check probes a different process than the one serving customers' },
] as const;

export default defineScenario<HealthyButHangingParams>({
  title: 'Quotes time out while every check is green',
  summary:
    'Every container is healthy and the quote API\u2019s health check is green, yet customers\u2019 quote requests time out. Find what the requests are really waiting on, show why the health check never noticed, and get quotes flowing again without restarting anything.',
  difficulty: 'intermediate',
  minutes: 20,
  tags: ['api', 'timeouts', 'health-checks'],
  params: drawParams,
  diagnosis: {
    culpritLabel: 'the dependency the API is waiting on',
    categories: DIAGNOSIS_CATEGORIES.map(({ id, label }) => ({ id, label })),
    truth: (p) => ({
      category: p.mechanism === 'pool' ? 'pool-exhausted' : 'lock-held',
      culprit: p.frozen,
      culpritKind: 'process',
      accept: [`${p.frozen}-svc`, `${p.frozen}:${p.depPorts[p.frozen]}`],
      candidates: [...DEPENDENCIES],
    }),
  },
  hints: [
    'The health check and the customers do not take the same path through the API. Ask both yourself, side by side and with a short timeout: /healthz and /api/quote (`curl -m 3` from a debug sidecar in the API\u2019s network: `docker run --rm --network container:<api> sickbay/service curl ...`; the address is on the Customers chart).',
    'Where are the API\u2019s threads waiting? Its first log line says how to get a thread dump (SIGUSR1); `ss -tn` inside the API shows which connections are open, and to whom.',
    'Follow the stuck call to the dependency it waits on and look at that service\u2019s process state (`ps -o pid,stat,comm`; STAT T means stopped). A stopped process resumes with `kill -CONT <pid>`: no restart needed.',
  ],
  // What a running session costs the host: four small services and the customers.
  cost: { cpus: 0.75, memory: '256m', startWeight: 1 },
  protocol: {
    affectedServices: ['api', 'catalog', 'stock', 'rates'],
    // The evidence is in memory: the threads' stacks, the open connections, the stopped
    // process. Saving what shows them (ss, ps, /proc/<pid>/..., a thread dump) before the
    // first change is the snapshot here.
    snapshotExpected: true,
    snapshotEvidence: ['network', 'processes', 'process-state'],
    // The API's first log line invites a thread dump: SIGUSR1 (or SIGQUIT) prints every stack.
    safeSignals: { api: ['USR1', 'QUIT'] },
    restartAllowed: false,
    stressed: false,
    timelineScale: 1,
    causeHints: ['hung', 'hang', 'hanging', 'stopped', 'frozen', 'sigstop', 'no timeout', 'never answer', 'not answering', 'worker pool', 'thread pool', 'lock'],
  },
  // Quotes fan out to three dependencies; healthy, they answer well under a second.
  servedNormally: { successRate: 0.99, p95Ms: 2000 },
  networks: { app: {} },
  services: (p) => {
    const env: Record<string, string> = {
      PORT: String(p.port),
      WORKERS: String(p.workers),
      REQUEST_DEADLINE_S: String(p.deadlineSeconds),
    };
    for (const d of DEPENDENCIES) {
      env[`${d.toUpperCase()}_URL`] = `http://${d}:${p.depPorts[d]}`;
      if (p.modes[d] === 'cached') env[`${d.toUpperCase()}_CACHE_S`] = String(p.cacheSeconds[d]);
    }
    const dependency = (d: Dependency) => ({
      command: ['/srv/upstream/supervise.sh', d],
      env: { PORT: String(p.depPorts[d]) },
      networks: ['app'],
      // "Is the process there?": as shallow as the API's, and just as green while it is stopped.
      healthcheck: { test: ['CMD', 'pgrep', '-x', `${d}-svc`], timeoutMs: 3000, retries: 10 },
      limits: { memory: '48m', cpus: 0.25, pids: 64 },
    });
    return {
      api: {
        command: ['python3', '/srv/app/api.py'],
        env,
        networks: ['app'],
        healthcheck: httpHealthcheck(p.port, { timeoutMs: 3000, retries: 10 }),
        limits: { memory: '96m', cpus: 0.5, pids: 256 },
      },
      catalog: dependency('catalog'),
      stock: dependency('stock'),
      rates: dependency('rates'),
      // The customers: 4 quotes a second, each allowed 5 s. Goal checks probe from here too.
      traffic: trafficService({ url: quoteUrl(p), rps: 4, timeoutS: 5, networks: ['app'] }),
    };
  },
  faults: [
    {
      id: 'frozen-dependency',
      title: 'A failed backup leaves one dependency stopped (SIGSTOP): it accepts connections and never answers',
      inject: async (ctx) => {
        const p = ctx.params;
        // Quotes must flow first (caches loaded), so the freeze is what breaks them.
        const deadline = ctx.now() + 45_000;
        for (;;) {
          const r = await probe(ctx, quoteUrl(p), 1, 3);
          if (typeof r !== 'string' && r.ok === 1) break;
          if (ctx.now() > deadline) throw new Error(`quotes never worked before the fault: ${typeof r === 'string' ? r : r.firstFailure}`);
          await ctx.sleep(1000);
        }
        // backup.sh exits 1 by design (its copy "fails" before the thaw); check the effect instead.
        await ctx.exec(p.frozen, ['/srv/upstream/backup.sh', p.frozen]);
        const st = await ctx.exec(p.frozen, ['sh', '-c', `ps -o stat= -p "$(cat /run/supervise/pid)"`]);
        if (!st.stdout.trim().startsWith('T')) throw new Error(`the dependency's process is not stopped (state "${st.stdout.trim()}"): ${st.stderr.trim()}`);
      },
      waitFor: {
        description: 'quote requests timing out while /healthz answers',
        until: async (ctx) => {
          const quotes = await probe(ctx, quoteUrl(ctx.params), 2, 3, false);
          if (typeof quotes === 'string' || (quotes.errors ?? 0) < 2) return false;
          const health = await probe(ctx, healthUrl(ctx.params), 1, 3);
          return typeof health !== 'string' && health.ok === 1;
        },
        timeoutMs: 75_000,
      },
    },
  ],
  goals: [
    {
      ...requestsInARow({
        id: 'quotes-answer',
        title: `Quote requests succeed again: ${GOAL_REQUESTS} in a row, each within ${QUOTE_TIMEOUT_S} s`,
        url: quoteUrl,
        count: GOAL_REQUESTS,
        timeoutS: QUOTE_TIMEOUT_S,
        what: `requests to ${QUOTE_PATH}`,
        showP95: true,
      }),
      // Restarting the frozen dependency replaces its stopped process; restarting the API does not (its workers block again).
      restartMeets: (p: HealthyButHangingParams) => [p.frozen],
    },
    keptRunning('api', 'The API'),
    {
      id: 'dependencies-kept',
      guard: true,
      title: 'The dependencies kept running: no restart, no replaced service process',
      outcome: 'Every service keeps running without a restart',
      check: async (ctx) => {
        let lost = 0;
        const problems: string[] = [];
        for (const d of DEPENDENCIES) {
          const kept = compareNotRestarted(d, ctx.baseline(d), await ctx.inspect(d));
          const starts = kept.pass ? await serviceStarts(ctx, d) : null;
          if (!kept.pass) {
            lost++;
            problems.push('a container was restarted or recreated');
          } else if (starts !== 1) {
            lost++;
            problems.push(starts === null ? 'a service process could not be checked' : 'a service process was ended and started again');
          }
        }
        // Generic on purpose: which dependency lost its state would name the culprit.
        if (lost === 0) return { pass: true, evidence: 'All three dependencies kept their containers and their service processes (no restart, nothing replaced).' };
        return { pass: false, evidence: `${lost} of 3 dependencies lost their running state: ${[...new Set(problems)].join('; ')}.` };
      },
    },
    {
      id: 'health-lie-shown',
      title: 'You showed why the health check stayed green: /healthz and a real request compared, and a thread dump taken while requests hung',
      outcome: 'You showed why the health check said all was well while customers waited',
      check: async (ctx) => {
        const file = await ctx.exec('api', ['cat', DUMP_SUMMARY]);
        const dumps = file.exitCode === 0 ? parseDumpSummaries(file.stdout) : [];
        const stuck = dumps.filter((d) => d.inflight > 0 && d.oldest >= STUCK_SECONDS);
        const actions = await ctx.actions();
        const askedHealth = actions.some((a) => requested(a, '/healthz'));
        const askedQuote = actions.some((a) => requested(a, QUOTE_PATH));
        const missing: string[] = [];
        if (stuck.length === 0) {
          missing.push(
            dumps.length === 0
              ? 'no thread dump of the API has been taken'
              : `the API's thread dumps (${dumps.length}) were all taken when no request was stuck`,
          );
        }
        if (!askedHealth || !askedQuote) {
          const which = !askedHealth && !askedQuote ? '/healthz and ' + QUOTE_PATH : !askedHealth ? '/healthz' : QUOTE_PATH;
          missing.push(`you have not requested ${which} yourself to compare the two`);
        }
        if (missing.length === 0) {
          const best = stuck.reduce((x, y) => (y.oldest > x.oldest ? y : x));
          return {
            pass: true,
            evidence: `You compared /healthz with ${QUOTE_PATH}, and a thread dump at ${best.at} caught ${best.inflight} requests in flight, the oldest waiting ${best.oldest.toFixed(1)} s.`,
          };
        }
        return { pass: false, evidence: `Not yet: ${missing.join('; ')}.` };
      },
    },
  ],
});
