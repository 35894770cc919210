/** The last step of a session's life: ended, with its report, committed together. */
import { LIVE_STATUSES } from '@/lib/lifecycle/status';
import { buildSessionReport } from '@/lib/scoring/session-report';
import { listBuckets } from '../store/customer-seconds';
import type { EngineParts } from './parts';

/** Builds and stores the report from what was logged; a report that cannot be built is logged, not thrown. */
export function saveReport(parts: EngineParts, id: string): void {
  const { store, catalogue, clock, log } = parts;
  try {
    const record = store.requireSession(id);
    const report = buildSessionReport({
      sessionId: id,
      scenario: record.scenario,
      definition: catalogue.get(record.scenario).definition,
      params: record.params,
      events: store.listEvents(id),
      readyAt: record.readyAt === null ? null : record.readyAt - record.createdAt,
      endedAt: (record.endedAt ?? clock()) - record.createdAt,
      buckets: listBuckets(store.db, id),
    });
    store.saveReport(id, report, clock());
  } catch (err) {
    // A full disk is not a broken report: the caller's transaction must roll back too.
    if ((err as { code?: string }).code === 'storage_full') throw err;
    log(`report of ${id} could not be built: ${(err as Error).message}`);
  }
}

/**
 * Marks an ending session ended and stores its report in one transaction: a kill between the
 * two would otherwise leave an ended session without the report it was promised, and a full
 * disk leaves it ending (the next sweep tries again) rather than ended without one.
 */
export function closeSession(parts: EngineParts, id: string, withReport: boolean): void {
  const { store, clock } = parts;
  store.atomically(() => {
    store.transition(id, 'ended', clock());
    if (withReport) saveReport(parts, id);
  });
}

/**
 * After a crash or restart, sessions the store still calls live have lost their server-side
 * half (terminals, timers): close them so the sweeper removes their containers. Returns their ids.
 */
export function closeAfterRestart(parts: EngineParts): string[] {
  const { store, clock } = parts;
  // 'ending' too: a session killed mid-teardown would otherwise stay ending, without its report.
  const interrupted = store.listSessions({ statuses: [...LIVE_STATUSES, 'ending'], includePooled: true });
  for (const s of interrupted) {
    // The report comes from what was logged; the final goal check could not run.
    const withReport = !s.pooled && (s.status === 'ready' || (s.status === 'ending' && s.readyAt !== null));
    if (s.status === 'ready') store.transition(s.id, 'ending', clock(), 'interrupted by a server restart');
    if (s.status === 'ready' || s.status === 'ending') closeSession(parts, s.id, withReport && !store.requireSession(s.id).hasReport);
    else store.transition(s.id, 'failed', clock(), 'interrupted by a server restart while provisioning');
  }
  return interrupted.map((s) => s.id);
}

/** An ending session with nothing in flight could not be closed (a full disk): close it now. */
export function closeStuckEnding(parts: EngineParts): void {
  const { store, tasks, log } = parts;
  for (const s of store.listSessions({ statuses: ['ending'], includePooled: true }).filter((x) => !tasks.has(x.id))) {
    try {
      closeSession(parts, s.id, !s.pooled && s.readyAt !== null && !s.hasReport);
    } catch (err) {
      log(`closing ${s.id}: ${(err as Error).message}`);
    }
  }
}
