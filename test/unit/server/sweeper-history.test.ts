/** A sweep's cost does not grow with the store's history: it reads only the sessions its objects name. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { sessionLabels } from '@/lib/lifecycle/labels';
import { sweepOnce } from '@/server/runtime/sweeper';
import { Store } from '@/server/store/store';
import { FakeRuntime } from './fake-runtime';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-sweep-history-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sweeper and a long history', () => {
  it('looks up only the sessions named by labelled objects, never the whole history', async () => {
    const store = new Store(dir);
    const now = Date.now();
    for (let i = 0; i < 300; i++) {
      const id = `old${String(i).padStart(9, '0')}`;
      store.insertSession({ id, scenario: 'demo', seed: 's', params: { big: 'x'.repeat(200) }, now, expiresAt: now + 60_000 });
      store.transition(id, 'failed', now, 'history');
    }
    store.insertSession({ id: 'live00000001', scenario: 'demo', seed: 's', params: {}, now, expiresAt: now + 60_000 });
    let fullReads = 0;
    const listSessions = store.listSessions.bind(store);
    store.listSessions = (options) => {
      fullReads++;
      return listSessions(options);
    };
    const runtime = new FakeRuntime();
    const labels = (sessionId: string) => sessionLabels({ instance: 'me', sessionId, scenario: 'demo', role: 'service', service: 'api', expiresAt: now + 3_600_000 });
    const spec = (name: string, sessionId: string) => ({ name, image: 'x', env: {}, labels: labels(sessionId), networks: [], memoryBytes: 1, nanoCpus: 1, pidsLimit: 1, capAdd: [] });
    await runtime.createContainer(spec('a', 'live00000001'));
    await runtime.createContainer(spec('b', 'old000000007'));
    await runtime.createContainer(spec('c', 'unknown00001'));
    const removed = await sweepOnce({ runtime, store, instance: 'me', busy: () => new Set(), clock: () => now });
    assert.equal(fullReads, 0, 'no listing of every session');
    assert.deepEqual(removed.map((d) => d.reason).sort(), ['session is failed', 'session unknown to the store']);
    assert.deepEqual([...runtime.containers.values()].map((c) => c.spec.name), ['a']);
    store.close();
  });
});
