/** The drill functions' dependencies, from the running services (route handlers and pages). */
import type { Services } from '../registry';
import type { DrillDeps } from './drills';

export function drillDeps(s: Services): DrillDeps {
  return { auth: s.auth, engine: s.engine, catalogue: s.catalogue, store: s.store, drills: s.drills, members: s.members, guesses: s.codeGuesses };
}
