/** Snapshot budget and `docker rmi` of the session's own snapshots (issue #11, item 4). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL } from '@/lib/lifecycle/labels';
import { checkRequest } from '@/lib/proxy/request';
import { checkRemoveQuery, checkSnapshotBudget, isOwnSnapshot, namesAnId, SNAPSHOT_LIMITS } from '@/lib/proxy/snapshots';

const MIB = 1024 ** 2;
const SCOPE = { sessionId: 's1', instance: 'i1' };
const snap = (name: string, mib: number) => ({ id: `sha256:${name.padEnd(64, '0')}`, name: `sickbay-snapshot/s1:${name}`, bytes: mib * MIB });

describe('the snapshot budget', () => {
  it('is data: 3 snapshots, 2 GiB of their own layers', () => {
    assert.deepEqual(SNAPSHOT_LIMITS, { max: 3, totalBytes: 2 * 1024 ** 3 });
  });

  it('lets a session keep up to 3 snapshots', () => {
    checkSnapshotBudget([], 'api', 10 * MIB);
    checkSnapshotBudget([snap('a', 1), snap('b', 1)], 'api', 10 * MIB);
  });

  it('refuses a fourth, naming the ones kept and how to remove one', () => {
    assert.throws(
      () => checkSnapshotBudget([snap('a', 1), snap('b', 2), { id: 'sha256:abcdef0123456789', bytes: 3 * MIB }], 'api', 0),
      (err: Error) =>
        err.message.startsWith('sickbay: a session may keep at most 3 snapshots') &&
        err.message.includes('sickbay-snapshot/s1:a 1 MiB') &&
        err.message.includes('abcdef012345 (untagged) 3 MiB') &&
        err.message.includes('docker rmi'),
    );
  });

  it('refuses a commit whose changes would take the snapshots past 2 GiB', () => {
    checkSnapshotBudget([snap('db', 1500)], 'api', 548 * MIB);
    assert.throws(() => checkSnapshotBudget([snap('db', 1500)], 'db', 549 * MIB), /snapshots may take at most 2048 MiB per session: sickbay-snapshot\/s1:db 1500 MiB take 1500 MiB, and db's changes add 549 MiB; remove one first with docker rmi/);
    assert.throws(() => checkSnapshotBudget([], 'db', 3000 * MIB), /none is kept yet.*docker cp/);
  });
});

describe('docker rmi', () => {
  it('is routed for images, with force and noprune the only options', () => {
    assert.equal(checkRequest('DELETE', '/v1.41/images/sickbay-snapshot/s1:snap').route.handler, 'remove-snapshot');
    assert.equal(checkRequest('DELETE', '/v1.41/images/3f2a1b4c5d6e?force=0&noprune=1').route.handler, 'remove-snapshot');
    assert.throws(() => checkRequest('DELETE', '/v1.41/images/x?evil=1'), /query parameter "evil"/);
  });

  it('refuses --force', () => {
    assert.throws(() => checkRemoveQuery({ force: '1' }), /docker rmi --force is not allowed/);
    assert.deepEqual(checkRemoveQuery({ force: '0', noprune: '1' }), { noprune: '1' });
    assert.deepEqual(checkRemoveQuery({}), { noprune: '0' });
  });

  it('removes only images labelled as this session\'s snapshots', () => {
    const labels = { [LABEL.session]: 's1', [LABEL.instance]: 'i1', [LABEL.role]: 'snapshot' };
    assert.ok(isOwnSnapshot(labels, SCOPE));
    assert.ok(!isOwnSnapshot({ ...labels, [LABEL.session]: 's2' }, SCOPE), 'another session\'s');
    assert.ok(!isOwnSnapshot({ ...labels, [LABEL.instance]: 'i2' }, SCOPE), 'another instance\'s');
    assert.ok(!isOwnSnapshot({ ...labels, [LABEL.role]: 'sidecar' }, SCOPE), 'not a snapshot');
    assert.ok(!isOwnSnapshot({ [LABEL.managedBy]: 'sickbay' }, SCOPE), 'a lab image');
    assert.ok(!isOwnSnapshot(null, SCOPE));
  });

  it('tells ids from names', () => {
    assert.ok(namesAnId('3f2a1b4c5d6e'));
    assert.ok(namesAnId(`sha256:${'a'.repeat(64)}`));
    assert.ok(!namesAnId('sickbay-snapshot/s1:snap'));
    assert.ok(!namesAnId('abc'));
  });
});
