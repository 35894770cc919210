/** EngineWatch on a scripted ping and events stream: what counts as "down", and each change handled once. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { SickbayError } from '@/lib/errors';
import { EngineWatch, meansEngineGone } from '@/server/engine/engine-watch';

function harness(options: { pingTimeoutMs?: number } = {}) {
  const state = { ping: 'ok' as 'ok' | 'gone' | 'slow' | 'error', downs: [] as string[], ups: 0, streams: [] as PassThrough[] };
  const watch = new EngineWatch({
    ping: async () => {
      if (state.ping === 'gone') throw new SickbayError('engine_unavailable', 'Docker engine unreachable while trying to ping the engine: connect ENOENT /var/run/docker.sock');
      if (state.ping === 'error') throw new SickbayError('internal', 'ping the engine: (HTTP code 500) server error');
      if (state.ping === 'slow') await new Promise((r) => setTimeout(r, 200));
    },
    events: async () => {
      const s = new PassThrough();
      state.streams.push(s);
      return s;
    },
    onDown: async (reason) => void state.downs.push(reason),
    onUp: async () => void state.ups++,
    log: () => {},
    intervalMs: 60_000, // the test drives check() itself
    pingTimeoutMs: options.pingTimeoutMs ?? 1_000,
  });
  return { state, watch };
}

describe('engine watch', () => {
  it('only a missing or refusing socket means the engine is gone', () => {
    assert.equal(meansEngineGone(new SickbayError('engine_unavailable', 'x')), true);
    assert.equal(meansEngineGone(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), true);
    assert.equal(meansEngineGone(new SickbayError('internal', 'wrapped', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) })), true);
    assert.equal(meansEngineGone(new SickbayError('internal', '(HTTP code 500) server error')), false);
    assert.equal(meansEngineGone(new Error('timeout')), false);
  });

  it('interrupts once when the engine goes, sweeps once when it is back', async () => {
    const { state, watch } = harness();
    await watch.check();
    assert.equal(watch.state, 'up');
    state.ping = 'gone';
    await Promise.all([watch.check(), watch.check()]);
    await watch.check();
    await watch.idle();
    assert.equal(watch.state, 'down');
    assert.equal(state.downs.length, 1, 'the sessions are interrupted once');
    assert.match(state.downs[0] ?? '', /stopped answering .*ENOENT/);
    state.ping = 'ok';
    await watch.check();
    await watch.check();
    await watch.idle();
    assert.equal(watch.state, 'up');
    assert.equal(state.ups, 1);
    watch.stop();
  });

  it('a slow answer or an HTTP error is not an outage', async () => {
    const { state, watch } = harness({ pingTimeoutMs: 50 });
    state.ping = 'slow';
    await watch.check();
    state.ping = 'error';
    await watch.check();
    await watch.idle();
    assert.equal(watch.state, 'up');
    assert.deepEqual(state.downs, []);
    watch.stop();
  });

  it('the events stream ending makes it look at once, without waiting for the next tick', async () => {
    const { state, watch } = harness();
    watch.start();
    for (let i = 0; i < 100 && state.streams.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(state.streams.length, 1, 'it follows docker events');
    state.ping = 'gone';
    state.streams[0]?.end();
    state.streams[0]?.resume();
    for (let i = 0; i < 200 && state.downs.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await watch.idle();
    assert.equal(watch.state, 'down');
    assert.equal(state.downs.length, 1);
    watch.stop();
  });
});
