/**
 * Issue 17, item 6: the pages must not give the answer away. Beside each scenario,
 * forbidden-words.txt lists the words that name its mechanism or cause; no catalogue title,
 * summary or tag and no goal title the learner sees while the session runs may contain one. The
 * report (mechanism titles), briefings and hints are not checked: they come after, or are asked for.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { liveGoalTitle, type ScenarioDefinition } from '@/lib/scenario';
import type { TrackInput } from '@/lib/tracks';

const ROOT = path.resolve('scenarios');
const slugs = fs.readdirSync(ROOT).filter((d) => fs.existsSync(path.join(ROOT, d, 'scenario.ts'))).sort();

function forbiddenWords(slug: string): string[] {
  const file = path.join(ROOT, slug, 'forbidden-words.txt');
  assert.ok(fs.existsSync(file), `${slug} has a forbidden-words.txt beside its scenario.ts`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** The forbidden words found in a text: each matches at the start of a word, any case. */
function found(text: string, words: readonly string[]): string[] {
  return words.filter((w) => new RegExp(`(^|[^a-z0-9])${w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i').test(text));
}

async function load(slug: string): Promise<ScenarioDefinition<unknown>> {
  const mod = (await import(path.join(ROOT, slug, 'scenario.ts'))) as { default: ScenarioDefinition<unknown> };
  return mod.default;
}

describe('catalogue titles, summaries, tags and live goal titles describe symptoms and outcomes, not causes', () => {
  it('finds all eight scenarios', () => {
    assert.ok(slugs.length >= 8, slugs.join(', '));
  });

  it('track texts (read before a session starts) name no cause of the scenarios they lead to', async () => {
    const tracksDir = path.resolve('tracks');
    const files = fs.readdirSync(tracksDir).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 0, 'at least one track');
    const every = slugs.flatMap(forbiddenWords);
    for (const file of files) {
      const track = ((await import(path.join(tracksDir, file))) as { default: TrackInput }).default;
      assert.deepEqual(found(`${track.title}\n${track.summary}`, every), [], `${file}: title and summary`);
      for (const step of track.steps) {
        if (step.focus) assert.deepEqual(found(step.focus, forbiddenWords(step.scenario)), [], `${file}: the focus of ${step.scenario}: "${step.focus}"`);
      }
    }
  });

  for (const slug of slugs) {
    it(slug, async () => {
      const words = forbiddenWords(slug);
      assert.ok(words.length >= 3, `${slug}: at least three forbidden words`);
      const def = await load(slug);
      assert.deepEqual(found(def.title, words), [], `${slug}: title "${def.title}"`);
      assert.deepEqual(found(def.summary, words), [], `${slug}: summary "${def.summary}"`);
      for (const tag of def.tags) assert.deepEqual(found(tag.replaceAll('-', ' '), words).concat(found(tag, words)), [], `${slug}: tag "${tag}"`);
      for (const goal of def.goals) {
        assert.ok(goal.outcome, `${slug}: goal ${goal.id} declares an outcome title`);
        assert.deepEqual(found(liveGoalTitle(goal), words), [], `${slug}: live title of goal ${goal.id}: "${liveGoalTitle(goal)}"`);
      }
      // The list can fail: it catches the words the scenario's own mechanism texts use.
      const mechanism = [...def.faults.map((f) => f.title), ...def.goals.map((g) => g.title), ...def.hints].join('\n');
      assert.ok(found(mechanism, words).length > 0, `${slug}: the forbidden words name something in its faults, goal titles or hints`);
    });
  }
});
