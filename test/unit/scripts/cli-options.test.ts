import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intOption, listOption, readOptions, type OptionSpec } from '../../../scripts/cli/options';

const SPEC: OptionSpec = { sessions: { type: 'string' }, scenarios: { type: 'string' }, 'keep-data': { type: 'boolean' } };

describe('tool options (soak, faults)', () => {
  it('reads values, ranges and lists, with defaults for what is absent', () => {
    const v = readOptions(['--sessions', '8', '--scenarios', 'leaky-job, ,oom-limit', '--keep-data'], SPEC, 'usage');
    assert.equal(intOption(v, 'sessions', 1, 40, 20), 8);
    assert.deepEqual(listOption(v, 'scenarios'), ['leaky-job', 'oom-limit']);
    assert.equal(v['keep-data'], true);
    const none = readOptions([], SPEC, 'usage');
    assert.equal(intOption(none, 'sessions', 1, 40, 20), 20);
    assert.equal(listOption(none, 'scenarios'), null);
  });

  it('refuses unknown options, missing values and numbers out of range, naming the option', () => {
    assert.throws(() => readOptions(['--bogus'], SPEC, 'usage'), /--bogus/);
    assert.throws(() => readOptions(['--sessions'], SPEC, 'usage'), /--sessions/);
    for (const bad of ['0', '41', '2.5', 'ten', '']) {
      const v = readOptions(['--sessions', bad], SPEC, 'usage');
      assert.throws(() => intOption(v, 'sessions', 1, 40, 20), /--sessions must be an integer from 1 to 40/, `"${bad}"`);
    }
  });
});
