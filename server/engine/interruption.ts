/**
 * Closing every live session at once when the Docker engine went away (engine-watch.ts). None
 * of this may need the engine: provisioning is cancelled (its Docker calls fail fast now), the
 * terminal and the proxy are closed, and each session is marked with the reason. A ready
 * session ends with its report, built from what was logged; one still starting fails. Their
 * containers and networks stay until the engine is back and the sweep removes them.
 */
import { isLive, LIVE_STATUSES } from '@/lib/lifecycle/status';
import type { EngineParts } from './parts';

/** How long a cancelled start may take to reach its next checkpoint before we move on. */
const SETTLE_MS = 30_000;

export interface InterruptionHooks {
  /** Closes the session's terminal (flushing its recording) and its proxy. */
  closeLearnerSide(id: string): Promise<void>;
  /** Marks a ready session ended and stores its report, in one transaction. */
  close(id: string, withReport: boolean): void;
}

function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

export async function interruptLive(parts: EngineParts, hooks: InterruptionHooks, reason: string): Promise<string[]> {
  const { store, clock, log, tasks, admission } = parts;
  const live = store.listSessions({ statuses: LIVE_STATUSES, includePooled: true });
  for (const s of live) {
    tasks.cancel(s.id);
    admission.cancel(s.id);
  }
  await Promise.all(
    live.map(async (s) => {
      let settled = false;
      try {
        await hooks.closeLearnerSide(s.id);
        settled = await within(tasks.settled(s.id), SETTLE_MS);
        const now = store.requireSession(s.id);
        if (now.status === 'ready') {
          store.transition(s.id, 'ending', clock(), `interrupted: ${reason}`);
          hooks.close(s.id, !now.pooled);
        } else if (isLive(now.status)) {
          store.transition(s.id, 'failed', clock(), `interrupted while starting: ${reason}; start a new session once the engine is back`);
        }
      } catch (err) {
        log(`interrupting ${s.id}: ${(err as Error).message}`);
      } finally {
        // A start still running past the wait keeps its cancellation until it stops.
        if (settled) tasks.forget(s.id);
        else void tasks.settled(s.id).then(() => tasks.forget(s.id));
      }
    }),
  );
  return live.map((s) => s.id);
}
