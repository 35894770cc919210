import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng, hashSeed } from '@/lib/scenario/rng';
import leakyJob from '@/scenarios/leaky-job/scenario';

describe('seeded randomness', () => {
  it('gives the same sequence for the same seed', () => {
    const a = createRng('drill-42');
    const b = createRng('drill-42');
    const seqA = Array.from({ length: 20 }, () => a.next());
    const seqB = Array.from({ length: 20 }, () => b.next());
    assert.deepEqual(seqA, seqB);
  });

  it('varies between seeds', () => {
    const values = new Set(Array.from({ length: 50 }, (_, i) => createRng(`seed-${i}`).int(0, 1_000_000)));
    assert.ok(values.size > 45, `only ${values.size} distinct values for 50 seeds`);
  });

  it('keeps int() inside its bounds and reaches both ends', () => {
    const rng = createRng('bounds');
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const n = rng.int(3, 7);
      assert.ok(n >= 3 && n <= 7, `out of range: ${n}`);
      seen.add(n);
    }
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6, 7]);
  });

  it('rejects impossible ranges and empty picks', () => {
    const rng = createRng('x');
    assert.throws(() => rng.int(5, 1), RangeError);
    assert.throws(() => rng.pick([]), RangeError);
  });

  it('shuffles without losing or duplicating items', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f'];
    const out = createRng('shuffle').shuffle(items);
    assert.deepEqual([...out].sort(), items);
    assert.deepEqual(items, ['a', 'b', 'c', 'd', 'e', 'f'], 'input untouched');
  });

  it('forks independent streams that are themselves deterministic', () => {
    assert.equal(createRng('s').fork('names').next(), createRng('s').fork('names').next());
    assert.notEqual(createRng('s').fork('names').next(), createRng('s').fork('ports').next());
  });

  it('hashes text stably', () => {
    assert.equal(hashSeed('abc'), hashSeed('abc'));
    assert.notEqual(hashSeed('abc'), hashSeed('abd'));
  });

  it('draws leaky-job parameters deterministically and varies the culprit', () => {
    const a = leakyJob.params(createRng('one'));
    assert.deepEqual(a, leakyJob.params(createRng('one')));
    const names = new Set(Array.from({ length: 40 }, (_, i) => leakyJob.params(createRng(`run-${i}`)).jobName));
    const ports = new Set(Array.from({ length: 40 }, (_, i) => leakyJob.params(createRng(`run-${i}`)).port));
    assert.ok(names.size >= 5, `job name barely varies: ${[...names].join(',')}`);
    assert.ok(ports.size >= 30, 'port barely varies');
    for (const n of names) assert.ok(n.length <= 15, `${n} is too long for pgrep -x`);
  });
});
