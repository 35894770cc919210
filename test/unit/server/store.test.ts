import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '@/server/store/migrations';
import { Store } from '@/server/store/store';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sickbay-store-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const T0 = 1_000_000;

describe('store (SQLite on disk)', () => {
  it('migrates a new database and uses WAL with synchronous=NORMAL', () => {
    const store = new Store(tempDir());
    assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(store.db.pragma('synchronous', { simple: true }), 1);
    store.close();
  });

  it('stores the holder with the row: owner and coach mode, off by default, across a reopen', () => {
    const dir = tempDir();
    const a = new Store(dir);
    a.insertSession({ id: 'cccccccccccc', scenario: 'leaky-job', seed: 's', params: {}, now: T0, expiresAt: T0 + 10 });
    a.insertSession({ id: 'dddddddddddd', scenario: 'leaky-job', seed: 't', params: {}, now: T0, expiresAt: T0 + 10, holder: { ownerId: 'u1', coach: true } });
    assert.equal(a.requireSession('cccccccccccc').coach, false);
    assert.equal(a.requireSession('cccccccccccc').ownerId, 'local');
    a.close();
    const b = new Store(dir);
    assert.deepEqual([b.requireSession('dddddddddddd').ownerId, b.requireSession('dddddddddddd').coach], ['u1', true]);
    b.close();
  });

  it('keeps sessions and events across a reopen', () => {
    const dir = tempDir();
    const a = new Store(dir);
    a.insertSession({ id: 'aaaaaaaaaaaa', scenario: 'leaky-job', seed: 's', params: { jobName: 'x' }, now: T0, expiresAt: T0 + 10 });
    a.appendEvent('aaaaaaaaaaaa', { kind: 'fault', fault: 'f', title: 'Fault', ms: 5 }, T0 + 250);
    a.close();
    const b = new Store(dir);
    const s = b.requireSession('aaaaaaaaaaaa');
    assert.equal(s.status, 'queued');
    assert.deepEqual(s.params, { jobName: 'x' });
    const events = b.listEvents('aaaaaaaaaaaa');
    assert.equal(events.length, 1);
    assert.equal(events[0]!.t, 250, 't counts from the session start');
    assert.equal(events[0]!.kind, 'fault');
    assert.equal(events[0]!.kind === 'fault' && events[0]!.fault, 'f', 'the body keeps its own fields next to the event id');
    b.close();
  });

  it('follows the lifecycle and logs each transition', () => {
    const store = new Store(tempDir());
    store.insertSession({ id: 'bbbbbbbbbbbb', scenario: 'x', seed: 's', params: {}, now: T0, expiresAt: T0 + 10 });
    assert.equal(store.transition('bbbbbbbbbbbb', 'provisioning', T0 + 1), true);
    assert.equal(store.transition('bbbbbbbbbbbb', 'ready', T0 + 2), true);
    assert.equal(store.requireSession('bbbbbbbbbbbb').readyAt, T0 + 2);
    assert.equal(store.transition('bbbbbbbbbbbb', 'provisioning', T0 + 3), false, 'no going back');
    assert.equal(store.transition('bbbbbbbbbbbb', 'ending', T0 + 4, 'bye'), true);
    assert.equal(store.transition('bbbbbbbbbbbb', 'ended', T0 + 5), true);
    const s = store.requireSession('bbbbbbbbbbbb');
    assert.equal(s.endedAt, T0 + 5);
    assert.equal(s.statusDetail, 'bye');
    const statuses = store.listEvents('bbbbbbbbbbbb').map((e) => (e.kind === 'lifecycle' ? e.status : e.kind));
    assert.deepEqual(statuses, ['provisioning', 'ready', 'ending', 'ended']);
    store.close();
  });

  it('refuses to rewrite or delete events', () => {
    const store = new Store(tempDir());
    store.insertSession({ id: 'cccccccccccc', scenario: 'x', seed: 's', params: {}, now: T0, expiresAt: T0 + 10 });
    store.appendEvent('cccccccccccc', { kind: 'lifecycle', status: 'queued' }, T0);
    assert.throws(() => store.db.prepare("UPDATE events SET kind = 'x'").run(), /append-only/);
    assert.throws(() => store.db.prepare('DELETE FROM events').run(), /append-only/);
    store.close();
  });

  it('extends expiry forward only', () => {
    const store = new Store(tempDir());
    store.insertSession({ id: 'dddddddddddd', scenario: 'x', seed: 's', params: {}, now: T0, expiresAt: T0 + 100 });
    store.extendExpiry('dddddddddddd', T0 + 50);
    assert.equal(store.requireSession('dddddddddddd').expiresAt, T0 + 100);
    store.extendExpiry('dddddddddddd', T0 + 500);
    assert.equal(store.requireSession('dddddddddddd').expiresAt, T0 + 500);
    store.close();
  });

  it('answers not_found for an unknown session and refuses events for it', () => {
    const store = new Store(tempDir());
    assert.throws(() => store.requireSession('nope'), { code: 'not_found' } as object);
    assert.throws(() => store.appendEvent('nope', { kind: 'lifecycle', status: 'ready' }, T0), { code: 'not_found' } as object);
    store.close();
  });

  it('refuses a database from a newer Sickbay', () => {
    const dir = tempDir();
    const raw = new Database(path.join(dir, 'sickbay.db'));
    raw.pragma(`user_version = ${MIGRATIONS.length + 5}`);
    raw.close();
    assert.throws(() => new Store(dir), /newer than this Sickbay/);
  });

  it('keeps pooled sessions out of listings until one is claimed, oldest ready first, once', () => {
    const store = new Store(tempDir());
    const base = { scenario: 'leaky-job', params: {}, expiresAt: T0 + 1_000 };
    store.insertSession({ ...base, id: 'aaaaaaaaaaaa', seed: 'a', now: T0, pooled: true });
    store.insertSession({ ...base, id: 'bbbbbbbbbbbb', seed: 'b', now: T0 + 1, pooled: true });
    store.insertSession({ ...base, id: 'cccccccccccc', seed: 'c', now: T0 + 2 });
    assert.deepEqual(store.listSessions().map((s) => s.id), ['cccccccccccc']);
    assert.equal(store.listSessions({ includePooled: true }).length, 3);
    assert.equal(store.countPooled('leaky-job'), 2);
    assert.equal(store.countLive(), 3, 'live sessions include pooled ones');
    assert.equal(store.claimPooled('leaky-job', T0 + 10, T0 + 99), null, 'nothing ready yet');
    for (const id of ['bbbbbbbbbbbb', 'aaaaaaaaaaaa']) {
      store.transition(id, 'provisioning', T0 + 3);
      store.transition(id, 'ready', id === 'bbbbbbbbbbbb' ? T0 + 4 : T0 + 5);
    }
    const claimed = store.claimPooled('leaky-job', T0 + 50, T0 + 5_000, { ownerId: 'u2', coach: true });
    assert.equal(claimed?.id, 'bbbbbbbbbbbb', 'the one ready longest');
    assert.equal(claimed?.pooled, false);
    assert.deepEqual([claimed?.ownerId, claimed?.coach], ['u2', true], 'the claim writes the holder with the row');
    assert.equal(claimed?.readyAt, T0 + 50, 'its clock starts at the claim');
    assert.equal(claimed?.expiresAt, T0 + 5_000);
    assert.equal(store.countPooled('leaky-job'), 1);
    assert.deepEqual(store.listSessions().map((s) => s.id).sort(), ['bbbbbbbbbbbb', 'cccccccccccc']);
    assert.equal(store.claimPooled('leaky-job', T0 + 60, T0 + 99)?.id, 'aaaaaaaaaaaa');
    assert.equal(store.claimPooled('leaky-job', T0 + 70, T0 + 99), null, 'each pooled session is handed out once');
    assert.equal(store.claimPooled('pg-blocked-missing-index', T0 + 70, T0 + 99), null);
    store.close();
  });
});
