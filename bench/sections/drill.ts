/**
 * A team drill's simultaneous start: N leaky-job sessions provisioned for one drill and held
 * (server/engine/holding.ts), then released by one Start. The figure that matters is the time
 * from Start until every session is ready — about zero, since all the work happened before —
 * and the spread of their ready times (zero: one transaction, one timestamp). Provisioning all
 * N through the admission queue is reported for context. Echo with all N terminals active needs
 * the real server and is not measured here.
 */
import { SCENARIO, type InProcessLab } from '../lib/lab';
import { since } from '../lib/stats';

const HOLD_TIMEOUT_MS = 30 * 60_000;

export interface DrillResult {
  sessions: number;
  /** First create() until every session is held, ms. */
  provisionAllMs: number;
  /** Start (release) until every session is ready, ms, measured here. */
  releaseMs: number;
  /** Largest minus smallest readyAt among the sessions, ms. */
  readySpreadMs: number;
  failed: number;
}

export async function benchDrill(lab: InProcessLab, options: { sessions: number; log: (m: string) => void }): Promise<DrillResult> {
  const { engine, store } = lab.services;
  const t0 = performance.now();
  const ids = Array.from({ length: options.sessions }, () => engine.create({ scenario: SCENARIO, seed: 'bench-drill', coach: false, hold: true }).id);
  try {
    await Promise.race([
      Promise.all(ids.map((id) => engine.settled(id))),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`${options.sessions} held sessions took longer than ${HOLD_TIMEOUT_MS / 60_000} min`)), HOLD_TIMEOUT_MS).unref()),
    ]);
    const provisionAllMs = since(t0);
    const held = ids.filter((id) => store.requireSession(id).status === 'held');
    options.log(`  ${held.length}/${ids.length} held after ${Math.round(provisionAllMs / 1000)} s`);
    const t1 = performance.now();
    engine.release(held, 'benchmark start');
    const releaseMs = since(t1);
    const readyAts = held.map((id) => store.requireSession(id).readyAt ?? Number.NaN);
    return {
      sessions: ids.length,
      provisionAllMs,
      releaseMs,
      readySpreadMs: held.length ? Math.max(...readyAts) - Math.min(...readyAts) : Number.NaN,
      failed: ids.length - held.length,
    };
  } finally {
    await Promise.all(ids.map((id) => engine.end(id, 'benchmark').catch(() => {})));
  }
}
