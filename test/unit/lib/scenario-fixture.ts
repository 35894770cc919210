/** A minimal valid scenario definition and the validation-error reader, shared by the schema and report tests. */
import assert from 'node:assert/strict';
import { SickbayError } from '@/lib/errors';

export const FILE = 'scenarios/demo/scenario.ts';

export function valid(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Demo scenario',
    summary: 'A scenario used by the schema tests.',
    difficulty: 'beginner',
    minutes: 10,
    params: (rng: { int(a: number, b: number): number }) => ({ port: rng.int(8000, 8999) }),
    cost: { cpus: 0.1, memory: '8m', startWeight: 1 },
    servedNormally: { successRate: 0.99, p95Ms: 1000 },
    diagnosis: {
      culpritLabel: 'the broken thing',
      categories: [
        { id: 'right', label: 'The right answer' },
        { id: 'wrong-a', label: 'A distractor' },
        { id: 'wrong-b', label: 'Another distractor' },
      ],
      truth: (p: { port: number }) => ({ category: 'right', culprit: `port-${p.port}`, culpritKind: 'other' }),
    },
    networks: { app: {} },
    services: (p: { port: number }) => ({
      web: { image: 'sickbay/service:latest', env: { PORT: String(p.port) }, networks: ['app'] },
    }),
    goals: [{ id: 'up', title: 'Web is up', check: async () => ({ pass: true, evidence: 'ok' }) }],
    ...overrides,
  };
}

export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SickbayError, 'throws a SickbayError');
    assert.equal(err.code, 'invalid_scenario');
    return err.message;
  }
  assert.fail('expected a validation error');
}
