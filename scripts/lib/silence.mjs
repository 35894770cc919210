/**
 * A watch on a child's output that fires once when it has printed nothing for `silenceMs`.
 *
 * Why: a test file that leaves a timer running never exits, and node:test then waits for it
 * forever (a full run once sat 13 minutes until killed by hand). Node 20's --test-force-exit is
 * no cure: it dropped later tests of a file in the parallel unit run. So `npm test` kills a suite
 * that has gone silent and reports it as hung instead.
 *
 * `check()` is what the interval calls; tests call it with their own clock.
 */
export function watchSilence({ silenceMs, onSilent, now = Date.now, everyMs = 5_000 }) {
  let last = now();
  let fired = false;
  const check = () => {
    const quiet = now() - last;
    if (fired || quiet < silenceMs) return;
    fired = true;
    clearInterval(timer);
    onSilent(quiet);
  };
  const timer = setInterval(check, everyMs);
  timer.unref();
  return {
    touch: () => {
      last = now();
    },
    check,
    stop: () => clearInterval(timer),
  };
}

/** The silence after which a suite counts as hung: SICKBAY_TEST_SILENCE_MIN minutes, default 20 (a pg fix under load may run 10 minutes without a line). */
export function silenceLimitMs(env = process.env) {
  const raw = env.SICKBAY_TEST_SILENCE_MIN;
  if (raw === undefined || raw === '') return 20 * 60_000;
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`SICKBAY_TEST_SILENCE_MIN must be a positive number of minutes, not "${raw}"`);
  return minutes * 60_000;
}
