import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CustomerSignal } from '@/server/engine/customer-signal';
import { listBuckets } from '@/server/store/customer-seconds';
import { Store } from '@/server/store/store';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function waitFor<T>(fn: () => T | null | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('customer signal (a real unix socket, SQLite on disk)', () => {
  it('stores the valid seconds a connection sends, one row per second (a later report wins), and stops at close', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-sig-'));
    dirs.push(dataDir);
    const store = new Store(dataDir);
    const created = 1_700_000_000_000;
    const now = created + 30_000;
    store.insertSession({ id: 's1', scenario: 'demo', seed: 'x', params: {}, now: created, expiresAt: created + 60_000 });
    const logs: string[] = [];
    const signal = new CustomerSignal({ dataDir, instance: 'unit' }, store.db, () => now, (m) => logs.push(m));
    const dir = await signal.open('s1', created);
    assert.equal(dir, path.join(dataDir, 'run', 's1', 'customers'));
    assert.equal(fs.statSync(dir).mode & 0o777, 0o700, 'only the server user (and the container it is mounted in) reach the socket');
    const client = net.createConnection(path.join(dir, 'signal.sock'));
    await new Promise((r) => client.once('connect', r));
    const sec = created / 1000;
    client.write(`${JSON.stringify({ sec: sec + 1, requests: 4, ok: 4, errors: {}, p50Ms: 3, p95Ms: 9 })}\ngarbage\n`);
    client.write(`${JSON.stringify({ sec: sec + 2, requests: 4, ok: 1, errors: { '5xx': 3 }, p50Ms: 3, p95Ms: 3 })}\n{"sec":`);
    client.write(`${sec + 2},"requests":4,"ok":2,"errors":{"5xx":2},"p50Ms":3,"p95Ms":4}\n`);
    const rows = await waitFor(() => {
      const b = listBuckets(store.db, 's1');
      return b.length === 2 && b[1]?.ok === 2 ? b : null;
    }, 'two seconds stored');
    assert.deepEqual(rows.map((b) => [b.t, b.requests, b.ok]), [[1000, 4, 4], [2000, 4, 2]]);
    assert.deepEqual(rows[1]?.errors, { '5xx': 2 });
    assert.equal(logs.filter((l) => l.includes('not a bucket')).length, 1);
    await signal.close('s1');
    assert.equal(fs.existsSync(dir), false, 'the folder goes with the session');
    client.destroy();
    store.close();
  });
});
