/**
 * A scenario's own image: scenarios/<slug>/files/Dockerfile is built as
 * sickbay/scenario-<slug>:latest (scripts/lib/images.mjs), so a service that names no image
 * runs that one.
 */
import type { ServiceInput } from './types';

export function scenarioImage(slug: string): string {
  return `sickbay/scenario-${slug}:latest`;
}

/** The slug of `scenarios/<slug>/scenario.ts`: the folder the definition is in. */
export function slugOfFile(file: string): string | undefined {
  return /(?:^|[\\/])([^\\/]+)[\\/]scenario\.ts$/.exec(file)?.[1];
}

/** The services with the scenario's own image filled in where none is named. */
export function withOwnImage(services: Record<string, ServiceInput>, slug: string | undefined): Record<string, ServiceInput> {
  if (slug === undefined || typeof services !== 'object' || services === null) return services;
  return Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s && typeof s === 'object' && s.image === undefined ? { ...s, image: scenarioImage(slug) } : s]));
}
