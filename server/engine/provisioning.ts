/**
 * The provisioning pipeline of one session: networks, containers, the learner's console (in
 * parallel with the services warming up), readiness, the faults (each waited for until its
 * symptom is really there) and the baseline the goals compare against.
 */
import type { ProvisionPhase } from '@/lib/audit/events';
import { SickbayError, toSickbayError } from '@/lib/errors';
import { readinessDeadlineMs } from '@/lib/lifecycle/admission';
import { sessionLabels } from '@/lib/lifecycle/labels';
import { objectName } from '@/lib/lifecycle/objects';
import type { ContainerState } from '@/lib/runtime/container';
import type { ResolvedScenario } from '@/lib/scenario/schema';
import type { HealthcheckSpec, ScenarioContext, ScenarioDefinition, ServiceSpec } from '@/lib/scenario/types';
import type { ConsoleManager } from './console';
import { createContext } from './context';
import { hostBusy } from './host-busy';
import type { EngineParts } from './parts';
import { healthTestArgv, serviceContainerSpec } from './specs';
import { Cancelled } from './tasks';

/** Readiness deadline of a plain start (cost.startWeight 1), counted from when provisioning began. */
const READINESS_TIMEOUT_MS = 90_000;
/** How often a fault's symptom is looked for: conditions are cheap reads (cgroup files, a probe). */
const FAULT_POLL_MS = 200;
const READINESS_POLL_MS = 100;
const HEALTH_PROBE_GAP_MS = 250;
const FAULT_WAIT_TIMEOUT_MS = 90_000;

type FaultCondition<P> = NonNullable<ScenarioDefinition<P>['faults'][number]['waitFor']>;

export class Provisioner {
  constructor(
    private readonly parts: EngineParts,
    private readonly consoles: ConsoleManager | undefined,
    /** Removes what a failed provisioning left behind. */
    private readonly teardown: (id: string) => Promise<void>,
  ) {}

  /**
   * Takes a queued session to ready: waits for a provisioning slot, provisions, and when a
   * start fails tears it down and tries once more (through the queue again) before the
   * session is failed with the reason. Parameters were resolved once, at creation.
   */
  async run(id: string, resolved: ResolvedScenario<unknown>, pooled: boolean): Promise<void> {
    const { store, clock, log, admission } = this.parts;
    const scenario = store.requireSession(id).scenario;
    for (let attempt = 1; ; attempt++) {
      try {
        await admission.acquire(id, scenario, pooled);
      } catch (err) {
        if (err instanceof Cancelled) return; // ended while queued: end() owns the rest
        throw err;
      }
      let failure: SickbayError | null = null;
      const started = clock();
      try {
        await this.provision(id, resolved);
        admission.recordStart(scenario, clock() - started);
      } catch (err) {
        if (err instanceof Cancelled) return; // end() owns the teardown
        failure = toSickbayError(err, 'provision_failed');
      } finally {
        admission.release(id);
      }
      if (!failure) return;
      if (this.parts.tasks.isCancelled(id)) return; // ended meanwhile: end() owns the teardown
      log(`session ${id} failed to provision (attempt ${attempt}): ${failure.message}`);
      await this.teardown(id).catch((te) => log(`teardown of failed session ${id}: ${(te as Error).message}`));
      const permanent = (failure.details as { permanent?: boolean } | undefined)?.permanent === true;
      if (attempt === 1 && !permanent && store.transition(id, 'queued', clock(), `the first start failed (${failure.message}); trying once more`)) continue;
      store.transition(id, 'failed', clock(), failure.message);
      return;
    }
  }

  /** One attempt: networks, containers, console, readiness, faults, baseline, then ready. */
  private async provision(id: string, resolved: ResolvedScenario<unknown>): Promise<void> {
    const { store, runtime, catalogue, config, clock, log, tasks } = this.parts;
    const record = store.requireSession(id);
    const def = catalogue.get(record.scenario).definition;
    const { params, services } = resolved;
    const hardExpiry = record.createdAt + config.sessionMaxLifetimeMs;
    const labelsFor = (role: 'service' | 'network' | 'customers', service?: string) =>
      sessionLabels({ instance: config.instance, sessionId: id, scenario: record.scenario, role, service, expiresAt: hardExpiry });
    tasks.checkpoint(id);
    if (!store.transition(id, 'provisioning', clock())) throw new Cancelled();
    for (const [svc, spec] of Object.entries(services)) {
      if (!(await runtime.imageExists(spec.image))) {
        throw new SickbayError('provision_failed', `image ${spec.image} for service "${svc}" is missing: run \`npm run images\` (or \`npm start\`)`, { details: { permanent: true } });
      }
    }
    await this.phase(id, 'network', async () => {
      for (const [net, spec] of Object.entries(def.networks)) {
        await runtime.createNetwork(objectName(id, net), labelsFor('network'), spec.internal);
      }
    });
    const containers: Record<string, string> = {};
    await this.phase(id, 'create', async () => {
      // The customers report to the server from the start; closed by the engine's ending hook.
      const signalDir = Object.values(services).some((s) => s.customers) ? await this.parts.signal?.open(id, record.createdAt) : undefined;
      for (const [svc, spec] of Object.entries(services)) {
        tasks.checkpoint(id);
        const role = spec.customers && signalDir ? 'customers' : 'service';
        containers[svc] = await runtime.createContainer(serviceContainerSpec(id, svc, spec, labelsFor(role, svc), signalDir));
        store.setContainers(id, containers, clock());
      }
    });
    await this.phase(id, 'start', async () => {
      await Promise.all(Object.values(containers).map((c) => runtime.startContainer(c)));
    });
    // The console (proxy + container) depends only on the containers existing: it starts
    // while the services warm up and the faults take hold, instead of after them.
    const consoles = this.consoles;
    const consoleTask = consoles
      ? this.phase(id, 'console', async () => {
          const attached = await consoles.attach({ id, scenario: record.scenario, hardExpiry });
          store.setConsole(id, attached, clock());
        })
      : Promise.resolve();
    consoleTask.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
    try {
      await this.phase(id, 'readiness', () => this.waitReady(id, containers, services, readinessDeadlineMs(READINESS_TIMEOUT_MS, def.cost.startWeight, hostBusy())));
      const ctx = createContext(runtime, {
        sessionId: id,
        seed: record.seed,
        params,
        containers,
        baseline: {},
        createdAt: record.createdAt,
        clock,
        events: () => store.listEvents(id),
        appendNote: (key, value) => void store.appendEvent(id, { kind: 'lab-note', key, value }, clock()),
      });
      await this.phase(id, 'faults', async () => {
        for (const fault of def.faults) {
          tasks.checkpoint(id);
          const started = clock();
          await fault.inject(ctx);
          if (fault.waitFor) await this.waitFor(id, ctx, fault.waitFor);
          store.appendEvent(id, { kind: 'fault', fault: fault.id, title: fault.title, ms: clock() - started }, clock());
        }
      });
      await this.phase(id, 'baseline', async () => {
        const baseline: Record<string, ContainerState> = {};
        for (const [svc, cid] of Object.entries(containers)) baseline[svc] = await runtime.inspectContainer(cid);
        store.setBaseline(id, baseline, clock());
      });
    } finally {
      // Teardown (on failure) must not race a console still being created.
      await consoleTask.catch(() => {});
    }
    await consoleTask;
    tasks.checkpoint(id);
    // A held session (a drill's) waits fully provisioned; its release starts the clock (holding.ts).
    const to = record.hold ? 'held' : 'ready';
    if (store.transition(id, to, clock(), record.hold ? 'provisioned; held until the drill starts' : undefined)) {
      this.parts.activity.touch(id); // the idle clock starts when the learner can act (or from the hold)
      log(`session ${id} (${record.scenario}) is ${to}`);
    }
  }

  private async phase<T>(id: string, phase: ProvisionPhase, fn: () => Promise<T>, detail?: string): Promise<T> {
    const { store, clock, tasks } = this.parts;
    tasks.checkpoint(id);
    const started = clock();
    const result = await fn();
    store.appendEvent(id, { kind: 'provision', phase, ms: clock() - started, ...(detail ? { detail } : {}) }, clock());
    return result;
  }

  private async waitReady(id: string, containers: Record<string, string>, services: Record<string, ServiceSpec>, timeoutMs: number): Promise<void> {
    const deadline = this.parts.clock() + timeoutMs;
    const unhealthy = new Set<string>();
    // One loop per service: a slow probe (pg's may take its whole 10 s timeout) must not hold
    // up noticing that the others are ready. The first failure stops every loop.
    const stop = { failed: false };
    const late = await Promise.all(
      Object.entries(containers).map(([svc, cid]) =>
        this.waitServiceReady(id, svc, cid, services[svc]?.healthcheck, deadline, unhealthy, stop).catch((err: unknown) => {
          stop.failed = true;
          throw err;
        }),
      ),
    );
    const pending = late.filter((svc): svc is string => svc !== null);
    if (pending.length > 0) {
      const marked = pending.filter((svc) => unhealthy.has(svc));
      const health = marked.length ? `; Docker's health check says unhealthy: ${marked.join(', ')}` : '';
      throw new SickbayError('timeout', `${pending.join(', ')} did not become ready within ${Math.round(timeoutMs / 1000)} s (a busy machine starts slowly${health})`);
    }
  }

  /** Polls one service until it is ready (null) or the deadline passed (its name). */
  private async waitServiceReady(
    id: string,
    svc: string,
    cid: string,
    healthcheck: ServiceSpec['healthcheck'],
    deadline: number,
    unhealthy: Set<string>,
    stop: { failed: boolean },
  ): Promise<string | null> {
    const { runtime, clock, tasks } = this.parts;
    // Our own run of a health test is an exec (runc): at most one every HEALTH_PROBE_GAP_MS,
    // while `inspect` is polled every READINESS_POLL_MS.
    let nextProbe = 0;
    while (!stop.failed) {
      tasks.checkpoint(id);
      const state = await runtime.inspectContainer(cid);
      if (!state.running) {
        const logs = await runtime.logs(cid, 20).catch(() => '');
        throw new SickbayError('provision_failed', `service "${svc}" exited with code ${state.exitCode} while starting${logs ? `; last log lines:\n${logs}` : ''}`);
      }
      // Unhealthy is not final: on a busy host Docker's checks time out and run out of
      // retries while the service is only slow; the next check, or ours, may still pass.
      if (state.health === 'unhealthy') unhealthy.add(svc);
      if (state.health === 'none' || state.health === 'healthy') return null;
      // Docker runs the first health check one interval after the start; running the same
      // test now tells us a moment sooner that the service answers.
      if (clock() >= nextProbe) {
        nextProbe = clock() + HEALTH_PROBE_GAP_MS;
        if (await this.healthTestPasses(cid, healthcheck)) return null;
      }
      if (clock() > deadline) return svc;
      await new Promise((r) => setTimeout(r, READINESS_POLL_MS));
    }
    return null;
  }

  /**
   * Runs a service's health-check test once, the way Docker would (with its timeout: a busy db
   * answers pg_isready in seconds, and a shorter wait would never see it ready); false on any failure.
   */
  private async healthTestPasses(containerId: string, check: HealthcheckSpec | undefined): Promise<boolean> {
    const argv = healthTestArgv(check?.test);
    if (!argv || !check) return false;
    const run = await this.parts.runtime.exec(containerId, argv, { timeoutMs: check.timeoutMs }).catch(() => null);
    return run?.exitCode === 0;
  }

  private async waitFor<P>(id: string, ctx: ScenarioContext<P>, cond: FaultCondition<P>): Promise<void> {
    const { clock, tasks } = this.parts;
    const timeout = Math.round((cond.timeoutMs ?? FAULT_WAIT_TIMEOUT_MS) * hostBusy());
    const deadline = clock() + timeout;
    for (;;) {
      tasks.checkpoint(id);
      if (await cond.until(ctx)) return;
      if (clock() > deadline) throw new SickbayError('timeout', `fault never took effect within ${Math.round(timeout / 1000)} s: ${cond.description}`);
      await new Promise((r) => setTimeout(r, FAULT_POLL_MS));
    }
  }
}
