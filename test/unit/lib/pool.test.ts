import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SickbayError } from '@/lib/errors';
import { parsePoolSpec } from '@/lib/lifecycle/pool';

describe('parsePoolSpec (SICKBAY_POOL)', () => {
  it('reads scenario:count pairs, ignores blanks and zero counts', () => {
    assert.deepEqual(parsePoolSpec(undefined), {});
    assert.deepEqual(parsePoolSpec(''), {});
    assert.deepEqual(parsePoolSpec(' leaky-job:2 , pg-blocked-missing-index:1,oom-limit:0, '), { 'leaky-job': 2, 'pg-blocked-missing-index': 1 });
  });

  it('names the bad entry', () => {
    for (const [text, why] of [
      ['leaky-job', /"leaky-job" is not <scenario>:<count>/],
      ['leaky-job:-1', /"leaky-job:-1"/],
      ['Leaky:1', /"Leaky:1"/],
      ['leaky-job:11', /at most 10/],
      ['leaky-job:1,leaky-job:2', /listed twice/],
    ] as const) {
      assert.throws(() => parsePoolSpec(text), (err: unknown) => err instanceof SickbayError && err.code === 'bad_request' && why.test(err.message), text);
    }
  });
});
