/**
 * A session's seed: the public half of what draws its per-run root cause (the other half is
 * the installation's secret). One pattern for the API route and the engine.
 */
export const SEED_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const SEED_RULE = 'seed must be 1-64 letters, digits, "-" or "_"';

/**
 * The seed a facilitator may give a drill or an interview: shorter, so that a team's seed (the
 * drill's with a suffix such as `-t20`, lib/drills/rules.ts) is still a valid seed.
 */
export const PLANNED_SEED_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
export const PLANNED_SEED_RULE = 'a seed is 1-40 letters, digits, - or _';

export function isValidSeed(seed: string): boolean {
  return SEED_PATTERN.test(seed);
}

/** What a run's parameters are drawn from: the public seed mixed with the installation's secret. */
export function drawingSeed(secret: string, seed: string): string {
  return `${secret}/${seed}`;
}
