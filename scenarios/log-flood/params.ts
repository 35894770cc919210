/**
 * log-flood's per-run parameters: which story (what the worker delivers, through what), which
 * setting is wrong and how, the token files — and the config file and payload the fault
 * installs from them. scenario.ts beside this file has the rest.
 */
import type { Rng } from '@/lib/scenario';

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
