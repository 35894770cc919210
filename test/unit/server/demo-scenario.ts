/**
 * A self-contained demo scenario in a temporary folder, for unit tests of the engine and what
 * sits on it (access, history, faults). Self-contained (no imports) so the catalogue loads it
 * from anywhere; the pieces a test cares about can be replaced, as source text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

export interface DemoParts {
  /** `params` of the definition (source). */
  params?: string;
  /** `truth` of the diagnosis (source). */
  truth?: string;
  /** The category ids offered, three of them. */
  categories?: [string, string, string];
  /** `services` of the definition (source). */
  services?: string;
  /** `goals` of the definition (source). */
  goals?: string;
}

/** Writes the scenario under a fresh temporary root (removed after the file's tests). */
export function demoScenario(name: string, parts: DemoParts = {}): { root: string; scenarios: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `sickbay-${name}-`));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const scenarios = path.join(root, 'scenarios');
  fs.mkdirSync(path.join(scenarios, 'demo'), { recursive: true });
  const [a, b, c] = parts.categories ?? ['a', 'b', 'c'];
  const label = (id: string) => `{ id: '${id}', label: 'Cause ${id.toUpperCase()}' }`;
  fs.writeFileSync(
    path.join(scenarios, 'demo', 'scenario.ts'),
    `export default {
    title: 'Demo', summary: 'A scenario for the ${name} unit tests.', difficulty: 'beginner', minutes: 5,
    params: ${parts.params ?? "(rng) => ({ culprit: rng.pick(['a', 'b', 'c']) })"}, networks: { app: {} },
    diagnosis: { culpritLabel: 'the culprit', categories: [${label(a)}, ${label(b)}, ${label(c)}],
      truth: ${parts.truth ?? `(p) => ({ category: '${a}', culprit: p.culprit, culpritKind: 'other' })`} },
    hints: ['look from outside'],
    cost: { cpus: 0.1, memory: '8m', startWeight: 1 },
    servedNormally: { successRate: 0.99, p95Ms: 1000 },
    services: ${parts.services ?? "() => ({ api: { image: 'demo/api:latest', networks: ['app'] } })"},
    faults: [{ id: 'break', title: 'breaks the api', inject: async () => {} }],
    goals: ${parts.goals ?? "[{ id: 'g', title: 'Customers are served', check: async () => ({ pass: true, evidence: 'all good' }) }]"},
  };`,
  );
  return { root, scenarios };
}
