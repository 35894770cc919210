import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseBucketLine } from '@/lib/scoring/bucket-line';

const CREATED = 1_700_000_000_500; // half a second into an epoch second
const NOW = CREATED + 60_000;
const line = (o: Record<string, unknown>) => JSON.stringify({ sec: 1_700_000_010, requests: 4, ok: 3, errors: { '5xx': 1 }, p50Ms: 12.34, p95Ms: 40, ...o });

describe('customer signal lines', () => {
  it('turns a report into a bucket on the session clock (ms since creation, whole seconds apart)', () => {
    assert.deepEqual(parseBucketLine(line({}), CREATED, NOW), { t: 9_500, requests: 4, ok: 3, errors: { '5xx': 1 }, p50Ms: 12.3, p95Ms: 40 });
    assert.equal(parseBucketLine(line({ sec: 1_700_000_011 }), CREATED, NOW)?.t, 10_500);
    // The second the session was created in overlaps it; the one before does not.
    assert.equal(parseBucketLine(line({ sec: 1_700_000_000 }), CREATED, NOW)?.t, -500);
    assert.equal(parseBucketLine(line({ sec: 1_699_999_999 }), CREATED, NOW), null);
  });

  it('keeps a second in which nothing succeeded, with null latencies and the failures by kind', () => {
    const b = parseBucketLine(line({ requests: 3, ok: 0, errors: { timeout: 2, skipped: 1 }, p50Ms: null, p95Ms: null }), CREATED, NOW);
    assert.deepEqual(b?.errors, { timeout: 2, skipped: 1 });
    assert.equal(b?.p95Ms, null);
    assert.equal(parseBucketLine(line({ requests: 0, ok: 0, errors: {}, p50Ms: null, p95Ms: null }), CREATED, NOW)?.requests, 0);
  });

  it('drops lines that are not a consistent bucket', () => {
    for (const bad of [
      'not json',
      '[1,2]',
      line({ sec: (NOW + 10_000) / 1000 }), // a second in the future
      line({ ok: 5 }), // more successes than requests
      line({ requests: -1 }),
      line({ requests: 2.5 }),
      line({ errors: { '5xx': 2 } }), // failures do not add up
      line({ errors: { 'Bad Kind': 1 } }),
      line({ errors: [1] }),
      line({ p95Ms: null }), // successes without a latency
      line({ ok: 0, errors: { '5xx': 4 } }), // no success but a latency
      line({ p50Ms: 'fast' }),
      line({ pad: 'x'.repeat(2_000) }),
    ]) {
      assert.equal(parseBucketLine(bad, CREATED, NOW), null, bad.slice(0, 80));
    }
  });
});

describe('loadgen.py per-second aggregation', () => {
  it('buckets finished requests by second, fills empty seconds, and counts failures by kind', () => {
    const dir = path.resolve(import.meta.dirname, '../../../containers/service');
    const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(dir)})
import loadgen
s = loadgen.Seconds()
for ms in (10, 20, 30, 40):
    s.record(200, None, ms, sec=100)
s.record(503, None, 5, sec=100)
s.record(None, "timeout", 5000, sec=100)
s.record(None, "skipped", 0, sec=102)
s.record(200, None, 1, sec=103)
print(json.dumps(s.take_before(103, 100)))
print(json.dumps(s.take_before(104, 103)))
`;
    const [first, second] = execFileSync('python3', ['-c', script], { encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l) as unknown[]);
    assert.deepEqual(first, [
      { sec: 100, requests: 6, ok: 4, errors: { '5xx': 1, timeout: 1 }, p50Ms: 20, p95Ms: 40 },
      { sec: 101, requests: 0, ok: 0, errors: {}, p50Ms: null, p95Ms: null },
      { sec: 102, requests: 1, ok: 0, errors: { skipped: 1 }, p50Ms: null, p95Ms: null },
    ]);
    assert.deepEqual(second, [{ sec: 103, requests: 1, ok: 1, errors: {}, p50Ms: 1, p95Ms: 1 }]);
    // What loadgen sends, the server accepts.
    for (const b of [...first, ...second]) assert.ok(parseBucketLine(JSON.stringify(b), 99_000, 200_000), JSON.stringify(b));
  });
});
