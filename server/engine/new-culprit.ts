/**
 * Where "try again with a new culprit" gets its session: a ready pooled one whose culprit is
 * new to the learner, else a fresh start with a seed whose culprit is (the choice rule is
 * lib/lifecycle/new-culprit.ts). Culprits come from the scenario's truth() on the stored
 * parameters, so they never leave the server.
 */
import crypto from 'node:crypto';
import { culpritKey, NEW_CULPRIT_CANDIDATES, pickNewCulprit } from '@/lib/lifecycle/new-culprit';
import { drawingSeed } from '@/lib/lifecycle/seed';
import { createRng } from '@/lib/scenario/rng';
import type { SessionHolder, SessionRecord, Store } from '../store/store';
import type { CatalogueEntry } from './catalogue';
import type { SessionPool } from './pool';

export interface NewCulpritChoice {
  /** A ready pooled session to claim, when one has a new culprit. */
  pooledId: string | null;
  /** The seed to start with otherwise (also when the pooled one is claimed by someone else first). */
  seed: string;
}

const randomSeed = () => crypto.randomBytes(6).toString('hex');

export function chooseNewCulprit(input: {
  entry: CatalogueEntry;
  seedSecret: string;
  /** The learner's earlier sessions of this scenario that became ready, newest first. */
  earlier: readonly SessionRecord[];
  /** Ready, unclaimed pooled sessions of this scenario, oldest first. */
  pooled: readonly SessionRecord[];
  draw?: () => string;
}): NewCulpritChoice {
  const def = input.entry.definition;
  const keyOfParams = (params: unknown) => culpritKey(def.diagnosis.truth(params));
  const seen = input.earlier.map((r) => keyOfParams(r.params));
  const draw = input.draw ?? randomSeed;
  const seeds = Array.from({ length: NEW_CULPRIT_CANDIDATES }, () => {
    const seed = draw();
    return { seed, pooledId: null, key: keyOfParams(def.params(createRng(drawingSeed(input.seedSecret, seed)))) };
  });
  const fromPool = input.pooled.map((r) => ({ seed: r.seed, pooledId: r.id, key: keyOfParams(r.params) }));
  const fresh = pickNewCulprit(seeds, seen) ?? { seed: draw(), pooledId: null };
  const best = pickNewCulprit([...fromPool, ...seeds], seen);
  return { pooledId: best?.pooledId ?? null, seed: fresh.seed };
}

/**
 * The engine's side of a new-culprit start: a claimed pooled session, or the seed to start.
 * `earlier` are all the learner's sessions (the engine's history); those of this scenario
 * that became ready are the culprits met.
 */
export function newCulpritStart(input: {
  entry: CatalogueEntry;
  holder: SessionHolder;
  seedSecret: string;
  store: Store;
  pool: SessionPool;
  earlier: readonly SessionRecord[];
}): {
  claimed: SessionRecord | null;
  seed: string;
} {
  const slug = input.entry.slug;
  const choice = chooseNewCulprit({
    entry: input.entry,
    seedSecret: input.seedSecret,
    earlier: input.earlier.filter((r) => r.scenario === slug && r.readyAt !== null),
    pooled: input.store.listSessions({ statuses: ['ready'], includePooled: true }).filter((r) => r.pooled && r.scenario === slug).reverse(),
  });
  const claimed = choice.pooledId ? input.pool.claim(slug, input.holder, (r) => r.id === choice.pooledId) : null;
  return { claimed, seed: choice.seed };
}
