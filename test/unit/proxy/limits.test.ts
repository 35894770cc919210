/** Per-session budgets and the sidecar ceiling on update (issue #11, item 7). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planUpdate } from '@/lib/proxy/bodies';
import { checkCpuShares, checkPidBudget, SESSION_LIMITS } from '@/lib/proxy/limits';
import { planSidecar } from '@/lib/proxy/sidecar';
import { RUN_SIDECAR, UPDATE, edited } from './cli-bodies';

const SIDECAR = { images: ['sickbay/service:latest'], labels: {}, memoryBytes: 128 * 2 ** 20, nanoCpus: 25e7, pidsLimit: 64 };
const SIDECAR_CEILING = { memoryBytes: 128 * 2 ** 20, nanoCpus: 25e7, pidsLimit: 64, name: 'the debug sidecar limit' };
const LAB_CEILING = { memoryBytes: 1024 * 2 ** 20, nanoCpus: 1e9, pidsLimit: 1024 };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const update = (edit: (b: Record<string, any>) => void) => edited(UPDATE, edit);

describe('the sidecar ceiling holds on docker update', () => {
  it('refuses lifting memory, swap, CPUs or PIDs above the sidecar limit', () => {
    const cases: [string, string][] = [
      [update((b) => Object.assign(b, { Memory: 512 * 2 ** 20, MemorySwap: 512 * 2 ** 20, PidsLimit: 0 })), '--memory above the debug sidecar limit of 128 MiB'],
      [update((b) => Object.assign(b, { Memory: 0, MemorySwap: 256 * 2 ** 20, PidsLimit: 0 })), '--memory-swap above the debug sidecar limit'],
      [update((b) => Object.assign(b, { Memory: 0, MemorySwap: 0, NanoCpus: 1e9, PidsLimit: 0 })), '--cpus above the debug sidecar limit of 0.25'],
      [update((b) => Object.assign(b, { Memory: 0, MemorySwap: 0, NanoCpus: 0, PidsLimit: 256 })), '--pids-limit above the debug sidecar limit of 64'],
      [update((b) => Object.assign(b, { Memory: 0, MemorySwap: 0, NanoCpus: 0, PidsLimit: 0, MemoryReservation: 512 * 2 ** 20 })), '--memory-reservation above the debug sidecar limit'],
    ];
    for (const [body, message] of cases) assert.throws(() => planUpdate(body, SIDECAR_CEILING), (err: Error) => err.message.startsWith('sickbay: ') && err.message.includes(message), message);
  });

  it('lets a sidecar be lowered, and a scenario container be raised to the lab ceiling', () => {
    const lower = planUpdate(update((b) => Object.assign(b, { Memory: 64 * 2 ** 20, MemorySwap: 64 * 2 ** 20, NanoCpus: 1e8, PidsLimit: 32 })), SIDECAR_CEILING);
    assert.deepEqual(lower.body, { Memory: 64 * 2 ** 20, MemorySwap: 64 * 2 ** 20, NanoCpus: 1e8, PidsLimit: 32 });
    const raise = planUpdate(update((b) => Object.assign(b, { Memory: 512 * 2 ** 20, MemorySwap: 512 * 2 ** 20, PidsLimit: 512 })), LAB_CEILING);
    assert.equal(raise.body.Memory, 512 * 2 ** 20);
    assert.throws(() => planUpdate(update((b) => Object.assign(b, { Memory: 2048 * 2 ** 20, MemorySwap: 2048 * 2 ** 20 })), LAB_CEILING), /above the lab's ceiling of 1024 MiB/);
  });
});

describe('CPU shares are capped at Docker\'s default', () => {
  it('refuses more than 1024 on create and on update', () => {
    assert.throws(() => planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.CpuShares = 262_144)), undefined, SIDECAR), /--cpu-shares above 1024/);
    assert.throws(() => planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.CpuShares = 1025)), undefined, SIDECAR), /--cpu-shares above 1024/);
    assert.throws(() => planUpdate(update((b) => (b.CpuShares = 262_144)), LAB_CEILING), /--cpu-shares above 1024/);
    assert.throws(() => planUpdate(update((b) => Object.assign(b, { CpuShares: 2048, Memory: 0, MemorySwap: 0, NanoCpus: 0, PidsLimit: 0 })), SIDECAR_CEILING), /--cpu-shares above 1024/);
  });

  it('accepts the default and less', () => {
    planSidecar(edited(RUN_SIDECAR, (b) => (b.HostConfig.CpuShares = 1024)), undefined, SIDECAR);
    assert.equal(planUpdate(update((b) => (b.CpuShares = 512)), LAB_CEILING).body.CpuShares, 512);
    checkCpuShares(undefined);
    checkCpuShares(0);
  });

  it('refuses raising the block I/O weight', () => {
    assert.throws(() => planUpdate(update((b) => (b.BlkioWeight = 1000)), LAB_CEILING), /--blkio-weight is not allowed/);
  });
});

describe('the session PID budget', () => {
  const session = [
    { id: 'a', name: 'api', pidsLimit: 128 },
    { id: 't', name: 'traffic', pidsLimit: 64 },
  ];

  it('is data: 1024, room for the largest scenario (512) and four sidecars (256)', () => {
    assert.equal(SESSION_LIMITS.pidsBudget, 1024);
    assert.ok(512 + SESSION_LIMITS.maxSidecars * 64 <= SESSION_LIMITS.pidsBudget);
  });

  it('counts a new container on top of the others', () => {
    checkPidBudget(session, { name: 'dbg', pidsLimit: 64 });
    checkPidBudget([...session, { id: 's', name: 'dbg', pidsLimit: 768 }], { name: 'dbg2', pidsLimit: 64 });
    assert.throws(() => checkPidBudget([...session, { id: 's', name: 'dbg', pidsLimit: 800 }], { name: 'dbg2', pidsLimit: 64 }), /PID budget is 1024.*api 128, traffic 64, dbg 800 already take 992, so dbg2 can have at most 32, not 64/);
  });

  it('replaces the changed container\'s own limit on update', () => {
    checkPidBudget(session, { id: 'a', name: 'api', pidsLimit: 960 });
    assert.throws(() => checkPidBudget(session, { id: 'a', name: 'api', pidsLimit: 961 }), /traffic 64 already takes 64, so api can have at most 960, not 961/);
  });

  it('counts an unlimited container as the whole budget (fail closed)', () => {
    assert.throws(() => checkPidBudget([{ id: 'x', name: 'odd', pidsLimit: null }], { name: 'dbg', pidsLimit: 1 }), /at most 0/);
    assert.throws(() => checkPidBudget([{ id: 'x', name: 'odd', pidsLimit: -1 }], { name: 'dbg', pidsLimit: 1 }), /at most 0/);
  });
});
