/**
 * Idle expiry on the real engine: a session nobody touches for longer than the TTL is ended by
 * the periodic sweep and its containers removed; touching it keeps it alive.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@/server/config';
import type { Services } from '@/server/registry';
import { startServices } from '@/server/services';
import { labelledObjects, removeInstanceObjects, tempDataDir, testInstance } from './helpers';

const instance = testInstance();
const dataDir = tempDataDir();
let services: Services;
let clockOffset = 0;

before(async () => {
  const config = { ...loadConfig({ SICKBAY_DATA_DIR: dataDir, SICKBAY_INSTANCE: instance }), sessionTtlMs: 60_000, sweepIntervalMs: 3_600_000 };
  // A movable clock: the test jumps past the TTL instead of waiting for it.
  services = await startServices({ config, log: () => {}, clock: () => Date.now() + clockOffset });
});

after(async () => {
  await services?.close();
  await removeInstanceObjects(instance);
  fs.rmSync(dataDir, { recursive: true, force: true });
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
