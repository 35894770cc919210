/**
 * network-partition: a storefront API fails every checkout with what looks like a code bug
 * (`KeyError` in build_cart, "failed to build cart"), while every container is up and healthy.
 * The real cause is the network: the API cannot reach one of its three internal services
 * (field notes 04 and 08c: "network issues often manifest as application problems — always test
 * connectivity early"). By seed, one dependency is cut off, in one of three ways:
 *
 *  - drop:   an iptables rule in the API's own network namespace DROPs traffic to it (each call
 *            hangs until the API's 4 s upstream timeout);
 *  - reject: the same with REJECT (connection refused at once: "is the service down?" — it is not);
 *  - detach: the service's container was disconnected from the backend network (its name no
 *            longer resolves; Docker's DNS takes ~10 s to say so here).
 *
 * The API's HTTP client swallows the error (returns {} and logs it only at DEBUG), so the log
 * shows the KeyError, never the network error: only a connectivity test from the API's side
 * tells the truth. The fix touches neither program: delete that one firewall rule
 * (`docker exec <api> iptables -D OUTPUT <n>`), or reattach the container with its alias
 * (`docker network connect --alias <service> <network> <container>`). Docker re-adds only the
 * short ID and the hostname as aliases on a reconnect; the lab's hostname is the service name,
 * so here a reconnect without --alias happens to resolve too (in Compose it would not).
 * README.md beside this file explains the machinery; debrief.mdx the story.
 */
import { classifyArgv } from '@/lib/audit/classify';
import { commandRan } from '@/lib/proxy/exec-exit';
import { defineScenario, formatClock, httpHealthcheck, keptRunning, requestsInARow, trafficService, runProbe, type GoalResult, type LearnerAction, type Rng, type ScenarioContext } from '@/lib/scenario';

/** The storefront's internal services, in the order it calls them for a checkout. */
export const DEPENDENCIES = ['accounts', 'inventory', 'pricing'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

/** How the path is cut: a firewall rule in the API's namespace, or a dropped attachment. */
export const MECHANISMS = ['drop', 'reject', 'detach'] as const;
export type Mechanism = (typeof MECHANISMS)[number];

/** What the blocking rule matches (firewall mechanisms only). */
export const RULE_MATCHES = ['address-and-port', 'port', 'address'] as const;
export type RuleMatch = (typeof RULE_MATCHES)[number];

/**
 * The API's standing egress rules, present in every run and not part of the incident: the kind
 * of hardening a platform team adds. They are DROP/REJECT rules too, so "flush the firewall" is
 * not a fix: the goal `standing-rules-kept` checks they survive. Identified by their comments.
 */
export const STANDING_RULES = [
  { comment: 'no cloud metadata from app containers', args: ['-d', '169.254.169.254/32'], target: ['DROP'] },
  { comment: 'no direct SMTP from app containers', args: ['-p', 'tcp', '--dport', '25'], target: ['REJECT'] },
] as const;

const RULE_REASONS = ['temporary block during cutover', 'isolate upstream during load test', 'maintenance window, remove after', 'drain before migration'] as const;
const TICKET_PREFIXES = ['OPS', 'CHG', 'INC'] as const;

/** The backend network: the API and the three services. The front network: traffic and the API. */
const BACKEND = 'backend';
const FRONT = 'front';
// 4 s, not 2: at 0.25 CPU on a host at load 100 (a soak of twenty sessions) a healthy upstream
// sometimes took over 2 s, and a correct fix failed the checkout goal with the fault's own 500.
const UPSTREAM_TIMEOUT_S = 4;

/**
 * Which restart meets the goals the cut breaks: a restart of the API gives it a new network
 * namespace without the blocking rule (drop, reject); no restart reattaches a detached service.
 */
const restartOfApiClearsRule = (p: NetworkPartitionParams): string[] => (p.mechanism === 'detach' ? [] : ['api']);

export interface NetworkPartitionParams {
  apiPort: number;
  ports: Record<Dependency, number>;
  /** The internal service the API can no longer reach. */
  dependency: Dependency;
  mechanism: Mechanism;
  /** Firewall mechanisms: what the rule matches, its comment, and where it sits in OUTPUT. */
  rule: { match: RuleMatch; comment: string; position: 'first' | 'last' };
  /** One sentence for the report (never shown while the drill is live). */
  truth: string;
}

export function drawParams(rng: Rng): NetworkPartitionParams {
  const portRng = rng.fork('ports');
  const used = new Set<number>();
  const port = (): number => {
    for (;;) {
      const p = portRng.int(7000, 7999);
      if (!used.has(p)) {
        used.add(p);
        return p;
      }
    }
  };
  const ports = { accounts: port(), inventory: port(), pricing: port() };
  const dependency = rng.fork('dependency').pick(DEPENDENCIES);
  const mechanism = rng.fork('mechanism').pick(MECHANISMS);
  const r = rng.fork('rule');
  const rule = {
    match: r.pick(RULE_MATCHES),
    comment: `${r.pick(TICKET_PREFIXES)}-${r.int(1000, 9999)} ${r.pick(RULE_REASONS)}`,
    position: r.pick(['first', 'last'] as const),
  };
  const what =
    mechanism === 'detach'
      ? `the ${dependency} container had been disconnected from the ${BACKEND} network, so the name "${dependency}" no longer resolved for the storefront`
      : `an iptables rule in the storefront's network namespace (OUTPUT chain, ${rule.position === 'first' ? 'first' : 'last'} rule, "${rule.comment}") ${mechanism === 'drop' ? 'dropped' : 'rejected'} its traffic to ${dependency} (matching ${rule.match === 'address' ? 'the address' : rule.match === 'port' ? `port ${ports[dependency]}` : `the address and port ${ports[dependency]}`})`;
  return {
    apiPort: rng.fork('api-port').int(8000, 8999),
    ports,
    dependency,
    mechanism,
    rule,
    truth: `The storefront could not reach ${dependency}: ${what}. Its HTTP client swallowed the error and the cart code failed on the missing field.`,
  };
}

const url = (service: Dependency, p: NetworkPartitionParams): string => `http://${service}:${p.ports[service]}`;
const checkoutUrl = (p: NetworkPartitionParams): string => `http://api:${p.apiPort}/api/checkout`;

/** The filter table's rules in the API's namespace, as `iptables -S` prints them (root). */
async function apiRules(ctx: ScenarioContext<NetworkPartitionParams>): Promise<{ ok: true; rules: string[] } | { ok: false; error: string }> {
  const res = await ctx.exec('api', ['iptables', '-w', '5', '-S'], { user: 'root', timeoutMs: 15_000 });
  if (res.exitCode !== 0) return { ok: false, error: `iptables -S exited ${res.exitCode}: ${(res.stderr || res.stdout).trim().slice(0, 200)}` };
  return { ok: true, rules: res.stdout.split('\n') };
}

/** A goal check that judges the API's firewall; it fails, saying why, when the rules cannot be read. */
function onApiFirewall(judge: (view: FirewallView) => GoalResult) {
  return async (ctx: ScenarioContext<NetworkPartitionParams>): Promise<GoalResult> => {
    const r = await apiRules(ctx);
    return r.ok ? judge(assessRules(r.rules)) : { pass: false, evidence: `Could not read the API's firewall (${r.error}).` };
  };
}

const isStanding = (rule: string): boolean => STANDING_RULES.some((s) => rule.includes(`"${s.comment}"`) || rule.includes(`--comment ${s.comment}`));
const blocks = (rule: string): boolean => /\s-j\s+(DROP|REJECT)\b/.test(rule);
const accepts = (rule: string): boolean => /\s-j\s+ACCEPT\b/.test(rule);

export interface FirewallView {
  /** DROP/REJECT rules that are not one of the standing rules: what cuts a path. */
  blocking: string[];
  /** An ACCEPT rule sits in front of the first blocking rule (it hides it, it does not remove it). */
  shadowed: boolean;
  /** Comments of the standing rules still present as blocking rules. */
  standingKept: string[];
}

/** Reads `iptables -S` lines (`-A CHAIN …`) of the API's filter table. Pure. */
export function assessRules(lines: readonly string[]): FirewallView {
  const rules = lines.filter((l) => l.startsWith('-A '));
  const blocking = rules.filter((r) => blocks(r) && !isStanding(r));
  const firstBlock = blocking.length > 0 ? rules.indexOf(blocking[0] as string) : -1;
  const firstAccept = rules.findIndex(accepts);
  return {
    blocking,
    shadowed: firstBlock !== -1 && firstAccept !== -1 && firstAccept < firstBlock,
    standingKept: STANDING_RULES.filter((s) => rules.some((r) => blocks(r) && r.includes(s.comment))).map((s) => s.comment),
  };
}

/** The rule the fault adds (as iptables arguments, without -A/-I). */
export function blockRuleArgs(p: NetworkPartitionParams, address: string): string[] {
  const match =
    p.rule.match === 'address'
      ? ['-d', `${address}/32`]
      : p.rule.match === 'port'
        ? ['-p', 'tcp', '--dport', String(p.ports[p.dependency])]
        : ['-d', `${address}/32`, '-p', 'tcp', '--dport', String(p.ports[p.dependency])];
  return [...match, '-m', 'comment', '--comment', p.rule.comment, '-j', p.mechanism === 'drop' ? 'DROP' : 'REJECT'];
}

/**
 * Whether a learner action tested connectivity from the API's side and the test really ran: a
 * network test (curl, wget, nc, ping, dig, … — `networkTest`) exec'd in the api container whose
 * exit status Docker recorded (the proxy copies it from the exec inspect the CLI makes when the
 * command ends; 126/127 mean it was never run), or run by a debug sidecar sharing its network
 * namespace. A line typed in an interactive shell has no recorded exit status, so it does not
 * count by itself.
 */
export function testsFromApi(a: LearnerAction): boolean {
  const b = a.body;
  if (b.kind !== 'docker') return false;
  if (b.action === 'exec-inspect') {
    if (b.target !== 'api' || !b.command || b.command.length === 0) return false;
    const exitCode = b.flags?.exitCode;
    return commandRan(typeof exitCode === 'number' ? exitCode : undefined) && classifyArgv(b.command, { where: 'container', target: 'api' }).flags.networkTest;
  }
  if (!a.classification?.flags.networkTest || !b.allowed || (b.status !== undefined && b.status >= 400)) return false;
  return (b.action === 'run' || b.action === 'create') && (b.flags?.net === 'api' || b.flags?.networkMode === 'container:api');
}

/** Root-cause categories: the two true ones (by seed) and distractors the symptoms suggest. */
export const DIAGNOSIS_CATEGORIES = [
  { id: 'firewall-rule', label: 'A firewall rule in the API\u2019s network namespace blocks its traffic to an internal service' },
  { id: 'network-detached', label: 'An internal service was detached from the network the API reaches it on' },
  { id: 'app-bug', label: 'A bug in the storefront\u2019s cart code (the KeyError in build_cart)' },
  { id: 'contract-change', label: 'An internal service changed its response format and the storefront cannot read it' },
  { id: 'service-down', label: 'An internal service has crashed or hangs' },
  { id: 'dns-broken', label: 'Docker\u2019s DNS is broken: container names do not resolve' },
  { id: 'traffic-spike', label: 'More traffic than the storefront can handle' },
] as const;

export default defineScenario<NetworkPartitionParams>({
  title: 'Every checkout fails, and nothing was deployed',
  summary:
    'Every checkout fails with a KeyError in the cart code, yet nothing was deployed and every container is healthy. Find what the storefront really cannot do, and restore it without restarting anything.',
  difficulty: 'intermediate',
  minutes: 20,
  tags: ['api', 'errors', 'checkout'],
  params: drawParams,
  diagnosis: {
    culpritLabel: 'the internal service the storefront cannot reach',
    categories: DIAGNOSIS_CATEGORIES.map(({ id, label }) => ({ id, label })),
    truth: (p) => ({
      category: p.mechanism === 'detach' ? 'network-detached' : 'firewall-rule',
      culprit: p.dependency,
      culpritKind: 'network',
      accept: [`${p.dependency}:${p.ports[p.dependency]}`, url(p.dependency, p)],
      candidates: [...DEPENDENCIES],
    }),
  },
  hints: [
    'A traceback shows where a request died, not why. Nothing was deployed today: before reading code, ask each internal service what it sees (`docker logs --tail 3` of each). Is one of them suspiciously quiet?',
    'Test the path the storefront uses, from the storefront\u2019s side: `docker exec <api> curl -sS -m 3 http://<service>:<port>/healthz` for each upstream (the URLs are in its environment and its first log line). Timed out, refused, or name not found? Then ask the service itself, from its own container.',
    'Two things cut a path without touching either program: a firewall rule in the API\u2019s namespace (`docker exec <api> iptables -L OUTPUT -n --line-numbers`), or a container that left the network (`docker network inspect`). Remove only that rule (`iptables -D OUTPUT <n>`), or reattach with `docker network connect --alias <service> <network> <container>`: Docker does not bring a container\u2019s aliases back on reconnect.',
  ],
  // What a running session costs the host: four small services and the customers.
  cost: { cpus: 0.6, memory: '256m', startWeight: 1 },
  protocol: {
    // Restarting the API throws its firewall state away (the evidence, and the standing rules);
    // restarting a service proves nothing and drops its in-flight work.
    affectedServices: ['api', ...DEPENDENCIES],
    // The state that matters lives in the network namespace and Docker's network config, which
    // `docker commit` does not capture, and the fix is reversible: no snapshot is expected.
    // (The reference still saves the rules and the network's config before changing them.)
    snapshotExpected: false,
    restartAllowed: false,
    stressed: false,
    causeHints: ['firewall', 'iptables', 'unreachable', 'connectivity', 'detached', 'disconnected', 'blocked', 'network'],
  },
  // Checkout calls its dependencies in turn; a few seconds is still normal for customers.
  servedNormally: { successRate: 0.99, p95Ms: 3000 },
  networks: { [FRONT]: {}, [BACKEND]: {} },
  services: (p) => ({
    api: {
      command: ['python3', '/srv/app/api.py'],
      env: {
        PORT: String(p.apiPort),
        ACCOUNTS_URL: url('accounts', p),
        INVENTORY_URL: url('inventory', p),
        PRICING_URL: url('pricing', p),
        UPSTREAM_TIMEOUT: String(UPSTREAM_TIMEOUT_S),
        LOG_LEVEL: 'INFO',
      },
      networks: [FRONT, BACKEND],
      // Lets root in the container manage its own firewall (the fault, and the fix). The API
      // itself runs as the unprivileged user "app".
      capAdd: ['NET_ADMIN'],
      healthcheck: httpHealthcheck(p.apiPort),
      limits: { memory: '96m', cpus: 0.25, pids: 128 },
    },
    ...Object.fromEntries(
      DEPENDENCIES.map((d) => [
        d,
        {
          command: ['python3', '/srv/app/service.py'],
          env: { ROLE: d, PORT: String(p.ports[d]) },
          networks: [BACKEND],
          healthcheck: httpHealthcheck(p.ports[d]),
          limits: { memory: '48m', cpus: 0.2, pids: 64 },
        },
      ]),
    ),
    // The customers: 3 checkouts a second, patient (12 s) so they see the storefront's 500s
    // rather than their own timeouts even when a name takes 10 s to fail.
    traffic: trafficService({ url: checkoutUrl(p), rps: 3, timeoutS: 12, networks: [FRONT] }),
  }),
  faults: [
    {
      id: 'standing-egress-rules',
      title: 'Install the API\u2019s standing egress rules (hardening, not part of the incident)',
      inject: async (ctx) => {
        for (const rule of STANDING_RULES) {
          const res = await ctx.exec('api', ['iptables', '-w', '5', '-A', 'OUTPUT', ...rule.args, '-m', 'comment', '--comment', rule.comment, '-j', ...rule.target], { user: 'root' });
          if (res.exitCode !== 0) throw new Error(`iptables in api failed (exit ${res.exitCode}): ${res.stderr.trim()}`);
        }
      },
      waitFor: {
        description: 'both standing rules in the API\u2019s OUTPUT chain',
        until: async (ctx) => {
          const r = await apiRules(ctx);
          return r.ok && assessRules(r.rules).standingKept.length === STANDING_RULES.length;
        },
        timeoutMs: 30_000,
      },
    },
    {
      id: 'cut-dependency',
      title: 'Cut the path from the API to one internal service (firewall rule or dropped attachment)',
      inject: async (ctx) => {
        const p = ctx.params;
        if (p.mechanism === 'detach') {
          await ctx.disconnect(p.dependency, BACKEND);
          return;
        }
        const found = await ctx.exec('api', ['getent', 'hosts', p.dependency], { timeoutMs: 15_000 });
        const address = found.stdout.trim().split(/\s+/)[0] ?? '';
        if (found.exitCode !== 0 || !/^\d+\.\d+\.\d+\.\d+$/.test(address)) throw new Error(`could not resolve ${p.dependency} from api (exit ${found.exitCode}): ${found.stderr.trim()}`);
        const where = p.rule.position === 'first' ? ['-I', 'OUTPUT', '1'] : ['-A', 'OUTPUT'];
        const res = await ctx.exec('api', ['iptables', '-w', '5', ...where, ...blockRuleArgs(p, address)], { user: 'root' });
        if (res.exitCode !== 0) throw new Error(`iptables in api failed (exit ${res.exitCode}): ${res.stderr.trim()}`);
      },
      waitFor: {
        description: 'a checkout through the API failing',
        until: async (ctx) => {
          const r = await runProbe(ctx, { url: checkoutUrl(ctx.params), count: 1, timeoutS: 15 });
          return typeof r !== 'string' && r.requests >= 1 && r.failed >= 1;
        },
        timeoutMs: 90_000,
      },
    },
  ],
  goals: [
    {
      ...requestsInARow({ id: 'checkout-healthy', title: 'Checkouts work again: 30 in a row succeed', url: checkoutUrl, count: 30, timeoutS: 5, timeoutGrowsWithLoad: true, what: 'checkouts through the storefront' }),
      restartMeets: restartOfApiClearsRule,
    },
    {
      id: 'no-blocking-rule',
      restartMeets: restartOfApiClearsRule,
      title: 'Nothing in the API\u2019s firewall still blocks an internal service, not even behind an ACCEPT',
      outcome: 'The storefront reaches every internal service it needs',
      check: onApiFirewall(({ blocking, shadowed }) => {
        if (blocking.length === 0) return { pass: true, evidence: 'The API\u2019s firewall holds no rule that drops or rejects traffic to the internal services.' };
        return {
          pass: false,
          evidence: shadowed
            ? 'A rule that drops or rejects internal traffic is still in the API\u2019s firewall; the ACCEPT rule in front of it only hides it (remove the rule itself).'
            : `${blocking.length === 1 ? 'A rule that drops or rejects' : `${blocking.length} rules that drop or reject`} internal traffic ${blocking.length === 1 ? 'is' : 'are'} still in the API\u2019s firewall.`,
        };
      }),
    },
    {
      id: 'standing-rules-kept',
      guard: true,
      title: 'The API\u2019s standing egress rules are still in place (no flush, no restart)',
      outcome: 'The API\u2019s existing protections are left as they were',
      check: onApiFirewall(({ standingKept: kept }) => {
        if (kept.length === STANDING_RULES.length) return { pass: true, evidence: 'Both standing rules (no cloud metadata, no direct SMTP) are still in the API\u2019s firewall.' };
        const missing = STANDING_RULES.filter((s) => !kept.includes(s.comment)).map((s) => `"${s.comment}"`);
        return { pass: false, evidence: `The API\u2019s firewall lost ${missing.join(' and ')}: a flush or a restart removes the rules that were meant to stay.` };
      }),
    },
    keptRunning(['api', ...DEPENDENCIES], 'The API and the internal services', {
      id: 'nothing-restarted',
      title: 'The API and the internal services kept running: no restart, same main processes',
      outcome: 'Every service keeps running without a restart',
      evidence: 'The storefront and all three internal services have run since the drill started, with the same main PIDs.',
    }),
    {
      id: 'connectivity-tested',
      title: 'You tested connectivity from the API\u2019s side (curl, nc, ping\u2026 in it, or in a sidecar on its network)',
      outcome: 'You checked the fix from where the customers\u2019 requests start',
      check: async (ctx) => {
        const actions = await ctx.actions();
        const tests = actions.filter(testsFromApi);
        if (tests.length > 0) {
          const first = tests[0] as LearnerAction;
          return {
            pass: true,
            evidence: `You ran ${tests.length === 1 ? 'a connectivity test' : `${tests.length} connectivity tests`} from the API\u2019s network namespace, the first ${formatClock(first.atMs)} into the session.`,
          };
        }
        const elsewhere = actions.filter((a) => a.classification?.flags.networkTest).length;
        return {
          pass: false,
          evidence:
            elsewhere > 0
              ? `You ran ${elsewhere === 1 ? 'a connectivity test' : `${elsewhere} connectivity tests`}, but none from the API\u2019s network namespace, where the failing calls start.`
              : 'No connectivity test yet (curl, nc, ping\u2026) from the API\u2019s side.',
        };
      },
    },
  ],
});
