import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_TEAMS, teamSeed } from '@/lib/drills/rules';
import { drawingSeed, isValidSeed, PLANNED_SEED_PATTERN } from '@/lib/lifecycle/seed';

describe('seeds', () => {
  it('accepts 1-64 letters, digits, - and _ only', () => {
    assert.ok(isValidSeed('a') && isValidSeed('A_b-9'.padEnd(64, 'x')));
    for (const bad of ['', 'x'.repeat(65), 'a b', 'a/b', 'ä']) assert.equal(isValidSeed(bad), false, bad);
  });

  it('leaves a planned seed room for the last team\u2019s suffix', () => {
    const longest = 'p'.repeat(40);
    assert.ok(PLANNED_SEED_PATTERN.test(longest));
    assert.equal(PLANNED_SEED_PATTERN.test(`${longest}x`), false);
    assert.ok(isValidSeed(teamSeed(longest, 'per-team', MAX_TEAMS - 1)));
  });
});

describe('drawingSeed', () => {
  it('mixes the installation secret into the seed, so a shown seed does not give the run away', () => {
    assert.equal(drawingSeed('s3cret', 'verify-1'), 's3cret/verify-1');
    assert.notEqual(drawingSeed('a', 'x'), drawingSeed('b', 'x'));
  });
});
