/**
 * Every shipped scenario's briefing and debrief compile as MDX (the pages compile them per
 * request; a syntax slip would only show as a broken page) and carry no JavaScript.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { compile } from '@mdx-js/mdx';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCENARIOS = path.join(ROOT, 'scenarios');
const slugs = fs.readdirSync(SCENARIOS).filter((s) => fs.existsSync(path.join(SCENARIOS, s, 'scenario.ts')));

describe('scenario briefings and debriefs', () => {
  it('finds the shipped scenarios', () => assert.ok(slugs.length >= 8, slugs.join(', ')));
  for (const slug of slugs) {
    for (const doc of ['briefing.mdx', 'debrief.mdx']) {
      it(`${slug}/${doc} compiles and has no import, export or expression`, async () => {
        const file = path.join(SCENARIOS, slug, doc);
        assert.ok(fs.existsSync(file), `${slug} has a ${doc}`);
        const source = fs.readFileSync(file, 'utf8');
        await compile(source).catch((err: Error) => assert.fail(`${slug}/${doc}: ${err.message}`));
        assert.ok(!/^\s*(import|export)\s/m.test(source.replace(/```[\s\S]*?```/g, '')), 'no import/export (the pages block JavaScript)');
      });
    }
  }
});
