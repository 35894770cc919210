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
import { sessionFilter, sessionLabels } from '@/lib/lifecycle/labels';
import { resolveServices } from '@/lib/scenario/schema';
import { consoleContainerSpec } from '@/server/engine/console';
import { networkName, serviceContainerSpec } from '@/server/engine/engine';
import type { DockerRuntime } from '@/server/runtime/docker';
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
  /** Every measured run, for a second look (ms). */
  perRun: { startMs: number; phases: Partial<Record<ProvisionPhase, number>>; endMs: number; teardownMs: number; floorServicesMs: number; floorAllMs: number; floorTeardownMs: number }[];
}

interface FloorRun {
  servicesMs: number;
  allMs: number;
  teardownMs: number;
}

/** Creates and starts what a leaky-job session has, straight through Docker, then removes it. */
async function floorRun(lab: InProcessLab, runtime: DockerRuntime, instance: string, seed: string, placeholder: string): Promise<FloorRun> {
  const entry = lab.services.catalogue.get(SCENARIO);
  const def = entry.definition;
  const { services } = resolveServices(entry.file, def, lab.seedMaterial(seed));
  const id = `floor${Math.random().toString(16).slice(2, 9)}`;
  const expiresAt = Date.now() + 3_600_000;
  const labels = (role: 'service' | 'network' | 'console', service?: string) => sessionLabels({ instance, sessionId: id, scenario: SCENARIO, role, service, expiresAt });
  const t0 = performance.now();
  for (const [net, spec] of Object.entries(def.networks)) await runtime.createNetwork(networkName(id, net), labels('network'), spec.internal);
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
  await runtime.removeObjects(await runtime.listObjects(sessionFilter(id)));
  return { servicesMs, allMs, teardownMs: since(t1) };
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
      accounted += ms;
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
