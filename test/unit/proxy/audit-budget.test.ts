/** The proxy's audit budget: capped text, a refusal rate, a per-session event budget (issue #11, item 9). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DockerCallBody } from '@/lib/audit/events';
import { dockerCallEvent } from '@/lib/proxy/audit';
import { AUDIT_LIMITS, AuditBudget, capCommand, capText, type ProxyEvent } from '@/lib/proxy/audit-budget';

const call = (n: number, allowed = true): DockerCallBody => ({ kind: 'docker', action: 'ps', method: 'GET', path: `/containers/json?${n}`, allowed, status: allowed ? 200 : 403 });
const small = { ...AUDIT_LIMITS, maxEvents: 5, refusalBurst: 3, refusalsPerSecond: 1 };
const metaOf = (events: ProxyEvent[]) => events.filter((e): e is DockerCallBody => e.kind === 'docker' && (e.action === 'audit-budget' || e.action === 'refusal-rate'));

describe('capped text', () => {
  it('cuts a command at 4 KiB in all, with a marker that says how much is missing', () => {
    const cut = capCommand(['sh', '-c', 'x'.repeat(60_000)]);
    assert.equal(cut.length, 3);
    assert.equal(cut[2]?.startsWith('x'.repeat(4096 - 4)), true);
    assert.match(cut[2] ?? '', /…\[sickbay: 55908 more characters not logged\]$/);
    assert.equal(cut.join('').replace(/…\[.*\]$/, '').length, 4096);
    const many = capCommand(Array.from({ length: 10 }, () => 'y'.repeat(1000)));
    assert.equal(many.length, 5);
    assert.match(many[4] ?? '', /…\[sickbay: 5904 more characters in 6 arguments not logged\]$/);
    assert.deepEqual(capCommand(['ls', '-l']), ['ls', '-l']);
  });

  it('caps what a stored docker event carries: command, reason, flags', () => {
    const e = dockerCallEvent({ action: 'run', method: 'POST', path: '/containers/create', command: ['z'.repeat(60_000)], flags: { workdir: 'w'.repeat(5000), tty: true } }, { allowed: false, status: 403, reason: `sickbay: ${'r'.repeat(5000)}` });
    assert.ok(JSON.stringify(e).length < 6 * 1024, `event of ${JSON.stringify(e).length} characters`);
    assert.match(e.command?.[0] ?? '', /not logged\]$/);
    assert.match(e.reason ?? '', /^sickbay: r+…\[sickbay: \d+ more characters not logged\]$/);
    assert.match(String(e.flags?.workdir), /^w{256}…/);
    assert.equal(e.flags?.tty, true);
    assert.equal(capText('short', 10), 'short');
  });
});

describe('the refusal rate', () => {
  it('lets a burst through, then one per second; a streak is announced once and summed up once it is quiet', () => {
    const budget = new AuditBudget(small);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) assert.ok(budget.admitRefusal(t0));
    assert.ok(!budget.admitRefusal(t0), 'the burst is spent');
    const first = budget.suppress('run', t0);
    assert.equal(first.length, 1);
    assert.match((first[0] as DockerCallBody).reason ?? '', /more than 3 refused calls in a burst/);
    for (let i = 0; i < 99; i++) assert.deepEqual(budget.suppress(i % 2 ? 'run' : 'exec', t0 + i * 10), []);
    assert.ok(!budget.admitRefusal(t0 + 500));
    assert.ok(budget.admitRefusal(t0 + 1500), 'a token back after a second');
    assert.deepEqual(budget.record(call(1, false), t0 + 1500), [call(1, false)], 'an admitted refusal inside the streak does not end it');
    const quiet = t0 + 990 + small.streakQuietMs;
    const next = budget.record(call(2), quiet);
    assert.equal(next.length, 2, 'the summary, then the call itself');
    assert.match((next[0] as DockerCallBody).reason ?? '', /^sickbay: 100 refused calls were answered 429 and not logged one by one \(run ×50, exec ×50\)$/);
    assert.equal((next[0] as DockerCallBody).flags?.refused, 100);
    assert.deepEqual(budget.flush(), [], 'nothing left to say');
  });

  it('sums up a flood that never stops at least once a minute: two events a minute', () => {
    const budget = new AuditBudget({ ...small, refusalBurst: 1, refusalsPerSecond: 0 });
    budget.admitRefusal(0);
    const stored: ProxyEvent[] = [];
    for (let t = 0; t < 10 * 60_000; t += 100) stored.push(...budget.suppress('run', t));
    stored.push(...budget.flush());
    const notices = metaOf(stored);
    assert.ok(notices.length >= 18 && notices.length <= 22, `${notices.length} notices for 10 minutes`);
    const summed = notices.reduce((n, e) => n + Number(e.flags?.refused ?? 0), 0);
    assert.equal(summed, 6000, 'every refusal is counted once');
  });

  it('the summary comes at the end if the streak never went quiet', () => {
    const budget = new AuditBudget(small);
    for (let i = 0; i < 4; i++) budget.admitRefusal(0);
    budget.suppress('run', 0);
    assert.deepEqual(budget.record(call(1), 10), [call(1)]);
    assert.match((budget.flush()[0] as DockerCallBody).reason ?? '', /^sickbay: 1 refused calls/);
  });
});

describe('the per-session event budget', () => {
  it('is data: 20 000 events or 8 MiB', () => {
    assert.equal(AUDIT_LIMITS.maxEvents, 20_000);
    assert.equal(AUDIT_LIMITS.maxBytes, 8 * 1024 ** 2);
  });

  it('stores up to the budget, says so once, then counts; the count is logged at the end', () => {
    const budget = new AuditBudget(small);
    const stored: ProxyEvent[] = [];
    for (let i = 0; i < 20; i++) stored.push(...budget.record(call(i), i));
    assert.equal(stored.filter((e) => e.kind === 'docker' && e.action === 'ps').length, 5);
    const notices = metaOf(stored);
    assert.equal(notices.length, 1);
    assert.match(notices[0]?.reason ?? '', /audit budget is reached \(5 proxy events or 8 MiB\)/);
    assert.equal(budget.usage.dropped, 15);
    const end = budget.flush();
    assert.match((end[0] as DockerCallBody).reason ?? '', /^sickbay: 15 more proxy events of this session were counted, not stored/);
    assert.deepEqual(budget.flush(), []);
  });

  it('counts bytes too', () => {
    const budget = new AuditBudget({ ...AUDIT_LIMITS, maxBytes: 1000 });
    const big: ProxyEvent = { kind: 'typed', where: 'exec', line: 'l'.repeat(400), approximate: false };
    const out = [...budget.record(big, 0), ...budget.record(big, 1), ...budget.record(big, 2)];
    assert.equal(out.filter((e) => e.kind === 'typed').length, 2);
    assert.equal(metaOf(out).length, 1);
  });
});
