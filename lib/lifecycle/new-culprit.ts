/**
 * "Try again with a new culprit": the seed draws the per-run answer, and two random seeds can
 * draw the same one (leaky-job has ten job names: one try in ten would repeat). So the engine
 * draws a handful of candidate seeds, works out each one's culprit, and picks with this rule:
 *
 *   1. the first candidate whose culprit the learner has not met in this scenario yet;
 *   2. when they have met every culprit the candidates offer, the first one that differs from
 *      their latest attempt's;
 *   3. when the scenario has a single culprit, the first candidate (nothing else is possible).
 */

/** What identifies a run's answer: the category and the culprit together. */
export function culpritKey(truth: { category: string; culprit: string }): string {
  return `${truth.category}\u0000${truth.culprit}`;
}

/** `seen` are the culprit keys of the learner's earlier attempts, newest first. */
export function pickNewCulprit<T extends { key: string }>(candidates: readonly T[], seen: readonly string[]): T | null {
  const met = new Set(seen);
  return candidates.find((c) => !met.has(c.key)) ?? candidates.find((c) => c.key !== seen[0]) ?? candidates[0] ?? null;
}

/** How many candidate seeds the engine draws (each costs one params() + truth() call). */
export const NEW_CULPRIT_CANDIDATES = 48;
