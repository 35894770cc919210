/**
 * Idle expiry on the real engine: a session nobody touches for longer than the TTL is ended by
 * the periodic sweep and its containers removed; touching it keeps it alive.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Services } from '@/server/registry';
import { labelledObjects, startTestServices, type TestServices } from './helpers';

let lab: TestServices;
let services: Services;
let clockOffset = 0;

before(async () => {
  // A movable clock: the test jumps past the TTL instead of waiting for it.
  lab = await startTestServices({ config: { sessionTtlMs: 60_000 }, clock: () => Date.now() + clockOffset });
  services = lab.services;
});

after(async () => {
  await lab?.close();
});

describe('idle expiry', () => {
  it('keeps a touched session and ends an idle one at the next sweep', async () => {
    const idle = services.engine.create({ scenario: 'leaky-job', seed: 'expiry-idle' });
    const active = services.engine.create({ scenario: 'leaky-job', seed: 'expiry-active' });
    await Promise.all([services.engine.settled(idle.id), services.engine.settled(active.id)]);
    assert.equal(services.store.requireSession(idle.id).status, 'ready');
    assert.equal(services.store.requireSession(active.id).status, 'ready');

    clockOffset = 45_000;
    services.engine.touch(active.id); // activity 45 s in: its deadline moves to 105 s
    clockOffset = 90_000; // past the idle one's 60 s deadline, within the active one's
    const removed = await services.sweep();

    assert.equal(services.store.requireSession(idle.id).status, 'ended');
    assert.match(services.store.requireSession(idle.id).statusDetail ?? '', /idle/);
    assert.deepEqual(await labelledObjects({ session: idle.id }), []);
    assert.equal(services.store.requireSession(active.id).status, 'ready');
    assert.ok((await labelledObjects({ session: active.id })).length >= 3);
    assert.equal(removed.filter((d) => d.object.labels['sickbay.session'] === active.id).length, 0);
  });
});
