/**
 * The complete scenario in docs/scenarios.md ("The definition") is real code: the same text is
 * guide-scenario.ts beside this test, which `npm run typecheck` compiles against the real
 * defineScenario; here it is loaded from the guide, validated like a shipped scenario, and kept
 * under 100 lines.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resolveServices, validateScenario } from '@/lib/scenario/schema';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-guide-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function guideScenario(): string {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/scenarios.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## The definition'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'docs/scenarios.md has a ts block under "The definition"');
  return m[1] as string;
}

describe('the authoring guide', () => {
  it('shows guide-scenario.ts as it is, so the typecheck covers the guide', () => {
    const typed = fs.readFileSync(path.join(import.meta.dirname, 'guide-scenario.ts'), 'utf8');
    assert.equal(guideScenario(), typed, 'docs/scenarios.md and test/unit/lib/guide-scenario.ts differ: change both');
  });

  it('shows a complete scenario in under 100 lines that validates and resolves', async () => {
    const code = guideScenario();
    const lines = code.trimEnd().split('\n').length;
    assert.ok(lines < 100, `the example has ${lines} lines`);
    const file = path.join(tmp, 'scenarios', 'guide-demo', 'scenario.ts');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, code.replace("'@/lib/scenario'", JSON.stringify(path.join(ROOT, 'lib/scenario/index.ts'))));
    const mod = (await import(pathToFileURL(file).href)) as { default: unknown };
    const def = validateScenario(file, mod.default);
    const { services, params } = resolveServices(file, def, 'seed-1');
    assert.equal(services.api?.image, 'sickbay/scenario-guide-demo:latest');
    assert.equal(services.traffic?.image, 'sickbay/service:latest');
    assert.deepEqual(def.goals.map((g) => g.id), ['job-stopped', 'api-not-restarted', 'api-healthy']);
    assert.equal(def.diagnosis.truth(params).culprit, (params as { jobName: string }).jobName);
  });
});
