/**
 * The engine in this process, the way server.ts builds it (startServices), on a temporary data
 * dir and a unique SICKBAY_INSTANCE so nothing here can touch another Sickbay's objects. The
 * store is read directly: provisioning phases are the engine's own `provision` events.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ProvisionPhase, SessionEvent } from '@/lib/audit/events';
import { loadConfig } from '@/server/config';
import { ConsoleManager } from '@/server/engine/console';
import type { Services } from '@/server/registry';
import { startServices } from '@/server/services';
import { since } from './stats';

export const SCENARIO = 'leaky-job';
/** The images a leaky-job session runs (warm images are a precondition of the warm figures). */
export const LEAKY_JOB_IMAGES = ['sickbay/scenario-leaky-job:latest', 'sickbay/service:latest', 'sickbay/console:latest'];
const START_TIMEOUT_MS = 300_000;

export interface StartedSession {
  id: string;
  /** create -> ready by the engine's own clock (readyAt - createdAt). */
  startMs: number;
  /** create() call -> provisioning task settled, measured here. */
  wallMs: number;
  phases: Partial<Record<ProvisionPhase, number>>;
  containers: Record<string, string>;
  consoleId: string;
}

export function benchInstance(what: string): string {
  return `bench-${what}-${crypto.randomBytes(3).toString('hex')}`;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000}s`)), ms);
    }),
  ]);
}

export function provisionPhases(events: readonly SessionEvent[]): Partial<Record<ProvisionPhase, number>> {
  const out: Partial<Record<ProvisionPhase, number>> = {};
  for (const e of events) if (e.kind === 'provision') out[e.phase] = (out[e.phase] ?? 0) + e.ms;
  return out;
}

export class InProcessLab {
  private constructor(
    readonly services: Services,
    /** What the services logged (kept quiet; shown when something fails). */
    readonly logs: string[],
    readonly instance: string,
    readonly dataDir: string,
    private readonly consoles: ConsoleManager,
  ) {}

  static async start(root: string): Promise<InProcessLab> {
    const instance = benchInstance('lab');
    // Short, so the proxy socket stays under the data dir (sun_path is 108 bytes).
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-'));
    const config = loadConfig({ ...process.env, SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance, SICKBAY_SWEEP_INTERVAL: '1h', SICKBAY_MAX_SESSIONS: '50' }, root);
    const logs: string[] = [];
    const services = await startServices({ config, log: (m) => logs.push(`${new Date().toISOString()} ${m}`) });
    return new InProcessLab(services, logs, instance, dataDir, new ConsoleManager(services.runtime, config, { record: () => {}, touch: () => {} }));
  }

  /** The per-session proxy's socket, where ConsoleManager puts it. */
  proxySocket(sessionId: string): string {
    return this.consoles.socketPath(sessionId);
  }

  /** The seed material the engine mixes into a seed: the same parameters for the floor. */
  seedMaterial(seed: string): string {
    return `${fs.readFileSync(path.join(this.dataDir, 'seed-secret'), 'utf8').trim()}/${seed}`;
  }

  async startSession(seed: string): Promise<StartedSession> {
    const { engine, store } = this.services;
    const t0 = performance.now();
    const view = engine.create({ scenario: SCENARIO, seed });
    await withTimeout(engine.settled(view.id), START_TIMEOUT_MS, `session ${view.id} provisioning`);
    const wallMs = since(t0);
    const record = store.requireSession(view.id);
    if (record.status !== 'ready' || record.readyAt === null || !record.consoleId) {
      throw new Error(`session ${view.id} did not become ready: ${record.status} ${record.statusDetail ?? ''}`);
    }
    return {
      id: view.id,
      startMs: record.readyAt - record.createdAt,
      wallMs,
      phases: provisionPhases(store.listEvents(view.id)),
      containers: record.containers,
      consoleId: record.consoleId,
    };
  }

  /**
   * Ends a session as DELETE /api/sessions/:id does. endMs is the whole call (the final goal
   * check on the live system first); teardownMs the engine's own `teardown` phase (terminal,
   * proxy, containers, network).
   */
  async endSession(id: string): Promise<{ endMs: number; teardownMs: number }> {
    const t0 = performance.now();
    await withTimeout(this.services.engine.end(id, 'benchmark'), 180_000, `ending session ${id}`);
    const endMs = since(t0);
    const teardownMs = provisionPhases(this.services.store.listEvents(id)).teardown ?? Number.NaN;
    return { endMs, teardownMs };
  }

  async close(): Promise<void> {
    await this.services.close().catch(() => {});
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
