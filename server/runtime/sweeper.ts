/**
 * Removes leftover containers and networks. It lists what carries our labels, asks the pure
 * decideSweep which of them belong to no live session, and removes those. It runs at start-up
 * (after a crash, everything of the old process goes) and then periodically.
 */
import { managedFilter } from '@/lib/lifecycle/labels';
import { decideSweep, type KnownSession, type SweepDecision } from '@/lib/lifecycle/sweep';
import type { Store } from '../store/store';
import type { ContainerRuntime } from './runtime';

export interface SweeperDeps {
  runtime: ContainerRuntime;
  store: Store;
  instance: string;
  busy: () => ReadonlySet<string>;
  clock?: () => number;
}

export async function sweepOnce(deps: SweeperDeps): Promise<SweepDecision[]> {
  const objects = await deps.runtime.listObjects(managedFilter());
  if (objects.length === 0) return [];
  const sessions = new Map<string, KnownSession>();
  for (const s of deps.store.listSessions({ limit: 100_000, includePooled: true })) {
    sessions.set(s.id, { status: s.status, expiresAt: s.expiresAt });
  }
  const decisions = decideSweep({
    instance: deps.instance,
    now: (deps.clock ?? Date.now)(),
    objects,
    sessions,
    busy: deps.busy(),
  });
  await deps.runtime.removeObjects(decisions.map((d) => d.object));
  return decisions;
}
