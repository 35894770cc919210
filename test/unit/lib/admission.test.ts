import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admit, busyHostFactor, defaultProvisioningCapacity, estimateWaitMs, queuePosition, readinessDeadlineMs, recordDuration, typicalMs } from '@/lib/lifecycle/admission';

const GIB = 1024 ** 3;

describe('admission decisions', () => {
  const waiting = [
    { id: 'pool-a', pooled: true, since: 1 },
    { id: 'bob', pooled: false, since: 3 },
    { id: 'amy', pooled: false, since: 2 },
  ];

  it('admits learners first, oldest first, up to the free slots', () => {
    assert.deepEqual(admit(waiting, 0, 2), ['amy', 'bob']);
    assert.deepEqual(admit(waiting, 1, 2), ['amy']);
    assert.deepEqual(admit(waiting, 2, 2), []);
    assert.deepEqual(admit(waiting, 0, 5), ['amy', 'bob', 'pool-a']);
  });

  it('gives each waiting session its place in that order', () => {
    assert.equal(queuePosition(waiting, 'amy'), 1);
    assert.equal(queuePosition(waiting, 'pool-a'), 3);
    assert.equal(queuePosition(waiting, 'nobody'), null);
  });

  it('estimates the wait in rounds of the capacity', () => {
    assert.equal(estimateWaitMs(1, 2, 10_000), 10_000);
    assert.equal(estimateWaitMs(2, 2, 10_000), 10_000);
    assert.equal(estimateWaitMs(3, 2, 10_000), 20_000);
  });

  it('sizes the default capacity by cores, fewer when memory is short, never zero', () => {
    assert.equal(defaultProvisioningCapacity(2, 24 * GIB), 2);
    assert.equal(defaultProvisioningCapacity(16, 4 * GIB), 2);
    assert.equal(defaultProvisioningCapacity(1, 512 * 1024 ** 2), 1);
  });

  it('scales the readiness deadline with the declared start weight, never below the base', () => {
    assert.equal(readinessDeadlineMs(90_000, 1), 90_000);
    assert.equal(readinessDeadlineMs(90_000, 0.5), 90_000);
    assert.equal(readinessDeadlineMs(90_000, 2), 180_000);
    assert.equal(readinessDeadlineMs(90_000, 1.75), 157_500);
  });

  it('gives a start on a busy host more time: in proportion to the load past 2 per core, at most 3x', () => {
    assert.equal(busyHostFactor(0.5, 2), 1);
    assert.equal(busyHostFactor(4, 2), 1, 'two runnable tasks per core is a normal host');
    assert.equal(busyHostFactor(10, 2), 2.5);
    assert.equal(busyHostFactor(75, 2), 3, 'never more than 3x');
    assert.equal(busyHostFactor(3, 0), 1.5, 'no cpu count: read as one core');
    assert.equal(readinessDeadlineMs(90_000, 1, busyHostFactor(10, 2)), 225_000);
    assert.equal(readinessDeadlineMs(90_000, 2, 3), 540_000);
    assert.equal(readinessDeadlineMs(90_000, 1, 0.2), 90_000, 'never below the base');
  });

  it('keeps a bounded record of start times and takes its median', () => {
    let recent: number[] = [];
    for (let i = 1; i <= 15; i++) recent = recordDuration(recent, i * 1000);
    assert.equal(recent.length, 10);
    assert.equal(typicalMs(recent, 5), 11_000);
    assert.equal(typicalMs([], 5), 5);
  });
});
