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
import { compareNotRestarted, defineScenario, type Rng, type ScenarioContext } from '@/lib/scenario';

const IMAGE = 'sickbay/scenario-log-flood:latest';

/**
 * What the worker delivers and to whom. The services are always `worker` and `gateway` (the
 * solution scripts need fixed names); the story, the program's name, its config path and its
 * config keys change.
 */
export const STORIES = {
  mail: {
    app: 'notifier',
    label: 'mail relay',
    gateway: 'mail-relay',
    prefix: 'relay',
    api: '/v2/messages',
    retired: '/v1/messages',
    ports: [2525, 8025, 2587, 1025],
    events: ['order-confirmation', 'password-reset', 'shipping-update', 'receipt'],
    what: 'emails',
  },
  sms: {
    app: 'sms-sender',
    label: 'SMS gateway',
    gateway: 'sms-gateway',
    prefix: 'sms_gateway',
    api: '/v3/sms',
    retired: '/v2/sms',
    ports: [9090, 8181, 7070, 9191],
    events: ['login-code', 'delivery-window', 'payment-reminder'],
    what: 'text messages',
  },
  push: {
    app: 'push-worker',
    label: 'push service',
    gateway: 'push-relay',
    prefix: 'push',
    api: '/v2/notifications',
    retired: '/v1/notifications',
    ports: [5228, 8088, 9000, 8228],
    events: ['order-shipped', 'price-drop', 'cart-reminder'],
    what: 'push notifications',
  },
  webhooks: {
    app: 'hook-sender',
    label: 'webhook dispatcher',
    gateway: 'hook-dispatch',
    prefix: 'dispatcher',
    api: '/v2/deliveries',
    retired: '/v1/deliveries',
    ports: [8480, 9292, 7777, 8580],
    events: ['order.paid', 'order.shipped', 'refund.created'],
    what: 'partner webhooks',
  },
} as const;
export type StoryName = keyof typeof STORIES;

/**
 * The one wrong setting, and what the worker sees:
 *  - host:  `<prefix>_host = 127.0.0.1` (left from when the dependency ran beside the worker): refused
 *  - port:  the dependency's old port: refused
 *  - tls:   `<prefix>_tls = yes` against a plain-HTTP port: SSL WRONG_VERSION_NUMBER
 *  - path:  the retired API version: HTTP 410 Gone
 *  - token: the token file from before the last rotation: HTTP 401
 */
export const MECHANISMS = ['host', 'port', 'tls', 'path', 'token'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export interface LogFloodParams {
  story: StoryName;
  /** The worker's program name (logs, --help) and its config directory. */
  app: string;
  /** What the dependency is, in words ("mail relay"). */
  label: string;
  /** The dependency's program name (its logs). */
  gatewayName: string;
  /** Config keys are `<prefix>_host`, `<prefix>_port`, ... */
  prefix: string;
  confPath: string;
  statusPort: number;
  gatewayPort: number;
  apiPath: string;
  retiredPath: string;
  eventKinds: string[];
  what: string;
  mechanism: Mechanism;
  /** The wrong key, its wrong value and the value that works. */
  culpritKey: string;
  wrongValue: string;
  rightValue: string;
  activeKey: string;
  revokedKey: string;
  activeToken: string;
  revokedToken: string;
  activeTokenFile: string;
  revokedTokenFile: string;
  /** Age of the token files in days (mtime), so `ls -l` tells the old from the new. */
  activeTokenAgeDays: number;
  revokedTokenAgeDays: number;
  /** One sentence for the report (never shown while live). */
  truth: string;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

export function drawParams(rng: Rng): LogFloodParams {
  const story = rng.fork('story').pick(Object.keys(STORIES) as StoryName[]);
  const s = STORIES[story];
  const mechanism = rng.fork('mechanism').pick(MECHANISMS);
  const ports = rng.fork('ports');
  const [gatewayPort, oldPort] = ports.shuffle(s.ports) as [number, number];
  const statusPort = ports.int(8000, 8999);
  const tok = rng.fork('tokens');
  const keyNumber = tok.int(3, 9);
  const year = tok.pick([2024, 2025]);
  const month = tok.int(2, 12);
  const tokenBase = s.prefix.replace(/_/g, '-');
  const tokenDir = `/etc/${s.app}/tokens`;
  const activeTokenFile = `${tokenDir}/${tokenBase}-${year}-${pad2(month)}.token`;
  const revokedTokenFile = `${tokenDir}/${tokenBase}-${year}-${pad2(month - 1)}.token`;
  const activeKey = `k${keyNumber}`;
  const revokedKey = `k${keyNumber - 1}`;
  const activeTokenAgeDays = tok.int(3, 20);
  const key = (name: string): string => `${s.prefix}_${name}`;
  const wrong: Record<Mechanism, { key: string; wrong: string; right: string; truth: string }> = {
    host: {
      key: key('host'),
      wrong: '127.0.0.1',
      right: 'gateway',
      truth: `${key('host')} was 127.0.0.1 (left from when the ${s.label} ran beside the worker): every connection was refused`,
    },
    port: {
      key: key('port'),
      wrong: String(oldPort),
      right: String(gatewayPort),
      truth: `${key('port')} was ${oldPort}, an old port; the ${s.label} listens on ${gatewayPort}: every connection was refused`,
    },
    tls: {
      key: key('tls'),
      wrong: 'yes',
      right: 'no',
      truth: `${key('tls')} was yes, but the ${s.label} speaks plain HTTP on that port: every TLS handshake failed (WRONG_VERSION_NUMBER)`,
    },
    path: {
      key: key('api_path'),
      wrong: s.retired,
      right: s.api,
      truth: `${key('api_path')} was ${s.retired}, the retired API version: every delivery got 410 Gone (current: ${s.api})`,
    },
    token: {
      key: key('token_file'),
      wrong: revokedTokenFile,
      right: activeTokenFile,
      truth: `${key('token_file')} named ${revokedTokenFile}, the token revoked at the last rotation: every delivery got 401 (current: ${activeTokenFile})`,
    },
  };
  const w = wrong[mechanism];
  return {
    story,
    app: s.app,
    label: s.label,
    gatewayName: s.gateway,
    prefix: s.prefix,
    confPath: `/etc/${s.app}/${s.app}.conf`,
    statusPort,
    gatewayPort,
    apiPath: s.api,
    retiredPath: s.retired,
    eventKinds: [...s.events],
    what: s.what,
    mechanism,
    culpritKey: w.key,
    wrongValue: w.wrong,
    rightValue: w.right,
    activeKey,
    revokedKey,
    activeToken: `${activeKey}.${tok.hex(32)}`,
    revokedToken: `${revokedKey}.${tok.hex(32)}`,
    activeTokenFile,
    revokedTokenFile,
    activeTokenAgeDays,
    revokedTokenAgeDays: activeTokenAgeDays + tok.int(28, 31),
    truth: `${s.app} delivers ${s.what} through the ${s.label}. In ${s.app}.conf, ${w.truth}; it retried each failure at once and logged every attempt, about a hundred lines a second.`,
  };
}

/** The worker's config file as deployed: correct except for the one wrong setting. */
export function renderConfig(p: LogFloodParams): string {
  const k = (name: string): string => `${p.prefix}_${name}`;
  const value = (name: string, right: string): string => (k(name) === p.culpritKey ? p.wrongValue : right);
  return [
    `# ${p.confPath}`,
    `# ${p.app}: delivers ${p.what} to customers through the ${p.label}.`,
    '# Rendered by config management at deployment.',
    '#',
    '# The worker re-reads this file whenever it changes (checked every second) and at once on',
    '# SIGHUP: edits take effect without a restart. One `key = value` per line; # starts a comment.',
    '',
    `# The ${p.label}: its host name on the app network, its port, and whether to speak TLS to it.`,
    `${k('host')} = ${value('host', 'gateway')}`,
    `${k('port')} = ${value('port', String(p.gatewayPort))}`,
    `${k('tls')} = ${value('tls', 'no')}`,
    '# Delivery endpoint (POST).',
    `${k('api_path')} = ${value('api_path', p.apiPath)}`,
    '# API token. Tokens are rotated monthly; this names the file with the current one.',
    `${k('token_file')} = ${value('token_file', p.activeTokenFile)}`,
    `${k('timeout_ms')} = 2000`,
    '',
    '# Pause before a failed delivery is retried, in milliseconds (0: retry at once).',
    'retry_delay_ms = 0',
    '',
  ].join('\n');
}

/** What the fault writes into the worker: the config and both token files (old and current). */
export function installPayload(p: LogFloodParams): string {
  const files = [
    { path: p.confPath, content: renderConfig(p), mode: '644', ageDays: 0 },
    { path: p.activeTokenFile, content: `${p.activeToken}\n`, mode: '600', ageDays: p.activeTokenAgeDays },
    { path: p.revokedTokenFile, content: `${p.revokedToken}\n`, mode: '600', ageDays: p.revokedTokenAgeDays },
  ];
  return Buffer.from(JSON.stringify(files), 'utf8').toString('base64');
}

// ---------------------------------------------------------------------------------------------
// Measurements shared by the fault's wait and the goals

/** Normal is about 4 lines a second (events in, deliveries out); the flood is about 100. */
export const NORMAL_LINES_PER_SECOND = 10;
export const FLOOD_LINES_PER_SECOND = 30;
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

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

// ---------------------------------------------------------------------------------------------

export const DIAGNOSIS_CATEGORIES = [
  { id: 'wrong-config', label: 'A wrong setting in the worker\u2019s configuration makes every call to its dependency fail' },
  { id: 'dependency-down', label: 'The dependency is down or too slow to answer' },
  { id: 'network', label: 'The network between the worker and its dependency is broken (DNS, firewall, routing)' },
  { id: 'log-level', label: 'The worker logs too much: its log level or logging setup is the problem' },
  { id: 'no-backoff', label: 'Retries without backoff overload a healthy dependency, which then refuses the worker' },
  { id: 'traffic-spike', label: 'A burst of events is more than the worker can deliver' },
] as const;

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
  title: 'The log that would not stop',
  summary:
    'Customer notifications have stopped going out, and the worker that sends them writes a hundred log lines a second. Find the one line that matters, fix the cause in place, and bring the log back to normal without restarting the worker.',
  difficulty: 'intermediate',
  minutes: 20,
  tags: ['logs', 'retries', 'configuration', 'dependencies'],
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
  protocol: {
    affectedServices: ['worker'],
    snapshotExpected: true,
    restartAllowed: false,
    stressed: true,
    causeHints: ['config', 'configuration', 'setting', 'misconfigured', 'misconfiguration', 'retry loop', 'wrong port', 'token', 'tls'],
  },
  networks: { app: {} },
  services: (p) => ({
    worker: {
      image: IMAGE,
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
      healthcheck: { test: ['CMD', 'curl', '-fsS', '-m', '2', `http://127.0.0.1:${p.statusPort}/healthz`], intervalMs: 3000 },
      limits: { memory: '96m', cpus: 0.25, pids: 64 },
    },
    gateway: {
      image: IMAGE,
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
      healthcheck: { test: ['CMD', 'curl', '-fsS', '-m', '2', `http://127.0.0.1:${p.gatewayPort}/healthz`], intervalMs: 3000 },
      limits: { memory: '64m', cpus: 0.25, pids: 64 },
    },
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
        // The loop writes 60-110 lines a second depending on the host's load; normal is about 4.
        description: `the worker writing ${FLOOD_LINES_PER_SECOND} or more log lines a second (the retry loop)`,
        until: async (ctx) => (await logRate(ctx, 3)).perSecond >= FLOOD_LINES_PER_SECOND,
        timeoutMs: 60_000,
      },
    },
  ],
  goals: [
    {
      id: 'deliveries-flowing',
      title: 'Notifications reach the dependency again and the backlog is delivered',
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
      check: async (ctx) => {
        const r = await logRate(ctx);
        const rate = `${r.saturated ? 'at least ' : ''}${plural(r.lines, 'log line')} in the last ${RATE_WINDOW_S} s (${r.perSecond.toFixed(1)} a second)`;
        if (!r.saturated && r.perSecond <= NORMAL_LINES_PER_SECOND) return { pass: true, evidence: `The worker wrote ${rate}.` };
        return { pass: false, evidence: `The worker wrote ${rate}; normal is ${NORMAL_LINES_PER_SECOND} a second or fewer.` };
      },
    },
    {
      id: 'worker-not-restarted',
      title: 'The worker kept running: no restart, same main process',
      check: async (ctx) => compareNotRestarted('worker', ctx.baseline('worker'), await ctx.inspect('worker')),
    },
  ],
});
