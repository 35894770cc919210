/**
 * oom-limit: a batch render worker keeps being OOM-killed inside its container (field notes
 * 08b "resource limits can mask underlying issues" and 03d "resource limit simulation"). The
 * container itself never dies: PID 1 is a supervisor that starts the worker again two seconds
 * after each kill, so `docker ps` says "Up", `docker inspect` says OOMKilled=false, and only
 * the logs, `docker events` (oom), `docker stats` and the memory cgroup tell the story.
 *
 * Two causes, chosen by the seed, look the same at the original limit:
 *  - undersized: one batch type legitimately needs 1.3-1.75x the limit for a moment, then frees
 *    it all. Raise the limit (temporarily, with `docker update`) and every batch completes, the
 *    memory falling back after each. Fix: keep a limit sized to the biggest batch plus headroom.
 *  - leak: a cache (named by the seed) keeps entries keyed by batch and never evicts, so memory
 *    left after each batch climbs until the kernel kills the worker. Raise the limit and it
 *    still climbs. Fix: switch that cache off in the live config (re-read before every batch),
 *    then put the limit back: raising it only hid the leak.
 * README.md beside this file explains the machinery; debrief.mdx the story.
 */
import { defineScenario, keptRunning, OOM_COUNTERS_SHELL, oomKillsIn, plural, trafficService, type Rng, type ScenarioContext } from '@/lib/scenario';

export const BATCH_KINDS = ['invoices', 'statements', 'payslips', 'receipts', 'contracts', 'certificates', 'delivery-notes'] as const;
export const CACHE_NAMES = ['template_cache', 'font_cache', 'image_cache', 'barcode_cache', 'layout_cache', 'locale_cache', 'logo_cache'] as const;
export const LIMITS_MB = [96, 112, 128] as const;
export type Cause = 'leak' | 'undersized';

/** One batch type in the queue's rotation; peakMb is the container's memory at the batch's peak. */
export interface KindSpec {
  kind: string;
  peakMb: [number, number];
  rowKb: number;
}

/** A cache of the worker. max 0 = no entry limit; keys 0 = a new key for every batch. */
export interface CacheSpec {
  name: string;
  entryKb: number;
  perBatch: number;
  max: number;
  keys: number;
}

/** What the worker gets on stdin (through the supervisor): never written to disk or env. */
export interface WorkerProfile {
  queue: string;
  interval: number;
  firstBatch: number;
  order: KindSpec[];
  caches: CacheSpec[];
}

export interface OomLimitParams {
  cause: Cause;
  /** The container's memory limit as provisioned (MiB). */
  limitMb: number;
  /** undersized: the batch type whose batches need more than the limit. */
  heavyKind: string | null;
  /** leak: the cache that never evicts. */
  leakyCache: string | null;
  /** leak: MiB the leaky cache keeps per batch. */
  leakMbPerBatch: number;
  /** The biggest legitimate batch peak of the container (MiB), bounded caches included. */
  needMb: number;
  profile: WorkerProfile;
  /** One sentence for the report, written from the params (never shown while live). */
  truth: string;
}

/** Goal thresholds, shared with the unit tests. */
export const STABLE = {
  /** Batches the current worker must have completed. */
  batches: 5,
  /** Seconds without an OOM kill. */
  quietS: 60,
  /** Growth of the memory left after a batch, over the last `batches` batches, that counts as climbing (MiB). */
  climbMb: 12,
} as const;

const MIB = 1024 * 1024;
/** The supervisor's HTTP port: what the customers' side asks (supervisor.py). */
const DOCUMENTS_PORT = 8080;

export function drawParams(rng: Rng): OomLimitParams {
  const cause = rng.fork('cause').pick<Cause>(['leak', 'undersized']);
  const limitMb = rng.fork('limit').pick(LIMITS_MB);
  const kinds = rng.fork('kinds').shuffle(BATCH_KINDS).slice(0, 3);
  const cacheNames = rng.fork('caches').shuffle(CACHE_NAMES).slice(0, 3);
  const sizes = rng.fork('sizes');
  const normal: [number, number] = [Math.round(0.4 * limitMb), Math.round(0.55 * limitMb)];
  const rowKb = (i: number) => [3, 2, 4][i] ?? 3;

  // The heavy batch type (undersized) comes third in the rotation, so the log first shows two
  // batches that complete, then the one the worker never gets past.
  const heavyKind = cause === 'undersized' ? (kinds[2] ?? null) : null;
  const heavyHi = Math.round((sizes.int(145, 175) / 100) * limitMb);
  const heavy: [number, number] = [heavyHi - Math.round(0.15 * limitMb), heavyHi];
  const order: KindSpec[] = kinds.map((kind, i) => ({ kind, peakMb: kind === heavyKind ? heavy : normal, rowKb: rowKb(i) }));

  const leakyCache = cause === 'leak' ? rng.fork('leaky').pick(cacheNames) : null;
  // 6-8% of the limit per batch: a kill every 6-9 batches (well inside the goal's quiet minute)
  const leakMbPerBatch = Math.round((limitMb * sizes.int(6, 8)) / 100);
  const caches: CacheSpec[] = cacheNames.map((name, i) =>
    name === leakyCache
      ? // keyed by batch, no entry limit: nothing is ever found again, nothing is ever evicted
        { name, entryKb: 512, perBatch: leakMbPerBatch * 2, max: 0, keys: 0 }
      : { name, entryKb: 256, perBatch: 1, max: [6, 4, 8][i] ?? 6, keys: [6, 4, 10][i] ?? 6 },
  );
  const boundedMb = caches.filter((c) => c.max > 0).reduce((sum, c) => sum + (c.max * c.entryKb) / 1024, 0);
  const needMb = Math.ceil((cause === 'undersized' ? heavy[1] : normal[1]) + boundedMb);

  const what =
    cause === 'undersized'
      ? `The ${heavyKind} batches legitimately need up to about ${needMb} MiB for a moment and free it all afterwards, but the container was limited to ${limitMb} MiB: the kernel killed the worker on every one of them. Nothing leaked.`
      : `The worker's ${leakyCache} kept ${leakMbPerBatch} MiB per batch, keyed by batch, with no entry limit: it never found an entry again and never evicted one, so the memory left after each batch climbed until the kernel killed the worker at the ${limitMb} MiB limit. The batches themselves need at most about ${needMb} MiB.`;
  return {
    cause,
    limitMb,
    heavyKind,
    leakyCache,
    leakMbPerBatch,
    needMb,
    profile: { queue: 'reports.render', interval: 2.5, firstBatch: rng.fork('batch').int(20000, 89999), order, caches },
    truth: what,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the worker's state (pure parsing, unit-tested)

export interface WorkerSnapshot {
  /** Container clock, epoch seconds. */
  nowS: number;
  /** The kernel's count of OOM kills in the container's memory cgroup (null: unreadable). */
  kernelOomKills: number | null;
  supervisor: {
    workerPid: number | null;
    restarts: number;
    oomKills: number;
    lastOomAt: number | null;
    lastExit: { how: string; at: number } | null;
  } | null;
  worker: {
    pid: number;
    batchesDone: number;
    recent: { id: string; afterMb: number; peakMb: number }[];
  } | null;
}

const SEP = '--sickbay--';
/** One exec, four reads: the clock, the kernel's OOM counter, the supervisor's and the worker's state. */
export const SNAPSHOT_CMD = [
  'sh',
  '-c',
  `date +%s; echo ${SEP}; ${OOM_COUNTERS_SHELL}; echo ${SEP}; cat /run/render-worker/supervisor.json 2>/dev/null; echo; echo ${SEP}; cat /run/render-worker/status.json 2>/dev/null`,
];

function json(text: string | undefined): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse((text ?? '').trim());
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function parseSnapshot(stdout: string): WorkerSnapshot {
  const [clock, oom, sup, status] = stdout.split(SEP);
  const s = json(sup);
  const w = json(status);
  const lastExit = s?.lastExit && typeof s.lastExit === 'object' ? (s.lastExit as Record<string, unknown>) : null;
  const recent = Array.isArray(w?.recent) ? (w.recent as Record<string, unknown>[]) : [];
  return {
    nowS: Number((clock ?? '').trim()) || 0,
    kernelOomKills: oomKillsIn(oom ?? ''),
    supervisor: s
      ? {
          workerPid: num(s.workerPid),
          restarts: num(s.restarts) ?? 0,
          oomKills: num(s.oomKills) ?? 0,
          lastOomAt: num(s.lastOomAt),
          lastExit: lastExit ? { how: String(lastExit.how ?? 'ended'), at: num(lastExit.at) ?? 0 } : null,
        }
      : null,
    worker: w
      ? {
          pid: num(w.pid) ?? 0,
          batchesDone: num(w.batchesDone) ?? 0,
          recent: recent.map((r) => ({ id: String(r.id ?? ''), afterMb: num(r.afterMb) ?? 0, peakMb: num(r.peakMb) ?? 0 })),
        }
      : null,
  };
}

export interface Stability {
  stable: boolean;
  evidence: string;
}

/**
 * "Runs steadily": the worker is up, no OOM kill for STABLE.quietS, at least STABLE.batches
 * batches since it last started, and the memory left after those batches is not climbing.
 * The sentences say what was seen and never which cause it was.
 */
export function judgeStability(snap: WorkerSnapshot): Stability {
  const sup = snap.supervisor;
  const kills = snap.kernelOomKills ?? sup?.oomKills ?? 0;
  const killsText = `${plural(kills, 'OOM kill')} in the container so far`;
  if (!sup) return { stable: false, evidence: 'The supervisor has written no state: the worker has not started yet.' };
  if (sup.lastOomAt !== null && snap.nowS - sup.lastOomAt < STABLE.quietS) {
    const ago = Math.max(0, Math.round(snap.nowS - sup.lastOomAt));
    return { stable: false, evidence: `The worker was OOM-killed ${ago} s ago (${killsText}).` };
  }
  const w = snap.worker;
  if (sup.workerPid === null || !w || w.pid !== sup.workerPid) {
    const how = sup.lastExit ? ` (last exit: ${sup.lastExit.how})` : '';
    return { stable: false, evidence: `The worker is not running right now; the supervisor is starting it again${how}.` };
  }
  if (w.batchesDone < STABLE.batches) {
    return {
      stable: false,
      evidence: `The worker has completed ${plural(w.batchesDone, 'batch', 'batches')} since it last started; ${STABLE.batches} in a row are needed (${killsText}).`,
    };
  }
  const last = w.recent.slice(-STABLE.batches).map((r) => r.afterMb);
  const first = last[0] ?? 0;
  const end = last[last.length - 1] ?? 0;
  const lo = Math.min(...last);
  const hi = Math.max(...last);
  if (end - first >= STABLE.climbMb) {
    return {
      stable: false,
      evidence: `${STABLE.batches} batches in a row completed, but the memory left after each climbed from ${first.toFixed(0)} to ${end.toFixed(0)} MiB.`,
    };
  }
  const quiet = sup.lastOomAt === null ? 'no OOM kill' : `no OOM kill for ${Math.round(snap.nowS - sup.lastOomAt)} s`;
  return {
    stable: true,
    evidence: `${plural(w.batchesDone, 'batch', 'batches')} completed since the worker last started, ${quiet}; the memory left after each of the last ${STABLE.batches} stayed between ${lo.toFixed(0)} and ${hi.toFixed(0)} MiB.`,
  };
}

/** The limit fits when it holds the biggest batch and is at most twice what it needs. */
export function judgeLimit(limitMb: number, needMb: number): { pass: boolean; evidence: string } {
  const have = `The limit (${limitMb.toFixed(0)} MiB)`;
  if (limitMb < needMb) return { pass: false, evidence: `${have} is below the biggest batch's peak (about ${needMb} MiB): the next one will be OOM-killed.` };
  if (limitMb > 2 * needMb)
    return { pass: false, evidence: `${have} is more than twice the biggest batch's peak (about ${needMb} MiB): memory held back from the host for nothing.` };
  return { pass: true, evidence: `${have} holds the biggest batch's peak (about ${needMb} MiB) with no more than double headroom.` };
}

async function snapshot(ctx: ScenarioContext<OomLimitParams>): Promise<WorkerSnapshot | string> {
  const res = await ctx.exec('worker', SNAPSHOT_CMD, { timeoutMs: 15_000 });
  if (res.exitCode !== 0 && !res.stdout.includes(SEP)) return `Could not read the worker's state (exit ${res.exitCode}: ${res.stderr.trim().slice(0, 160)}).`;
  return parseSnapshot(res.stdout);
}

export const DIAGNOSIS_CATEGORIES = [
  { id: 'memory-leak', label: 'The worker keeps memory after every batch and never gives it back (a leak)' },
  { id: 'limit-too-low', label: 'The memory limit is too low for batches the worker legitimately runs' },
  { id: 'bad-batch', label: 'One malformed input batch crashes the worker every time it is delivered' },
  { id: 'queue-surge', label: 'A surge of queued work: too many batches at once' },
  { id: 'host-pressure', label: 'The host is short of memory and the kernel kills processes to protect itself' },
  { id: 'supervisor-bug', label: 'The supervisor kills and restarts the worker by itself' },
] as const;

export default defineScenario<OomLimitParams>({
  title: 'Documents pile up behind a crashing worker',
  summary:
    'The document render worker dies every few seconds and documents pile up, yet its container stays up. Find out why and fix the right thing without restarting the container.',
  difficulty: 'intermediate',
  minutes: 20,
  tags: ['worker', 'crashes', 'backlog'],
  params: drawParams,
  diagnosis: {
    culpritLabel: 'what drives the memory up (a batch type or a cache, as the log names it)',
    categories: DIAGNOSIS_CATEGORIES.map(({ id, label }) => ({ id, label })),
    truth: (p) =>
      p.cause === 'leak'
        ? { category: 'memory-leak', culprit: p.leakyCache ?? 'cache', culpritKind: 'other', accept: [`${p.leakyCache?.replace('_', ' ')}`] }
        : {
            category: 'limit-too-low',
            culprit: p.heavyKind ?? 'batches',
            culpritKind: 'other',
            accept: [`${p.heavyKind} batches`, (p.heavyKind ?? '').replace(/s$/, '')].filter((a) => a.length >= 3),
          },
  },
  hints: [
    'The container says "Up", but is the worker inside it? Read its log from the outside, and ask Docker what it saw: `docker events --since 10m --until 0s --filter event=oom`, `docker stats --no-stream`.',
    'At this limit every theory looks the same: the worker dies. Give it room for a while (`docker update --memory … --memory-swap …`, both, up to 1 GiB) and watch what the memory does after each batch.',
    'Memory that falls back after every batch needs a bigger budget; memory that climbs batch after batch is kept by something. The worker logs its caches every 5 batches, and its config (/etc/render-worker/worker.conf, re-read before every batch) can switch each one off.',
  ],
  // What a running session costs the host: one worker at its memory limit, and the customers'
  // light client (4 requests a second).
  cost: { cpus: 0.3, memory: '160m', startWeight: 1 },
  protocol: {
    affectedServices: ['worker'],
    snapshotExpected: true,
    restartAllowed: false,
    stressed: true,
    causeHints: ['memory leak', 'leak', 'memory limit', 'out of memory', 'oom', 'cache', 'too small'],
    // The culprit (a batch type or a cache) is named only by the worker itself: its log and the
    // status it keeps under /run/render-worker (recent batches by type, caches by size; the
    // RUNBOOK points there). Container state (`docker ps`, inspect), memory figures and the
    // config (every cache, not which one) show the symptom, never which one it is.
    revealedBy: ['logs', 'app-state'],
    supportedBy: ['resources', 'state', 'events', 'config'],
  },
  // The customers ask whether documents come out on time (a batch in the last 10 s, the worker
  // up): per second, 99% of those answers say yes, within 1 s.
  servedNormally: { successRate: 0.99, p95Ms: 1000 },
  networks: { app: {} },
  services: (p) => ({
    worker: {
      command: ['python3', '/srv/render-worker/supervisor.py'],
      env: { PORT: String(DOCUMENTS_PORT) },
      networks: ['app'],
      // Green as long as the supervisor is up: like many health checks, it knows nothing of the worker.
      healthcheck: { test: ['CMD', 'test', '-p', '/run/render-worker/assign'] },
      limits: { memory: `${p.limitMb}m`, cpus: 0.25, pids: 64 },
    },
    // The customers: their side asks the supervisor whether documents are on time
    // (supervisor.py, /documents/on-time); a worker that is killed or stuck is what they feel.
    traffic: trafficService({ url: `http://worker:${DOCUMENTS_PORT}/documents/on-time`, rps: 4, networks: ['app'] }),
  }),
  faults: [
    {
      id: 'assign-queue',
      title: 'Give the worker its queue (the batch sizes and caches of this run)',
      inject: async (ctx) => {
        const profile = Buffer.from(JSON.stringify(ctx.params.profile)).toString('base64');
        const res = await ctx.exec('worker', ['/srv/render-worker/assign-queue'], { env: { RW_PROFILE: profile }, timeoutMs: 15_000 });
        if (res.exitCode !== 0) throw new Error(`assign-queue failed (exit ${res.exitCode}): ${res.stderr.trim()}`);
      },
      waitFor: {
        description: 'the worker OOM-killed at least once and started again by the supervisor',
        until: async (ctx) => {
          const snap = await snapshot(ctx);
          if (typeof snap === 'string') return false;
          return (snap.kernelOomKills ?? 0) >= 1 && (snap.supervisor?.oomKills ?? 0) >= 1 && snap.supervisor?.workerPid !== null;
        },
        timeoutMs: 90_000,
      },
    },
  ],
  goals: [
    // No restartMeets: a restart keeps the limit and the live config, so the kills (or the leak) come back.
    {
      id: 'worker-steady',
      title: `The worker runs steadily: no OOM kill for a minute, ${STABLE.batches} batches in a row, memory after each batch not climbing`,
      outcome: `The worker processes its queue steadily: ${STABLE.batches} batches in a row without a crash`,
      check: async (ctx) => {
        const snap = await snapshot(ctx);
        if (typeof snap === 'string') return { pass: false, evidence: snap };
        const s = judgeStability(snap);
        return { pass: s.stable, evidence: s.evidence };
      },
    },
    {
      id: 'limit-fits',
      title: 'The memory limit fits the work: enough for the biggest batch, at most twice what it needs',
      outcome: 'The worker has what its biggest batch needs, without waste',
      check: async (ctx) => {
        const mem = await ctx.memory('worker');
        const limitMb = mem.limit / MIB;
        const snap = await snapshot(ctx);
        if (typeof snap === 'string') return { pass: false, evidence: snap };
        // Judged only once the worker runs steadily: before that, any answer would give the cause away.
        if (!judgeStability(snap).stable) {
          return { pass: false, evidence: `The limit is ${limitMb.toFixed(0)} MiB; it is judged once the worker runs steadily (the goal above).` };
        }
        return judgeLimit(limitMb, ctx.params.needMb);
      },
    },
    keptRunning('worker', 'The worker container'),
  ],
});
