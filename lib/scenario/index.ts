export { defineScenario, validateScenario, resolveServices, formatIssues, SLUG_PATTERN } from './schema';
export type { ResolvedScenario } from './schema';
export { createRng, hashSeed } from './rng';
export type { Rng } from './rng';
export * from './types';
export * from './checks';
export * from './traffic';
export * from './goals';
export { scenarioImage } from './image';
