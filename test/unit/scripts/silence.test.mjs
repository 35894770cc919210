// The watch npm test keeps on a suite's output: it fires once after the silence, never while
// output keeps coming, and reads its limit from the environment with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silenceLimitMs, watchSilence } from '../../../scripts/lib/silence.mjs';

function clockedWatch(silenceMs) {
  let t = 1_000;
  const fired = [];
  const watch = watchSilence({ silenceMs, onSilent: (quiet) => fired.push(quiet), now: () => t, everyMs: 60_000 });
  return { watch, fired, advance: (ms) => (t += ms) };
}

test('output that keeps coming keeps the watch quiet', () => {
  const { watch, fired, advance } = clockedWatch(10_000);
  try {
    for (let i = 0; i < 20; i++) {
      advance(9_000);
      watch.touch();
      watch.check();
    }
    assert.deepEqual(fired, []);
  } finally {
    watch.stop();
  }
});

test('silence past the limit fires once, with how long it was quiet', () => {
  const { watch, fired, advance } = clockedWatch(10_000);
  try {
    advance(9_999);
    watch.check();
    assert.deepEqual(fired, []);
    advance(1);
    watch.check();
    advance(50_000);
    watch.check();
    assert.deepEqual(fired, [10_000]);
  } finally {
    watch.stop();
  }
});

test('the limit comes from SICKBAY_TEST_SILENCE_MIN, 20 minutes by default', () => {
  assert.equal(silenceLimitMs({}), 1_200_000);
  assert.equal(silenceLimitMs({ SICKBAY_TEST_SILENCE_MIN: '' }), 1_200_000);
  assert.equal(silenceLimitMs({ SICKBAY_TEST_SILENCE_MIN: '0.5' }), 30_000);
  assert.throws(() => silenceLimitMs({ SICKBAY_TEST_SILENCE_MIN: 'soon' }), /SICKBAY_TEST_SILENCE_MIN must be a positive number of minutes, not "soon"/);
  assert.throws(() => silenceLimitMs({ SICKBAY_TEST_SILENCE_MIN: '0' }), /positive/);
});
