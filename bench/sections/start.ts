/**
 * 1. Session start: create -> ready (faults active) for leaky-job on warm images, against the
 * floor — the same network and containers created and started straight through the Docker API
 * (the adapter's createNetwork/createContainer/startContainer, each one dockerode call, so the
 * container configs are byte-identical), with no readiness wait, no fault, no proxy. Also the
 * teardown, and where provisioning spends its time (the engine's `provision` events).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProvisionPhase } from '@/lib/audit/events';
import { sessionLabels } from '@/lib/lifecycle/labels';
import { objectName, sessionFilter } from '@/lib/lifecycle/objects';
import { resolveServices } from '@/lib/scenario/schema';
import { consoleContainerSpec } from '@/server/engine/console';
import { serviceContainerSpec } from '@/server/engine/specs';
import type { ContainerRuntime } from '@/server/runtime/runtime';
import { benchInstance, SCENARIO, type InProcessLab } from '../lib/lab';
import { ratio, since, summarize, type Summary } from '../lib/stats';

const PHASES: ProvisionPhase[] = ['network', 'create', 'start', 'readiness', 'faults', 'baseline', 'console'];

export interface PhaseFigure extends Summary {
  /** Median share of the create -> ready time, in percent. */
  sharePct: number;
}

export interface StartResult {
  runs: number;
  /** create -> ready by the engine's clock (readyAt - createdAt), ms. */
  start: Summary;
  /** The same seen from here: create() until the provisioning task settled, ms. */
  startWall: Summary;
  floor: {
    /** Network + scenario containers created and started, ms. */
    services: Summary;
    /** ... plus the console container created and started (all the session's containers), ms. */
    all: Summary;
    teardown: Summary;
  };
  /** median start / median floor (all containers). */
  ratio: number | null;
  ratioVsServicesOnly: number | null;
  phases: Record<string, PhaseFigure>;
  /** Time outside the logged phases (image checks, status writes), ms. */
  unaccounted: PhaseFigure;
  /** DELETE as the API does it: final goal check, then teardown, ms. */
  end: Summary;
  /** The engine's teardown phase alone (terminal, proxy, containers, network), ms. */
  teardown: Summary;
  teardownRatio: number | null;
  /** The same scenario handed over from a pool of one (SICKBAY_POOL): the learner's wait. */
  pooled?: PooledStartResult;
  /** median claim / median floor (all containers). */
  pooledRatio?: number | null;
  /** Every measured run, for a second look (ms). */
  perRun: { startMs: number; phases: Partial<Record<ProvisionPhase, number>>; endMs: number; teardownMs: number; floorServicesMs: number; floorAllMs: number; floorTeardownMs: number }[];
}

interface FloorRun {
  servicesMs: number;
  allMs: number;
  teardownMs: number;
}

/** Creates and starts what a leaky-job session has, straight through Docker, then removes it. */
async function floorRun(lab: InProcessLab, runtime: ContainerRuntime, instance: string, seed: string, placeholder: string): Promise<FloorRun> {
  const entry = lab.services.catalogue.get(SCENARIO);
  const def = entry.definition;
  const { services } = resolveServices(entry.file, def, lab.seedMaterial(seed));
  const id = `floor${Math.random().toString(16).slice(2, 9)}`;
  const expiresAt = Date.now() + 3_600_000;
  const labels = (role: 'service' | 'network' | 'console', service?: string) => sessionLabels({ instance, sessionId: id, scenario: SCENARIO, role, service, expiresAt });
  const t0 = performance.now();
  for (const [net, spec] of Object.entries(def.networks)) await runtime.createNetwork(objectName(id, net), labels('network'), spec.internal);
  const ids: string[] = [];
  for (const [svc, spec] of Object.entries(services)) {
    ids.push(
      await runtime.createContainer(serviceContainerSpec(id, svc, spec, labels('service', svc))),
    );
  }
  await Promise.all(ids.map((c) => runtime.startContainer(c)));
  const servicesMs = since(t0);
  // The console container as ConsoleManager.attach creates it; a placeholder file instead of the proxy socket.
  const consoleId = await runtime.createContainer(consoleContainerSpec(id, labels('console'), placeholder));
  await runtime.startContainer(consoleId);
  const allMs = since(t0);
  // Teardown the way the engine's does it, minus terminal and proxy.
  const t1 = performance.now();
  await runtime.removeObjects(await runtime.listObjects(sessionFilter({ sessionId: id, instance })));
  return { servicesMs, allMs, teardownMs: since(t1) };
}

export interface PooledStartResult {
  runs: number;
  /** create() of a session handed over from SICKBAY_POOL until it answered ready, ms. */
  claim: Summary;
  /** From a claim until the pool holds a ready session again (the refill runs in the background), ms. */
  refill: Summary;
}

/**
 * The same start with a pool of one ready leaky-job session (SICKBAY_POOL=leaky-job:1): the
 * learner's wait is the claim; the provisioning moved before it, into the refill, and one
 * session's containers run idle meanwhile (counted in the capacity figures).
 */
export async function benchPooledStart(lab: InProcessLab, opts: { runs: number; log: (m: string) => void }): Promise<PooledStartResult> {
  const { engine, store, config } = lab.services;
  const pooledReady = () => store.listSessions({ includePooled: true, statuses: ['ready'] }).some((s) => s.pooled && s.scenario === SCENARIO);
  const claims: number[] = [];
  const refills: number[] = [];
  config.pool[SCENARIO] = 1;
  try {
    let claimedAt: number | null = null;
    for (let i = 0; i < opts.runs; i++) {
      await engine.refillPool();
      if (!pooledReady()) throw new Error('the pool did not fill (see the lab log)');
      // From the previous claim until the pool was full again (the claimed session ran and ended meanwhile).
      if (claimedAt !== null) refills.push(since(claimedAt));
      const t1 = performance.now();
      claimedAt = t1;
      const view = engine.create({ scenario: SCENARIO });
      const claimMs = since(t1);
      if (view.status !== 'ready') throw new Error(`the claimed session is ${view.status}, not ready`);
      claims.push(claimMs);
      opts.log(`pooled run ${i + 1}/${opts.runs}: claim ${claimMs.toFixed(1)} ms${i > 0 ? `, refill before it ${((refills.at(-1) ?? 0) / 1000).toFixed(2)} s` : ''}`);
      await lab.endSession(view.id);
    }
  } finally {
    delete config.pool[SCENARIO];
    await engine.drainPool();
  }
  return { runs: opts.runs, claim: summarize(claims, 1), refill: summarize(refills, 0) };
}

export async function benchStart(lab: InProcessLab, opts: { runs: number; log: (m: string) => void }): Promise<{ result: StartResult; floorInstance: string }> {
  const runtime = lab.services.runtime;
  // Its own instance: the lab's sweeper must never see these as orphans of its own.
  const floorInstance = benchInstance('floor');
  const placeholder = path.join(lab.dataDir, 'floor-docker.sock');
  fs.writeFileSync(placeholder, '');

  const starts: number[] = [];
  const walls: number[] = [];
  const ends: number[] = [];
  const teardowns: number[] = [];
  const phaseMs: Record<string, number[]> = Object.fromEntries([...PHASES, 'unaccounted'].map((p) => [p, []]));
  const phaseShare: Record<string, number[]> = Object.fromEntries([...PHASES, 'unaccounted'].map((p) => [p, []]));
  const floors: FloorRun[] = [];
  const perRun: StartResult['perRun'] = [];

  for (let i = -1; i < opts.runs; i++) {
    const warm = i < 0;
    const seed = `bench-start-${i < 0 ? 'warmup' : i}`;
    const s = await lab.startSession(seed);
    const e = await lab.endSession(s.id);
    const f = await floorRun(lab, runtime, floorInstance, seed, placeholder);
    opts.log(
      `${warm ? 'warm-up' : `run ${i + 1}/${opts.runs}`}: start ${(s.startMs / 1000).toFixed(2)}s (${PHASES.map((p) => `${p} ${s.phases[p] ?? 0}`).join(', ')} ms), ` +
        `end ${(e.endMs / 1000).toFixed(2)}s (teardown ${e.teardownMs} ms); floor ${(f.allMs / 1000).toFixed(2)}s, floor teardown ${f.teardownMs.toFixed(0)} ms`,
    );
    if (warm) continue;
    starts.push(s.startMs);
    walls.push(s.wallMs);
    ends.push(e.endMs);
    teardowns.push(e.teardownMs);
    floors.push(f);
    const r0 = (v: number) => Math.round(v);
    perRun.push({ startMs: s.startMs, phases: s.phases, endMs: r0(e.endMs), teardownMs: e.teardownMs, floorServicesMs: r0(f.servicesMs), floorAllMs: r0(f.allMs), floorTeardownMs: r0(f.teardownMs) });
    let accounted = 0;
    for (const p of PHASES) {
      const ms = s.phases[p] ?? 0;
      // The console is built alongside readiness and faults: it is not on the critical path.
      if (p !== 'console') accounted += ms;
      phaseMs[p]?.push(ms);
      phaseShare[p]?.push((100 * ms) / s.startMs);
    }
    const rest = Math.max(0, s.startMs - accounted);
    phaseMs.unaccounted?.push(rest);
    phaseShare.unaccounted?.push((100 * rest) / s.startMs);
  }

  const figure = (p: string): PhaseFigure => ({ ...summarize(phaseMs[p] ?? [], 0), sharePct: summarize(phaseShare[p] ?? [], 1).median });
  const start = summarize(starts, 0);
  const floorAll = summarize(floors.map((f) => f.allMs), 0);
  const floorServices = summarize(floors.map((f) => f.servicesMs), 0);
  const teardown = summarize(teardowns, 0);
  const floorTeardown = summarize(floors.map((f) => f.teardownMs), 0);
  return {
    floorInstance,
    result: {
      runs: opts.runs,
      start,
      startWall: summarize(walls, 0),
      floor: { services: floorServices, all: floorAll, teardown: floorTeardown },
      ratio: ratio(start.median, floorAll.median),
      ratioVsServicesOnly: ratio(start.median, floorServices.median),
      phases: Object.fromEntries(PHASES.map((p) => [p, figure(p)])),
      unaccounted: figure('unaccounted'),
      end: summarize(ends, 0),
      teardown,
      teardownRatio: ratio(teardown.median, floorTeardown.median),
      perRun,
    },
  };
}
