import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthTestArgv } from '@/server/engine/specs';
import { memoryFromCgroupFiles } from '@/server/runtime/cgroup-memory';

describe('memoryFromCgroupFiles', () => {
  it('subtracts the inactive page cache the way docker stats does (v1 and v2)', () => {
    const v1 = memoryFromCgroupFiles(1, '209715200\n', '268435456\n', 'cache 1000\ntotal_inactive_file 10485760\ninactive_file 1\n');
    assert.deepEqual(v1, { usage: 199_229_440, limit: 268_435_456, percent: (199_229_440 / 268_435_456) * 100 });
    const v2 = memoryFromCgroupFiles(2, '104857600', '134217728', 'anon 1\ninactive_file 4194304\n');
    assert.equal(v2?.usage, 100_663_296);
    assert.equal(v2?.limit, 134_217_728);
  });

  it('reports no limit as 0 (v1 huge number, v2 "max") and garbage as null', () => {
    assert.equal(memoryFromCgroupFiles(1, '100', '9223372036854771712', '')?.limit, 0);
    assert.equal(memoryFromCgroupFiles(2, '100', 'max', '')?.percent, 0);
    assert.equal(memoryFromCgroupFiles(1, 'nope', '100', ''), null);
    assert.equal(memoryFromCgroupFiles(1, '1', 'x', ''), null);
  });
});

describe('healthTestArgv', () => {
  it('turns Docker health-check tests into an exec argv', () => {
    assert.deepEqual(healthTestArgv(['CMD', 'curl', '-fsS', 'http://127.0.0.1:8080/healthz']), ['curl', '-fsS', 'http://127.0.0.1:8080/healthz']);
    assert.deepEqual(healthTestArgv(['CMD-SHELL', 'pg_isready -q']), ['/bin/sh', '-c', 'pg_isready -q']);
    assert.equal(healthTestArgv(['NONE']), null);
    assert.equal(healthTestArgv(undefined), null);
  });
});
