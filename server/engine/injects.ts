/**
 * Injects on a drill's sessions: each scenario inject (lib/scenario/injects.ts) is logged as an
 * event once its time has come on the session clock. No timers: the team's pages poll the
 * session's events every 1.5 s, and each read logs what has become due (once: the log is
 * checked in the same transaction), so the inject shows within a poll of its time on every
 * team's page and survives a restart of the server.
 */
import { injectsDue, scheduleInjects } from '@/lib/scenario/injects';
import type { SessionRecord } from '../store/store';
import type { EngineParts } from './parts';

/** Logs the injects due on a ready drill session that are not in its log yet. */
export function logDueInjects(parts: EngineParts, record: SessionRecord): void {
  if (!record.hold || record.status !== 'ready' || record.readyAt === null || !parts.catalogue.has(record.scenario)) return;
  const def = parts.catalogue.get(record.scenario).definition;
  const now = parts.clock();
  const { due } = injectsDue(scheduleInjects(def.injects, def.protocol.timelineScale), now - record.readyAt);
  if (due.length === 0) return;
  const { store } = parts;
  store.atomically(() => {
    const logged = new Set(store.listEventsOfKind(record.id, 'inject').map((e) => e.inject));
    if (logged.size >= due.length) return; // every poll after the first inject: nothing to add
    for (const i of due) {
      if (logged.has(i.id)) continue;
      store.appendEvent(record.id, { kind: 'inject', inject: i.id, injectKind: i.kind, text: i.text, prompts: i.prompts, atMs: i.atMs }, now);
    }
  });
}
