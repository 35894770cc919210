/** The upload ledger: uploads per session and bytes in flight across sessions (issue #11, item 5). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REQUEST_TIMEOUTS, UPLOAD_LIMITS, UploadLedger } from '@/lib/proxy/uploads';

const MIB = 1024 ** 2;

describe('the upload ledger', () => {
  it('is data: 64 MiB per upload, 2 per session, 256 MiB in flight, short request timeouts', () => {
    assert.deepEqual(UPLOAD_LIMITS, { maxBytes: 64 * MIB, perSession: 2, globalBytes: 256 * MIB });
    assert.ok(REQUEST_TIMEOUTS.headersMs <= REQUEST_TIMEOUTS.requestMs && REQUEST_TIMEOUTS.requestMs <= 60_000);
  });

  it('reserves the declared length, or the cap for a chunked upload, and refuses a declared length over the cap', () => {
    const ledger = new UploadLedger();
    assert.equal(ledger.reservation(10), 10);
    assert.equal(ledger.reservation(undefined), 64 * MIB);
    assert.throws(() => ledger.reservation(64 * MIB + 1), /sickbay: docker cp: an upload may be at most 64 MiB/);
  });

  it('allows two uploads per session and refuses the third until one is released', () => {
    const ledger = new UploadLedger();
    const a = ledger.acquire('s1', MIB);
    ledger.acquire('s1', MIB);
    assert.throws(() => ledger.acquire('s1', MIB), /sickbay: docker cp: at most 2 uploads into containers at once per session/);
    ledger.acquire('s2', MIB);
    a();
    a(); // idempotent: releasing twice frees one slot only
    ledger.acquire('s1', MIB);
    assert.throws(() => ledger.acquire('s1', MIB), /at most 2 uploads/);
    assert.deepEqual(ledger.usage, { uploads: 3, reservedBytes: 3 * MIB });
  });

  it('keeps the bytes in flight across sessions under the global budget', () => {
    const ledger = new UploadLedger();
    const releases = ['s1', 's2', 's3', 's4'].map((s) => ledger.acquire(s, ledger.reservation(undefined)));
    assert.throws(() => ledger.acquire('s5', 1), /sickbay: docker cp: the lab's uploads in flight are at their limit \(256 MiB across all sessions\)/);
    releases[0]?.();
    ledger.acquire('s5', ledger.reservation(undefined));
    assert.equal(ledger.usage.reservedBytes, 256 * MIB);
    for (const r of releases) r();
  });
});
