/**
 * Held sessions: a team drill provisions every team's session before its start and holds each
 * at `held` (containers up, faults injected, terminal closed, no session clock). The drill's
 * Start releases them in one transaction at one instant, so every team's clock (ready_at)
 * starts at the same moment however long each took to provision.
 */
import { SickbayError } from '@/lib/errors';
import type { EngineParts } from './parts';

export interface ReleaseResult {
  /** The one ready time every released session got (epoch ms). */
  readyAt: number;
}

/**
 * Releases every given session at once, or none: a session that is not held (still
 * provisioning, failed, ended) refuses the whole release with its id and status.
 */
export function releaseHeld(parts: EngineParts, ids: readonly string[], detail: string): ReleaseResult {
  const { store, clock, config, log } = parts;
  const readyAt = clock();
  store.atomically(() => {
    for (const id of ids) {
      const record = store.requireSession(id);
      if (record.status !== 'held' || record.pooled) {
        throw new SickbayError('conflict', `session ${id} is ${record.status}, not held: nothing was released`, { details: { sessionId: id, status: record.status } });
      }
      store.transition(id, 'ready', readyAt, detail);
      // The idle deadline counts from the release, when the learner can act.
      store.extendExpiry(id, readyAt + config.sessionTtlMs);
    }
  });
  log(`released ${ids.length} held session(s) at ${new Date(readyAt).toISOString()}`);
  return { readyAt };
}
