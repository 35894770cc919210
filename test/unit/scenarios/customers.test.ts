/**
 * Issue 16: every scenario runs customers, so every report can say when they were served
 * normally again and what the learner's own actions cost them. The customers service is the
 * lab's (hidden from the learner) and calls one of the services the learner works on.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { resolveServices, validateScenario } from '@/lib/scenario';

const ROOT = path.resolve('scenarios');
const slugs = fs.readdirSync(ROOT).filter((d) => fs.existsSync(path.join(ROOT, d, 'scenario.ts'))).sort();

describe('every scenario runs customers', () => {
  it('finds all eight scenarios', () => {
    assert.ok(slugs.length >= 8, slugs.join(', '));
  });

  for (const slug of slugs) {
    it(`${slug}: one customers service, calling a service the learner works on`, async () => {
      const file = path.join(ROOT, slug, 'scenario.ts');
      const def = validateScenario(file, ((await import(file)) as { default: unknown }).default);
      for (const seed of ['customers-1', 'customers-2', 'customers-3']) {
        const { services } = resolveServices(file, def, seed);
        const customers = Object.entries(services).filter(([, s]) => s.customers);
        assert.equal(customers.length, 1, `${slug} (${seed}): services playing the customers: ${customers.map(([n]) => n).join(', ') || 'none'}`);
        const url = customers[0]?.[1].customers?.url ?? '';
        const host = /^https?:\/\/([^:/]+)/.exec(url)?.[1] ?? '';
        assert.ok(host in services && !services[host]?.customers, `${slug} (${seed}): the customers call ${url || '(no URL)'}, not one of the scenario's own services`);
      }
    });
  }
});
