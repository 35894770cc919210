/**
 * The storage budget on the real engine (issue 11, item 4). With a small budget configured, a
 * root process in a scenario container that writes into its writable layer is warned at 80%
 * (an event in the session log and a line in the learner's terminal) and, past the budget, its
 * session is ended with the reason and nothing of it is left on the engine. New sessions are
 * refused (409, a plain message) when the engine's disk is below the free-space floor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pty from 'node-pty';
import type { SessionEvent } from '@/lib/audit/events';
import { isSickbayError, statusForCode } from '@/lib/errors';
import { labelledObjects, startTestServices, waitFor, type TestServices } from './helpers';

const MIB = 1024 * 1024;
const BUDGET = 64 * MIB;
let lab: TestServices;
let term: pty.IPty | undefined;

before(async () => {
  lab = await startTestServices({ config: { sessionStorageBytes: BUDGET, storageCheckMs: 1_000 } });
});

after(async () => {
  term?.kill();
  await lab?.close();
});

const limits = (id: string) => lab.services.store.listEvents(id).filter((e): e is Extract<SessionEvent, { kind: 'limit' }> => e.kind === 'limit');

describe('storage budget', () => {
  it('warns a session that writes past 80% of its budget, then ends it past the budget', async () => {
    const { engine, store, runtime } = lab.services;
    const view = engine.create({ scenario: 'leaky-job', seed: 'storage-budget' });
    await engine.settled(view.id);
    const record = store.requireSession(view.id);
    assert.equal(record.status, 'ready', record.statusDetail ?? '');
    const traffic = record.containers.traffic as string;

    // The learner's terminal: a shell in the console, as the gateway opens it.
    let screen = '';
    term = pty.spawn('docker', ['exec', '-it', record.consoleId as string, 'bash', '--norc', '--noprofile'], { name: 'xterm', cols: 200, rows: 30, env: { PATH: process.env.PATH ?? '' } });
    term.onData((d) => (screen += d));
    await waitFor('the console shell', async () => screen.length > 0, 30_000, 100);

    const dd = (file: string, mib: number) => runtime.exec(traffic, ['dd', 'if=/dev/zero', `of=/var/tmp/${file}`, 'bs=1M', `count=${mib}`, 'oflag=direct'], { timeoutMs: 60_000 });
    assert.equal((await dd('fill-1', 56)).exitCode, 0); // 56 of 64 MiB: 87%
    const warning = await waitFor('the storage warning', async () => limits(view.id).find((e) => e.level === 'warning'), 60_000);
    assert.equal(warning.budgetBytes, BUDGET);
    assert.ok(warning.usedBytes >= 56 * MIB && warning.usedBytes < BUDGET);
    assert.match(warning.detail, /of the 64\.0 MiB they may use/);
    await waitFor('the warning in the terminal', async () => /\[sickbay\] storage: this session's containers have written/.test(screen), 30_000);
    assert.equal(store.requireSession(view.id).status, 'ready', 'a warning does not end the session');

    assert.equal((await dd('fill-2', 16)).exitCode, 0); // 72 MiB: past the budget
    const ended = await waitFor('the session to end', async () => {
      const s = store.requireSession(view.id);
      return s.status === 'ended' || s.status === 'failed' ? s : null;
    }, 120_000);
    assert.equal(ended.status, 'ended');
    assert.match(ended.statusDetail ?? '', /^storage budget exceeded: the session's containers wrote 7\d\.\d MiB, more than the 64\.0 MiB/);
    const exceeded = limits(view.id).find((e) => e.level === 'exceeded');
    assert.ok(exceeded && exceeded.usedBytes > BUDGET);
    assert.equal(limits(view.id).filter((e) => e.level === 'warning').length, 1, 'warned once');
    assert.deepEqual(await labelledObjects({ session: view.id }), [], 'nothing left behind');
  });

  it('refuses new sessions while the engine’s disk is below the free-space floor', async () => {
    const { engine, config } = lab.services;
    const before = engine.list().length;
    config.minFreeDisk = { kind: 'percent', percent: 100 }; // no disk is ever 100% free
    try {
      assert.throws(
        () => engine.create({ scenario: 'leaky-job', seed: 'storage-low-disk' }),
        (err) => isSickbayError(err) && statusForCode(err.code) === 409 && /^the Docker engine's disk is nearly full: .* free at \/.*SICKBAY_MIN_FREE_DISK/.test(err.message),
      );
      assert.equal(engine.list().length, before, 'no session was created');
    } finally {
      config.minFreeDisk = { kind: 'bytes', bytes: 0 };
    }
    // Back above the floor, sessions start again (checked without provisioning one).
    assert.doesNotThrow(() => lab.services.engine.create({ scenario: 'leaky-job', seed: 'storage-ok-disk' }));
  });
});
