/**
 * Tracks as data: the schema names the file and the field of every problem, the loader leaves a
 * broken file out and keeps the others, and the shipped first-week track covers every scenario
 * and every protocol rule.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SickbayError } from '@/lib/errors';
import { STANDARD_RULES } from '@/lib/scoring/rules';
import { validateTrack } from '@/lib/tracks';
import { Catalogue } from '@/server/engine/catalogue';
import { Tracks } from '@/server/engine/tracks';

const FILE = 'tracks/demo.ts';
const refs = { scenarios: new Set(['leaky-job', 'log-flood', 'oom-limit']), rules: new Set(STANDARD_RULES.map((r) => r.id)) };

function valid(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Demo track',
    summary: 'A track used by the schema tests.',
    steps: [
      { scenario: 'leaky-job', lessons: ['observe-outside-first', 'no-state-loss'], focus: 'The basic loop, outside first.' },
      { scenario: 'log-flood', lessons: ['no-extra-load'], focus: 'Logs in bounded slices, no extra load.' },
    ],
    ...overrides,
  };
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SickbayError, 'throws a SickbayError');
    assert.equal(err.code, 'invalid_track');
    return err.message;
  }
  assert.fail('expected an error');
}

describe('track schema', () => {
  it('accepts a valid track and fills the defaults', () => {
    const t = validateTrack(FILE, 'demo', valid(), refs);
    assert.equal(t.slug, 'demo');
    assert.equal(t.order, 100);
    assert.deepEqual(t.steps.map((s) => s.scenario), ['leaky-job', 'log-flood']);
  });

  it('names the file and the field of an unknown rule, an unknown scenario and a repeated step', () => {
    const bad = valid({
      steps: [
        { scenario: 'leaky-job', lessons: ['snapshot'], focus: 'The basic loop, outside first.' },
        { scenario: 'no-such-drill', lessons: ['timeline'], focus: 'A drill that does not exist.' },
        { scenario: 'leaky-job', lessons: ['timeline'], focus: 'The same drill a second time.' },
      ],
    });
    const lines = messageOf(() => validateTrack(FILE, 'demo', bad, refs)).split('\n');
    assert.ok(lines.includes(`${FILE}: steps.0.lessons.0: unknown protocol rule "snapshot" (known: ${[...refs.rules].join(', ')})`), lines.join('\n'));
    assert.ok(lines.includes(`${FILE}: steps.1.scenario: unknown scenario "no-such-drill" (not in the catalogue)`), lines.join('\n'));
    assert.ok(lines.includes(`${FILE}: steps.2.scenario: "leaky-job" is already step 1`), lines.join('\n'));
  });

  it('names missing and extra fields', () => {
    const m = messageOf(() => validateTrack(FILE, 'demo', { title: 'No steps here', summary: 'A track without steps.', colour: 'red' }, refs));
    assert.match(m, /^tracks\/demo\.ts: steps: /m);
    assert.match(m, /^tracks\/demo\.ts: \(definition\): .*colour/m);
    const lessons = messageOf(() =>
      validateTrack(FILE, 'demo', valid({ steps: [{ scenario: 'oom-limit', lessons: [], focus: 'An experiment as a change.' }] }), refs),
    );
    assert.match(lessons, /^tracks\/demo\.ts: steps\.0\.lessons: name at least one protocol lesson/m);
  });

  it('refuses what is not a definition, and a file name that is not a slug', () => {
    assert.match(messageOf(() => validateTrack(FILE, 'demo', undefined, refs)), /^tracks\/demo\.ts: must `export default defineTrack/);
    assert.match(messageOf(() => validateTrack('tracks/First Week.ts', 'First Week', valid(), refs)), /^tracks\/First Week\.ts: the file name must be a slug/);
  });
});

describe('track loader', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-tracks-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Self-contained fixtures (no imports), so they load from a temporary folder.
  fs.writeFileSync(path.join(dir, 'good.ts'), `export default ${JSON.stringify(valid({ order: 2 }))};`);
  fs.writeFileSync(path.join(dir, 'early.ts'), `export default ${JSON.stringify(valid({ title: 'Early track', order: 1 }))};`);
  fs.writeFileSync(path.join(dir, 'broken.ts'), `export default ${JSON.stringify(valid({ steps: [{ scenario: 'leaky-job', lessons: ['no-state-loss'], focus: 'short' }] }))};`);
  fs.writeFileSync(path.join(dir, 'syntax.ts'), 'export default {{;');

  it('loads the valid tracks in order and reports each broken file by path and field', async () => {
    const tracks = await Tracks.load(dir, refs.scenarios);
    assert.deepEqual(tracks.list().map((t) => t.slug), ['early', 'good']);
    const messages = tracks.errors.map((e) => e.message).join('\n');
    assert.match(messages, /broken\.ts: steps\.0\.focus: one sentence on what this drill adds/);
    assert.match(messages, /syntax\.ts/);
    assert.equal(tracks.errors.length, 2);
    assert.deepEqual(tracks.placesOf('log-flood').map((p) => [p.track.slug, p.index]), [['early', 1], ['good', 1]]);
  });

  it('loads the shipped tracks: first week covers all eight scenarios, beginner first, and every rule', async () => {
    const catalogue = await Catalogue.load(path.resolve('scenarios'));
    const tracks = await Tracks.load(path.resolve('tracks'), catalogue.list().map((s) => s.slug));
    assert.deepEqual(tracks.errors.map((e) => e.message), []);
    const week = tracks.list().find((t) => t.slug === 'first-week');
    assert.ok(week, 'first-week is shipped');
    assert.equal(week.title, 'First week: safe debugging');
    assert.deepEqual([...week.steps.map((s) => s.scenario)].sort(), catalogue.list().map((s) => s.slug).sort());
    const rank = { beginner: 0, intermediate: 1, advanced: 2 } as const;
    const ranks = week.steps.map((s) => rank[catalogue.get(s.scenario).definition.difficulty]);
    assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), 'from beginner to advanced');
    const taught = new Set(week.steps.flatMap((s) => s.lessons));
    assert.deepEqual(STANDARD_RULES.map((r) => r.id).filter((id) => !taught.has(id)), [], 'every rule is taught somewhere');
  });
});
