export { defineScenario, validateScenario, resolveServices, formatIssues, SLUG_PATTERN } from './schema';
export type { ResolvedScenario } from './schema';
export { createRng, hashSeed } from './rng';
export type { Rng } from './rng';
export * from './types';
/** The container facts scenarios read (defined with the runtime, offered here to authors). */
export type { ContainerState, ExecOptions, ExecResult, MemoryStats } from '../runtime/container';
export * from './checks';
export * from './traffic';
export * from './goals';
export { scenarioImage } from './image';
// Goal evidence that names a moment writes it as every page does, on the session clock.
export { formatClock } from '../display/clock';
export { DEFAULT_INJECTS, INJECT_KINDS, INJECT_ROLES, scheduleInjects, injectsDue } from './injects';
