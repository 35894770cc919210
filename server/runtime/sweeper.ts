/**
 * Removes leftover containers and networks. It lists what carries our labels, asks the pure
 * decideSweep which of them belong to no live session, and removes those. It runs at start-up
 * (after a crash, everything of the old process goes) and then periodically.
 */
import { LABEL, managedFilter } from '@/lib/lifecycle/labels';
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
  // Only the sessions the objects name: the store's whole history would be read (and its
  // JSON parsed) every sweep otherwise, a cost that grew with every session ever run.
  const named = objects.flatMap((o) => (o.labels[LABEL.instance] === deps.instance && o.labels[LABEL.session] ? [o.labels[LABEL.session] as string] : []));
  const sessions: Map<string, KnownSession> = deps.store.sessionStates(named);
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
