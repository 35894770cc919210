/**
 * The session engine: creates sessions, provisions their containers, breaks them on purpose,
 * checks goals, and tears everything down again. It is the only writer of session status.
 */
import crypto from 'node:crypto';
import type { GoalOutcome, ProvisionPhase, SessionEvent } from '@/lib/audit/events';
import { SickbayError, toSickbayError } from '@/lib/errors';
import { sessionFilter, sessionLabels } from '@/lib/lifecycle/labels';
import { isLive, type SessionStatus } from '@/lib/lifecycle/status';
import { resolveServices } from '@/lib/scenario/schema';
import type { ContainerState, ScenarioContext, ScenarioDefinition, ServiceSpec } from '@/lib/scenario/types';
import { parseBytes } from '@/lib/units';
import type { Config } from '../config';
import type { ContainerSpec, DockerRuntime } from '../runtime/docker';
import type { SessionRecord, Store } from '../store/store';
import type { Catalogue } from './catalogue';
import type { ConsoleManager } from './console';
import { createContext, type ContextInput } from './context';
import { buildReport, type StoredReport } from './report';

export const SEED_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const READINESS_TIMEOUT_MS = 90_000;
/** How often a fault's symptom is looked for: conditions are cheap reads (cgroup files, a probe). */
const FAULT_POLL_MS = 200;
const READINESS_POLL_MS = 100;
const HEALTH_PROBE_GAP_MS = 250;
const FAULT_WAIT_TIMEOUT_MS = 90_000;
const GOAL_TIMEOUT_MS = 60_000;

/** What the API shows of a session: never the per-run truth (params) before the report. */
export interface SessionView {
  id: string;
  scenario: string;
  seed: string;
  status: SessionStatus;
  statusDetail: string | null;
  createdAt: string;
  readyAt: string | null;
  endedAt: string | null;
  expiresAt: string;
  services: { name: string; container: string }[];
  /** Where the browser terminal connects, once the console is up. */
  terminal: { path: string; token: string } | null;
  hasReport: boolean;
}

export interface GoalReport {
  checkedAt: string;
  final: boolean;
  passed: number;
  total: number;
  results: GoalOutcome[];
}

class Cancelled extends Error {}

export interface EngineDeps {
  store: Store;
  runtime: DockerRuntime;
  catalogue: Catalogue;
  config: Config;
  /** Mixed into every seed so per-run answers cannot be computed offline from the seed alone. */
  seedSecret: string;
  clock?: () => number;
  log?: (message: string) => void;
  /** The learner's console and proxy; without it sessions have no terminal (engine-only tests). */
  console?: ConsoleManager;
  /** Live terminals, closed (recording flushed) before a session's containers go. */
  terminals?: { closeSession(sessionId: string): Promise<void> };
  /** Throws (409) when the host cannot take another session, e.g. the engine's disk is low (storage-budget.ts). */
  admit?: () => void;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function containerName(sessionId: string, service: string): string {
  return `sickbay-${sessionId}-${service}`;
}

export function networkName(sessionId: string, network: string): string {
  return `sickbay-${sessionId}-${network}`;
}

/** How a scenario service becomes a container: one place, shared with the benchmark's floor. */
export function serviceContainerSpec(sessionId: string, service: string, spec: ServiceSpec, labels: Record<string, string>): ContainerSpec {
  return {
    name: containerName(sessionId, service),
    image: spec.image,
    command: spec.command,
    env: spec.env,
    labels,
    hostname: service,
    networks: spec.networks.map((net) => ({ name: networkName(sessionId, net), aliases: [service] })),
    healthcheck: spec.healthcheck,
    memoryBytes: parseBytes(spec.limits.memory),
    nanoCpus: Math.round(spec.limits.cpus * 1e9),
    pidsLimit: spec.limits.pids,
    capAdd: spec.capAdd,
    ...(spec.tmpfs ? { tmpfs: tmpfsOptions(spec.tmpfs) } : {}),
  };
}

/** A Docker health-check test as an exec argv: ["CMD", ...argv] or ["CMD-SHELL", "cmd"]. */
export function healthTestArgv(test: string[] | undefined): string[] | null {
  if (!test || test.length < 2) return null;
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test[1] as string];
  return null;
}

/** Scenario tmpfs sizes as Docker mount options: no devices, no set-uid, sized. */
function tmpfsOptions(mounts: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(mounts).map(([at, size]) => [at, `rw,nosuid,nodev,size=${size}`]));
}

export class SessionEngine {
  private readonly store: Store;
  private readonly runtime: DockerRuntime;
  private readonly catalogue: Catalogue;
  private readonly config: Config;
  private readonly seedSecret: string;
  private readonly clock: () => number;
  private readonly log: (message: string) => void;
  /** Provisioning or teardown in flight, per session: the sweeper leaves these alone. */
  private readonly tasks = new Map<string, Promise<void>>();
  private readonly cancelled = new Set<string>();
  private readonly consoles?: ConsoleManager;
  private readonly terminals?: { closeSession(sessionId: string): Promise<void> };
  private readonly admit: () => void;
  private refilling: Promise<void> | null = null;
  private refillAgain = false;
  /** Set by endAll: no new pooled sessions while shutting down. */
  private closing = false;

  constructor(deps: EngineDeps) {
    this.store = deps.store;
    this.runtime = deps.runtime;
    this.catalogue = deps.catalogue;
    this.config = deps.config;
    this.seedSecret = deps.seedSecret;
    this.clock = deps.clock ?? Date.now;
    this.log = deps.log ?? (() => {});
    this.consoles = deps.console;
    this.terminals = deps.terminals;
    this.admit = deps.admit ?? (() => {});
  }

  busySessions(): Set<string> {
    return new Set(this.tasks.keys());
  }

  view(record: SessionRecord): SessionView {
    return {
      id: record.id,
      scenario: record.scenario,
      seed: record.seed,
      status: record.status,
      statusDetail: record.statusDetail,
      createdAt: iso(record.createdAt) as string,
      readyAt: iso(record.readyAt),
      endedAt: iso(record.endedAt),
      expiresAt: iso(record.expiresAt) as string,
      services: Object.keys(record.containers).map((name) => ({ name, container: containerName(record.id, name) })),
      terminal:
        record.status === 'ready' && record.consoleId && record.terminalToken
          ? { path: `/ws/terminal/${record.id}`, token: record.terminalToken }
          : null,
      hasReport: this.store.getReport(record.id) !== null,
    };
  }

  get(id: string): SessionView {
    return this.view(this.visible(id));
  }

  list(): SessionView[] {
    return this.store.listSessions({ limit: 200 }).map((r) => this.view(r));
  }

  /**
   * The session's event log as the learner may see it. While the session is live, what the
   * faults were stays hidden: their titles would name the root cause before the diagnosis.
   */
  events(id: string, afterId = 0): SessionEvent[] {
    const record = this.visible(id);
    const events = this.store.listEvents(id, afterId);
    if (!isLive(record.status) && record.status !== 'ending') return events;
    let n = 0;
    return events.map((e) => (e.kind === 'fault' ? { ...e, fault: `fault-${++n}`, title: 'something was broken on purpose' } : e));
  }

  /** Activity keeps a session alive: push its idle deadline forward. */
  touch(id: string): void {
    this.store.extendExpiry(id, this.clock() + this.config.sessionTtlMs);
  }

  /** The seed material behind a session's parameters: its public seed plus this server's secret. */
  private seedMaterial(seed: string): string {
    return `${this.seedSecret}/${seed}`;
  }

  /**
   * Creates a session and starts provisioning it in the background. Without a chosen seed, a
   * ready session from the pool (SICKBAY_POOL) is handed over at once when there is one.
   */
  create(input: { scenario: string; seed?: string }): SessionView {
    const entry = this.catalogue.get(input.scenario);
    if (input.seed === undefined && this.config.pool[entry.slug]) {
      const now = this.clock();
      const claimed = this.store.claimPooled(entry.slug, now, now + this.config.sessionTtlMs);
      if (claimed) {
        this.store.appendEvent(claimed.id, { kind: 'lifecycle', status: 'ready', detail: 'taken from the pool of ready sessions' }, now);
        this.log(`session ${claimed.id} (${entry.slug}) taken from the pool`);
        void this.refillPool();
        return this.view(claimed);
      }
    }
    return this.view(this.startSession(entry.slug, input.seed ?? crypto.randomBytes(6).toString('hex'), false));
  }

  private startSession(slug: string, seed: string, pooled: boolean): SessionRecord {
    const entry = this.catalogue.get(slug);
    if (!SEED_PATTERN.test(seed)) {
      throw new SickbayError('bad_request', 'seed must be 1-64 letters, digits, "-" or "_"');
    }
    this.admit();
    const live = this.store.countLive();
    if (live >= this.config.maxLiveSessions) {
      throw new SickbayError('conflict', `this lab already runs ${live} sessions (limit ${this.config.maxLiveSessions}); end one first`);
    }
    const resolved = resolveServices(entry.file, entry.definition, this.seedMaterial(seed));
    const now = this.clock();
    const id = crypto.randomBytes(6).toString('hex');
    const record = this.store.insertSession({
      id,
      scenario: entry.slug,
      seed,
      params: resolved.params as Record<string, unknown>,
      now,
      expiresAt: now + this.config.sessionTtlMs,
      pooled,
    });
    this.store.appendEvent(id, { kind: 'lifecycle', status: 'creating', detail: `scenario ${entry.slug}, seed ${seed}${pooled ? ' (for the pool)' : ''}` }, now);
    this.track(id, this.provision(id));
    return record;
  }

  /**
   * Tops every pool up to its size, one session at a time (a start is CPU-heavy). A pooled
   * session that fails to provision stops that scenario's refill until the next call (the
   * sweep timer calls every interval), so a broken scenario cannot spin.
   */
  refillPool(): Promise<void> {
    if (this.refilling) {
      this.refillAgain = true;
      return this.refilling;
    }
    this.refilling = (async () => {
      do {
        this.refillAgain = false;
        for (const [slug, size] of Object.entries(this.config.pool)) {
          if (!this.catalogue.has(slug)) continue;
          while (!this.closing && this.store.countPooled(slug) < size && this.store.countLive() < this.config.maxLiveSessions) {
            const record = this.startSession(slug, crypto.randomBytes(6).toString('hex'), true);
            await this.settled(record.id);
            const after = this.store.requireSession(record.id);
            if (after.status !== 'ready') {
              this.log(`pool: a ${slug} session failed to provision (${after.statusDetail ?? after.status}); retrying later`);
              break;
            }
          }
        }
      } while (this.refillAgain && !this.closing);
    })()
      .catch((err) => this.log(`pool refill failed: ${(err as Error).message}`))
      .finally(() => {
        this.refilling = null;
      });
    return this.refilling;
  }

  /** Ends every unclaimed pooled session (after the pool settings changed, or to free the machine). */
  async drainPool(): Promise<void> {
    await this.refilling;
    const pooled = this.store.listSessions({ statuses: ['creating', 'provisioning', 'ready'], includePooled: true }).filter((s) => s.pooled);
    await Promise.all(pooled.map((s) => this.finish(s.id, 'pool drained')));
  }

  /** A session a learner may see: pooled ones do not exist for the API until claimed. */
  private visible(id: string): SessionRecord {
    const record = this.store.requireSession(id);
    if (record.pooled) throw new SickbayError('not_found', `no session ${id}`);
    return record;
  }

  private track(id: string, task: Promise<void>): void {
    const done = task.finally(() => {
      if (this.tasks.get(id) === done) this.tasks.delete(id);
    });
    this.tasks.set(id, done);
  }

  /** Resolves when nothing is in flight for the session (tests and shutdown use this). */
  async settled(id: string): Promise<void> {
    while (this.tasks.has(id)) await this.tasks.get(id)?.catch(() => {});
  }

  private checkpoint(id: string): void {
    if (this.cancelled.has(id)) throw new Cancelled();
  }

  private async phase<T>(id: string, phase: ProvisionPhase, fn: () => Promise<T>, detail?: string): Promise<T> {
    this.checkpoint(id);
    const started = this.clock();
    const result = await fn();
    this.store.appendEvent(id, { kind: 'provision', phase, ms: this.clock() - started, ...(detail ? { detail } : {}) }, this.clock());
    return result;
  }

  private async provision(id: string): Promise<void> {
    const record = this.store.requireSession(id);
    const entry = this.catalogue.get(record.scenario);
    const def = entry.definition;
    const { params, services } = resolveServices(entry.file, def, this.seedMaterial(record.seed));
    const hardExpiry = record.createdAt + this.config.sessionMaxLifetimeMs;
    const labelsFor = (role: 'service' | 'network', service?: string) =>
      sessionLabels({ instance: this.config.instance, sessionId: id, scenario: record.scenario, role, service, expiresAt: hardExpiry });
    try {
      this.store.transition(id, 'provisioning', this.clock());
      for (const [svc, spec] of Object.entries(services)) {
        if (!(await this.runtime.imageExists(spec.image))) {
          throw new SickbayError('provision_failed', `image ${spec.image} for service "${svc}" is missing: run \`npm run images\` (or \`npm start\`)`);
        }
      }
      await this.phase(id, 'network', async () => {
        for (const [net, spec] of Object.entries(def.networks)) {
          await this.runtime.createNetwork(networkName(id, net), labelsFor('network'), spec.internal);
        }
      });
      const containers: Record<string, string> = {};
      await this.phase(id, 'create', async () => {
        for (const [svc, spec] of Object.entries(services)) {
          this.checkpoint(id);
          containers[svc] = await this.runtime.createContainer(serviceContainerSpec(id, svc, spec, labelsFor('service', svc)));
          this.store.setContainers(id, containers, this.clock());
        }
      });
      await this.phase(id, 'start', async () => {
        await Promise.all(Object.values(containers).map((c) => this.runtime.startContainer(c)));
      });
      // The console (proxy + container) depends only on the containers existing: it starts
      // while the services warm up and the faults take hold, instead of after them.
      const consoles = this.consoles;
      const consoleTask = consoles
        ? this.phase(id, 'console', async () => {
            const attached = await consoles.attach({ id, scenario: record.scenario, hardExpiry });
            this.store.setConsole(id, attached, this.clock());
          })
        : Promise.resolve();
      consoleTask.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
      try {
        await this.phase(id, 'readiness', () => this.waitReady(id, containers, services));
        const ctxInput = { sessionId: id, seed: record.seed, params, containers, baseline: {}, createdAt: record.createdAt, clock: this.clock, ...this.contextHooks(id) };
        const ctx = createContext(this.runtime, ctxInput);
        await this.phase(id, 'faults', async () => {
          for (const fault of def.faults) {
            this.checkpoint(id);
            const started = this.clock();
            await fault.inject(ctx);
            if (fault.waitFor) await this.waitFor(id, ctx, fault.waitFor);
            this.store.appendEvent(id, { kind: 'fault', fault: fault.id, title: fault.title, ms: this.clock() - started }, this.clock());
          }
        });
        await this.phase(id, 'baseline', async () => {
          const baseline: Record<string, ContainerState> = {};
          for (const [svc, cid] of Object.entries(containers)) baseline[svc] = await this.runtime.inspectContainer(cid);
          this.store.setBaseline(id, baseline, this.clock());
        });
      } finally {
        // Teardown (on failure) must not race a console still being created.
        await consoleTask.catch(() => {});
      }
      await consoleTask;
      this.checkpoint(id);
      if (this.store.transition(id, 'ready', this.clock())) {
        this.touch(id); // the idle clock starts when the learner can act
        this.log(`session ${id} (${record.scenario}) is ready`);
      }
    } catch (err) {
      if (err instanceof Cancelled) return; // end() owns the teardown
      const e = toSickbayError(err, 'provision_failed');
      this.log(`session ${id} failed to provision: ${e.message}`);
      this.store.transition(id, 'failed', this.clock(), e.message);
      await this.teardown(id).catch((te) => this.log(`teardown of failed session ${id}: ${(te as Error).message}`));
    }
  }

  private async waitReady(id: string, containers: Record<string, string>, services: Record<string, ServiceSpec>): Promise<void> {
    const deadline = this.clock() + READINESS_TIMEOUT_MS;
    const pending = new Set(Object.keys(containers));
    // Our own run of a health test is an exec (runc): at most one per service every
    // HEALTH_PROBE_GAP_MS, while `inspect` is polled every READINESS_POLL_MS.
    const nextProbe = new Map<string, number>();
    while (pending.size > 0) {
      this.checkpoint(id);
      await Promise.all(
        [...pending].map(async (svc) => {
          const cid = containers[svc] as string;
          const state = await this.runtime.inspectContainer(cid);
          if (!state.running) {
            const logs = await this.runtime.logs(cid, 20).catch(() => '');
            throw new SickbayError('provision_failed', `service "${svc}" exited with code ${state.exitCode} while starting${logs ? `; last log lines:\n${logs}` : ''}`);
          }
          if (state.health === 'unhealthy') throw new SickbayError('provision_failed', `service "${svc}" is unhealthy`);
          if (state.health === 'none' || state.health === 'healthy') pending.delete(svc);
          // Docker runs the first health check one interval after the start; running the same
          // test now tells us a moment sooner that the service answers.
          else if (this.clock() >= (nextProbe.get(svc) ?? 0)) {
            nextProbe.set(svc, this.clock() + HEALTH_PROBE_GAP_MS);
            if (await this.healthTestPasses(cid, services[svc]?.healthcheck?.test)) pending.delete(svc);
          }
        }),
      );
      if (pending.size === 0) break;
      if (this.clock() > deadline) {
        throw new SickbayError('timeout', `services not ready after ${READINESS_TIMEOUT_MS / 1000}s: ${[...pending].join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, READINESS_POLL_MS));
    }
  }

  /** Runs a service's health-check test once, the way Docker would; false on any failure. */
  private async healthTestPasses(containerId: string, test: string[] | undefined): Promise<boolean> {
    const argv = healthTestArgv(test);
    if (!argv) return false;
    const run = await this.runtime.exec(containerId, argv, { timeoutMs: 2_000 }).catch(() => null);
    return run?.exitCode === 0;
  }

  private async waitFor<P>(id: string, ctx: ScenarioContext<P>, cond: NonNullable<ScenarioDefinition<P>['faults'][number]['waitFor']>): Promise<void> {
    const timeout = cond.timeoutMs ?? FAULT_WAIT_TIMEOUT_MS;
    const deadline = this.clock() + timeout;
    for (;;) {
      this.checkpoint(id);
      if (await cond.until(ctx)) return;
      if (this.clock() > deadline) throw new SickbayError('timeout', `fault never took effect within ${timeout / 1000}s: ${cond.description}`);
      await new Promise((r) => setTimeout(r, FAULT_POLL_MS));
    }
  }

  private contextHooks(id: string): Pick<ContextInput<unknown>, 'networkName' | 'events'> {
    return { networkName: (net) => networkName(id, net), events: () => this.store.listEvents(id) };
  }

  /** Runs the scenario's goal checks on the live containers and logs the outcome. */
  async checkGoals(id: string, options: { final?: boolean } = {}): Promise<GoalReport> {
    const record = this.visible(id);
    if (record.status !== 'ready') {
      throw new SickbayError('conflict', `goals can only be checked on a ready session (this one is ${record.status})`);
    }
    this.touch(id);
    const entry = this.catalogue.get(record.scenario);
    const ctx = createContext(this.runtime, {
      sessionId: id,
      seed: record.seed,
      params: record.params,
      containers: record.containers,
      baseline: record.baseline,
      createdAt: record.createdAt,
      clock: this.clock,
      ...this.contextHooks(id),
    });
    const results: GoalOutcome[] = [];
    for (const goal of entry.definition.goals) {
      let outcome: { pass: boolean; evidence: string };
      try {
        outcome = await withTimeout(goal.check(ctx), GOAL_TIMEOUT_MS, `goal "${goal.id}" took longer than ${GOAL_TIMEOUT_MS / 1000}s`);
      } catch (err) {
        outcome = { pass: false, evidence: `the check could not run: ${(err as Error).message}` };
      }
      results.push({ id: goal.id, title: goal.title, pass: outcome.pass, evidence: outcome.evidence });
    }
    const passed = results.filter((r) => r.pass).length;
    const now = this.clock();
    this.store.appendEvent(id, { kind: 'goals', final: options.final ?? false, passed, total: results.length, results }, now);
    return { checkedAt: new Date(now).toISOString(), final: options.final ?? false, passed, total: results.length, results };
  }

  /** Ends a session: stops provisioning if it is still running, removes every object it owns. */
  async end(id: string, reason = 'ended by the learner'): Promise<SessionView> {
    this.visible(id);
    await this.finish(id, reason);
    return this.get(id);
  }

  /** Ends any session, pooled ones too (expiry, shutdown); only a claimed one gets a report. */
  private async finish(id: string, reason: string): Promise<void> {
    const record = this.store.requireSession(id);
    if (record.status === 'ended' || record.status === 'ending') return;
    if (record.status === 'failed') {
      await this.teardown(id);
      return;
    }
    // The last goal check runs on the live system, before anything is torn down.
    if (record.status === 'ready' && !record.pooled && !this.tasks.has(id)) {
      await this.checkGoals(id, { final: true }).catch((err) => this.log(`final check of ${id}: ${(err as Error).message}`));
    }
    this.cancelled.add(id);
    this.store.transition(id, 'ending', this.clock(), reason);
    // Read again: a learner may have claimed a pooled session a moment ago.
    const claimed = !this.store.requireSession(id).pooled;
    await this.settled(id);
    const task = this.teardown(id).then(() => {
      this.store.transition(id, 'ended', this.clock());
      if (record.status === 'ready' && claimed) this.saveReport(id);
    });
    this.track(id, task);
    try {
      await task;
    } catch (err) {
      const e = toSickbayError(err);
      this.store.transition(id, 'failed', this.clock(), `teardown failed: ${e.message}`);
      throw e;
    } finally {
      this.cancelled.delete(id);
    }
  }

  private async teardown(id: string): Promise<void> {
    const started = this.clock();
    // Close the terminal first so the recording is flushed, then the proxy, then the containers.
    await this.terminals?.closeSession(id).catch((err) => this.log(`closing the terminal of ${id}: ${(err as Error).message}`));
    await this.consoles?.detach(id).catch((err) => this.log(`closing the proxy of ${id}: ${(err as Error).message}`));
    const objects = await this.runtime.listObjects(sessionFilter(id));
    await this.runtime.removeObjects(objects);
    this.store.appendEvent(id, { kind: 'provision', phase: 'teardown', ms: this.clock() - started, detail: `${objects.length} objects removed` }, this.clock());
  }

  private saveReport(id: string): void {
    try {
      const record = this.store.requireSession(id);
      const entry = this.catalogue.get(record.scenario);
      const report = buildReport({
        sessionId: id,
        scenario: record.scenario,
        definition: entry.definition,
        params: record.params,
        events: this.store.listEvents(id),
        readyAt: record.readyAt === null ? null : record.readyAt - record.createdAt,
        endedAt: (record.endedAt ?? this.clock()) - record.createdAt,
      });
      this.store.saveReport(id, report, this.clock());
    } catch (err) {
      this.log(`report of ${id} could not be built: ${(err as Error).message}`);
    }
  }

  /** The stored report of an ended session. */
  report(id: string): StoredReport {
    const record = this.visible(id);
    const report = this.store.getReport<StoredReport>(id);
    if (!report) {
      throw new SickbayError(
        isLive(record.status) ? 'conflict' : 'not_found',
        isLive(record.status) ? 'the report is made when the session ends' : `session ${id} has no report (it never became ready)`,
      );
    }
    return report;
  }

  private requireReady(id: string): SessionRecord {
    const record = this.visible(id);
    if (record.status !== 'ready') throw new SickbayError('conflict', `the session is ${record.status}, not ready`);
    return record;
  }

  /** Records the learner's diagnosis; the category must be one the scenario offers. */
  submitDiagnosis(id: string, input: { category: string; culprit: string; evidence: number[]; decision: 'fix-in-place' | 'restart' | 'rollback'; reason: string }): SessionEvent {
    const record = this.requireReady(id);
    const def = this.catalogue.get(record.scenario).definition;
    if (!def.diagnosis.categories.some((c) => c.id === input.category)) {
      throw new SickbayError('bad_request', `category must be one of: ${def.diagnosis.categories.map((c) => c.id).join(', ')}`);
    }
    const own = new Set(this.store.listEvents(id).map((e) => e.id));
    const foreign = input.evidence.filter((e) => !own.has(e));
    if (foreign.length) throw new SickbayError('bad_request', `evidence must be events of this session; unknown: ${foreign.join(', ')}`);
    this.touch(id);
    return this.store.appendEvent(id, { kind: 'diagnosis', ...input }, this.clock());
  }

  submitUpdate(id: string, text: string): SessionEvent {
    this.requireReady(id);
    this.touch(id);
    return this.store.appendEvent(id, { kind: 'update', text }, this.clock());
  }

  /** Reveals the next hint (each one is logged: the report counts them). */
  takeHint(id: string): { index: number; text: string; remaining: number } {
    const record = this.requireReady(id);
    const hints = this.catalogue.get(record.scenario).definition.hints;
    const taken = this.store.listEvents(id).filter((e) => e.kind === 'hint').length;
    if (taken >= hints.length) throw new SickbayError('conflict', 'no more hints for this scenario');
    this.store.appendEvent(id, { kind: 'hint', index: taken }, this.clock());
    return { index: taken, text: hints[taken] as string, remaining: hints.length - taken - 1 };
  }

  /** The hints already revealed, for a page reload. */
  hintsTaken(id: string): string[] {
    const record = this.visible(id);
    const hints = this.catalogue.has(record.scenario) ? this.catalogue.get(record.scenario).definition.hints : [];
    return this.store.listEvents(id).flatMap((e) => (e.kind === 'hint' ? [hints[e.index] ?? ''] : []));
  }

  /** What the terminal gateway needs to connect a browser to this session's console. */
  terminalTarget(id: string): { sessionId: string; consoleContainer: string; token: string; recordingPath: string } | null {
    const record = this.store.getSession(id);
    if (!record || record.pooled || record.status !== 'ready' || !record.consoleId || !record.terminalToken || !record.recordingPath) return null;
    return { sessionId: id, consoleContainer: record.consoleId, token: record.terminalToken, recordingPath: record.recordingPath };
  }

  /**
   * After a crash or restart, sessions the store still calls live have lost their server-side
   * half (terminals, timers): close them so the sweeper removes their containers.
   */
  recover(): string[] {
    const interrupted = this.store.listSessions({ statuses: ['creating', 'provisioning', 'ready'], includePooled: true });
    for (const s of interrupted) {
      if (s.status === 'ready') {
        this.store.transition(s.id, 'ending', this.clock(), 'interrupted by a server restart');
        this.store.transition(s.id, 'ended', this.clock());
        this.saveReport(s.id); // from what was logged; the final goal check could not run
      } else {
        this.store.transition(s.id, 'failed', this.clock(), 'interrupted by a server restart while provisioning');
      }
    }
    return interrupted.map((s) => s.id);
  }

  /** Ends sessions whose idle deadline has passed. */
  async expire(): Promise<string[]> {
    const now = this.clock();
    const expired = this.store
      .listSessions({ statuses: ['ready', 'provisioning', 'creating'], includePooled: true })
      .filter((s) => s.expiresAt <= now && !this.tasks.has(s.id));
    for (const s of expired) await this.finish(s.id, s.pooled ? 'pooled session recycled after its idle time' : 'expired after being idle').catch((err) => this.log(`expiry of ${s.id}: ${(err as Error).message}`));
    return expired.map((s) => s.id);
  }

  /** Ends every live session (graceful shutdown). */
  async endAll(reason: string): Promise<void> {
    this.closing = true;
    const live = this.store.listSessions({ statuses: ['creating', 'provisioning', 'ready'], includePooled: true });
    await Promise.all(live.map((s) => this.finish(s.id, reason).catch(() => {})));
  }

  isLive(id: string): boolean {
    const s = this.store.getSession(id);
    return s !== null && isLive(s.status);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new SickbayError('timeout', message)), ms);
    }),
  ]);
}
