import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '@/lib/audit/events';
import { actionMarkers, budgetClocks, customerSeries, errorBudget } from '@/lib/display/customers';
import type { ServiceBucket } from '@/lib/scoring/impact';

const b = (t: number, requests: number, ok: number, p95Ms: number | null = ok ? 50 : null): ServiceBucket => ({ t, requests, ok, errors: requests > ok ? { '5xx': requests - ok } : {}, p50Ms: p95Ms, p95Ms });
const ZERO = 5_000; // ready 5 s after creation

describe('the Customers chart', () => {
  it('puts the seconds from ready on the session clock, in order, with success % and p95', () => {
    const s = customerSeries([b(7_000, 4, 2), b(3_000, 4, 4), b(6_000, 0, 0), b(5_000, 3, 3, 120)], ZERO);
    assert.deepEqual(s.x, [0, 1, 2]);
    assert.deepEqual(s.success, [100, null, 50]);
    assert.deepEqual(s.p95, [120, null, 50]);
  });

  it('marks what the learner typed and sent, from ready on, and leaves Docker calls out', () => {
    const ev = (id: number, t: number, body: Record<string, unknown>) => ({ id, sessionId: 's', t, at: t, ...body }) as unknown as SessionEvent;
    const markers = actionMarkers(
      [
        ev(1, 4_000, { kind: 'typed', where: 'console', line: 'docker ps', approximate: false }),
        ev(2, 6_500, { kind: 'typed', where: 'console', line: `  docker logs ${'x'.repeat(80)}`, approximate: false }),
        ev(3, 6_600, { kind: 'docker', action: 'logs', method: 'GET', path: '/containers/x/logs', allowed: true }),
        ev(4, 9_000, { kind: 'diagnosis' }),
        ev(5, 9_500, { kind: 'update', text: 'hi' }),
      ],
      ZERO,
    );
    assert.deepEqual(markers.map((m) => [m.id, m.x]), [[2, 1.5], [4, 4], [5, 4.5]]);
    assert.equal(markers[0]?.label.length, 60);
    assert.ok(markers[0]?.label.startsWith('docker logs x') && markers[0].label.endsWith('…'));
    assert.equal(markers[1]?.label, 'diagnosis sent');
  });

  it('spends the error budget the standard allows over the requests so far', () => {
    const standard = { successRate: 0.99, p95Ms: 1000 };
    assert.equal(errorBudget([], ZERO, standard).leftPercent, 100);
    assert.match(errorBudget([], ZERO, standard).text, /no requests finished yet \(the budget is 1% of them\)/);
    const fine = errorBudget(Array.from({ length: 50 }, (_, i) => b(ZERO + i * 1000, 4, 4)), ZERO, standard);
    assert.equal(fine.leftPercent, 100);
    const half = errorBudget([...Array.from({ length: 50 }, (_, i) => b(ZERO + i * 1000, 4, 4)), b(ZERO + 50_000, 4, 3)], ZERO, standard);
    assert.equal(half.failed, 1);
    assert.equal(half.leftPercent, 51); // 1 of 2.04 allowed
    const spent = errorBudget([b(ZERO, 4, 0), b(ZERO - 2_000, 100, 0)], ZERO, standard);
    assert.equal(spent.failed, 4, 'seconds before ready do not count');
    assert.equal(spent.leftPercent, 0);
    assert.match(spent.text, /4 of 4 requests failed; 1% may fail: budget spent/);
  });

  it('counts the emergency budgets down on the session clock', () => {
    const budgets = [{ name: 'triage', budgetMs: 30_000 }, { name: 'diagnosis', budgetMs: 120_000 }];
    assert.deepEqual(budgetClocks(budgets, 0).map((c) => c.text), ['0:30 left', '2:00 left']);
    assert.deepEqual(budgetClocks(budgets, 29_500).map((c) => c.text), ['0:01 left', '1:31 left']);
    assert.deepEqual(budgetClocks(budgets, 30_000).map((c) => [c.leftMs, c.text]), [[0, 'passed'], [90_000, '1:30 left']]);
    assert.equal(budgetClocks(budgets, -5_000)[0]?.leftMs, 30_000, 'before ready nothing has run down');
  });
});
