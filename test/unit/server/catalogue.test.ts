import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Catalogue } from '@/server/engine/catalogue';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-catalogue-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function write(slug: string, body: string) {
  fs.mkdirSync(path.join(root, slug), { recursive: true });
  fs.writeFileSync(path.join(root, slug, 'scenario.ts'), body);
}

// Fixtures are self-contained (no imports) so they load from a temporary folder.
write(
  'good-one',
  `export default {
    title: 'A good one', summary: 'A scenario that loads fine.', difficulty: 'beginner', minutes: 5,
    params: () => ({}), networks: { app: {} },
    cost: { cpus: 0.1, memory: '8m', startWeight: 1 },
    servedNormally: { successRate: 0.99, p95Ms: 1000 },
    diagnosis: { culpritLabel: 'the culprit', categories: [{ id: 'a', label: 'Cause A' }, { id: 'b', label: 'Cause B' }, { id: 'c', label: 'Cause C' }],
      truth: () => ({ category: 'a', culprit: 'x', culpritKind: 'other' }) },
    services: () => ({ web: { image: 'sickbay/service:latest', networks: ['app'] }, traffic: { image: 'sickbay/service:latest', networks: ['app'], customers: { url: 'http://web:8080/', rps: 2 } } }),
    goals: [{ id: 'g', title: 'G', check: async () => ({ pass: true, evidence: '' }) }],
  };`,
);
write('bad-field', `export default { title: 'Bad', summary: 'Has a wrong difficulty value.', difficulty: 'extreme', minutes: 5, params: () => ({}), services: () => ({}), goals: [] };`);
write('syntax-error', `export default {{;`);
write('Bad_Slug', `export default {};`);

describe('catalogue', () => {
  it('loads valid scenarios and reports each broken file by path and field', async () => {
    const cat = await Catalogue.load(root);
    assert.deepEqual(cat.list().map((s) => s.slug), ['good-one']);
    assert.deepEqual(cat.list()[0]!.services, ['web'], "the customers are the lab's own: not listed");
    const messages = cat.errors.map((e) => e.message).join('\n');
    assert.match(messages, /bad-field\/scenario\.ts: difficulty: /);
    assert.match(messages, /bad-field\/scenario\.ts: goals: /);
    assert.match(messages, /syntax-error\/scenario\.ts/);
    assert.match(messages, /Bad_Slug\/scenario\.ts: folder name must match/);
  });

  it('answers not_found for an unknown or malformed slug', async () => {
    const cat = await Catalogue.load(root);
    assert.throws(() => cat.get('nope'), { code: 'not_found' } as object);
    assert.throws(() => cat.get('../etc'), { code: 'not_found' } as object);
  });

  it('loads every shipped scenario without errors', async () => {
    const shipped = await Catalogue.load(path.resolve('scenarios'));
    assert.deepEqual(shipped.errors.map((e) => e.message), []);
    assert.ok(shipped.has('leaky-job'));
    assert.ok(shipped.briefing('leaky-job')?.includes('Incident'), 'leaky-job has a briefing');
  });
});
