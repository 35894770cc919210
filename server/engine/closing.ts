/** The last step of a session's life: ended, with its report, committed together. */
import { buildSessionReport } from '@/lib/scoring/session-report';
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
