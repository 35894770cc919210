/** The sweeper on a fake runtime: it removes what no live session owns, and nothing else. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sessionLabels } from '@/lib/lifecycle/labels';
import { sweepOnce } from '@/server/runtime/sweeper';
import { Store } from '@/server/store/store';
import { FakeRuntime } from './fake-runtime';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-sweeper-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sweeper (fake runtime)', () => {
  it('removes objects of unknown, ended and foreign-expired sessions; keeps live and busy ones', async () => {
    const store = new Store(dir);
    const now = Date.now();
    const runtime = new FakeRuntime();
    const labels = (instance: string, sessionId: string, expiresAt = now + 3_600_000) =>
      sessionLabels({ instance, sessionId, scenario: 'demo', role: 'service', service: 'api', expiresAt });
    store.insertSession({ id: 'live00000001', scenario: 'demo', seed: 's', params: {}, now, expiresAt: now + 60_000 });
    store.insertSession({ id: 'done00000001', scenario: 'demo', seed: 's', params: {}, now, expiresAt: now + 60_000 });
    store.transition('done00000001', 'failed', now, 'test');
    const spec = (name: string, l: Record<string, string>) => ({ name, image: 'x', env: {}, labels: l, networks: [], memoryBytes: 1, nanoCpus: 1, pidsLimit: 1, capAdd: [] });
    await runtime.createContainer(spec('a', labels('me', 'live00000001')));
    await runtime.createContainer(spec('b', labels('me', 'done00000001')));
    await runtime.createContainer(spec('c', labels('me', 'gone00000001')));
    await runtime.createContainer(spec('d', labels('me', 'busy00000001')));
    await runtime.createContainer(spec('e', labels('other', 'x00000000001')));
    await runtime.createContainer(spec('f', labels('other', 'x00000000002', now - 1)));
    await runtime.createContainer(spec('g', { 'some.other': 'label' }));
    const removed = await sweepOnce({ runtime, store, instance: 'me', busy: () => new Set(['busy00000001']), clock: () => now });
    assert.deepEqual(removed.map((d) => d.reason).sort(), [
      'another instance’s object past its hard expiry',
      'session is failed',
      'session unknown to the store',
    ]);
    assert.deepEqual([...runtime.containers.values()].map((c) => c.spec.name).sort(), ['a', 'd', 'e', 'g']);
    store.close();
  });
});
