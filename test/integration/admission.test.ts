/**
 * Admission control on the real engine: with SICKBAY_MAX_PROVISIONING=1, two starts at once
 * give one provisioning session and one queued session (place 1), which provisions only
 * after the first is ready, and both end up ready.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { labelledObjects, startTestServices, type TestServices } from './helpers';

let lab: TestServices;
before(async () => {
  lab = await startTestServices({ env: { SICKBAY_MAX_PROVISIONING: '1' } });
});
after(async () => {
  await lab?.close();
});

describe('admission control', () => {
  it('queues the second of two simultaneous starts and serves it after the first', async () => {
    const { engine, store } = lab.services;
    const first = engine.create({ scenario: 'leaky-job', seed: 'adm-1' });
    const second = engine.create({ scenario: 'leaky-job', seed: 'adm-2' });
    assert.equal(first.status, 'queued');
    assert.equal(second.status, 'queued', 'POST answers at once with queued');
    const place = engine.get(second.id).queue;
    assert.equal(place?.position, 1);
    assert.equal(place?.capacity, 1);
    assert.ok((place?.estimateMs ?? 0) > 0, 'an estimate is given');
    assert.equal(engine.get(first.id).queue, null);

    await engine.settled(first.id);
    await engine.settled(second.id);
    assert.equal(engine.get(first.id).status, 'ready');
    assert.equal(engine.get(second.id).status, 'ready');
    const at = (id: string, status: string) => store.listEvents(id).find((e) => e.kind === 'lifecycle' && e.status === status)?.at ?? 0;
    assert.ok(at(second.id, 'provisioning') >= at(first.id, 'ready'), 'the second provisioned only once the first was ready');

    await Promise.all([engine.end(first.id), engine.end(second.id)]);
    assert.deepEqual(await labelledObjects({ instance: lab.instance }), []);
  });
});
