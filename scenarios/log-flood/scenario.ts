/**
 * log-flood: a notification worker cannot reach its dependency and retries the same delivery in
 * a tight loop, logging one line per attempt — about a hundred lines a second (field notes 08d:
 * "log volume can be misleading — high log output might indicate a loop or repeated failures").
 * The one line that explains it (the first failure, in full, next to the configuration the
 * worker loaded) was written once and is buried under the retries.
 *
 * The root cause is one wrong setting in the worker's config file (which one, by seed: host,
 * port, TLS, API path or token file). The worker re-reads the file when it changes, so the fix
 * is a one-line edit in place: deliveries resume, the loop stops and the log calms down, with
 * no restart. README.md beside this file explains the machinery; debrief.mdx the story.
 */
import { createHash } from 'node:crypto';
import { defineScenario, httpHealthcheck, keptRunning, plural, trafficService, type ScenarioContext } from '@/lib/scenario';
import { type LogFloodParams, drawParams, installPayload } from './params';

export { MECHANISMS, STORIES, drawParams, installPayload, renderConfig, type LogFloodParams, type Mechanism, type StoryName } from './params';

// ---------------------------------------------------------------------------------------------
// Measurements shared by the fault's wait and the goals

/** Normal is about 4 lines a second (events in, deliveries out); the flood is about 100. */
export const NORMAL_LINES_PER_SECOND = 10;
/** Consecutive failed deliveries that make the retry loop (the fault) rather than a hiccup. */
const FAILING_LOOP = 3;
const RATE_WINDOW_S = 10;
const RATE_TAIL = 3000;
const TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z /;

/**
 * Counts the log lines written in the `windowS` seconds before `nowMs`, from the worker's own
 * millisecond timestamps. `saturated` is true when the tail was full (`tail` lines) and every
 * line of it falls in the window: the real count is then higher.
 */
export function countRecentLines(text: string, nowMs: number, windowS: number, tail: number): { lines: number; saturated: boolean; total: number } {
  const from = nowMs - windowS * 1000;
  let lines = 0;
  let total = 0;
  let oldestInTail = Number.POSITIVE_INFINITY;
  for (const line of text.split('\n')) {
    const m = TS.exec(line);
    if (!m) continue;
    total++;
    const t = Date.parse(`${m[1]}Z`);
    if (t < oldestInTail) oldestInTail = t;
    if (t > from && t <= nowMs + 1000) lines++;
  }
  return { lines, saturated: total >= tail && oldestInTail > from, total };
}

async function containerNowMs(ctx: ScenarioContext<LogFloodParams>): Promise<number> {
  const r = await ctx.exec('worker', ['date', '+%s%3N'], { timeoutMs: 10_000 });
  const n = Number(r.stdout.trim());
  return r.exitCode === 0 && Number.isFinite(n) && n > 0 ? n : Date.now();
}

async function logRate(ctx: ScenarioContext<LogFloodParams>, windowS = RATE_WINDOW_S): Promise<{ lines: number; perSecond: number; saturated: boolean }> {
  const now = await containerNowMs(ctx);
  const text = await ctx.logs('worker', { tail: RATE_TAIL });
  const { lines, saturated } = countRecentLines(text, now, windowS, RATE_TAIL);
  return { lines, perSecond: lines / windowS, saturated };
}

interface GatewayStats {
  accepted10s: number;
  rejected10s: number;
}
interface WorkerStatus {
  queued: number;
  oldestQueuedSeconds: number;
  consecutiveFailures: number;
}

async function getJson<T>(ctx: ScenarioContext<LogFloodParams>, service: string, url: string): Promise<T | string> {
  const r = await ctx.exec(service, ['curl', '-fsS', '-m', '3', url], { timeoutMs: 10_000 });
  if (r.exitCode !== 0) return `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 160)}`;
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    return `not JSON: ${r.stdout.trim().slice(0, 160)}`;
  }
}

// ---------------------------------------------------------------------------------------------

export const DIAGNOSIS_CATEGORIES = [
  { id: 'wrong-config', label: 'A wrong setting in the worker\u2019s configuration makes every call to its dependency fail' },
  { id: 'dependency-down', label: 'The dependency is down or too slow to answer' },
  { id: 'network', label: 'The network between the worker and its dependency is broken (DNS, firewall, routing)' },
  { id: 'log-level', label: 'The worker logs too much: its log level or logging setup is the problem' },
  { id: 'no-backoff', label: 'Retries without backoff overload a healthy dependency, which then refuses the worker' },
  { id: 'traffic-spike', label: 'A burst of events is more than the worker can deliver' },
] as const;

/** What the customers' side asks the worker: is any notification late? */
const onTimeUrl = (p: LogFloodParams) => `http://worker:${p.statusPort}/notifications/on-time`;

function acceptFor(p: LogFloodParams): string[] {
  switch (p.mechanism) {
    case 'host':
      return ['127.0.0.1'];
    case 'port':
      return [`gateway:${p.wrongValue}`, p.wrongValue];
    case 'tls':
      return [];
    case 'path':
      return [p.retiredPath];
    case 'token':
      return [p.revokedTokenFile, p.revokedTokenFile.split('/').pop() as string];
  }
}

export default defineScenario<LogFloodParams>({
  title: 'Customer notifications stopped going out',
  summary:
    'Customer notifications have stopped going out, and the worker that sends them writes a hundred log lines a second. Find the one line that matters, fix the cause in place, and bring the log back to normal without restarting the worker.',
  difficulty: 'intermediate',
  minutes: 20,
  tags: ['notifications', 'worker', 'logs'],
  params: drawParams,
  diagnosis: {
    culpritLabel: 'the setting that makes every delivery fail (its key in the worker\u2019s config)',
    categories: DIAGNOSIS_CATEGORIES.map(({ id, label }) => ({ id, label })),
    // 'other': the culprit is a setting. It shows in the config file (cat/grep observe `config`)
    // and in the worker's own startup and error lines (`logs`); the 'file' kind would only count
    // `ls`-style observations (README.md, "Known limits").
    truth: (p) => ({ category: 'wrong-config', culprit: p.culpritKey, culpritKind: 'other', accept: acceptFor(p) }),
  },
  hints: [
    'The log is loud, not informative: thousands of identical retry lines say only that something fails. How fast does it grow (`docker logs --since 10s <worker> | wc -l`)? And what do the lines that are not retries say? The first error comes before the flood.',
    'The worker wrote two lines that matter, once, at the start: the configuration it loaded and the first failure in full. `docker logs <worker> 2>&1 | grep -v retrying | head` finds them. The dependency keeps its own log: what does it see of the worker?',
    'The worker re-reads its config file when the file changes (SIGHUP works too). Keep a copy of the file, correct the one wrong setting in place, and watch the retry lines stop.',
  ],
  // What a running session costs the host: the worker retries flat out until its config is fixed;
  // the customers' client is light (4 requests a second).
  cost: { cpus: 0.45, memory: '160m', startWeight: 1 },
  protocol: {
    affectedServices: ['worker'],
    snapshotExpected: true,
    restartAllowed: false,
    stressed: true,
    causeHints: ['config', 'configuration', 'setting', 'misconfigured', 'misconfiguration', 'retry loop', 'wrong port', 'token', 'tls'],
  },
  // The customers ask whether their notifications are on time (none waits over 5 s): per second,
  // 99% of those answers say yes, within 1 s.
  servedNormally: { successRate: 0.99, p95Ms: 1000 },
  networks: { app: {} },
  services: (p) => ({
    worker: {
      command: ['python3', '/srv/app/worker.py', '--config', p.confPath],
      env: {
        PORT: String(p.statusPort),
        WORKER_NAME: p.app,
        DEP_PREFIX: p.prefix,
        DEP_LABEL: p.label,
        EVENT_KINDS: p.eventKinds.join(','),
        EVENTS_PER_SECOND: '2',
      },
      networks: ['app'],
      // Like many health checks it knows nothing about deliveries: green through the incident.
      healthcheck: httpHealthcheck(p.statusPort),
      limits: { memory: '96m', cpus: 0.25, pids: 64 },
    },
    gateway: {
      command: ['python3', '/srv/app/gateway.py'],
      env: {
        PORT: String(p.gatewayPort),
        API_PATH: p.apiPath,
        RETIRED_PATH: p.retiredPath,
        ACTIVE_KEY: p.activeKey,
        ACTIVE_TOKEN_SHA256: createHash('sha256').update(p.activeToken).digest('hex'),
        DEP_NAME: p.gatewayName,
        DEP_LABEL: p.label,
      },
      networks: ['app'],
      healthcheck: httpHealthcheck(p.gatewayPort),
      limits: { memory: '64m', cpus: 0.25, pids: 64 },
    },
    // The customers: their side asks the worker whether any notification has waited too long
    // (worker.py, /notifications/on-time); a notification late or lost is what they feel.
    traffic: trafficService({ url: onTimeUrl(p), rps: 4, networks: ['app'] }),
  }),
  faults: [
    {
      id: 'deploy-wrong-setting',
      title: 'Deploy the worker\u2019s configuration with one wrong setting for its dependency',
      inject: async (ctx) => {
        const res = await ctx.exec('worker', ['python3', '/srv/app/install.py', installPayload(ctx.params)]);
        if (res.exitCode !== 0) throw new Error(`install.py failed (exit ${res.exitCode}): ${res.stderr.trim().slice(0, 300)}`);
      },
      waitFor: {
        // What the fault means: deliveries failing in a loop, and a log above the normal rate.
        // Not a fixed flood rate: the loop writes 60-110 lines a second on a quiet host but far
        // fewer when twenty sessions share two cores (normal is about 4).
        description: `the worker's deliveries failing in a loop and its log above the normal rate (${NORMAL_LINES_PER_SECOND} lines a second)`,
        until: async (ctx) => {
          const st = await getJson<WorkerStatus>(ctx, 'worker', `http://127.0.0.1:${ctx.params.statusPort}/status`);
          if (typeof st === 'string' || st.consecutiveFailures < FAILING_LOOP) return false;
          return (await logRate(ctx, 3)).perSecond > NORMAL_LINES_PER_SECOND;
        },
        timeoutMs: 60_000,
      },
    },
  ],
  goals: [
    // No restartMeets: a restart reloads the same wrong setting from the config file, and the loop starts again.
    {
      id: 'deliveries-flowing',
      title: 'Notifications reach the dependency again and the backlog is delivered',
      outcome: 'Customer notifications go out again, the backlog included',
      check: async (ctx) => {
        const p = ctx.params;
        const gw = await getJson<GatewayStats>(ctx, 'gateway', `http://127.0.0.1:${p.gatewayPort}/stats`);
        if (typeof gw === 'string') return { pass: false, evidence: `Could not read the dependency's counters (${gw}).` };
        const st = await getJson<WorkerStatus>(ctx, 'worker', `http://127.0.0.1:${p.statusPort}/status`);
        if (typeof st === 'string') return { pass: false, evidence: `Could not read the worker's status page (${st}).` };
        const seen =
          `The dependency accepted ${plural(gw.accepted10s, 'delivery', 'deliveries')} in the last 10 s and rejected ${gw.rejected10s}; ` +
          `${plural(st.queued, 'notification')} ${st.queued === 1 ? 'is' : 'are'} waiting in the worker's queue` +
          (st.queued > 0 ? `, the oldest for ${Math.round(st.oldestQueuedSeconds)} s.` : '.');
        const pass = gw.accepted10s >= 1 && gw.rejected10s === 0 && st.consecutiveFailures === 0 && st.queued <= 25;
        return { pass, evidence: seen };
      },
    },
    {
      id: 'log-rate-normal',
      title: `The worker's log grows at a normal rate again (${NORMAL_LINES_PER_SECOND} lines a second or fewer)`,
      outcome: `The worker's log is quiet enough to read again (${NORMAL_LINES_PER_SECOND} lines a second or fewer)`,
      check: async (ctx) => {
        const r = await logRate(ctx);
        const rate = `${r.saturated ? 'at least ' : ''}${plural(r.lines, 'log line')} in the last ${RATE_WINDOW_S} s (${r.perSecond.toFixed(1)} a second)`;
        if (!r.saturated && r.perSecond <= NORMAL_LINES_PER_SECOND) return { pass: true, evidence: `The worker wrote ${rate}.` };
        return { pass: false, evidence: `The worker wrote ${rate}; normal is ${NORMAL_LINES_PER_SECOND} a second or fewer.` };
      },
    },
    keptRunning('worker', 'The worker'),
  ],
});
